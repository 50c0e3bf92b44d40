// Issue 19, item 5: a bad conv2d / convTranspose2d call under a generic batch B and a generic size H
// fails at the same argument with exactly the text of the same call on literal sizes (the
// catalogue's, types/errors.ts), not `ArgV<...>` or an overload list: one signature per op, whose
// route (types/shape/generic.ts SizesRoute) the checker resolves at the call. Checked under TS 6
// by test/types/messages.test.ts and TS 7 by scripts/check-ts7.mjs; each function here is called
// on literal-size tensors by test/types/conv-generic-messages.test.ts, which expects the run time
// to throw the annotated text.
import { conv2d, convTranspose2d, randn, zeros, type Tensor } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export function channels<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return conv2d(x, randn([32, 3, 3, 3]), null, { padding: 1 });
  // at: weight
  // error: conv2d: input has 16 channels but weight expects 3 (weight [32, 3, 3, 3], groups 1)
}
export function channelsLiteral() {
  return conv2d(randn([2, 16, 8, 8]), randn([32, 3, 3, 3]), null, { padding: 1 });
  // at: weight
  // error: conv2d: input has 16 channels but weight expects 3 (weight [32, 3, 3, 3], groups 1)
}
export function groups<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return conv2d(x, randn([30, 4, 3, 3]), null, { groups: 4 });
  // at: options
  // error: conv2d: weight has 30 output channels, not divisible by groups 4
}
export function groupsLiteral() {
  return conv2d(randn([2, 16, 8, 8]), randn([30, 4, 3, 3]), null, { groups: 4 });
  // at: options
  // error: conv2d: weight has 30 output channels, not divisible by groups 4
}
export function dtype<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return conv2d(x, randn([32, 16, 3, 3], { dtype: "float64" }));
  // at: weight
  // error: conv2d: weight dtype float64 does not match input dtype float32
}
export function dtypeLiteral() {
  return conv2d(randn([2, 16, 8, 8]), randn([32, 16, 3, 3], { dtype: "float64" }));
  // at: weight
  // error: conv2d: weight dtype float64 does not match input dtype float32
}
export function biasDtype<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return conv2d(x, randn([32, 16, 3, 3]), zeros([32], { dtype: "float64" }), { padding: 1 });
  // at: bias
  // error: conv2d: bias dtype float64 does not match input dtype float32
}
export function biasDtypeLiteral() {
  return conv2d(randn([2, 16, 8, 8]), randn([32, 16, 3, 3]), zeros([32], { dtype: "float64" }), { padding: 1 });
  // at: bias
  // error: conv2d: bias dtype float64 does not match input dtype float32
}
export function biasShape<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return conv2d(x, randn([32, 16, 3, 3]), randn([31]));
  // at: bias
  // error: conv2d: bias must have shape [32], got [31]
}
export function same<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return conv2d(x, randn([32, 16, 3, 3]), null, { padding: "same", stride: 2 });
  // at: options
  // error: conv2d: padding "same" needs stride 1, got stride 2
}
export function paddingMode<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return conv2d(x, randn([32, 16, 3, 3]), null, { paddingMode: "mirror", padding: 1 });
  // at: options
  // error: conv2d: paddingMode must be "zeros", "reflect", "replicate" or "circular", got "mirror"
}
export function unbatched<H extends number>(x: Tensor<[16, H, 7]>) {
  return conv2d(x, randn([32, 3, 3, 3]));
  // at: weight
  // error: conv2d: input has 16 channels but weight expects 3 (weight [32, 3, 3, 3], groups 1)
}
export function transposeChannels<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return convTranspose2d(x, randn([3, 8, 3, 3]));
  // at: weight
  // error: convTranspose2d: input has 16 channels but weight [3, 8, 3, 3] expects 3
}
export function transposeChannelsLiteral() {
  return convTranspose2d(randn([2, 16, 8, 8]), randn([3, 8, 3, 3]));
  // at: weight
  // error: convTranspose2d: input has 16 channels but weight [3, 8, 3, 3] expects 3
}
export function transposeBias<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return convTranspose2d(x, randn([16, 8, 3, 3]), randn([16]));
  // at: bias
  // error: convTranspose2d: bias must have shape [8], got [16]
}
export function transposeGroups<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  return convTranspose2d(x, randn([16, 8, 3, 3]), null, { groups: 3 });
  // at: options
  // error: convTranspose2d: weight has 16 input channels, not divisible by groups 3
}

/** A device mix cannot be built on the CPU alone: compile time only (the run time's check is test/webgpu's). */
export function device<B extends number, H extends number>(
  x: Tensor<[B, 16, H, H]>,
  w: Tensor<[32, 16, 3, 3], "float32", "webgpu">,
) {
  return conv2d(x, w);
  // at: weight
  // error: conv2d: weight is on device webgpu but input is on device cpu
}
export function deviceLiteral(w: Tensor<[32, 16, 3, 3], "float32", "webgpu">) {
  return conv2d(randn([2, 16, 8, 8]), w);
  // at: weight
  // error: conv2d: weight is on device webgpu but input is on device cpu
}

// The same signature's results on good calls: sizes kept where the op keeps them, else number (a
// literal size beside a generic one included, as the run time's sizes); literal sizes exact.
export function results<B extends number, H extends number, W extends number>(
  x: Tensor<[B, 16, H, W]>,
  u: Tensor<[16, H, 7]>,
) {
  const kept = conv2d(x, randn([32, 16, 3, 3]), null, { padding: 1 });
  const strided = conv2d(x, randn([32, 16, 3, 3]), randn([32]), { padding: 1, stride: 2 });
  const mixed = conv2d(u, randn([8, 16, 3, 3]), null, { padding: 1 });
  const mixedValid = conv2d(u, randn([8, 16, 1, 3]));
  const up = convTranspose2d(x, randn([16, 4, 3, 3]), null, { padding: 1 });
  const literal = conv2d(randn([2, 16, 9, 9]), randn([32, 16, 3, 3]), null, { stride: 2 });
  return [kept, strided, mixed, mixedValid, up, literal] as const;
}
type R = ReturnType<typeof results<2, 5, 6>>;
export type Checks = [
  Expect<Equal<R[0], Tensor<[2, 32, 5, 6]>>>,
  Expect<Equal<R[1], Tensor<[2, 32, number, number]>>>,
  Expect<Equal<R[2], Tensor<[8, 5, 7]>>>,
  Expect<Equal<R[3], Tensor<[8, 5, number]>>>,
  Expect<Equal<R[4], Tensor<[2, 4, 5, 6]>>>,
  Expect<Equal<R[5], Tensor<[2, 32, 4, 4]>>>,
];
