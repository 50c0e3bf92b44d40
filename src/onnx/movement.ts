/** Movement as Reshape / Transpose / Expand / Cast. */
import type { MovementParams } from "../primitives/index.js";
import { type EmitRules, int, ints, onnxCastTo } from "./emit-rule.js";

export const movementEmitRules: EmitRules<MovementParams> = {
  reshape: (b, [x], p) => b.node("Reshape", [x, b.int64("shape", p.shape)]),
  permute: (b, [x], p) => b.node("Transpose", [x], [ints("perm", p.perm)]),
  expand: (b, [x], p) => b.node("Expand", [x, b.int64("shape", p.shape)]),
  cast: (b, [x], p) => b.node("Cast", [x], [int("to", onnxCastTo[p.dtype])]),
};
