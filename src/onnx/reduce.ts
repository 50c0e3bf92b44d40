/** Reductions as ONNX's ReduceSum / ReduceMax / ArgMax (ArgMax gives int64: cast to int32). */
import type { ReduceParams } from "../primitives/index.js";
import { type EmitRules, int, ints, onnxCastTo } from "./emit-rule.js";

export const reduceEmitRules: EmitRules<ReduceParams> = {
  // ReduceSum takes its axes as an input since opset 13; ReduceMax still as an attribute in 17.
  sum: (b, [x], p) =>
    p.dims.length === 0
      ? b.node("Identity", [x])
      : b.node("ReduceSum", [x, b.int64("axes", p.dims)], [int("keepdims", p.keepdim ? 1 : 0)]),
  max: (b, [x], p) =>
    p.dims.length === 0
      ? b.node("Identity", [x])
      : b.node("ReduceMax", [x], [ints("axes", p.dims), int("keepdims", p.keepdim ? 1 : 0)]),
  argmax: (b, [x], p) =>
    b.node(
      "Cast",
      [b.node("ArgMax", [x], [int("axis", p.dim), int("keepdims", p.keepdim ? 1 : 0)])],
      [int("to", onnxCastTo.int32)],
    ),
};
