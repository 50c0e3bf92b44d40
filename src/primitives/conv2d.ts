/**
 * The conv family: conv2d(x, w) -> y; conv2dBackInput(gy, w) -> gx; conv2dBackWeight(x, gy) -> gw.
 * It is closed under differentiation: each member's two input gradients are the other two members
 * (y = conv(x, w) is bilinear, so <g, y> = <g, conv(x, w)> can be read as a function of x, of w,
 * or of g), so second derivatives need no extra code.
 *
 * conv2dBias(x, w, b) = conv2d(x, w) + b per output channel is a primitive, not the composition
 * conv2d + reshape + broadcast add, for speed alone: a backend adds b while it writes the conv's
 * output (the CPU's fast path in the copy out of WebAssembly memory), instead of a second pass
 * over the whole output into a fresh array (7% of the BN CNN's training step: bench/RESULTS-train.md).
 * Its gradients are the family's two and a channel sum, so second derivatives still need nothing.
 */
import { type FamilyDefinitions, type Meta, only } from "./definition.js";

/**
 * The fully resolved geometry of one 2-D convolution, as every conv kernel (reference, fast CPU,
 * WebGPU) receives it. Validation and option parsing happen before this exists (src/ops/), so a
 * kernel may trust every field: all sizes are positive integers, channels divide by groups, and
 * the output size already accounts for the padding.
 *
 * Layouts are PyTorch's: x [batch, inChannels, inHeight, inWidth], w [outChannels,
 * inChannels / groups, kernelHeight, kernelWidth], y [batch, outChannels, outHeight, outWidth].
 * Padding here is always zero padding; reflect/replicate/circular are done by an explicit pad
 * before the conv, as PyTorch does, so kernels see only padTop/padLeft (bottom/right are implied by
 * outHeight/outWidth: rows past the input read as zero).
 */
export interface Conv2dGeometry {
  readonly batch: number;
  readonly inChannels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outChannels: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
  readonly groups: number;
}

/** H_out = floor((H + top + bottom - d (k - 1) - 1) / s) + 1, PyTorch's rule. */
export function convOutSize(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padLo: number,
  padHi: number,
): number {
  return Math.floor((size + padLo + padHi - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Multiply-adds of a forward conv, counted as 2 FLOPs each (the convention of every benchmark). */
export function convFlops(g: Conv2dGeometry): number {
  return (
    2 * g.batch * g.outChannels * g.outHeight * g.outWidth * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth
  );
}

/** The geometry of a stride-1 conv's input gradient seen as a forward conv of gy (with the weights
 * flipped and transposed): padding (k - 1) d - p. */
export function transposedGeometry(g: Conv2dGeometry): Conv2dGeometry {
  const padTop = (g.kernelHeight - 1) * g.dilationH - g.padTop;
  const padLeft = (g.kernelWidth - 1) * g.dilationW - g.padLeft;
  return {
    batch: g.batch,
    inChannels: g.outChannels,
    inHeight: g.outHeight,
    inWidth: g.outWidth,
    outChannels: g.inChannels,
    kernelHeight: g.kernelHeight,
    kernelWidth: g.kernelWidth,
    outHeight: g.inHeight,
    outWidth: g.inWidth,
    strideH: 1,
    strideW: 1,
    dilationH: g.dilationH,
    dilationW: g.dilationW,
    padTop,
    padLeft,
    // rows/cols past the end read as zero; only padTop/padLeft are used by the kernels
    padBottom: g.inHeight - 1 + (g.kernelHeight - 1) * g.dilationH - padTop - (g.outHeight - 1),
    padRight: g.inWidth - 1 + (g.kernelWidth - 1) * g.dilationW - padLeft - (g.outWidth - 1),
    groups: g.groups,
  };
}

export interface Conv2dShapeArgs {
  input: readonly [number, number, number, number];
  weight: readonly [number, number, number, number];
  stride: readonly [number, number];
  dilation: readonly [number, number];
  /** [top, bottom, left, right] zero padding */
  padding: readonly [number, number, number, number];
  groups: number;
}

/** Builds the geometry from already-validated shapes and options. */
export function conv2dGeometry(a: Conv2dShapeArgs): Conv2dGeometry {
  const [batch, inChannels, inHeight, inWidth] = a.input;
  const [outChannels, , kernelHeight, kernelWidth] = a.weight;
  const [padTop, padBottom, padLeft, padRight] = a.padding;
  const [strideH, strideW] = a.stride;
  const [dilationH, dilationW] = a.dilation;
  return {
    batch,
    inChannels,
    inHeight,
    inWidth,
    outChannels,
    kernelHeight,
    kernelWidth,
    outHeight: convOutSize(inHeight, kernelHeight, strideH, dilationH, padTop, padBottom),
    outWidth: convOutSize(inWidth, kernelWidth, strideW, dilationW, padLeft, padRight),
    strideH,
    strideW,
    dilationH,
    dilationW,
    padTop,
    padBottom,
    padLeft,
    padRight,
    groups: a.groups,
  };
}

export interface Conv2dParams {
  conv2d: Conv2dGeometry;
  conv2dBias: Conv2dGeometry;
  conv2dBackInput: Conv2dGeometry;
  conv2dBackWeight: Conv2dGeometry;
}

const outputMeta = ([x]: readonly Meta[], g: Conv2dGeometry): Meta => ({
  shape: [g.batch, g.outChannels, g.outHeight, g.outWidth],
  dtype: x.dtype,
});

export const conv2dFamily: FamilyDefinitions<Conv2dParams> = {
  conv2d: {
    arity: 2,
    saved: ["pair"],
    shape: outputMeta,
    vjp: (op, g, [x, w], _y, geo, [nx, nw]) => [
      only(nx, () => op.apply("conv2dBackInput", [g, w], geo)),
      only(nw, () => op.apply("conv2dBackWeight", [x, g], geo)),
    ],
  },
  conv2dBias: {
    arity: 3,
    // x is read for w's gradient and w for x's; b's gradient reads only g
    saved: ["pair"],
    shape: outputMeta,
    vjp: (op, g, [x, w], _y, geo, [nx, nw, nb]) => [
      only(nx, () => op.apply("conv2dBackInput", [g, w], geo)),
      only(nw, () => op.apply("conv2dBackWeight", [x, g], geo)),
      only(nb, () => op.sum(g, [0, 2, 3])),
    ],
  },
  conv2dBackInput: {
    arity: 2,
    saved: ["pair"],
    shape: ([gy], g): Meta => ({ shape: [g.batch, g.inChannels, g.inHeight, g.inWidth], dtype: gy.dtype }),
    vjp: (op, g, [gy, w], _y, geo, [ngy, nw]) => [
      only(ngy, () => op.apply("conv2d", [g, w], geo)),
      only(nw, () => op.apply("conv2dBackWeight", [g, gy], geo)),
    ],
  },
  conv2dBackWeight: {
    arity: 2,
    saved: ["pair"],
    shape: ([x], g): Meta => ({
      shape: [g.outChannels, g.inChannels / g.groups, g.kernelHeight, g.kernelWidth],
      dtype: x.dtype,
    }),
    vjp: (op, g, [x, gy], _y, geo, [nx, ngy]) => [
      only(nx, () => op.apply("conv2dBackInput", [gy, g], geo)),
      only(ngy, () => op.apply("conv2d", [x, g], geo)),
    ],
  },
};
