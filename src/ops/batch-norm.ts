/**
 * Training-mode batch norm of a CPU tensor as one primitive (batchNormTrain) instead of ~8 ops,
 * with its gradient in closed form instead of ~20: the fused loops are in
 * src/backends/cpu/batch-norm.ts. nn.functional.batchNorm takes this path for float32 CPU inputs;
 * its op composition stays the reference (and the path of every other case).
 */
import { Tensor, type AnyTensor } from "../tensor.js";
import type { PrimitiveParams } from "../primitives.js";
import { apply, isGradEnabled } from "../autograd/engine.js";
import { allocate, allocateForOverwrite } from "../backends/cpu/arrays.js";
import { batchNormBackward, channelStats, invStd } from "../backends/cpu/batch-norm.js";
import { numel } from "../runtime/shape.js";
import { full } from "./creation.js";
import * as op from "./untyped.js";

type Float = Float32Array | Float64Array;
type Params = PrimitiveParams["batchNormTrain"];

const layout = (x: AnyTensor) => [x.shape[0], x.shape[1], numel(x.shape.slice(2))] as const;

/**
 * y = (x - mean) / sqrt(var + eps) weight + bias over dim 1 of a CPU [N, C, ...] input, with the
 * batch's mean and biased variance, which are returned too (for the running statistics). A
 * missing weight or bias is a constant 1 or 0.
 */
export function batchNormTrainCpu(x: AnyTensor, weight: AnyTensor | null, bias: AnyTensor | null, eps: number):
  { output: AnyTensor; mean: Float64Array; variance: Float64Array } {
  const [batch, channels, inner] = layout(x);
  const { mean, variance } = channelStats(x.storage as Float, batch, channels, inner);
  const constant = (v: number) => full([channels], v, { dtype: x.dtype, device: x.device }) as AnyTensor;
  const output = apply("batchNormTrain", [x, weight ?? constant(1), bias ?? constant(0)], { eps, mean, invstd: invStd(variance, eps) });
  return { output, mean, variance };
}

/**
 * The gradient rule of batchNormTrain. Without a graph of the gradient: the fused loops, which
 * also reuse the forward's statistics. With one (createGraph), the same closed form as ops, so
 * that it is recorded and differentiates again: it recomputes the statistics from x, as every
 * term (including those through the mean and the variance) depends on x.
 */
export function batchNormTrainGradient(g: AnyTensor, inputs: readonly AnyTensor[], _y: AnyTensor, p: Params, needs: readonly boolean[]): (AnyTensor | null)[] {
  const [x, weight] = inputs;
  if (isGradEnabled()) return closedFormOps(g, x, weight, p.eps, needs);
  const [batch, channels, inner] = layout(x);
  const dx = needs[0] ? allocateForOverwrite(x.dtype, numel(x.shape)) as Float : null;
  const dweight = allocate(x.dtype, channels) as Float, dbias = allocate(x.dtype, channels) as Float;
  batchNormBackward(x.storage as Float, g.storage as Float, weight.storage as Float, p.mean, p.invstd, batch, channels, inner, dx, dweight, dbias);
  // fresh arrays nothing else holds: wrapped as storage, not copied (as the fused optimizers do)
  const wrap = (a: Float, shape: readonly number[]) => Tensor._make(shape, x.dtype, x.device, a, null);
  return [dx && wrap(dx, x.shape), needs[1] ? wrap(dweight, [channels]) : null, needs[2] ? wrap(dbias, [channels]) : null];
}

/** dx = invstd (gw - mean(gw) - xhat mean(gw xhat)) with gw = g weight; dweight = sum g xhat; dbias = sum g. */
function closedFormOps(g: AnyTensor, x: AnyTensor, weight: AnyTensor, eps: number, needs: readonly boolean[]): (AnyTensor | null)[] {
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const perChannel = x.shape.map((d, i) => (i === 1 ? d : 1));
  const centered = op.sub(x, op.mean(x, dims, true));
  const invstd = op.div(1, op.sqrt(op.add(op.mean(op.mul(centered, centered), dims, true), eps)));
  const xhat = op.mul(centered, invstd);
  let dx: AnyTensor | null = null;
  if (needs[0]) {
    const gw = op.mul(g, op.reshape(weight, perChannel));
    dx = op.mul(invstd, op.sub(op.sub(gw, op.mean(gw, dims, true)), op.mul(xhat, op.mean(op.mul(gw, xhat), dims, true))));
  }
  return [dx, needs[1] ? op.sum(op.mul(g, xhat), dims) : null, needs[2] ? op.sum(g, dims) : null];
}
