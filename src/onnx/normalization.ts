/** layerNorm and groupNorm (the rowNorm primitive) as ONNX ops. */
import type { AnyTensor } from "../tensor.js";
import type { NormalizationParams, PrimitiveParams } from "../primitives/index.js";
import { rowNormLayout } from "../primitives/index.js";
import { numel } from "../runtime/shape.js";
import type { GraphBuilder } from "./graph-builder.js";
import { type EmitRules, float, int, ints } from "./emit-rule.js";

/**
 * layerNorm (one group, one value per weight, the weight's shape the input's last dims) is opset
 * 17's LayerNormalization over those dims, as nn.LayerNorm's layer rule writes it. groupNorm has no
 * op at opset 17 (GroupNormalization is 18): it is written as the composition of
 * src/ops/normalization.ts traces to, over rows [N, G, Cg K], then the per-channel affine.
 */
function rowNorm(
  b: GraphBuilder,
  [x, w, bias]: readonly string[],
  p: PrimitiveParams["rowNorm"],
  [xt, wt]: readonly AnyTensor[],
): string {
  const lead = xt.shape.length - wt.shape.length;
  if (p.groups === 1 && p.inner === 1 && lead >= 0 && wt.shape.every((d, i) => xt.shape[lead + i] === d)) {
    return b.node("LayerNormalization", [x, w, bias], [int("axis", lead), float("epsilon", p.eps)]);
  }
  const [a, groups, cg, inner] = rowNormLayout(xt.shape, numel(wt.shape), p);
  if (xt.shape[0] !== a || xt.shape[1] !== groups * cg) {
    throw new Error(`exportOnnx internal error: rowNorm of ${xt.shape.join("x")} is neither layerNorm nor groupNorm`);
  }
  const axes = ints("axes", [2]);
  const rows = b.node("Reshape", [x, b.int64("gn_rows", [a, groups, cg * inner])]);
  const centered = b.node("Sub", [rows, b.node("ReduceMean", [rows], [axes, int("keepdims", 1)])]);
  const variance = b.node("ReduceMean", [b.node("Mul", [centered, centered])], [axes, int("keepdims", 1)]);
  const std = b.node("Sqrt", [b.node("Add", [variance, b.scalar("gn_eps", p.eps, xt.dtype)])]);
  const normalised = b.node("Reshape", [b.node("Div", [centered, std]), b.int64("gn_shape", xt.shape)]);
  const perChannel = b.int64("gn_param_shape", [groups * cg, ...xt.shape.slice(2).map(() => 1)]);
  const scaled = b.node("Mul", [normalised, b.node("Reshape", [w, perChannel])]);
  return b.node("Add", [scaled, b.node("Reshape", [bias, perChannel])]);
}

export const normalizationEmitRules: EmitRules<NormalizationParams> = { rowNorm };
