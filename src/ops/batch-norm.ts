/**
 * Training-mode batch norm as one primitive (batchNormTrain) instead of ~8 ops, with its gradient
 * in closed form instead of ~20, on a backend that has the fused loops (the CPU's:
 * src/backends/cpu/batch-norm.ts). nn.functional.batchNorm takes this path for float32 CPU
 * inputs; its op composition stays the reference (and the path of every other case).
 */
import type { AnyTensor } from "../tensor.js";
import type { BatchNormLoops } from "../backend.js";
import type { PrimitiveParams } from "../primitives/index.js";
import { apply, isGradEnabled, kernelInput, wrapStorage } from "../autograd/engine.js";
import { backendFor } from "../runtime/devices.js";
import type { Device } from "../../types/core.js";
import { full } from "./creation.js";

function loopsOf(device: Device): BatchNormLoops<unknown> {
  const loops = backendFor(device).batchNorm;
  if (!loops) throw new Error(`shapegrad internal error: batchNormTrain on ${device}, which has no fused batch norm`);
  return loops;
}

/**
 * y = (x - mean) / sqrt(var + eps) weight + bias over dim 1 of an [N, C, ...] input, with the
 * batch's mean and biased variance, which are returned too (for the running statistics). A
 * missing weight or bias is a constant 1 or 0. With `relu`, relu of y (batchNormReluTrain).
 */
export function batchNormTrainCpu(
  x: AnyTensor,
  weight: AnyTensor | null,
  bias: AnyTensor | null,
  eps: number,
  relu = false,
): { output: AnyTensor; mean: Float64Array; variance: Float64Array } {
  const channels = x.shape[1];
  const { mean, variance } = loopsOf(x.device).channelStats(kernelInput(x));
  const constant = (v: number) => full([channels], v, { dtype: x.dtype, device: x.device }) as AnyTensor;
  const invstd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const output = apply(
    relu ? "batchNormReluTrain" : "batchNormTrain",
    [x, weight ?? constant(1), bias ?? constant(0)],
    {
      eps,
      mean,
      invstd,
    },
  );
  return { output, mean, variance };
}

/**
 * batchNormTrain's gradients by the fused loops, from the forward's statistics (not recorded: no
 * graph); batchNormReluTrain's with its output `reluOutput` (and its bias, from which the SIMD
 * kernel recomputes the output's mask).
 */
export function batchNormTrainFusedGradient(
  g: AnyTensor,
  [x, weight, bias]: readonly AnyTensor[],
  p: PrimitiveParams["batchNormTrain"],
  needs: readonly boolean[],
  reluOutput: AnyTensor | null,
): (AnyTensor | null)[] {
  const backend = backendFor(x.device);
  const grads = loopsOf(x.device).backward(
    kernelInput(x),
    kernelInput(g),
    kernelInput(weight),
    p,
    needs[0],
    reluOutput && { output: kernelInput(reluOutput), bias: kernelInput(bias) },
  );
  const perChannel = [x.shape[1]];
  // computed anyway (their sums are dx's), but nobody's: back to the backend's pool now
  if (!needs[1]) backend.release(grads.weight);
  if (!needs[2]) backend.release(grads.bias);
  return [
    grads.input === null ? null : wrapStorage(x.shape, x.dtype, x.device, grads.input),
    needs[1] ? wrapStorage(perChannel, x.dtype, x.device, grads.weight) : null,
    needs[2] ? wrapStorage(perChannel, x.dtype, x.device, grads.bias) : null,
  ];
}

/**
 * relu(x) as one batchNormReluTrain where x is a batchNormTrain output still on the tape: the new
 * node takes the batch norm's own inputs and statistics, so the backward applies relu's mask inside
 * the batch norm's gradient pass (no reluBackward array or pass) and the forward's one pass over
 * the batch norm's input replaces relu's over x, bit for bit the same values (the kernel's relu of
 * the normalised value; test/nn/batch-norm-relu.test.ts). This is where ResNet blocks, which call
 * relu on a BatchNorm2d output in their own forward, are recognisable without rewriting it.
 *
 * x itself keeps its node: if anything else reads x, its gradient still goes through x's
 * batchNormTrain node, and the batch norm's gradient, linear in g, sums the two paths to the same
 * total (one more backward pass than unfused, never a wrong value). Not taken (null) when an input
 * changed since the batch norm ran (the recomputed values would differ from x's) or when a
 * backward already went through x's node (reusing it must fail as the unfused graph would).
 */
export function reluOfBatchNorm(x: AnyTensor): AnyTensor | null {
  const node = x.node;
  // x changed in place (its version moved from the 0 it was made at) or disposed: relu's own path
  if (
    x.disposed ||
    x.version !== 0 ||
    node === null ||
    node.primitive !== "batchNormTrain" ||
    node.used ||
    !isGradEnabled()
  )
    return null;
  if (node.inputs.some((t, i) => t.disposed || t.version !== node.versions[i])) return null;
  return apply("batchNormReluTrain", node.inputs, node.params as PrimitiveParams["batchNormTrain"]);
}
