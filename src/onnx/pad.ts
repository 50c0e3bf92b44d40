/** Explicit padding as ONNX Pad (+ Slice for crops); its adjoint only occurs in gradients. */
import type { PadGeometry, PadParams } from "../primitives/index.js";
import type { GraphBuilder } from "./graph-builder.js";
import { type EmitRule, type EmitRules, gradientOnly, int } from "./emit-rule.js";

/** Removes max(-before, 0) cells at the start and max(-after, 0) at the end of every dim (ends counted from the end). */
function crop(b: GraphBuilder, x: string, p: PadGeometry): string {
  const axes = p.inShape.map((_, d) => d).filter((d) => p.before[d] < 0 || p.after[d] < 0);
  if (axes.length === 0) return x;
  const starts = axes.map((d) => Math.max(-p.before[d], 0));
  const ends = axes.map((d) => (p.after[d] < 0 ? p.after[d] : Number.MAX_SAFE_INTEGER));
  return b.node("Slice", [x, b.int64("starts", starts), b.int64("ends", ends), b.int64("axes", axes)]);
}

/**
 * constant/reflect/replicate: PyTorch pads from the whole input, then crops, so a Pad of the
 * positive parts and a Slice of the negative ones. circular (opset 17's Pad has no "wrap"): the
 * crop first, then each dim's wrap as Slice + Concat.
 */
const pad: EmitRule<"pad"> = (b, [x], p, _tensors, output) => {
  const positive = (v: number) => Math.max(v, 0);
  if (p.mode !== "circular") {
    let y = x;
    if (p.before.some((v) => v > 0) || p.after.some((v) => v > 0)) {
      const mode = p.mode === "replicate" ? "edge" : p.mode;
      const pads = b.int64("pads", [...p.before.map(positive), ...p.after.map(positive)]);
      const inputs = mode === "constant" ? [x, pads, b.scalar("value", p.value, output.dtype)] : [x, pads];
      y = b.node("Pad", inputs, [{ name: "mode", type: "string", value: mode }]);
    }
    return crop(b, y, p);
  }
  // out[i] = kept[(i - before) mod K]: the last `before` cells wrap to the front and the first `after` to the back.
  let y = crop(b, x, p);
  p.inShape.forEach((size, axis) => {
    const kept = size - Math.max(-p.before[axis], 0) - Math.max(-p.after[axis], 0);
    const lo = positive(p.before[axis]),
      hi = positive(p.after[axis]);
    if (lo === 0 && hi === 0) return;
    const value = y;
    const slice = (start: number, end: number) =>
      b.node("Slice", [value, b.int64("starts", [start]), b.int64("ends", [end]), b.int64("axes", [axis])]);
    const parts: string[] = [];
    if (lo > 0) parts.push(slice(kept - lo, kept));
    parts.push(value);
    if (hi > 0) parts.push(slice(0, hi));
    y = b.node("Concat", parts, [int("axis", axis)]);
  });
  return y;
};

export const padEmitRules: EmitRules<PadParams> = { pad, padAdjoint: gradientOnly("padAdjoint") };
