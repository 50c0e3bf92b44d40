/**
 * Issue 19, item 2, elementwise and broadcast ops over generic and `number` dims (TypeScript 6 and
 * 7, `npm run typecheck`): (a) a generic batch B, (b) a generic spatial size H, (c) `number` dims.
 * What the rule knows is kept, exactly (`Expect<Equal<...>>`); literal mismatches stay errors.
 */
import { add, maximum, mul, relu, sigmoid, sub, zeros, type Tensor } from "../../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export function batch<B extends number>(x: Tensor<[B, 8, 6, 6]>, c: Tensor<[8, 1, 1]>) {
  const a = add(x, x);
  const b = x.mul(c);
  const s = sub(x, 1);
  const r = relu(x).exp();
  const m = maximum(x, x.mean([0, 2, 3], true));
  type Checks = [
    Expect<Equal<typeof a, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof b, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof s, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof r, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof m, Tensor<[B, 8, 6, 6]>>>,
  ];
  // @ts-expect-error add: shapes [B, 8, 6, 6] and [3, 1, 1] cannot be broadcast
  add(x, zeros([3, 1, 1]));
  return [a, b, s, r, m] as const;
}

export function spatial<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>, c: Tensor<[8, 1, 1]>) {
  const a = add(x, x);
  const b = mul(x, c);
  const g = sigmoid(x).sub(x.mean(1, true));
  type Checks = [
    Expect<Equal<typeof a, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof b, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof g, Tensor<[B, 8, H, H]>>>,
  ];
  // @ts-expect-error mul: 8 channels against 4
  mul(x, zeros([4, 1, 1]));
  return [a, b, g] as const;
}

export function runTime(x: Tensor<[number, 8, number, number]>) {
  const a = add(x, x);
  const b = x.mul(zeros([8, 1, 1]));
  type Checks = [
    Expect<Equal<typeof a, Tensor<[number, 8, number, number]>>>,
    Expect<Equal<typeof b, Tensor<[number, 8, number, number]>>>,
  ];
  // @ts-expect-error add: 8 channels against 3
  add(x, zeros([3, 1, 1]));
  return [a, b] as const;
}

/**
 * Session 16: shapes that differ only where a generic dim meets a 1 of the second operand (a keepdim
 * reduction, a per-sample or per-channel factor) are walked dim by dim: B against 1 is B, B against B
 * is B. (The whole-shape test that made identical shapes cheap waited here: `[B, 8, H, H]` and
 * `[B, 8, 1, 1]` are equal at H = 1.) A 1 of the FIRST operand against a generic dim, and a generic
 * dim against a different literal or generic, remain undecided: each test on such a pair holds for
 * some values of the parameter and not for others (docs/types.md).
 */
export function broadcastGeneric<B extends number, H extends number>(
  x: Tensor<[B, 8, H, H]>,
  perSample: Tensor<[B, 1, 1, 1]>,
  perChannel: Tensor<[1, 8, 1, 1]>,
  row: Tensor<[B, 8, 1, H]>,
) {
  const centred = x.sub(x.mean([2, 3], true));
  const scaled = mul(x, perSample);
  const shifted = add(x, perChannel);
  const normed = x.div(x.sum(0, true));
  const r = maximum(x, row);
  const c = sub(x, x.mean([1, 2, 3], true));
  type Checks = [
    Expect<Equal<typeof centred, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof scaled, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof shifted, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof normed, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof r, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof c, Tensor<[B, 8, H, H]>>>,
  ];
  // @ts-expect-error sub: 8 channels against 4, the other dims 1
  x.sub(zeros([1, 4, 1, 1]));
  return [centred, scaled, shifted, normed, r, c] as const;
}
