// cat, stack, split, chunk, narrow, squeeze and unsqueeze under TS 6 and 7: each Expect line
// compiles only if the type is exactly the one written, and each annotated call fails at the
// annotated argument with exactly the runtime's text (test/ops/join.test.ts throws the same).
import type { Cat, Chunk, Narrow, Split, Squeeze, Stack, Unsqueeze } from "../../types/shape/join.js";
import { cat, chunk, narrow, split, squeeze, stack, unsqueeze, type Tensor } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export type Checks = [
  Expect<Equal<Cat<[[2, 16, 8, 8], [2, 32, 8, 8]], 1>, [2, 48, 8, 8]>>,
  Expect<Equal<Cat<[[2, 3], [1, 3], [4, 3]]>, [7, 3]>>,
  Expect<Equal<Cat<[[2, 0, 3], [2, 2, 3]], -2>, [2, 2, 3]>>,
  Expect<Equal<Cat<[[number, 3], [2, 3]], 1>, [2, 6]>>,
  Expect<Equal<Cat<[[2, number], [2, 5]], 1>, [2, number]>>,
  Expect<Equal<Cat<[2, 3][], 0>, number[]>>,
  Expect<
    Equal<
      Cat<[[2, 16, 8, 8], [1, 32, 8, 8]], 1>,
      "cat: tensor 1 [1, 32, 8, 8] does not match tensor 0 [2, 16, 8, 8] in dim 0 (only dim 1, the cat dim, may differ)"
    >
  >,
  Expect<Equal<Cat<[[2, 3], [2, 3, 1]]>, "cat: tensor 1 [2, 3, 1] and tensor 0 [2, 3] have different ranks">>,
  Expect<Equal<Cat<[]>, "cat: expected a non-empty list of tensors, got []">>,
  Expect<Equal<Cat<[[2], []]>, "cat: tensor 1 is 0-d and cannot be concatenated (unsqueeze it first, or use stack)">>,
  Expect<
    Equal<Cat<[[2, 3]], -3>, "cat: dim -3 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])">
  >,
  Expect<Equal<Stack<[[2, 3], [2, 3], [2, 3]], 1>, [2, 3, 3]>>,
  Expect<Equal<Stack<[[2, 3], [2, 3]], -1>, [2, 3, 2]>>,
  Expect<Equal<Stack<[[], []]>, [2]>>,
  Expect<
    Equal<Stack<[[2, 3], [2, 4]]>, "stack: tensor 1 [2, 4] does not match tensor 0 [2, 3] (stack needs equal shapes)">
  >,
  Expect<
    Equal<Stack<[[2, 3]], 3>, "stack: dim 3 is out of range for a tensor of rank 3 (expected an integer in [-3, 2])">
  >,
  Expect<Equal<Split<[7, 2], 3>, [[3, 2], [3, 2], [1, 2]]>>,
  Expect<Equal<Split<[3, 2], 5>, [[3, 2]]>>,
  Expect<Equal<Split<[2, 6], [1, 0, 5], -1>, [[2, 1], [2, 0], [2, 5]]>>,
  Expect<Equal<Split<[number, 6], 2>, [number, 6][]>>,
  Expect<Equal<Split<[200, 2], 1>, [number, 2][]>>,
  Expect<Equal<Split<[5, 2], [2, 2]>, "split: sections [2, 2] sum to 4 but dim 0 has size 5">>,
  Expect<
    Equal<
      Split<[5, 2], [6, -1]>,
      "split: sizeOrSections must be a positive integer or an array of non-negative integers, got [6, -1]"
    >
  >,
  Expect<Equal<Split<[], 1>, "split: expected a tensor with at least 1 dim, got a 0-d tensor">>,
  Expect<Equal<Chunk<[5, 2], 4>, [[2, 2], [2, 2], [1, 2]]>>,
  Expect<Equal<Chunk<[2, 6], 4, 1>, [[2, 2], [2, 2], [2, 2]]>>,
  Expect<Equal<Chunk<[0, 3], 3>, [[0, 3], [0, 3], [0, 3]]>>,
  Expect<Equal<Chunk<[2, 0], 3, 1>, [[2, 0], [2, 0], [2, 0]]>>,
  Expect<Equal<Chunk<[0, 3], 65>, [0, 3][]>>,
  Expect<Equal<Chunk<[0, 3], 1048576>, [0, 3][]>>,
  Expect<
    Equal<Chunk<[0, 3], 1048577>, "chunk: 1048577 pieces of dim 0 of size 0 is more than the limit of 1048576 pieces">
  >,
  Expect<Equal<Chunk<[2, 0], 9>, [[1, 0], [1, 0]]>>,
  Expect<Equal<Split<[0, 3], 2>, [[0, 3]]>>,
  Expect<
    Equal<
      Split<[2000000, 0], 1>,
      "split: 2000000 pieces of dim 0 of size 2000000 is more than the limit of 1048576 pieces"
    >
  >,
  Expect<Equal<Split<[2000000, 0], 2>, [number, 0][]>>,
  Expect<Equal<Chunk<[5, 2], 0>, "chunk: chunks must be a positive integer, got 0">>,
  Expect<Equal<Narrow<[6, 2], 0, -3, 2>, [2, 2]>>,
  Expect<Equal<Narrow<[4, 2], 0, 4, 0>, [0, 2]>>,
  Expect<Equal<Narrow<[number, 2], 0, 1, 3>, [3, 2]>>,
  Expect<Equal<Narrow<[5, 2], 0, 3, 3>, "narrow: start 3 + length 3 runs past the end of dim 0 of size 5">>,
  Expect<
    Equal<
      Narrow<[5, 2], 0, -6, 1>,
      "narrow: start -6 is out of range for dim 0 of size 5 (expected an integer in [-5, 5])"
    >
  >,
  Expect<Equal<Narrow<[5, 2], 0, 1, -1>, "narrow: length must be a non-negative integer, got -1">>,
  Expect<Equal<Narrow<[5, 2], 0, 1.5, 1>, "narrow: start must be an integer, got 1.5">>,
  Expect<Equal<Squeeze<[2, 1, 3, 1]>, [2, 3]>>,
  Expect<Equal<Squeeze<[2, 1, 3], 1>, [2, 3]>>,
  Expect<Equal<Squeeze<[2, 1, 3], 0>, [2, 1, 3]>>,
  Expect<Equal<Squeeze<[2, number]>, number[]>>,
  Expect<Equal<Squeeze<[], -1>, []>>,
  Expect<
    Equal<Squeeze<[2, 3], 2>, "squeeze: dim 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])">
  >,
  Expect<Equal<Unsqueeze<[2, 3], -1>, [2, 3, 1]>>,
  Expect<Equal<Unsqueeze<[], 0>, [1]>>,
  Expect<
    Equal<
      Unsqueeze<[2, 3], 3>,
      "unsqueeze: dim 3 is out of range for a tensor of rank 3 (expected an integer in [-3, 2])"
    >
  >,
];

declare const a: Tensor<[2, 16, 8, 8]>;
declare const b: Tensor<[2, 32, 8, 8]>;
declare const c: Tensor<[1, 32, 8, 8]>;
declare const d: Tensor<[2, 16, 8, 8], "float64">;
declare const e: Tensor<[2, 16, 8, 8], "float32", "webgpu">;
declare const x: Tensor<[5, 2]>;
declare const empty: Tensor<[0, 2]>;

/** A generic batch stays itself off the cat dim, and through stack, split, narrow, squeeze. */
export function generic<B extends number>(p: Tensor<[B, 16, 8, 8]>, q: Tensor<[B, 32, 8, 8]>) {
  const joined: Tensor<[B, 48, 8, 8]> = cat([p, q], 1);
  const stacked: Tensor<[B, 2, 16, 8, 8]> = stack([p, p], 1);
  const pieces: [Tensor<[B, 4, 8, 8]>, Tensor<[B, 12, 8, 8]>] = split(p, [4, 12], 1);
  const halves: [Tensor<[B, 8, 8, 8]>, Tensor<[B, 8, 8, 8]>] = p.chunk(2, 1);
  const middle: Tensor<[B, 16, 4, 8]> = narrow(p, 2, 2, 4);
  const back: Tensor<[B, 16, 8, 8]> = squeeze(unsqueeze(p, 1), 1);
  return [joined, stacked, pieces, halves, middle, back] as const;
}

/**
 * Session 16: cuts and squeeze along a generic dim. A cut runs its rule with that dim typed `number`
 * (pieces of a size are an array, a narrow's length exact); squeeze at a dim that may be 1 is
 * `number[]`. Mistakes at literal dims beside generic ones keep the catalogue's text (below).
 */
export function genericCalls<B extends number, H extends number>(p: Tensor<[B, 16, H, H]>) {
  const pieces = split(p, 2, 0);
  const sections = split(p, [3, 5], 2);
  const chunks = p.chunk(3, -1);
  const middle = narrow(p, 2, 1, 4);
  const squeezed = squeeze(p);
  const check: [
    Expect<Equal<typeof pieces, Tensor<[number, 16, H, H]>[]>>,
    Expect<Equal<(typeof sections)[1], Tensor<[B, 16, 5, H]>>>,
    Expect<Equal<typeof chunks, Tensor<[B, 16, H, number]>[]>>,
    Expect<Equal<typeof middle, Tensor<[B, 16, 4, H]>>>,
    Expect<Equal<typeof squeezed, Tensor<number[]>>>,
  ] = [true, true, true, true, true];
  return check;
}

/** Mistakes at literal dims under generic ones: the exact signature's message, at the argument. */
export function genericMistakes<B extends number, H extends number>(p: Tensor<[B, 16, H, H]>) {
  split(p, [3, 4], 1);
  // at: arg1
  // error: split: sections [3, 4] sum to 7 but dim 1 has size 16

  squeeze(p, 4);
  // at: arg1
  // error: squeeze: dim 4 is out of range for a tensor of rank 4 (expected an integer in [-4, 3])

  p.narrow(1, 0, 17);
  // at: arg2
  // error: narrow: start 0 + length 17 runs past the end of dim 1 of size 16

  chunk(p, 2, -5);
  // at: arg2
  // error: chunk: dim -5 is out of range for a tensor of rank 4 (expected an integer in [-4, 3])
}

export const ok: [Tensor<[2, 48, 8, 8]>, Tensor<[2, 2, 16, 8, 8]>] = [cat([a, b], 1), stack([a, a], 1)];

cat([a, c], 1);
// at: arg0
// error: cat: tensor 1 [1, 32, 8, 8] does not match tensor 0 [2, 16, 8, 8] in dim 0 (only dim 1, the cat dim, may differ)

cat([a, b], 4);
// at: arg1
// error: cat: dim 4 is out of range for a tensor of rank 4 (expected an integer in [-4, 3])

cat([a, d], 1);
// at: arg0
// error: cat: dtype mismatch: float32 and float64 (convert one with .cast())

stack([a, e]);
// at: arg0
// error: stack: device mismatch: cpu and webgpu (move one with .to())

stack([a, b]);
// at: arg0
// error: stack: tensor 1 [2, 32, 8, 8] does not match tensor 0 [2, 16, 8, 8] (stack needs equal shapes)

split(x, [2, 2]);
// at: arg1
// error: split: sections [2, 2] sum to 4 but dim 0 has size 5

split(x, 2, 2);
// at: arg2
// error: split: dim 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])

x.split(0);
// at: arg0
// error: split: sizeOrSections must be a positive integer or an array of non-negative integers, got 0

chunk(x, -2);
// at: arg1
// error: chunk: chunks must be a positive integer, got -2

chunk(empty, 9007199254740991);
// at: arg1
// error: chunk: 9007199254740991 pieces of dim 0 of size 0 is more than the limit of 1048576 pieces

narrow(x, 2, 0, 1);
// at: arg1
// error: narrow: dim 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])

narrow(x, 0, 6, 0);
// at: arg2
// error: narrow: start 6 is out of range for dim 0 of size 5 (expected an integer in [-5, 5])

x.narrow(0, 3, 3);
// at: arg2
// error: narrow: start 3 + length 3 runs past the end of dim 0 of size 5

squeeze(x, 2);
// at: arg1
// error: squeeze: dim 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])

x.unsqueeze(-4);
// at: arg0
// error: unsqueeze: dim -4 is out of range for a tensor of rank 3 (expected an integer in [-3, 2])
