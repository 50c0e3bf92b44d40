/**
 * Issue 19, item 2, matmul and linear over (a) a generic batch, (b) a generic inner or spatial
 * size, (c) `number` dims (TypeScript 6 and 7, `npm run typecheck`). The same generic inner dim on
 * both sides is accepted; literal inner mismatches stay errors.
 */
import { matmul, randn, zeros, type Tensor } from "../../../src/index.js";
import * as nn from "../../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export function batch<B extends number>(v: Tensor<[B, 16]>, x: Tensor<[B, 3, 16]>) {
  const m = matmul(v, randn([16, 4]));
  const b = x.matmul(randn([16, 2]));
  const l = nn.functional.linear(v, randn([4, 16]), randn([4]));
  const L = nn.Linear(16, 4).forward(x);
  type Checks = [
    Expect<Equal<typeof m, Tensor<[B, 4]>>>,
    Expect<Equal<typeof b, Tensor<[B, 3, 2]>>>,
    Expect<Equal<typeof l, Tensor<[B, 4]>>>,
    Expect<Equal<typeof L, Tensor<[B, 3, 4]>>>,
  ];
  // @ts-expect-error matmul: inner dims do not match: [B, 16] @ [5, 4] (16 vs 5)
  matmul(v, zeros([5, 4]));
  // @ts-expect-error linear: input [B, 16] has 16 features but the layer expects 8
  nn.Linear(8, 4).forward(v);
  return [m, b, l, L] as const;
}

export function inner<B extends number, K extends number>(
  v: Tensor<[B, K]>,
  w: Tensor<[K, 4]>,
  x: Tensor<[B, 8, K, K]>,
) {
  const m = matmul(v, w);
  const sq = matmul(x, x);
  const t = matmul(x, x.transpose(-2, -1));
  type Checks = [
    Expect<Equal<typeof m, Tensor<[B, 4]>>>,
    Expect<Equal<typeof sq, Tensor<[B, 8, K, K]>>>,
    Expect<Equal<typeof t, Tensor<[B, 8, K, K]>>>,
  ];
  return [m, sq, t] as const;
}

export function runTime(v: Tensor<[number, 16]>, w: Tensor<[number, number]>) {
  const m = matmul(v, randn([16, 4]));
  const r = matmul(v, w);
  const L = nn.Linear(16, 4).forward(v);
  type Checks = [
    Expect<Equal<typeof m, Tensor<[number, 4]>>>,
    Expect<Equal<typeof r, Tensor<[number, number]>>>,
    Expect<Equal<typeof L, Tensor<[number, 4]>>>,
  ];
  // @ts-expect-error matmul: inner dims do not match (16 vs 5)
  matmul(v, zeros([5, 4]));
  return [m, r, L] as const;
}

/** Session 16: F.linear with the same generic in-features on the input and the weight (compared as a pair). */
export function linearGeneric<B extends number, K extends number>(
  v: Tensor<[B, K]>,
  x: Tensor<[B, 8, K]>,
  w: Tensor<[4, K]>,
) {
  const l = nn.functional.linear(v, w);
  const l3 = nn.functional.linear(x, w, randn([4]));
  type Checks = [Expect<Equal<typeof l, Tensor<[B, 4]>>>, Expect<Equal<typeof l3, Tensor<[B, 8, 4]>>>];
  // @ts-expect-error linear: input [B, 8] has 8 features but the layer expects 5
  nn.Linear(5, 4).forward(x.mean(2));
  return [l, l3] as const;
}
