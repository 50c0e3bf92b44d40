/** Explicit padding as ONNX Pad; its adjoint only occurs in gradients. */
import type { Pad2dGeometry, Pad2dParams } from "../primitives/index.js";
import type { GraphBuilder } from "./graph-builder.js";
import { type EmitRules, gradientOnly, int } from "./emit-rule.js";

/** ONNX Pad for zeros/reflect/replicate; circular (opset 17 has no "wrap") as Slice + Concat. */
function pad2d(b: GraphBuilder, [x]: readonly string[], g: Pad2dGeometry): string {
  if (g.mode !== "circular") {
    const mode = g.mode === "zeros" ? "constant" : g.mode === "reflect" ? "reflect" : "edge";
    const pads = b.int64("pads", [0, 0, g.top, g.left, 0, 0, g.bottom, g.right]);
    return b.node("Pad", [x, pads], [{ name: "mode", type: "string", value: mode }]);
  }
  // out[i] = x[(i - lo) mod n]: the last `lo` rows wrap to the front and the first `hi` rows to the back.
  const wrap = (value: string, axis: number, size: number, lo: number, hi: number): string => {
    if (lo === 0 && hi === 0) return value;
    const parts: string[] = [];
    const slice = (start: number, end: number) =>
      b.node("Slice", [value, b.int64("starts", [start]), b.int64("ends", [end]), b.int64("axes", [axis])]);
    if (lo > 0) parts.push(slice(size - lo, size));
    parts.push(value);
    if (hi > 0) parts.push(slice(0, hi));
    return b.node("Concat", parts, [int("axis", axis)]);
  };
  return wrap(wrap(x, 3, g.inWidth, g.left, g.right), 2, g.inHeight, g.top, g.bottom);
}

export const pad2dEmitRules: EmitRules<Pad2dParams> = { pad2d, pad2dAdjoint: gradientOnly("pad2dAdjoint") };
