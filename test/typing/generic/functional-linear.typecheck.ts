/**
 * Issue 19: F.linear checks its weight's in-features against x's last dim as nn.Linear does, at the
 * weight, with the literal call's message (test-d/messages/functional.ts quotes it), under a
 * literal and under a generic batch; the batch stays B (TypeScript 6 and 7, `npm run typecheck`).
 * A generic in-features against a literal weight is the shape of every call that returns (it
 * runs only when they are equal), as under a `number` in-features (docs/types.md).
 */
import { randn, zeros, type Tensor } from "../../../src/index.js";
import * as nn from "../../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
const F = nn.functional;

export function literal(v: Tensor<[2, 16]>, x: Tensor<[2, 3, 16]>) {
  const l = F.linear(v, randn([4, 16]), zeros([4]));
  const l3 = F.linear(x, randn([5, 16]));
  type Checks = [Expect<Equal<typeof l, Tensor<[2, 4]>>>, Expect<Equal<typeof l3, Tensor<[2, 3, 5]>>>];
  // @ts-expect-error linear: input [2, 16] has 16 features but the layer expects 8 (weight [4, 8])
  F.linear(v, randn([4, 8]));
  // @ts-expect-error the bias has the out-features, 4
  F.linear(v, randn([4, 16]), zeros([5]));
  return [l, l3] as const;
}

export function generic<B extends number, K extends number>(
  v: Tensor<[B, 16]>,
  x: Tensor<[B, 8, K]>,
  w: Tensor<[4, K]>,
) {
  const l = F.linear(v, randn([4, 16]));
  const k = F.linear(x, w, randn([4]));
  type Checks = [Expect<Equal<typeof l, Tensor<[B, 4]>>>, Expect<Equal<typeof k, Tensor<[B, 8, 4]>>>];
  // @ts-expect-error linear: input [B, 16] has 16 features but the layer expects 8 (weight [4, 8])
  F.linear(v, randn([4, 8]));
  // @ts-expect-error the weight's dtype is the input's
  F.linear(v, randn([4, 16], { dtype: "float64" }));
  return [l, k] as const;
}

export function features<B extends number, K extends number>(x: Tensor<[B, K]>, n: Tensor<[B, number]>) {
  const l = F.linear(x, randn([4, 5]), zeros([4]));
  const m = F.linear(n, randn([4, 5]));
  const r = F.linear(randn([3, 2, 7]), randn([6, 7]));
  type Checks = [
    Expect<Equal<typeof l, Tensor<[B, 4]>>>,
    Expect<Equal<typeof m, Tensor<[B, 4]>>>,
    Expect<Equal<typeof r, Tensor<[3, 2, 6]>>>,
  ];
  // @ts-expect-error the bias has the out-features, 4
  F.linear(x, randn([4, 5]), zeros([5]));
  return [l, m, r] as const;
}
