/**
 * The closed list of primitives. Everything a tensor can do is a composition of these.
 *
 * Three tables are keyed by this interface: each backend's kernels (src/backends/*), the runtime
 * shape rules (src/autograd/shape-rules.ts) and the gradient rules (src/autograd/vjp-rules.ts).
 * Each table is typed as a mapped type over `Primitive`, so adding a primitive here without a
 * kernel, a shape rule or a gradient rule does not compile.
 *
 * Gradient rules are written with public ops, so they are themselves recorded on the tape when a
 * graph is being built: double backward needs no extra machinery. For that to close, the adjoint
 * of every linear primitive is itself a primitive (pad2d <-> pad2dAdjoint, the conv2d family,
 * the maxPool2d family).
 */
import type { DType } from "../types/core.js";
import type { Conv2dGeometry, Pad2dGeometry } from "./backends/conv-geometry.js";

/** Max pooling window geometry (NCHW); padding reads as -Infinity, as PyTorch's. */
export interface Pool2dGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
}

type None = Record<never, never>;

export interface PrimitiveParams {
  // Unary, elementwise.
  neg: None; exp: None; log: None; sqrt: None; abs: None; sign: None;
  tanh: None; sigmoid: None; relu: None; erf: None;
  // Binary, elementwise, NumPy/PyTorch broadcasting. greater/equal give 1 or 0 in the input dtype.
  // reluBackward(y, g) is relu's gradient from its output y: g where y > 0 or y is NaN, else 0
  // (PyTorch's threshold_backward(g, y, 0): an infinite or NaN g below zero still gives 0).
  add: None; sub: None; mul: None; div: None; maximum: None; greater: None; equal: None; reluBackward: None;
  // Reductions over `dims` (sorted, unique, non-negative). max's gradient splits among ties (amax).
  sum: { readonly dims: readonly number[]; readonly keepdim: boolean };
  max: { readonly dims: readonly number[]; readonly keepdim: boolean };
  argmax: { readonly dim: number; readonly keepdim: boolean };
  // Movement. reshape keeps the element order; expand repeats size-1 dims (and adds leading ones).
  reshape: { readonly shape: readonly number[] };
  permute: { readonly perm: readonly number[] };
  expand: { readonly shape: readonly number[] };
  cast: { readonly dtype: DType };
  // Explicit padding of the last two dims of NCHW, every mode, and its adjoint (a fold).
  pad2d: Pad2dGeometry;
  pad2dAdjoint: Pad2dGeometry;
  // [.., M, K] x [.., K, N] with equal batch dims (broadcasting is done by expand beforehand).
  matmul: None;
  // conv2d(x, w) -> y; conv2dBackInput(gy, w) -> gx; conv2dBackWeight(x, gy) -> gw.
  conv2d: Conv2dGeometry;
  conv2dBackInput: Conv2dGeometry;
  conv2dBackWeight: Conv2dGeometry;
  // maxPool2d(x) -> y; maxPool2dBackward(x, gy) -> gx scatters gy to each window's argmax;
  // maxPool2dSelect(x, g) -> gathers g at each window's argmax (the adjoint of the scatter).
  maxPool2d: Pool2dGeometry;
  maxPool2dBackward: Pool2dGeometry;
  maxPool2dSelect: Pool2dGeometry;
  // batchNormTrain(x, weight, bias) -> y: training-mode batch norm over dim 1 of [N, C, ...] with
  // the batch's own mean and invstd = 1 / sqrt(biased var + eps), which the op computes before the
  // call (the running statistics need them too) and which the gradient rule reuses. CPU only.
  batchNormTrain: { readonly eps: number; readonly mean: Float64Array; readonly invstd: Float64Array };
}

export type Primitive = keyof PrimitiveParams;

/** How many tensor inputs each primitive takes. */
export const primitiveArity: { readonly [P in Primitive]: 1 | 2 | 3 } = {
  neg: 1, exp: 1, log: 1, sqrt: 1, abs: 1, sign: 1, tanh: 1, sigmoid: 1, relu: 1, erf: 1,
  add: 2, sub: 2, mul: 2, div: 2, maximum: 2, greater: 2, equal: 2, reluBackward: 2,
  sum: 1, max: 1, argmax: 1,
  reshape: 1, permute: 1, expand: 1, cast: 1, pad2d: 1, pad2dAdjoint: 1,
  matmul: 2,
  conv2d: 2, conv2dBackInput: 2, conv2dBackWeight: 2,
  maxPool2d: 1, maxPool2dBackward: 2, maxPool2dSelect: 2,
  batchNormTrain: 3,
};

export const unaryPrimitives = ["neg", "exp", "log", "sqrt", "abs", "sign", "tanh", "sigmoid", "relu", "erf"] as const;
export const binaryPrimitives = ["add", "sub", "mul", "div", "maximum", "greater", "equal", "reluBackward"] as const;
export type UnaryPrimitive = (typeof unaryPrimitives)[number];
export type BinaryPrimitive = (typeof binaryPrimitives)[number];
