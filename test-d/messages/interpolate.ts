// interpolate's shape type (types/shape/interpolate.ts) under TS 6 and 7: each line compiles only
// if the type is exactly the one written (messages included); test/ops/interpolate.test.ts checks
// the runtime throws the same texts and gives the same shapes.
import type { Interpolate } from "../../types/shape/interpolate.js";
import { interpolate, type Tensor } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export type Checks = [
  Expect<Equal<Interpolate<[8, 16, 32, 32], { size: [64, 48] }>, [8, 16, 64, 48]>>,
  Expect<Equal<Interpolate<[8, 16, 32, 32], { readonly size: readonly [64, 48] }>, [8, 16, 64, 48]>>,
  Expect<Equal<Interpolate<[2, 3, 4, 5], { size: 9; mode: "bilinear" }>, [2, 3, 9, 9]>>,
  Expect<Equal<Interpolate<[number, 3, 32, 32], { scaleFactor: 2 }>, [number, 3, 64, 64]>>,
  Expect<Equal<Interpolate<[number, number, 32, 20], { scaleFactor: [3, 1] }>, [number, number, 96, 20]>>,
  Expect<Equal<Interpolate<[1, 1, number, 5], { scaleFactor: 2 }>, [1, 1, number, 10]>>,
  Expect<Equal<Interpolate<[1, 1, 5, 5], { scaleFactor: 1.5 }>, [1, 1, number, number]>>,
  Expect<Equal<Interpolate<[1, 1, 5, 5], { scaleFactor: 0.5 }>, [1, 1, number, number]>>,
  Expect<Equal<Interpolate<number[], { size: 4 }>, number[]>>,
  Expect<
    Equal<
      Interpolate<[1, 1, 3, 3], { size: 4; scaleFactor: 2 }>,
      "interpolate: give exactly one of size and scaleFactor, got both"
    >
  >,
  Expect<
    Equal<
      Interpolate<[1, 1, 3, 3], { mode: "bilinear" }>,
      "interpolate: give exactly one of size and scaleFactor, got neither"
    >
  >,
  Expect<
    Equal<
      Interpolate<[1, 1, 3, 3], { scaleFactor: 2; alignCorners: false }>,
      'interpolate: alignCorners can only be set with mode "bilinear", got alignCorners false with mode "nearest"'
    >
  >,
  Expect<Equal<Interpolate<[1, 1, 3, 3], { scaleFactor: 2; mode: "bilinear"; alignCorners: true }>, [1, 1, 6, 6]>>,
  Expect<
    Equal<Interpolate<[1, 3, 3], { size: 4 }>, "interpolate: expected a 4-D [N, C, H, W] input, got shape [1, 3, 3]">
  >,
  Expect<
    Equal<
      Interpolate<[1, 1, 3, 3], { size: [0, 2] }>,
      "interpolate: size must be a positive integer or a pair [h, w] of them, got [0, 2]"
    >
  >,
  Expect<
    Equal<Interpolate<[1, 2, 0, 3], { size: 4 }>, "interpolate: input height and width must be at least 1, got 0x3">
  >,
  Expect<
    Equal<
      Interpolate<[1, 2, 5, 0], { scaleFactor: 2; mode: "bilinear" }>,
      "interpolate: input height and width must be at least 1, got 5x0"
    >
  >,
  Expect<Equal<Interpolate<[0, 2, 3, 3], { size: 4 }>, [0, 2, 4, 4]>>,
  Expect<
    Equal<
      Interpolate<[2, 0, 3, 3], { size: 4 }>,
      "interpolate: expected at least 1 channel (only the batch may be empty), got shape [2, 0, 3, 3]"
    >
  >,
  Expect<
    Equal<
      Interpolate<[0, 0, 3, 3], { scaleFactor: 0.5; mode: "bilinear" }>,
      "interpolate: expected at least 1 channel (only the batch may be empty), got shape [0, 0, 3, 3]"
    >
  >,
  Expect<
    Equal<
      Interpolate<[number, 0, 3, 3], { scaleFactor: 2 }>,
      // a generic batch: the message holds its value as a number
      `interpolate: expected at least 1 channel (only the batch may be empty), got shape [${number}, 0, 3, 3]`
    >
  >,
  Expect<Equal<Interpolate<[0, number, 3, 3], { scaleFactor: 2 }>, [0, number, 6, 6]>>,
];

declare const noChannels: Tensor<[2, 0, 8, 8]>;

interpolate(noChannels, { scaleFactor: 2, mode: "bilinear" });
// at: arg0
// error: interpolate: expected at least 1 channel (only the batch may be empty), got shape [2, 0, 8, 8]

// Issue 19: one signature with the conv ops' route. Under a generic batch and size a bad call fails
// at the input with the literal call's text (was "No overload matches this call"), and what the
// rule knows is kept.
export function generic<B extends number, H extends number>(g: Tensor<[B, 8, H, H]>) {
  interpolate(g, { size: 3, scaleFactor: 2 });
  // at: arg0
  // error: interpolate: give exactly one of size and scaleFactor, got both
  const sized = interpolate(g, { size: [4, 5], mode: "bilinear" });
  const same = interpolate(g, { scaleFactor: 1 });
  const doubled = interpolate(g, { scaleFactor: 2 });
  type GenericChecks = [
    Expect<Equal<typeof sized, Tensor<[B, 8, 4, 5]>>>,
    Expect<Equal<typeof same, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof doubled, Tensor<[B, 8, number, number]>>>,
  ];
  return [sized, same, doubled];
}
