/** Training-mode batch norm (the batch's own statistics) as ONNX ops. */
import type { AnyTensor } from "../tensor.js";
import type { BatchNormParams, PrimitiveParams } from "../primitives/index.js";
import type { GraphBuilder } from "./graph-builder.js";
import { type EmitRules, int, ints } from "./emit-rule.js";

/** Batch norm with the batch's own statistics (a BatchNorm2d without running statistics), as ONNX ops. */
function batchNormTrain(
  b: GraphBuilder,
  [x, w, bias]: readonly string[],
  p: PrimitiveParams["batchNormTrain"],
  [xt]: readonly AnyTensor[],
): string {
  const axes = ints(
    "axes",
    xt.shape.map((_, i) => i).filter((i) => i !== 1),
  );
  const mean = b.node("ReduceMean", [x], [axes, int("keepdims", 1)]);
  const centered = b.node("Sub", [x, mean]);
  const variance = b.node("ReduceMean", [b.node("Mul", [centered, centered])], [axes, int("keepdims", 1)]);
  const std = b.node("Sqrt", [b.node("Add", [variance, b.scalar("bn_eps", p.eps, xt.dtype)])]);
  const perChannel = b.int64("bn_shape", [xt.shape[1], ...xt.shape.slice(2).map(() => 1)]);
  const scaled = b.node("Mul", [b.node("Div", [centered, std]), b.node("Reshape", [w, perChannel])]);
  return b.node("Add", [scaled, b.node("Reshape", [bias, perChannel])]);
}

export const batchNormEmitRules: EmitRules<BatchNormParams> = {
  batchNormTrain,
  // nn.Sequential's fused BatchNorm2d + ReLU in training mode: the two nodes it stands for
  batchNormReluTrain: (b, names, p, inputs) => b.node("Relu", [batchNormTrain(b, names, p, inputs)]),
};
