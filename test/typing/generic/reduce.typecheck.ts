/**
 * Issue 19, item 2, reductions (sum, mean, max, argmax, var; dim and keepdim) over (a) a generic
 * batch, (b) a generic spatial size, (c) `number` dims (TypeScript 6 and 7, `npm run typecheck`).
 */
import { argmax, max, mean, sum, type Tensor } from "../../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export function batch<B extends number>(x: Tensor<[B, 8, 6, 6]>) {
  const s = sum(x, 1);
  const m = mean(x, [2, 3], true);
  const x1 = max(x, -1);
  const a = argmax(x, 1, true);
  const all = x.sum();
  const v = x.var(1);
  type Checks = [
    Expect<Equal<typeof s, Tensor<[B, 6, 6]>>>,
    Expect<Equal<typeof m, Tensor<[B, 8, 1, 1]>>>,
    Expect<Equal<typeof x1, Tensor<[B, 8, 6]>>>,
    Expect<Equal<typeof a, Tensor<[B, 1, 6, 6], "int32">>>,
    Expect<Equal<typeof all, Tensor<[]>>>,
    Expect<Equal<typeof v, Tensor<[B, 6, 6]>>>,
  ];
  return [s, m, x1, a, all, v] as const;
}

export function spatial<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>) {
  const m = mean(x, [2, 3]);
  const k = max(x, [2, 3], true);
  const a = argmax(x, -1);
  const s = x.sum([0, 1]);
  type Checks = [
    Expect<Equal<typeof m, Tensor<[B, 8]>>>,
    Expect<Equal<typeof k, Tensor<[B, 8, 1, 1]>>>,
    Expect<Equal<typeof a, Tensor<[B, 8, H], "int32">>>,
    Expect<Equal<typeof s, Tensor<[H, H]>>>,
  ];
  return [m, k, a, s] as const;
}

export function runTime(x: Tensor<[number, 8, number, number]>) {
  const m = x.mean([2, 3]);
  const a = argmax(x, 1);
  type Checks = [
    Expect<Equal<typeof m, Tensor<[number, 8]>>>,
    Expect<Equal<typeof a, Tensor<[number, number, number], "int32">>>,
  ];
  return [m, a] as const;
}
