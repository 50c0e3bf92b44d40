/**
 * interpolate as ONNX Resize (opset 17); its adjoint only occurs in gradients.
 *
 * nearest: mode "nearest", coordinate_transformation_mode "asymmetric", nearest_mode "floor":
 * src = floor(dst / scale), PyTorch's legacy rule up to how the scale is rounded. PyTorch takes
 * floorf(dst * (float)(1 / scale)) with exact cases for out = in and out = 2 in; a runtime
 * evaluates dst / scale in float32 (onnxruntime does). The two can land on either side of an
 * integer, so the rule recomputes the runtime's indices here and, when any differs from PyTorch's
 * (src/primitives/interpolate.ts), writes the exact form instead: Gathers of the source rows and
 * columns.
 *
 * bilinear: mode "linear" with "align_corners", or "half_pixel" (src = (dst + 0.5) / scale - 0.5,
 * clamped to [0, in - 1] by the linear mode as PyTorch clamps it). Not "pytorch_half_pixel": it
 * puts src = 0 where an axis has one output position, and PyTorch computes (in - 1) / 2 there as
 * "half_pixel" does. Otherwise the two are the same.
 *
 * float64 also gets the exact form: its weights stay double (a runtime computes Resize's
 * coordinates in float32), and onnxruntime has no double Resize kernel.
 *
 * The scale: with a scaleFactor (and no alignCorners) PyTorch's coordinates use 1 / scaleFactor,
 * not in / out, so Resize gets `scales` = [1, 1, sh, sw]; the output size floor(in * (float)s),
 * in float32 and in double, is checked against PyTorch's floor(in * s) and the exact form written
 * when either differs. Otherwise Resize gets `sizes`, [N, C] of the input's Shape and the constant
 * [outH, outW], so an export with a dynamic batch keeps working.
 */
import type { InterpolateAxis, InterpolateGeometry, InterpolateParams } from "../primitives/index.js";
import { interpolationTaps } from "../primitives/index.js";
import type { AnyTensor } from "../tensor.js";
import type { GraphBuilder } from "./graph-builder.js";
import type { OnnxTensor } from "./model.js";
import { type EmitRules, gradientOnly, int, onnxType } from "./emit-rule.js";

const str = (name: string, value: string) => ({ name, type: "string" as const, value });

function constant(
  b: GraphBuilder,
  base: string,
  dims: readonly number[],
  type: OnnxTensor["type"],
  data: OnnxTensor["data"],
) {
  const name = b.fresh(base);
  b.initializers.push({ name, type, dims, data });
  return name;
}

/** Whether Resize's float32 arithmetic gives PyTorch's size and source indices on this axis. */
function resizeMatches(axis: InterpolateAxis, g: InterpolateGeometry, scales: boolean): boolean {
  const f = Math.fround;
  const scale = scales ? f(axis.scaleFactor!) : f(axis.out / axis.in);
  // The output size floor(in * s): onnxruntime's kernel multiplies in float32, ONNX's shape
  // inference in double; both must give PyTorch's size.
  if (scales && (Math.floor(f(scale * axis.in)) !== axis.out || Math.floor(scale * axis.in) !== axis.out)) return false;
  if (g.mode === "bilinear") return true;
  const { i0 } = interpolationTaps(axis, g.mode, g.alignCorners);
  for (let dst = 0; dst < axis.out; dst++) {
    if (Math.min(Math.floor(f(dst / scale)), axis.in - 1) !== i0[dst]) return false;
  }
  return true;
}

/** The exact form: per axis, rows i0 and i1 gathered and mixed with weights 1 - λ and λ (nearest: one Gather). */
function gathers(b: GraphBuilder, x: string, g: InterpolateGeometry, dtype: AnyTensor["dtype"]): string {
  const along = (value: string, axis: InterpolateAxis, dim: 2 | 3): string => {
    const t = interpolationTaps(axis, g.mode, g.alignCorners);
    const take = (index: Int32Array) =>
      b.node("Gather", [value, b.int64("index", Array.from(index))], [int("axis", dim)]);
    if (g.mode === "nearest") return take(t.i0);
    const dims = dim === 2 ? [axis.out, 1] : [axis.out];
    const make = (values: Float64Array) =>
      constant(b, "lambda", dims, onnxType[dtype], dtype === "float64" ? values : Float32Array.from(values));
    const w0 = make(t.lambda.map((l) => 1 - l)),
      w1 = make(t.lambda);
    return b.node("Add", [b.node("Mul", [take(t.i0), w0]), b.node("Mul", [take(t.i1), w1])]);
  };
  return along(along(x, g.height, 2), g.width, 3);
}

function interpolate(
  b: GraphBuilder,
  [x]: readonly string[],
  g: InterpolateGeometry,
  tensors: readonly AnyTensor[],
): string {
  const dtype = tensors[0].dtype;
  const scales = g.height.scaleFactor !== undefined && !g.alignCorners;
  if (dtype === "float64" || !resizeMatches(g.height, g, scales) || !resizeMatches(g.width, g, scales))
    return gathers(b, x, g, dtype);
  let sizeInputs: string[];
  if (scales) {
    const factors = Float32Array.of(1, 1, g.height.scaleFactor, g.width.scaleFactor!);
    sizeInputs = ["", constant(b, "scales", [4], "float32", factors)];
  } else {
    const nc = b.node("Slice", [b.node("Shape", [x]), b.int64("starts", [0]), b.int64("ends", [2])]);
    sizeInputs = ["", "", b.node("Concat", [nc, b.int64("hw", [g.height.out, g.width.out])], [int("axis", 0)])];
  }
  const attributes =
    g.mode === "nearest"
      ? [str("mode", "nearest"), str("coordinate_transformation_mode", "asymmetric"), str("nearest_mode", "floor")]
      : [str("mode", "linear"), str("coordinate_transformation_mode", g.alignCorners ? "align_corners" : "half_pixel")];
  return b.node("Resize", [x, ...sizeInputs], attributes);
}

export const interpolateEmitRules: EmitRules<InterpolateParams> = {
  interpolate,
  interpolateAdjoint: gradientOnly("interpolateAdjoint"),
};
