/**
 * Issue 19, item 2, cat / stack / split / chunk / narrow over (a) a generic batch, (b) a generic
 * spatial size, (c) `number` dims (TypeScript 6 and 7, `npm run typecheck`). Joining along a
 * generic dim gives `number` there (B + B cannot be computed); the other dims are checked as usual.
 */
import { add, cat, chunk, flatten, narrow, split, stack, zeros, type Tensor } from "../../../src/index.js";

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

/**
 * Session 16: cuts along a generic dim. The rule runs with that dim typed `number`: a narrow's length
 * and split's sections stay exact, pieces of a size and chunks are an array of pieces `number` there,
 * and every other dim is kept. The options are still checked, and so are sections against a literal.
 */
export function cutGeneric<B extends number, H extends number, W extends number>(x: Tensor<[B, 16, H, W]>) {
  const p = split(x, 2, 0);
  const q = x.split(3, 2);
  const s = split(x, [3, 5], -2);
  const k = chunk(x, 2, 3);
  const kb = x.chunk(4);
  const n = narrow(x, 2, 1, 2);
  const nb = x.narrow(0, -1, 1);
  const nw = narrow(x, -1, 0, 0);
  const c = split(x, [4, 12], 1);
  type Checks = [
    Expect<Equal<typeof p, Tensor<[number, 16, H, W]>[]>>,
    Expect<Equal<typeof q, Tensor<[B, 16, number, W]>[]>>,
    Expect<Equal<typeof s.length, 2>>,
    Expect<Equal<(typeof s)[0], Tensor<[B, 16, 3, W]>>>,
    Expect<Equal<(typeof s)[1], Tensor<[B, 16, 5, W]>>>,
    Expect<Equal<typeof k, Tensor<[B, 16, H, number]>[]>>,
    Expect<Equal<typeof kb, Tensor<[number, 16, H, W]>[]>>,
    Expect<Equal<typeof n, Tensor<[B, 16, 2, W]>>>,
    Expect<Equal<typeof nb, Tensor<[1, 16, H, W]>>>,
    Expect<Equal<typeof nw, Tensor<[B, 16, H, 0]>>>,
    Expect<Equal<(typeof c)[1], Tensor<[B, 12, H, W]>>>,
  ];
  // @ts-expect-error split: sizeOrSections must be a positive integer, got 0 (the cut dim is generic)
  split(x, 0, 2);
  // @ts-expect-error split: dim 4 is out of range for a tensor of rank 4
  split(x, 2, 4);
  // @ts-expect-error split: sections [4, 8] sum to 12 but dim 1 has size 16 (a literal dim beside generic ones)
  split(x, [4, 8], 1);
  // @ts-expect-error chunk: chunks must be a positive integer, got -1
  chunk(x, -1, 0);
  // @ts-expect-error narrow: length must be a non-negative integer, got -2
  narrow(x, 2, 0, -2);
  // @ts-expect-error narrow: start must be an integer, got 0.5
  x.narrow(0, 0.5, 1);
  return [p, q, s, k, kb, n, nb, nw, c] as const;
}

/**
 * Session 16: a cat along a generic dim keeps the sum (`B + B`, assignable to number), which the
 * compiler finishes when the helper is called; ops after it take the sum as a generic dim.
 */
export function catGeneric<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>) {
  const b = cat([x, x], 0);
  const h = cat([x, x], 2);
  const pieces = split(b, 2, 0);
  const summed = add(b, b);
  const flat = flatten(h, 2);
  type Checks = [
    Expect<Assignable<typeof b, Tensor<[number, 8, H, H]>>>,
    Expect<Assignable<typeof h, Tensor<[B, 8, number, H]>>>,
    Expect<Equal<typeof pieces, Tensor<[number, 8, H, H]>[]>>,
    Expect<Equal<typeof flat, Tensor<[B, 8, number]>>>,
  ];
  return [b, h, summed] as const;
}
export type CatInstantiated = [
  Expect<Equal<ReturnType<typeof catGeneric<3, 5>>[0], Tensor<[6, 8, 5, 5]>>>,
  Expect<Equal<ReturnType<typeof catGeneric<3, 5>>[1], Tensor<[3, 8, 10, 5]>>>,
  Expect<Equal<ReturnType<typeof catGeneric<3, 5>>[2], Tensor<[6, 8, 5, 5]>>>,
];
