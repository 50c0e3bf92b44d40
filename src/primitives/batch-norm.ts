/**
 * batchNormTrain(x, weight, bias) -> y: training-mode batch norm over dim 1 of [N, C, ...] with
 * the batch's own mean and invstd = 1 / sqrt(biased var + eps), which the op computes before the
 * call (the running statistics need them too) and which the gradient rule reuses. CPU only: the
 * fused loops are the CPU backend's; elsewhere batch norm runs as ops.
 *
 * batchNormReluTrain(x, weight, bias) -> relu(batchNormTrain(x, weight, bias)) in one pass, and
 * its gradient batchNormTrain's applied to relu's (from the output, as relu's rule). Made only
 * where nothing else can read the batch norm's output: nn.Sequential's BatchNorm2d followed by its
 * ReLU (src/nn/layers.ts). Not a composition because the composition's two passes and two
 * full-size arrays (forward: the normalised output, then relu of it; backward: relu's gradient,
 * then the batch norm's) are what it saves: ~1/3 of a BatchNorm2d + ReLU pair's time measured.
 */
import type { AnyTensor } from "../tensor.js";
import type { FamilyDefinitions, GradOps } from "./definition.js";
import { sameAsFirst } from "./definition.js";

export interface BatchNormParams {
  batchNormTrain: BatchNormTrainParams;
  batchNormReluTrain: BatchNormTrainParams;
}

export interface BatchNormTrainParams {
  readonly eps: number;
  readonly mean: Float64Array;
  readonly invstd: Float64Array;
}

/**
 * The closed form with ops, recorded so that it differentiates again: dx = invstd (gw - mean(gw)
 * - xhat mean(gw xhat)) with gw = g weight; dweight = sum g xhat; dbias = sum g. It recomputes the
 * statistics from x, as every term (including those through the mean and the variance) depends on x.
 */
function closedForm(
  op: GradOps,
  g: AnyTensor,
  x: AnyTensor,
  weight: AnyTensor,
  eps: number,
  needs: readonly boolean[],
): (AnyTensor | null)[] {
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const perChannel = x.shape.map((d, i) => (i === 1 ? d : 1));
  const centered = op.sub(x, op.mean(x, dims, true));
  const invstd = op.div(1, op.sqrt(op.add(op.mean(op.mul(centered, centered), dims, true), eps)));
  const xhat = op.mul(centered, invstd);
  let dx: AnyTensor | null = null;
  if (needs[0]) {
    const gw = op.mul(g, op.reshape(weight, perChannel));
    dx = op.mul(
      invstd,
      op.sub(op.sub(gw, op.mean(gw, dims, true)), op.mul(xhat, op.mean(op.mul(gw, xhat), dims, true))),
    );
  }
  return [dx, needs[1] ? op.sum(op.mul(g, xhat), dims) : null, needs[2] ? op.sum(g, dims) : null];
}

export const batchNormFamily: FamilyDefinitions<BatchNormParams> = {
  batchNormTrain: {
    arity: 3,
    saved: [0, 1],
    shape: sameAsFirst,
    // Without a graph of the gradient: the backend's fused loops, which also reuse the forward's
    // statistics. With one (createGraph): the closed form as ops.
    vjp: (op, g, inputs, _y, p, needs) =>
      op.isGradEnabled()
        ? closedForm(op, g, inputs[0], inputs[1], p.eps, needs)
        : op.batchNormTrainFused(g, inputs, p, needs, null),
  },
  batchNormReluTrain: {
    arity: 3,
    saved: [0, 1, "y"],
    shape: sameAsFirst,
    vjp: (op, g, inputs, y, p, needs) =>
      op.isGradEnabled()
        ? closedForm(op, op.apply("reluBackward", [y, g], {}), inputs[0], inputs[1], p.eps, needs)
        : op.batchNormTrainFused(g, inputs, p, needs, y),
  },
};
