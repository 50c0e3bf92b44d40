/**
 * The runtime of nn.functional: activations, pooling, normalisation, dropout and losses, each a
 * composition of the public ops (so each runs on every device and differentiates through the
 * ops' own gradient rules, to any order). Shapes are checked here and errors name the function
 * and the numbers; the typed signatures are in ./functional.ts.
 */
import {
  abs,
  add,
  arange,
  assertTensor,
  cast,
  conv2d,
  div,
  equal,
  erf,
  exp,
  flatten as flattenOp,
  full,
  greater,
  less,
  log,
  matmul,
  max,
  mean,
  mul,
  neg,
  noGrad,
  resolvePool2d,
  rand,
  relu as reluOp,
  reshape,
  sigmoid,
  sqrt,
  sub,
  sum,
  tanh,
  tensor,
  transpose,
  type AnyTensor,
} from "./ops.js";
import { argumentErrors, nnErrors, show } from "../../types/errors.js";
import { apply } from "../autograd/engine.js";
import { batchNormTrainCpu, reluOfBatchNorm } from "../ops/batch-norm.js";
import { Tensor } from "../tensor.js";
import { parsePair } from "../ops/arguments.js";

export type Pair = number | readonly [number, number];
export type Reduction = "mean" | "sum" | "none";

/** A layer's `number | [h, w]` option; a value that is neither is refused without the range. */
export function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  const p = parsePair(v, min);
  if (p) return p;
  throw new Error(
    typeof v === "number" || Array.isArray(v) ? nnErrors.badOption(op, name, v, min) : nnErrors.badOption(op, name, v),
  );
}

function assertFloatTensor(op: string, x: AnyTensor, name = "input"): void {
  assertTensor(op, x, name);
  if (x.dtype === "int32") throw new Error(nnErrors.notFloat(op, name, x.dtype));
}

function assertRank(op: string, x: AnyTensor, ranks: readonly number[], what: string): void {
  if (!ranks.includes(x.shape.length)) throw new Error(nnErrors.rank(op, what, x.shape));
}

// ------------------------------------------------------------------ activations

export function leakyRelu(x: AnyTensor, negativeSlope = 0.01): AnyTensor {
  assertFloatTensor("leakyRelu", x);
  // x * (s + (1 - s) [x > 0]): the mask is piecewise constant (no gradient), so d/dx is s at and
  // below 0 and 1 above, as PyTorch's.
  const mask = greater(x, 0);
  return mul(x, add(mul(mask, 1 - negativeSlope), negativeSlope));
}

/** GELU: exact x * Phi(x) with Phi through erf, or PyTorch's tanh approximation. */
export function gelu(x: AnyTensor, approximate: "none" | "tanh" = "none"): AnyTensor {
  assertFloatTensor("gelu", x);
  if (approximate === "tanh") {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== "none") throw new Error(nnErrors.badOption("gelu", "approximate", approximate));
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

export { sigmoid, tanh };

/**
 * nn.functional.relu (and nn.ReLU): relu(x), fused with the batch norm that made x when x is a
 * training-mode batch norm's output still on the tape (reluOfBatchNorm, issue 23: a forward
 * written as F.relu(this.bn(x)) runs batchNormReluTrain as Sequential's pairs do); otherwise,
 * and as the tests' reference, the relu op.
 */
export function relu(x: AnyTensor): AnyTensor {
  return (x instanceof Tensor ? reluOfBatchNorm(x) : null) ?? reluOp(x);
}

function resolveDim(op: string, x: AnyTensor, dim: number): number {
  const r = x.shape.length;
  if (!Number.isInteger(dim) || dim < -r || dim >= r || r === 0) throw new Error(nnErrors.dim(op, dim, x.shape));
  return dim < 0 ? dim + r : dim;
}

/**
 * log softmax = x - m - log(sum(exp(x - m))) with m = max(x) along dim. Subtracting m makes every
 * exponent <= 0 (no overflow) and one of them exactly 0 (the sum is >= 1, no log of 0). m is taken
 * from a detached copy: softmax does not depend on it, so no gradient needs to flow through it.
 */
export function logSoftmax(x: AnyTensor, dim = -1): AnyTensor {
  assertFloatTensor("logSoftmax", x);
  const d = resolveDim("logSoftmax", x, dim);
  const shifted = sub(x, max(x.detach(), d, true));
  return sub(shifted, log(sum(exp(shifted), d, true)));
}

export function softmax(x: AnyTensor, dim = -1): AnyTensor {
  assertFloatTensor("softmax", x);
  const d = resolveDim("softmax", x, dim);
  const e = exp(sub(x, max(x.detach(), d, true)));
  return div(e, sum(e, d, true));
}

// ------------------------------------------------------------------ linear, flatten, dropout

export function linear(x: AnyTensor, weight: AnyTensor, bias?: AnyTensor | null): AnyTensor {
  assertFloatTensor("linear", x);
  assertTensor("linear", weight, "weight");
  if (weight.shape.length !== 2)
    throw new Error(nnErrors.rank("linear", "weight [outFeatures, inFeatures]", weight.shape));
  const inFeatures = weight.shape[1];
  if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== inFeatures) {
    throw new Error(nnErrors.linearFeatures(x.shape, inFeatures, weight.shape[0]));
  }
  // [.., in] @ [in, out]: the batch dims of x broadcast against the 2-D weight.
  const y = matmul(x, transpose(weight, 0, 1));
  if (bias === undefined || bias === null) return y;
  if (bias.shape.length !== 1 || bias.shape[0] !== weight.shape[0]) {
    throw new Error(nnErrors.biasShape("linear", bias.shape, weight.shape[0]));
  }
  return add(y, bias);
}

export function flatten(x: AnyTensor, startDim = 1, endDim = -1): AnyTensor {
  assertTensor("flatten", x);
  return flattenOp(x, startDim, endDim);
}

/**
 * Inverted dropout: in training, zero each element with probability p and scale the rest by
 * 1/(1-p), so the expected value is unchanged and evaluation is the identity. The mask is drawn
 * from the seeded stream (manualSeed) on the input's device.
 */
export function dropout(x: AnyTensor, p = 0.5, training = true): AnyTensor {
  assertFloatTensor("dropout", x);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(nnErrors.probability("dropout", p));
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const mask = noGrad(() =>
    div(greater(rand(x.shape as number[], { dtype: x.dtype as "float32", device: x.device }), p), 1 - p),
  );
  return mul(x, mask);
}

// ------------------------------------------------------------------ clamped activations (issue 21)

/**
 * min(max(t, lo), hi) where t is x + shift, with the gradient 1 exactly where `x` lies in the
 * interval (`a`, `b`) (closed at `a` when `closedLow`), and 0 elsewhere: the side PyTorch takes
 * at each kink. The pass-through is the reluBackward primitive (t where its mask is > 0, else 0,
 * even for an infinite t), so no infinity is multiplied by a 0 mask; the clamped values are added
 * as constants. NaN compares false with both bounds, so it passes through as PyTorch's.
 */
function clampSelect(x: AnyTensor, shift: number, a: number, b: number, closedLow: boolean): AnyTensor {
  const t = shift === 0 ? x : add(x, shift);
  const lo = a + shift,
    hi = b + shift;
  const [mask, fill] = noGrad(() => {
    const below = closedLow ? less(x, a) : add(less(x, a), equal(x, a));
    const above = add(greater(x, b), equal(x, b));
    return [sub(sub(1, below), above), add(mul(below, lo), mul(above, hi))];
  });
  return add(apply("reluBackward", [mask, t], {}), fill);
}

/** SiLU (swish): x * sigmoid(x). */
export function silu(x: AnyTensor): AnyTensor {
  assertFloatTensor("silu", x);
  return mul(x, sigmoid(x));
}

/** ReLU6: min(max(x, 0), 6); gradient 1 on (0, 6), 0 at both kinks (PyTorch's hardtanh_backward). */
export function relu6(x: AnyTensor): AnyTensor {
  assertFloatTensor("relu6", x);
  return clampSelect(x, 0, 0, 6, false);
}

/** Hardsigmoid: min(max(x + 3, 0), 6) / 6 as PyTorch computes it; gradient 1/6 on (-3, 3), 0 at the kinks. */
export function hardsigmoid(x: AnyTensor): AnyTensor {
  assertFloatTensor("hardsigmoid", x);
  return div(clampSelect(x, 3, -3, 3, false), 6);
}

/**
 * Hardswish: x * min(max(x + 3, 0), 6) / 6, in PyTorch's order of operations. PyTorch's gradient
 * is x / 3 + 1/2 on [-3, 3) (so -1/2 at -3), 0 below and 1 from 3 on; its second derivative 1/3
 * on the open (-3, 3) only. No product of masks gives both (the derivative of the first-order mask
 * term would be 1/3 at -3), so the clamp passes gradient on the open interval and a term that is
 * 0 in value, -(x + 3) / 2 selected at x = -3 only, supplies the -1/2 there with no second
 * derivative.
 */
export function hardswish(x: AnyTensor): AnyTensor {
  assertFloatTensor("hardswish", x);
  const y = div(mul(x, clampSelect(x, 3, -3, 3, false)), 6);
  const atLowKink = noGrad(() => equal(x, -3));
  return add(y, mul(apply("reluBackward", [atLowKink, add(x, 3)], {}), -0.5));
}

/**
 * Channel dropout: in training, zero each whole channel (a [C, H, W] or [N, C, H, W] input's
 * planes) with probability p and scale the kept ones by 1/(1-p); evaluation is the identity.
 * One draw per channel from the seeded stream (manualSeed) on the input's device.
 */
export function dropout2d(x: AnyTensor, p = 0.5, training = true): AnyTensor {
  assertFloatTensor("dropout2d", x);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(nnErrors.probability("dropout2d", p));
  assertRank("dropout2d", x, [3, 4], "input [C, H, W] or [N, C, H, W]");
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const r = x.shape.length;
  const maskShape = x.shape.map((n, i) => (i < r - 2 ? n : 1));
  const mask = noGrad(() => div(greater(rand(maskShape, { dtype: x.dtype as "float32", device: x.device }), p), 1 - p));
  return mul(x, mask);
}

// ------------------------------------------------------------------ pooling

export interface AvgPool2dOptions {
  kernelSize: Pair;
  stride?: Pair | null;
  /** p, [h, w] or [top, bottom, left, right] */
  padding?: Pair | readonly [number, number, number, number];
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/**
 * avg_pool2d as a depthwise convolution with a ones kernel (groups = channels) over the input
 * zero-padded by `padding` (plus, with ceilMode, enough at the bottom/right for the last window),
 * divided by each window's divisor. PyTorch's divisor: with countIncludePad the window clipped to
 * the padded input, rows -top .. H + bottom (so extra ceil-mode rows do not count); without it the
 * part inside the input. With unequal sides this is ONNX AveragePool's divisor too (explicit pads).
 */
const AVG_POOL_OPTIONS: readonly string[] = [
  "kernelSize",
  "stride",
  "padding",
  "ceilMode",
  "countIncludePad",
  "divisorOverride",
] satisfies (keyof AvgPool2dOptions)[];

export function avgPool2d(x: AnyTensor, options: AvgPool2dOptions): AnyTensor {
  const op = "avgPool2d";
  assertFloatTensor(op, x);
  if (typeof options !== "object" || options === null) throw new Error(nnErrors.badOption(op, "options", options));
  // An option PyTorch's avg_pool2d does not have (dilation, say) would otherwise be dropped silently.
  for (const key of Object.keys(options))
    if (!AVG_POOL_OPTIONS.includes(key))
      throw new Error(argumentErrors.unknownOption(op, show(key), AVG_POOL_OPTIONS.join(", ")));
  const ceilMode = options.ceilMode ?? false;
  const countIncludePad = options.countIncludePad ?? true;
  const divisorOverride = options.divisorOverride ?? null;
  if (divisorOverride !== null && !(Number.isSafeInteger(divisorOverride) && divisorOverride > 0)) {
    throw new Error(nnErrors.badOption(op, "divisorOverride", divisorOverride, 1));
  }
  const g = resolvePool2d(op, x.shape, {
    kernelSize: options.kernelSize,
    stride: options.stride ?? undefined,
    padding: options.padding ?? 0,
    ceilMode,
  });
  const {
    kernelHeight: kH,
    kernelWidth: kW,
    strideH: sH,
    strideW: sW,
    padTop: pT,
    padBottom: pB,
    padLeft: pL,
    padRight: pR,
    outHeight: oH,
    outWidth: oW,
  } = g;
  const h = g.inHeight,
    w = g.inWidth,
    c = g.channels;
  const unbatched = x.shape.length === 3;
  const x4 = unbatched ? reshape(x, [1, ...x.shape]) : x;
  const extraH = Math.max(0, (oH - 1) * sH + kH - (h + pT + pB));
  const extraW = Math.max(0, (oW - 1) * sW + kW - (w + pL + pR));
  const ones = full([c, 1, kH, kW], 1, { dtype: x.dtype as "float32", device: x.device });
  const sums = conv2d(x4, ones, null, { stride: [sH, sW], padding: [pT, pB + extraH, pL, pR + extraW], groups: c });
  const divisor = new Float64Array(oH * oW);
  for (let i = 0; i < oH; i++) {
    for (let j = 0; j < oW; j++) {
      let h0 = i * sH - pT,
        w0 = j * sW - pL;
      let h1 = Math.min(h0 + kH, h + pB),
        w1 = Math.min(w0 + kW, w + pR);
      const padded = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0);
      w0 = Math.max(w0, 0);
      h1 = Math.min(h1, h);
      w1 = Math.min(w1, w);
      divisor[i * oW + j] = divisorOverride ?? (countIncludePad ? padded : (h1 - h0) * (w1 - w0));
    }
  }
  const y = div(sums, constant(divisor, [oH, oW], x));
  return unbatched ? reshape(y, y.shape.slice(1)) : y;
}

/** A constant tensor (no gradient) with `like`'s dtype and device. */
export function constant(values: Float64Array | number[], shape: readonly number[], like: AnyTensor): AnyTensor {
  const data = like.dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
  return tensor(data, { shape: shape as number[], dtype: like.dtype as "float32", device: like.device });
}

/**
 * adaptive_avg_pool2d: output cell (i, j) averages rows [floor(i H / oH), ceil((i + 1) H / oH)) and
 * the same for columns (PyTorch's windows). Averaging rows and columns is separable, so
 * y = P_H x P_W^T with P_H [oH, H] and P_W [oW, W] holding 1/len over each window: two matmuls.
 */
export function adaptiveAvgPool2d(x: AnyTensor, outputSize: Pair): AnyTensor {
  const op = "adaptiveAvgPool2d";
  assertFloatTensor(op, x);
  assertRank(op, x, [3, 4], "input [N, C, H, W] or [C, H, W]");
  const [oH, oW] = pair(op, "outputSize", outputSize, 1);
  const r = x.shape.length;
  const h = x.shape[r - 2],
    w = x.shape[r - 1];
  if (h === 0 || w === 0) throw new Error(nnErrors.poolOutput(op, x.shape, [oH, oW], [oH, oW]));
  if (oH === 1 && oW === 1) return mean(x, [r - 2, r - 1], true);
  const rows = windowMatrix(h, oH),
    cols = windowMatrix(w, oW);
  const ph = constant(rows, [oH, h], x);
  const pwT = constant(transposeMatrix(cols, oW, w), [w, oW], x);
  return matmul(matmul(ph, x), pwT);
}

function windowMatrix(length: number, out: number): Float64Array {
  const m = new Float64Array(out * length);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * length) / out);
    const end = Math.ceil(((i + 1) * length) / out);
    for (let k = start; k < end; k++) m[i * length + k] = 1 / (end - start);
  }
  return m;
}

function transposeMatrix(m: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
  return t;
}

// ------------------------------------------------------------------ batch norm

export interface BatchNormOptions {
  weight?: AnyTensor | null;
  bias?: AnyTensor | null;
  training?: boolean;
  momentum?: number | null;
  eps?: number;
  /** Used when `momentum` is null: the cumulative moving average weights batch k by 1/k. */
  numBatchesTracked?: number;
}

type BatchNormResult = { output: AnyTensor; runningMean: AnyTensor | null; runningVar: AnyTensor | null };

/**
 * batch_norm over dim 1 of an [N, C, ...] input. Training: normalise by the batch mean and the
 * biased variance, and return the running statistics updated with the unbiased variance, as
 * PyTorch does (computed without a graph). Evaluation: normalise by the running statistics.
 * Training on float32 CPU tensors runs as one fused primitive (src/ops/batch-norm.ts).
 */
export function batchNorm(
  x: AnyTensor,
  runningMean: AnyTensor | null,
  runningVar: AnyTensor | null,
  options: BatchNormOptions = {},
): BatchNormResult {
  return batchNormWith(true, x, runningMean, runningVar, options);
}

/** batchNorm as a composition of ops on every device and dtype: the oracle of the fused path. */
export function batchNormReference(
  x: AnyTensor,
  runningMean: AnyTensor | null,
  runningVar: AnyTensor | null,
  options: BatchNormOptions = {},
): BatchNormResult {
  return batchNormWith(false, x, runningMean, runningVar, options);
}

/**
 * relu(batchNorm(...).output), the normalisation and relu in one pass (batchNormReluTrain) where
 * batchNorm would take its fused path; else the two ops. Only for a caller that knows nothing
 * else reads the normalised output (nn.Sequential): it never exists as a tensor.
 */
export function batchNormRelu(
  x: AnyTensor,
  runningMean: AnyTensor | null,
  runningVar: AnyTensor | null,
  options: BatchNormOptions = {},
): BatchNormResult {
  return batchNormWith(true, x, runningMean, runningVar, options, true);
}

function batchNormWith(
  allowFused: boolean,
  x: AnyTensor,
  runningMean: AnyTensor | null,
  runningVar: AnyTensor | null,
  options: BatchNormOptions,
  withRelu = false,
): BatchNormResult {
  const op = "batchNorm";
  assertFloatTensor(op, x);
  if (x.shape.length < 2) throw new Error(nnErrors.rank(op, "input [N, C, ...]", x.shape));
  const c = x.shape[1];
  const eps = options.eps ?? 1e-5;
  const training = options.training ?? false;
  const dims = [0, ...Array.from({ length: x.shape.length - 2 }, (_, i) => i + 2)];
  const statShape = [1, c, ...Array.from({ length: x.shape.length - 2 }, () => 1)];
  for (const [name, t] of [
    ["weight", options.weight],
    ["bias", options.bias],
    ["runningMean", runningMean],
    ["runningVar", runningVar],
  ] as const) {
    if (t && (t.shape.length !== 1 || t.shape[0] !== c)) throw new Error(nnErrors.channelParam(op, name, t.shape, c));
  }
  let meanT: AnyTensor, varT: AnyTensor;
  let newMean = runningMean,
    newVar = runningVar;
  if (training) {
    const count = dims.reduce((k, d) => k * x.shape[d], 1);
    if (count <= 1) throw new Error(nnErrors.batchNormCount(x.shape));
    const updateRunning = (m: AnyTensor, v: AnyTensor) => {
      if (!runningMean || !runningVar) return;
      const factor = options.momentum ?? 1 / Math.max(1, options.numBatchesTracked ?? 1);
      noGrad(() => {
        newMean = add(mul(runningMean, 1 - factor), mul(reshape(m, [c]), factor));
        newVar = add(mul(runningVar, 1 - factor), mul(reshape(v, [c]), (factor * count) / (count - 1)));
      });
    };
    // the fused loops read float32 CPU arrays; an absent weight or bias is made to match
    const fusable = (t: AnyTensor | null | undefined) => !t || (t.device === "cpu" && t.dtype === "float32");
    if (allowFused && fusable(x) && fusable(options.weight) && fusable(options.bias)) {
      const r = batchNormTrainCpu(x, options.weight ?? null, options.bias ?? null, eps, withRelu);
      const stat = (s: Float64Array) => tensor(Float32Array.from(s), { shape: [c] });
      updateRunning(stat(r.mean), stat(r.variance));
      return { output: r.output, runningMean: newMean, runningVar: newVar };
    }
    meanT = mean(x, dims, true);
    const centered = sub(x, meanT);
    varT = mean(mul(centered, centered), dims, true);
    updateRunning(meanT.detach(), varT.detach());
  } else {
    if (!runningMean || !runningVar) throw new Error(nnErrors.batchNormNoStats());
    meanT = reshape(runningMean, statShape);
    varT = reshape(runningVar, statShape);
  }
  let y = div(sub(x, meanT), sqrt(add(varT, eps)));
  if (options.weight) y = mul(y, reshape(options.weight, statShape));
  if (options.bias) y = add(y, reshape(options.bias, statShape));
  return { output: withRelu ? reluOp(y) : y, runningMean: newMean, runningVar: newVar };
}

// ------------------------------------------------------------------ losses

function reduce(op: string, loss: AnyTensor, reduction: Reduction): AnyTensor {
  if (reduction === "mean") return mean(loss);
  if (reduction === "sum") return sum(loss);
  if (reduction === "none") return loss;
  throw new Error(nnErrors.badOption(op, "reduction", reduction));
}

function checkSameShape(op: string, input: AnyTensor, target: AnyTensor): void {
  assertFloatTensor(op, input);
  assertTensor(op, target, "target");
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new Error(nnErrors.targetShape(op, input.shape, target.shape));
  }
}

export function mseLoss(input: AnyTensor, target: AnyTensor, reduction: Reduction = "mean"): AnyTensor {
  checkSameShape("mseLoss", input, target);
  const d = sub(input, target);
  return reduce("mseLoss", mul(d, d), reduction);
}

export function l1Loss(input: AnyTensor, target: AnyTensor, reduction: Reduction = "mean"): AnyTensor {
  checkSameShape("l1Loss", input, target);
  return reduce("l1Loss", abs(sub(input, target)), reduction);
}

/**
 * BCE on logits without overflow: with l = log(1 + exp(-|x|)) + max(-x, 0) = log(1 + exp(-x)),
 * loss = (1 - y) x + (1 + (w - 1) y) l (PyTorch's form; w = posWeight, 1 without it).
 */
export function binaryCrossEntropyWithLogits(
  input: AnyTensor,
  target: AnyTensor,
  options: { reduction?: Reduction; posWeight?: AnyTensor | null; weight?: AnyTensor | null } = {},
): AnyTensor {
  const op = "binaryCrossEntropyWithLogits";
  checkSameShape(op, input, target);
  // max(-x, 0) written as (|x| - x) / 2: the same values, but its derivative at 0 is -1/2 (with
  // sign(0) = 0), which makes the whole derivative sigmoid(x) - y exact at x = 0 too.
  const softplusNeg = add(log(add(exp(neg(abs(input))), 1)), mul(sub(abs(input), input), 0.5));
  const coef = options.posWeight ? add(mul(target, sub(options.posWeight, 1)), 1) : null;
  let loss = add(mul(sub(1, target), input), coef ? mul(coef, softplusNeg) : softplusNeg);
  if (options.weight) loss = mul(loss, options.weight);
  return reduce(op, loss, options.reduction ?? "mean");
}

/** PyTorch's default ignore_index. */
export const IGNORE_INDEX = -100;

export interface ClassLossOptions {
  reduction?: Reduction;
  /** A rescaling weight per class, [C] (PyTorch's `weight`). */
  weight?: AnyTensor | null;
  /** Targets equal to it add nothing, to the loss or to the mean's denominator (default -100). */
  ignoreIndex?: number;
}

/**
 * Class targets as a one-hot mask over dim 1 of `input` ([N, C] or [N, C, d1, ...]), scaled by the
 * class weights and zero on ignored targets (`weighted`), with the mask of kept targets and the
 * per-class weights shaped to broadcast against it. Targets are int32
 * [N] or [N, d1, ...]; values outside [0, C) other than ignoreIndex are refused on the CPU (where
 * they can be read synchronously); elsewhere they give an all-zero row.
 */
function classMask(op: string, input: AnyTensor, target: AnyTensor, options: ClassLossOptions) {
  assertFloatTensor(op, input);
  assertTensor(op, target, "target");
  if (target.dtype !== "int32") throw new Error(nnErrors.targetDType(op, target.dtype));
  if (input.shape.length < 2) throw new Error(nnErrors.rank(op, "input [N, C] or [N, C, d1, ...]", input.shape));
  const c = input.shape[1];
  const expected = [input.shape[0], ...input.shape.slice(2)];
  if (target.shape.length !== expected.length || target.shape.some((d, i) => d !== expected[i])) {
    throw new Error(nnErrors.classTargetShape(op, input.shape, target.shape, expected));
  }
  const ignoreIndex = options.ignoreIndex ?? IGNORE_INDEX;
  if (!Number.isSafeInteger(ignoreIndex)) throw new Error(nnErrors.badOption(op, "ignoreIndex", ignoreIndex));
  const w = options.weight ?? null;
  if (w !== null) {
    assertTensor(op, w, "weight");
    if (w.shape.length !== 1 || w.shape[0] !== c || w.dtype !== input.dtype || w.device !== input.device) {
      throw new Error(nnErrors.classWeight(op, w.shape, w.dtype, w.device, c, input.dtype, input.device));
    }
  }
  if (target.device === "cpu") {
    const data = target.dataSync();
    for (let i = 0; i < data.length; i++) {
      if ((data[i] < 0 || data[i] >= c) && data[i] !== ignoreIndex)
        throw new Error(nnErrors.classOutOfRange(op, data[i], i, c, ignoreIndex));
    }
  }
  const classShape = [1, c, ...expected.slice(1).map(() => 1)];
  const classes = reshape(arange(0, c, 1, { dtype: "int32", device: input.device }), classShape);
  const t = reshape(target, [expected[0], 1, ...expected.slice(1)]);
  const dtype = input.dtype;
  // 1 where the target is not ignored, [N, 1, d1, ...]
  const kept = sub(1, cast(equal(t, ignoreIndex), dtype));
  const mask = mul(cast(equal(t, classes), dtype), kept);
  const classWeight = w === null ? null : reshape(w, classShape);
  return { weighted: classWeight ? mul(mask, classWeight) : mask, kept, classWeight };
}

/**
 * The class losses' reduction: "mean" divides by the summed weights of the targets that count
 * (their number without weights), PyTorch's rule; a batch whose targets are all ignored has a
 * mean of 0/0 = NaN there too.
 */
function reduceClassLoss(op: string, loss: AnyTensor, targetWeight: AnyTensor, reduction: Reduction): AnyTensor {
  if (reduction === "mean") return div(sum(loss), sum(targetWeight));
  return reduce(op, loss, reduction);
}

export function nllLoss(input: AnyTensor, target: AnyTensor, options: Reduction | ClassLossOptions = {}): AnyTensor {
  const o = typeof options === "string" ? { reduction: options } : options;
  const { weighted } = classMask("nllLoss", input, target, o);
  return reduceClassLoss("nllLoss", neg(sum(mul(weighted, input), 1)), sum(weighted, 1), o.reduction ?? "mean");
}

/**
 * cross_entropy on logits with class targets: nll of logSoftmax, and with label smoothing e the
 * target is (1 - e) one-hot + e/C uniform, i.e. loss = (1 - e) nll + (e / C) sum_c(-w_c log p_c)
 * (PyTorch's form: both terms zero on ignored targets, both divided by the same denominator).
 */
export function crossEntropy(
  input: AnyTensor,
  target: AnyTensor,
  options: ClassLossOptions & { labelSmoothing?: number } = {},
): AnyTensor {
  const op = "crossEntropy";
  const e = options.labelSmoothing ?? 0;
  if (typeof e !== "number" || !(e >= 0 && e <= 1)) throw new Error(nnErrors.probability(op, e, "labelSmoothing"));
  const { weighted, kept, classWeight } = classMask(op, input, target, options);
  const logp = logSoftmax(input, 1);
  let loss = neg(sum(mul(weighted, logp), 1));
  if (e > 0) {
    const smooth = mul(neg(sum(classWeight ? mul(logp, classWeight) : logp, 1)), reshape(kept, loss.shape));
    loss = add(mul(loss, 1 - e), mul(smooth, e / input.shape[1]));
  }
  return reduceClassLoss(op, loss, sum(weighted, 1), options.reduction ?? "mean");
}
