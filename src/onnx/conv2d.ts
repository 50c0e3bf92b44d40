/**
 * conv2d as ONNX Conv with its (possibly asymmetric) zero pads; the bias add that follows is folded
 * into Conv afterwards (fuseConvBias in ./export.ts). The gradient members are not exported.
 */
import type { Conv2dParams } from "../primitives/index.js";
import { type EmitRules, gradientOnly, int, ints } from "./emit-rule.js";

export const conv2dEmitRules: EmitRules<Conv2dParams> = {
  conv2d: (b, inputs, g) =>
    b.node("Conv", inputs, [
      ints("kernel_shape", [g.kernelHeight, g.kernelWidth]),
      ints("strides", [g.strideH, g.strideW]),
      ints("pads", [g.padTop, g.padLeft, g.padBottom, g.padRight]),
      ints("dilations", [g.dilationH, g.dilationW]),
      int("group", g.groups),
    ]),
  conv2dBackInput: gradientOnly("conv2dBackInput"),
  conv2dBackWeight: gradientOnly("conv2dBackWeight"),
};
