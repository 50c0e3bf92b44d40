/**
 * conv2d as ONNX Conv with its (possibly asymmetric) zero pads, conv2dBias as Conv with its B input;
 * a bias add that follows a conv2d (convTranspose2d's, a user's) is folded into Conv afterwards
 * (fuseConvBias in ./export.ts). conv2dBackInput, the forward pass of
 * convTranspose2d, is ONNX ConvTranspose (the same weight layout); conv2dBackWeight occurs only in
 * gradients and is not exported.
 */
import type { Conv2dParams } from "../primitives/index.js";
import type { Conv2dGeometry } from "../primitives/index.js";
import type { GraphBuilder } from "./graph-builder.js";
import { type EmitRules, gradientOnly, int, ints } from "./emit-rule.js";

/**
 * conv2dBackInput as ConvTranspose. Its full (uncropped) output has (out - 1) s + d (k - 1) + 1
 * rows; row i of the result is full row i + padTop, and rows past the full output are zero (what
 * convTranspose2d's outputPadding adds when it is not below the stride, which ONNX Runtime's
 * output_padding refuses). So: crop padTop and whatever exceeds inHeight through the pads, and
 * append the missing zero rows with a Pad.
 */
function conv2dBackInput(b: GraphBuilder, inputs: readonly string[], g: Conv2dGeometry): string {
  const fullH = (g.outHeight - 1) * g.strideH + (g.kernelHeight - 1) * g.dilationH + 1;
  const fullW = (g.outWidth - 1) * g.strideW + (g.kernelWidth - 1) * g.dilationW + 1;
  const cropBottom = fullH - g.padTop - g.inHeight,
    cropRight = fullW - g.padLeft - g.inWidth;
  const y = b.node("ConvTranspose", inputs, [
    ints("kernel_shape", [g.kernelHeight, g.kernelWidth]),
    ints("strides", [g.strideH, g.strideW]),
    ints("pads", [g.padTop, g.padLeft, Math.max(0, cropBottom), Math.max(0, cropRight)]),
    ints("dilations", [g.dilationH, g.dilationW]),
    int("group", g.groups),
  ]);
  if (cropBottom >= 0 && cropRight >= 0) return y;
  const pads = b.int64("pads", [0, 0, 0, 0, 0, 0, Math.max(0, -cropBottom), Math.max(0, -cropRight)]);
  return b.node("Pad", [y, pads], [{ name: "mode", type: "string", value: "constant" }]);
}

/** ONNX Conv, whose optional third input is conv2dBias's b. */
function conv(b: GraphBuilder, inputs: readonly string[], g: Conv2dGeometry): string {
  return b.node("Conv", inputs, [
    ints("kernel_shape", [g.kernelHeight, g.kernelWidth]),
    ints("strides", [g.strideH, g.strideW]),
    ints("pads", [g.padTop, g.padLeft, g.padBottom, g.padRight]),
    ints("dilations", [g.dilationH, g.dilationW]),
    int("group", g.groups),
  ]);
}

export const conv2dEmitRules: EmitRules<Conv2dParams> = {
  conv2d: conv,
  conv2dBias: conv,
  conv2dBackInput,
  conv2dBackWeight: gradientOnly("conv2dBackWeight"),
};
