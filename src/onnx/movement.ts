/** Movement as Reshape / Transpose / Expand / Cast / Concat / Slice (opset 13+: starts, ends and axes as inputs). */
import type { MovementParams } from "../primitives/index.js";
import { type EmitRules, int, ints, onnxCastTo } from "./emit-rule.js";

export const movementEmitRules: EmitRules<MovementParams> = {
  reshape: (b, [x], p) => b.node("Reshape", [x, b.int64("shape", p.shape)]),
  permute: (b, [x], p) => b.node("Transpose", [x], [ints("perm", p.perm)]),
  expand: (b, [x], p) => b.node("Expand", [x, b.int64("shape", p.shape)]),
  cast: (b, [x], p) => b.node("Cast", [x], [int("to", onnxCastTo[p.dtype])]),
  concat: (b, xs, p) => b.node("Concat", xs, [int("axis", p.dim)]),
  slice: (b, [x], p) =>
    b.node("Slice", [x, b.int64("starts", [p.start]), b.int64("ends", [p.start + p.length]), b.int64("axes", [p.dim])]),
};
