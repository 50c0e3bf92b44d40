// convTranspose2d's compile-time rule (types/shape/conv.ts) under TS 6 and 7. Each call in `cases`
// followed by "// at:" and "// error:" fails to compile at that argument with exactly that text
// (test/types/messages.test.ts, scripts/check-ts7.mjs), and test/types/conv-transpose-parity.test.ts
// runs it and expects the run time to throw the same text; each `shapes` entry compiles to the
// written shape, which the same test compares with the run time's.
import { convTranspose2d, zeros, type Tensor } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

const x = () => zeros([1, 2, 3, 3]);
const w = () => zeros([2, 4, 3, 3]);

export const shapes = {
  // (7 - 1) 2 - 2 + (4 - 1) + 0 + 1 = 14, DCGAN's doubling step
  dcgan: () => convTranspose2d(zeros([2, 16, 7, 7]), zeros([16, 8, 4, 4]), zeros([8]), { stride: 2, padding: 1 }),
  // unbatched; groups 2 gives C_out 2 * 4; H (7 - 1) 2 - 2 + 2 (3 - 1) + 1 + 1 = 16, W (7 - 1) 3 - 2 + 4 + 1 + 1 = 22
  unbatched: () =>
    convTranspose2d(zeros([16, 7, 7]), zeros([16, 4, 3, 3]), null, {
      stride: [2, 3],
      padding: 1,
      outputPadding: 1,
      groups: 2,
      dilation: 2,
    }),
  // an empty input: (0 - 1) 1 + (3 - 1) + 1 = 2
  empty: () => convTranspose2d(zeros([1, 2, 0, 0]), w()),
  // outputPadding below the dilation (not the stride) is allowed: (3 - 1) 1 + 3 (3 - 1) + 2 + 1 = 11
  dilated: () => convTranspose2d(x(), w(), null, { outputPadding: 2, dilation: 3 }),
};
export type ShapeChecks = [
  Expect<Equal<ReturnType<typeof shapes.dcgan>["shape"], [2, 8, 14, 14]>>,
  Expect<Equal<ReturnType<typeof shapes.unbatched>["shape"], [8, 16, 22]>>,
  Expect<Equal<ReturnType<typeof shapes.empty>["shape"], [1, 4, 2, 2]>>,
  Expect<Equal<ReturnType<typeof shapes.dilated>["shape"], [1, 4, 11, 11]>>,
];

/** A generic batch is kept, and channels are still checked under it. */
export function generic<B extends number>(a: Tensor<[B, 2, 3, 3]>) {
  const y = convTranspose2d(a, w(), null, { stride: 2 });
  const kept: Expect<Equal<typeof y.shape, [B, 4, 7, 7]>> = true;
  return kept && y;
}
export function genericChannels<B extends number>(a: Tensor<[B, 2, 3, 3]>) {
  return convTranspose2d(a, zeros([3, 4, 3, 3]));
  // at: weight
  // error: convTranspose2d: input has 2 channels but weight [3, 4, 3, 3] expects 3
}

export const cases = {
  inputRank: () => convTranspose2d(zeros([2, 3]), w()),
  // at: input
  // error: convTranspose2d: input must be 4-D [N, C_in, H, W] or 3-D [C_in, H, W], got 2-D shape [2, 3]
  weightRank: () => convTranspose2d(x(), zeros([2, 4, 3])),
  // at: weight
  // error: convTranspose2d: weight must be 4-D [C_in, C_out / groups, kH, kW], got 3-D shape [2, 4, 3]
  weightDim: () => convTranspose2d(x(), zeros([2, 0, 3, 3])),
  // at: weight
  // error: convTranspose2d: weight shape [2, 0, 3, 3] has dim 0; weight dims must be integers in 1..9007199254740991
  weightDtype: () => convTranspose2d(x(), zeros([2, 4, 3, 3], { dtype: "float64" })),
  // at: weight
  // error: convTranspose2d: weight dtype float64 does not match input dtype float32
  channels: () => convTranspose2d(zeros([1, 3, 3, 3]), w()),
  // at: weight
  // error: convTranspose2d: input has 3 channels but weight [2, 4, 3, 3] expects 2
  outputSize: () => convTranspose2d(zeros([1, 2, 1, 2]), zeros([2, 2, 1, 1]), null, { padding: [1, 0] }),
  // at: weight
  // error: convTranspose2d: output size [-1, 2] is not positive (input [1, 2], padding [1, 0], dilated kernel [1, 1])
  emptyInput: () => convTranspose2d(zeros([1, 2, 0, 3]), zeros([2, 2, 2, 2]), null, { stride: 3 }),
  // at: weight
  // error: convTranspose2d: output size [-1, 8] is not positive (input [0, 3], padding [0, 0], dilated kernel [2, 2])
  biasShape: () => convTranspose2d(x(), zeros([2, 2, 3, 3]), zeros([2]), { groups: 2 }),
  // at: bias
  // error: convTranspose2d: bias must have shape [4], got [2]
  biasDtype: () => convTranspose2d(x(), w(), zeros([4], { dtype: "float64" })),
  // at: bias
  // error: convTranspose2d: bias dtype float64 does not match input dtype float32
  groups: () => convTranspose2d(x(), w(), null, { groups: 0 }),
  // at: options
  // error: convTranspose2d: groups must be a positive integer, got 0
  stride: () => convTranspose2d(x(), w(), null, { stride: [2, 0] }),
  // at: options
  // error: convTranspose2d: stride must be a positive integer or a pair [h, w] of them, got [2, 0]
  dilation: () => convTranspose2d(x(), w(), null, { dilation: 1.5 }),
  // at: options
  // error: convTranspose2d: dilation must be a positive integer or a pair [h, w] of them, got 1.5
  padding: () => convTranspose2d(x(), w(), null, { padding: -1 }),
  // at: options
  // error: convTranspose2d: padding must be a non-negative integer or a pair [h, w] of them, got -1
  outputPaddingValue: () => convTranspose2d(x(), w(), null, { stride: 2, outputPadding: [1, -1] }),
  // at: options
  // error: convTranspose2d: outputPadding must be a non-negative integer or a pair [h, w] of them, got [1, -1]
  groupsDivide: () => convTranspose2d(zeros([1, 3, 3, 3]), zeros([3, 2, 3, 3]), null, { groups: 2 }),
  // at: options
  // error: convTranspose2d: weight has 3 input channels, not divisible by groups 2
  outputPadding: () => convTranspose2d(x(), w(), null, { stride: [2, 3], outputPadding: [1, 3], dilation: [1, 2] }),
  // at: options
  // error: convTranspose2d: outputPadding [1, 3] must be smaller than the stride [2, 3] or the dilation [1, 2] in each dim
};

// Sizes past 2^53 - 1, exact in the message (the run time's side: test/types/conv-transpose-parity.test.ts).
declare const tall: Tensor<[1, 2, 4503599627370497, 1]>;
export const large = () => convTranspose2d(tall, w(), null, { stride: 2 });
// at: weight
// error: convTranspose2d: output size [9007199254740995, 3] is larger than 9007199254740991
