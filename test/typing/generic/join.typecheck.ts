/**
 * Issue 19, item 2, cat / stack / split / chunk / narrow over (a) a generic batch, (b) a generic
 * spatial size, (c) `number` dims (TypeScript 6 and 7, `npm run typecheck`). Joining along a
 * generic dim gives `number` there (B + B cannot be computed); the other dims are checked as usual.
 */
import { cat, chunk, narrow, split, stack, zeros, type Tensor } from "../../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type Assignable<A, B> = [A] extends [B] ? true : false;

export function batch<B extends number>(x: Tensor<[B, 8, 6, 6]>, y: Tensor<[B, 4, 6, 6]>, z: Tensor<[2, 8, 6, 6]>) {
  const c = cat([x, y], 1);
  const b = cat([x, x]);
  const bz = cat([x, z], 0);
  const s = stack([x, x], 1);
  const p = split(x, 4, 1);
  const k = chunk(x, 2, -1);
  const n = narrow(x, 1, 2, 4);
  type Checks = [
    Expect<Equal<typeof c, Tensor<[B, 12, 6, 6]>>>,
    Expect<Assignable<typeof b, Tensor<[number, 8, 6, 6]>>>,
    Expect<Assignable<typeof bz, Tensor<[number, 8, 6, 6]>>>,
    Expect<Equal<typeof s, Tensor<[B, 2, 8, 6, 6]>>>,
    // Pieces are checked one by one: a tuple of pieces over a generic dim is a mapped type, equal
    // element by element but not identical to a tuple written out.
    Expect<Equal<typeof p.length, 2>>,
    Expect<Equal<(typeof p)[number], Tensor<[B, 4, 6, 6]>>>,
    Expect<Equal<typeof k.length, 2>>,
    Expect<Equal<(typeof k)[number], Tensor<[B, 8, 6, 3]>>>,
    Expect<Equal<typeof n, Tensor<[B, 4, 6, 6]>>>,
  ];
  // @ts-expect-error cat: tensor 1 has 4 channels where tensor 0 has 8, joining along the batch
  cat([x, y], 0);
  // @ts-expect-error cat: the batch differs (B against 2) when joining channels
  cat([x, z], 1);
  return [c, b, bz, s, p, k, n] as const;
}

export function spatial<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>, y: Tensor<[B, 4, H, H]>) {
  const c = cat([x, y], 1);
  const w = cat([x, x], -1);
  const s = stack([x, x], 0);
  const p = split(x, [3, 5], 1);
  const k = x.chunk(4, 1);
  type Checks = [
    Expect<Equal<typeof c, Tensor<[B, 12, H, H]>>>,
    Expect<Assignable<typeof w, Tensor<[B, 8, H, number]>>>,
    Expect<Equal<typeof s, Tensor<[2, B, 8, H, H]>>>,
    Expect<Equal<typeof p.length, 2>>,
    Expect<Equal<(typeof p)[0], Tensor<[B, 3, H, H]>>>,
    Expect<Equal<(typeof p)[1], Tensor<[B, 5, H, H]>>>,
    Expect<Equal<typeof k.length, 4>>,
    Expect<Equal<(typeof k)[number], Tensor<[B, 2, H, H]>>>,
  ];
  // @ts-expect-error split: sections [3, 4] do not sum to the 8 of dim 1
  split(x, [3, 4], 1);
  // @ts-expect-error stack: tensor 1 [B, 4, H, H] does not match tensor 0 [B, 8, H, H]
  stack([x, y]);
  return [c, w, s, p, k] as const;
}

export function runTime(x: Tensor<[number, 8, number, number]>) {
  const c = cat([x, x], 1);
  const b = cat([x, x]);
  const s = stack([x, zeros([2, 8, 3, 3])]);
  type Checks = [
    Expect<Equal<typeof c, Tensor<[number, 16, number, number]>>>,
    Expect<Equal<typeof b, Tensor<[number, 8, number, number]>>>,
    Expect<Equal<typeof s, Tensor<[2, 2, 8, 3, 3]>>>,
  ];
  return [c, b, s] as const;
}

// Instantiated, the sums are exact.
export type Instantiated = [
  Expect<Equal<ReturnType<typeof batch<3>>[1], Tensor<[6, 8, 6, 6]>>>,
  Expect<Equal<ReturnType<typeof batch<3>>[2], Tensor<[5, 8, 6, 6]>>>,
  Expect<Equal<ReturnType<typeof spatial<2, 5>>[1], Tensor<[2, 8, 5, 10]>>>,
];
