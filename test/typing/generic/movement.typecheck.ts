/**
 * Issue 19, item 2, movement ops (reshape, view, flatten, permute, transpose, squeeze, unsqueeze)
 * over (a) a generic batch, (b) a generic spatial size, (c) `number` dims (TypeScript 6 and 7,
 * `npm run typecheck`). flatten of merged dims that include a type parameter, and reshape of an
 * input with one after its first dim, give `number` for what cannot be computed.
 */
import { expand, flatten, permute, reshape, squeeze, transpose, unsqueeze, type Tensor } from "../../../src/index.js";
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

/**
 * Session 16: squeeze without a dim, or at a generic dim, under a type parameter: the dim may or may
 * not be 1, so the rank is unknown and the result is `number[]`, as for a `number` dim (no rank
 * claimed that a call at B = 1 would not have). A literal dim beside generic ones keeps the exact
 * rule. expand's -1 keeps the input's dim, generic or not.
 */
export function squeezeGeneric<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>, o: Tensor<[B, 1, H, 1]>) {
  const all = squeeze(x);
  const m = o.squeeze();
  const atB = squeeze(x, 0);
  const atH = o.squeeze(-2);
  const one = squeeze(o, 1);
  const last = o.squeeze(3);
  const kept = squeeze(x, 1);
  const e = expand(o, [-1, 4, -1, 5]);
  const e5 = x.mean([2, 3], true).expand([2, -1, -1, 3, 3]);
  type Checks = [
    Expect<Equal<typeof all, Tensor<number[]>>>,
    Expect<Equal<typeof m, Tensor<number[]>>>,
    Expect<Equal<typeof atB, Tensor<number[]>>>,
    Expect<Equal<typeof atH, Tensor<number[]>>>,
    Expect<Equal<typeof one, Tensor<[B, H, 1]>>>,
    Expect<Equal<typeof last, Tensor<[B, 1, H]>>>,
    Expect<Equal<typeof kept, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof e, Tensor<[B, 4, H, 5]>>>,
    Expect<Equal<typeof e5, Tensor<[2, B, 8, 3, 3]>>>,
  ];
  // @ts-expect-error squeeze: dim 4 is out of range for a tensor of rank 4
  squeeze(x, 4);
  // @ts-expect-error squeeze: dim -5 is out of range for a tensor of rank 4
  x.squeeze(-5);
  return [all, m, atB, atH, one, last, kept, e, e5] as const;
}
