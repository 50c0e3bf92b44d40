/**
 * The fully resolved geometry of one 2-D convolution, as every conv kernel (reference, fast CPU,
 * WebGPU) receives it. Validation and option parsing happen before this exists (src/ops/), so a
 * kernel may trust every field: all sizes are positive integers, channels divide by groups, and
 * the output size already accounts for the padding.
 *
 * Layouts are PyTorch's: x [batch, inChannels, inHeight, inWidth], w [outChannels,
 * inChannels / groups, kernelHeight, kernelWidth], y [batch, outChannels, outHeight, outWidth].
 * Padding here is always zero padding; reflect/replicate/circular are done by an explicit pad2d
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
export function convOutSize(size: number, kernel: number, stride: number, dilation: number, padLo: number, padHi: number): number {
  return Math.floor((size + padLo + padHi - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Multiply-adds of a forward conv, counted as 2 FLOPs each (the convention of every benchmark). */
export function convFlops(g: Conv2dGeometry): number {
  return 2 * g.batch * g.outChannels * g.outHeight * g.outWidth * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
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
    batch, inChannels, inHeight, inWidth, outChannels, kernelHeight, kernelWidth,
    outHeight: convOutSize(inHeight, kernelHeight, strideH, dilationH, padTop, padBottom),
    outWidth: convOutSize(inWidth, kernelWidth, strideW, dilationW, padLeft, padRight),
    strideH, strideW, dilationH, dilationW, padTop, padBottom, padLeft, padRight, groups: a.groups,
  };
}

/** Explicit 2-D padding on the last two dims of an NCHW tensor (pad2d and its adjoint). */
export type { PaddingMode } from "../../types/core.js";
import type { PaddingMode } from "../../types/core.js";
export interface Pad2dGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
  readonly mode: PaddingMode;
}
