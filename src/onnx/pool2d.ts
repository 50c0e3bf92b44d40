/** Max pooling as ONNX MaxPool (ceil_mode when PyTorch's ceil rule gave the extra window). */
import type { Pool2dGeometry, Pool2dParams } from "../primitives/index.js";
import type { GraphBuilder } from "./graph-builder.js";
import { type EmitRules, gradientOnly, int, ints } from "./emit-rule.js";

function maxPool2d(b: GraphBuilder, [x]: readonly string[], g: Pool2dGeometry): string {
  // PyTorch's floor rule; when the geometry has one more window, it came from ceil mode (whose
  // "last window must start inside the input or left padding" rule ONNX shares).
  const floorOut = (n: number, k: number, s: number, p: number, d: number) =>
    Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
  const ceil =
    g.outHeight !== floorOut(g.inHeight, g.kernelHeight, g.strideH, g.padTop, g.dilationH) ||
    g.outWidth !== floorOut(g.inWidth, g.kernelWidth, g.strideW, g.padLeft, g.dilationW);
  return b.node(
    "MaxPool",
    [x],
    [
      ints("kernel_shape", [g.kernelHeight, g.kernelWidth]),
      ints("strides", [g.strideH, g.strideW]),
      ints("pads", [g.padTop, g.padLeft, g.padTop, g.padLeft]),
      ints("dilations", [g.dilationH, g.dilationW]),
      int("ceil_mode", ceil ? 1 : 0),
    ],
  );
}

export const pool2dEmitRules: EmitRules<Pool2dParams> = {
  maxPool2d,
  maxPool2dBackward: gradientOnly("maxPool2dBackward"),
  maxPool2dSelect: gradientOnly("maxPool2dSelect"),
};
