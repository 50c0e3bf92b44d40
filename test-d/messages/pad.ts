// pad's shape type (types/shape/pad.ts) under TS 6 and 7: each line compiles only if the type is
// exactly the one written (messages included); test/ops/pad.test.ts checks the runtime throws the
// same texts and gives the same shapes.
import type { Pad } from "../../types/shape/pad.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export type Checks = [
  Expect<Equal<Pad<[2, 3, 4], [1, 2]>, [2, 3, 7]>>,
  Expect<Equal<Pad<[1, 2, 3, 4], readonly [1, 2, 0, 1], { readonly mode: "constant" }>, [1, 2, 4, 7]>>,
  Expect<Equal<Pad<[1, 2, 3, 3], [1, 0, 0, 1, 1, 1], { value: 2.5 }>, [1, 4, 4, 4]>>,
  Expect<Equal<Pad<[1, 2, 4, 5], [-1, -2, 0, -1]>, [1, 2, 3, 2]>>,
  Expect<Equal<Pad<[1, 1, 3, 4], [-2, -2]>, [1, 1, 3, 0]>>,
  Expect<Equal<Pad<[5], [2, -1]>, [6]>>,
  Expect<Equal<Pad<[1, 1, 5, 4], [3, 3, 4, 4], { mode: "reflect" }>, [1, 1, 13, 10]>>,
  Expect<Equal<Pad<[1, 2, 5], [2, -3], { mode: "reflect" }>, [1, 2, 4]>>,
  Expect<Equal<Pad<[1, 1, 2, 3], [5, 4, 3, 6], { mode: "replicate" }>, [1, 1, 11, 12]>>,
  Expect<Equal<Pad<[1, 1, 3, 4], [4, 4, 3, 3], { mode: "circular" }>, [1, 1, 9, 12]>>,
  Expect<Equal<Pad<[1, 2, 5], [2, -3], { mode: "circular" }>, [1, 2, 4]>>,
  Expect<Equal<Pad<[number, 3, 5], [2, 4], { mode: "reflect" }>, [number, 3, 11]>>,
  Expect<Equal<Pad<[2, 3, number], [1, 1]>, [2, 3, number]>>,
  Expect<Equal<Pad<[2, 3, 4], number[]>, number[]>>,
  Expect<Equal<Pad<number[], [1, 1]>, number[]>>,
  Expect<Equal<Pad<[1, 1, 3, 4], [1, 1, 1]>, "pad: pads must hold (before, after) pairs, got 3 entries">>,
  Expect<Equal<Pad<[3, 4], [1, 1, 1, 1, 1, 1]>, "pad: 6 pads is more than 2 per dim of the input [3, 4]">>,
  Expect<
    Equal<
      Pad<[1, 1, 4, 5], [1, 1], { mode: "reflect" }>,
      'pad: mode "reflect" takes 2 pads on a 2-D or 3-D input, 4 on a 3-D or 4-D input, 6 on a 4-D or 5-D input; got 2 pads on shape [1, 1, 4, 5]'
    >
  >,
  Expect<
    Equal<
      Pad<[1, 1, 4, 5], [1, 1, 1, 1], { mode: "replicate"; value: 2 }>,
      'pad: mode "replicate" takes no value (only "constant" fills), got value 2'
    >
  >,
  Expect<Equal<Pad<[1, 1, 4, 5], [1, 1, 1, 1], { mode: "replicate"; value: 0 }>, [1, 1, 6, 7]>>,
  Expect<
    Equal<
      Pad<[1, 1, 3, 4], [4, 0, 0, 0], { mode: "reflect" }>,
      "pad: reflect padding (4, 0) of dim 3 must be less than its size 4 (input [1, 1, 3, 4])"
    >
  >,
  Expect<
    Equal<
      Pad<[1, 1, 3, 4], [0, 0, 4, 0], { mode: "circular" }>,
      "pad: circular padding (4, 0) of dim 2 keeps 3 cells after cropping; it must keep at least 0 and wrap at most that many on each side (input [1, 1, 3, 4])"
    >
  >,
  Expect<
    Equal<
      Pad<[1, 1, 5], [3, -3], { mode: "circular" }>,
      "pad: circular padding (3, -3) of dim 2 keeps 2 cells after cropping; it must keep at least 0 and wrap at most that many on each side (input [1, 1, 5])"
    >
  >,
  Expect<
    Equal<
      Pad<[1, 1, 4], [-5, 0], { mode: "circular" }>,
      "pad: circular padding (-5, 0) of dim 2 keeps -1 cells after cropping; it must keep at least 0 and wrap at most that many on each side (input [1, 1, 4])"
    >
  >,
  Expect<
    Equal<
      Pad<[1, 1, 3, 4], [-3, -2, 0, 0]>,
      "pad: dim 3 of size 4 padded by (-3, -2) would have size -1 (input [1, 1, 3, 4])"
    >
  >,
  Expect<
    Equal<
      Pad<[1, 0, 2, 4], [1, 1, 1, 1], { mode: "replicate" }>,
      'pad: mode "replicate" needs every dim but the batch dim to be non-empty, got shape [1, 0, 2, 4]'
    >
  >,
  Expect<Equal<Pad<[0, 1, 2, 4], [1, 1, 1, 1], { mode: "reflect" }>, [0, 1, 4, 6]>>,
  Expect<Equal<Pad<[1, 0, 2, 4], [1, 1, 1, 1], { mode: "circular" }>, [1, 0, 4, 6]>>,
];
