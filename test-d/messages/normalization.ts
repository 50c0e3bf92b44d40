// layerNorm / groupNorm's shape types (types/shape/normalization.ts) under TS 6 and 7: each line
// compiles only if the type is exactly the one written (messages included);
// test/ops/normalization.test.ts and test/nn/normalization.test.ts check the runtime throws the
// same texts.
import type { GroupNorm, GroupNormChannels, LayerNorm, NormParam } from "../../types/shape/normalization.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export type Checks = [
  Expect<Equal<LayerNorm<[8, 14, 14, 96], 96>, [8, 14, 14, 96]>>,
  Expect<Equal<LayerNorm<[8, 14, 14, 96], readonly [14, 96]>, [8, 14, 14, 96]>>,
  Expect<Equal<LayerNorm<[number, 196, 768], [768]>, [number, 196, 768]>>,
  Expect<Equal<LayerNorm<[2, number], [5]>, [2, number]>>,
  Expect<Equal<LayerNorm<number[], [5]>, number[]>>,
  Expect<Equal<LayerNorm<[2, 5], number[]>, [2, 5]>>,
  Expect<
    Equal<LayerNorm<[2, 3, 4], [3]>, "layerNorm: normalizedShape [3] does not match the last dims of input [2, 3, 4]">
  >,
  Expect<
    Equal<
      LayerNorm<[3, 4], [2, 3, 4]>,
      "layerNorm: normalizedShape [2, 3, 4] does not match the last dims of input [3, 4]"
    >
  >,
  Expect<
    Equal<
      LayerNorm<[3, 4], []>,
      "layerNorm: normalizedShape must be a positive integer or a non-empty list of them, got []"
    >
  >,
  Expect<Equal<GroupNorm<[4, 32, 8, 8], 8>, [4, 32, 8, 8]>>,
  Expect<Equal<GroupNorm<[4, 6], 3>, [4, 6]>>,
  Expect<Equal<GroupNorm<[number, 6, number], 6>, [number, 6, number]>>,
  Expect<Equal<GroupNorm<[4, number, 8], 3>, [4, number, 8]>>,
  Expect<
    Equal<GroupNorm<[2, 5, 3, 3], 2>, "groupNorm: numGroups 2 does not divide the 5 channels of input [2, 5, 3, 3]">
  >,
  Expect<Equal<GroupNorm<[4], 2>, "groupNorm: expected an input [N, C, ...] of at least 2 dims, got shape [4]">>,
  Expect<Equal<GroupNorm<[2, 4], 0>, "groupNorm: numGroups must be a positive integer, got 0">>,
  Expect<Equal<GroupNorm<[2, 4], 1.5>, "groupNorm: numGroups must be a positive integer, got 1.5">>,
  Expect<Equal<NormParam<"layerNorm", "weight", [14, 96], [14, 96]>, "ok">>,
  Expect<Equal<NormParam<"layerNorm", "bias", [2, 2], [4]>, "layerNorm: bias must have shape [4], got [2, 2]">>,
  Expect<Equal<NormParam<"groupNorm", "weight", [2], [4]>, "groupNorm: weight must have shape [4], got [2]">>,
  Expect<Equal<NormParam<"groupNorm", "weight", [number], [4]>, "ok">>,
  Expect<Equal<GroupNormChannels<8, 32>, 32>>,
  Expect<Equal<GroupNormChannels<3, 32>, "GroupNorm: numGroups 3 does not divide numChannels 32">>,
  Expect<Equal<GroupNormChannels<3, number>, number>>,
];
