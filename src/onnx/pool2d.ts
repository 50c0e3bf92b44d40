/** Max pooling as ONNX MaxPool. */
import type { Pool2dParams } from "../primitives/index.js";
import { type EmitRule, type EmitRules, gradientOnly, int, ints } from "./emit-rule.js";

/**
 * Max pooling as ONNX MaxPool with explicit pads and ceil_mode 0: the geometry keeps only the top
 * and left pads (the kernels need no more), and the bottom/right pads are chosen so that ONNX's
 * floor rule floor((H + top + end - d (k - 1) - 1) / s) + 1 gives the geometry's output size:
 * end = (out - 1) s + d (k - 1) + 1 - H - top, or 0 when the windows end inside the input. This
 * covers asymmetric padding and PyTorch's ceil mode (whose last window then reads -inf padding,
 * which never wins) without relying on a runtime's ceil_mode rounding or its auto_pad, which
 * ONNX Runtime sizes from the undilated kernel (docs/goldens-ops.md).
 */
const maxPool2d: EmitRule<"maxPool2d"> = (b, [x], g, _tensors, output) => {
  const end = (n: number, out: number, k: number, s: number, before: number, d: number) =>
    Math.max(0, (out - 1) * s + d * (k - 1) + 1 - n - before);
  const pads = [
    g.padTop,
    g.padLeft,
    end(g.inHeight, g.outHeight, g.kernelHeight, g.strideH, g.padTop, g.dilationH),
    end(g.inWidth, g.outWidth, g.kernelWidth, g.strideW, g.padLeft, g.dilationW),
  ];
  // ONNX Runtime refuses a pad that is not smaller than the (undilated) kernel, which a dilated
  // window allows (kernel 2, dilation 3, padding 2): then the padding is an explicit -inf Pad.
  const explicit = pads.some((p, i) => p >= (i % 2 === 0 ? g.kernelHeight : g.kernelWidth));
  const input = explicit
    ? b.node("Pad", [
        x,
        b.int64("pads", [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]]),
        b.scalar("value", -Infinity, output.dtype),
      ])
    : x;
  return b.node(
    "MaxPool",
    [input],
    [
      ints("kernel_shape", [g.kernelHeight, g.kernelWidth]),
      ints("strides", [g.strideH, g.strideW]),
      ints("pads", explicit ? [0, 0, 0, 0] : pads),
      ints("dilations", [g.dilationH, g.dilationW]),
      int("ceil_mode", 0),
    ],
  );
};

export const pool2dEmitRules: EmitRules<Pool2dParams> = {
  maxPool2d,
  maxPool2dBackward: gradientOnly("maxPool2dBackward"),
  maxPool2dSelect: gradientOnly("maxPool2dSelect"),
};
