/**
 * Issue 19, item 2, movement ops (reshape, view, flatten, permute, transpose, squeeze, unsqueeze)
 * over (a) a generic batch, (b) a generic spatial size, (c) `number` dims (TypeScript 6 and 7,
 * `npm run typecheck`). flatten of merged dims that include a type parameter, and reshape of an
 * input with one after its first dim, give `number` for what cannot be computed.
 */
import { flatten, permute, reshape, squeeze, transpose, unsqueeze, type Tensor } from "../../../src/index.js";
import * as nn from "../../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export function batch<B extends number>(x: Tensor<[B, 8, 6, 6]>) {
  const f = flatten(x, 1);
  const all = flatten(x);
  const m = x.flatten();
  const r = reshape(x, [-1, 8, 36]);
  const v = x.view([-1, 288]);
  const p = permute(x, [0, 2, 3, 1]);
  const t = transpose(x, 1, 2);
  const u = unsqueeze(x, 0);
  const q = squeeze(unsqueeze(x, 1), 1);
  type Checks = [
    Expect<Equal<typeof f, Tensor<[B, 288]>>>,
    Expect<Equal<typeof all, Tensor<[number]>>>,
    Expect<Equal<typeof m, Tensor<[number]>>>,
    Expect<Equal<typeof r, Tensor<[B, 8, 36]>>>,
    Expect<Equal<typeof v, Tensor<[B, 288]>>>,
    Expect<Equal<typeof p, Tensor<[B, 6, 6, 8]>>>,
    Expect<Equal<typeof t, Tensor<[B, 6, 8, 6]>>>,
    Expect<Equal<typeof u, Tensor<[1, B, 8, 6, 6]>>>,
    Expect<Equal<typeof q, Tensor<[B, 8, 6, 6]>>>,
  ];
  // @ts-expect-error reshape: 288 elements per batch item cannot fill rows of 1000
  x.reshape([-1, 1000]);
  return [f, all, m, r, v, p, t, u, q] as const;
}

export function spatial<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>) {
  const f = flatten(x, 1);
  const m = x.flatten(2);
  const n = nn.functional.flatten(x);
  const one = flatten(x, 1, 1);
  const lead = flatten(x, 0, 1);
  const r = reshape(x, [-1, 8, 36]);
  const v = x.view([4, -1]);
  const p = x.permute([0, 2, 3, 1]);
  const t = transpose(x);
  const u = unsqueeze(x, -1);
  type Checks = [
    Expect<Equal<typeof f, Tensor<[B, number]>>>,
    Expect<Equal<typeof m, Tensor<[B, 8, number]>>>,
    Expect<Equal<typeof n, Tensor<[B, number]>>>,
    Expect<Equal<typeof one, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof lead, Tensor<[number, H, H]>>>,
    Expect<Equal<typeof r, Tensor<[number, 8, 36]>>>,
    Expect<Equal<typeof v, Tensor<[4, number]>>>,
    Expect<Equal<typeof p, Tensor<[B, H, H, 8]>>>,
    Expect<Equal<typeof t, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof u, Tensor<[B, 8, H, H, 1]>>>,
  ];
  // @ts-expect-error reshape: only one dim can be -1
  x.reshape([-1, -1]);
  return [f, m, n, one, lead, r, v, p, t, u] as const;
}

export function runTime(x: Tensor<[number, 8, number, number]>) {
  const f = flatten(x, 1);
  const r = x.reshape([-1, 8, 36]);
  const t = x.transpose(1, 3);
  type Checks = [
    Expect<Equal<typeof f, Tensor<[number, number]>>>,
    Expect<Equal<typeof r, Tensor<[number, 8, 36]>>>,
    Expect<Equal<typeof t, Tensor<[number, number, number, 8]>>>,
  ];
  return [f, r, t] as const;
}
