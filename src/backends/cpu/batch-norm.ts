/**
 * Batch normalisation in training mode over dim 1 of an [N, C, ...] array, as fused loops: the
 * per-channel statistics, the normalise-and-affine pass, and the closed-form backward. The op
 * composition in nn.functional.batchNorm is the reference these are tested against; it takes ~8
 * broadcast passes forward and ~20 backward where these take 3 and 2.
 *
 * Layout: element (n, c, k) is at (n C + c) inner + k, inner = the product of the dims after C.
 * Every sum is accumulated in float64 (a JS number) and each output rounded once, so the float32
 * results are at least as accurate as the composition's.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { BatchNormLoops, ChannelStats, KernelInput, KernelTable } from "../../backend.js";
import { numel } from "../../runtime/shape.js";
import { allocate, allocateForOverwrite } from "./arrays.js";
import { type Float, float } from "./float.js";

/**
 * Two passes, as PyTorch's CPU kernel: the mean, then the mean of squared deviations from it
 * (the one-pass E[x^2] - E[x]^2 cancels catastrophically when |mean| >> std).
 */
function channelStats(x: Float, batch: number, channels: number, inner: number): ChannelStats {
  const count = batch * inner;
  const mean = new Float64Array(channels),
    variance = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      for (let k = 0; k < inner; k++) s += x[base + k];
    }
    const m = s / count;
    let q = 0;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      for (let k = 0; k < inner; k++) {
        const d = x[base + k] - m;
        q += d * d;
      }
    }
    mean[c] = m;
    variance[c] = q / count;
  }
  return { mean, variance };
}

/** y = (x - mean) invstd weight + bias; weight and bias have C entries. */
function batchNormForward(
  x: Float,
  weight: Float,
  bias: Float,
  mean: Float64Array,
  invstd: Float64Array,
  batch: number,
  channels: number,
  inner: number,
  y: Float,
): void {
  for (let c = 0; c < channels; c++) {
    const scale = invstd[c] * weight[c],
      m = mean[c],
      b = bias[c];
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      for (let k = base; k < base + inner; k++) y[k] = (x[k] - m) * scale + b;
    }
  }
}

/**
 * The gradients of y = xhat weight + bias, xhat = (x - mean) invstd with the batch's own mean
 * and invstd, for the cotangent g (M = N x inner values per channel):
 *   dbias = sum g,   dweight = sum g xhat,
 *   dx = weight invstd (g - sum(g) / M - xhat sum(g xhat) / M)
 * (the last two terms are the gradient flowing through the mean and through the variance).
 * `dx` null: only the parameters' gradients are wanted.
 */
function batchNormBackward(
  x: Float,
  g: Float,
  weight: Float,
  mean: Float64Array,
  invstd: Float64Array,
  batch: number,
  channels: number,
  inner: number,
  dx: Float | null,
  dweight: Float,
  dbias: Float,
): void {
  const count = batch * inner;
  for (let c = 0; c < channels; c++) {
    const m = mean[c];
    let sg = 0,
      sgx = 0;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      for (let k = base; k < base + inner; k++) {
        const v = g[k];
        sg += v;
        sgx += v * (x[k] - m);
      }
    }
    const is = invstd[c];
    dbias[c] = sg;
    dweight[c] = sgx * is;
    if (!dx) continue;
    // dx = a g + b (x - mean) + d, the three per-channel constants folded out of the loop
    const a = weight[c] * is,
      b = (-a * is * is * sgx) / count,
      d = (-a * sg) / count;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      for (let k = base; k < base + inner; k++) dx[k] = a * g[k] + b * (x[k] - m) + d;
    }
  }
}

/** [batch, channels, inner] of an [N, C, ...] input. */
const layout = (x: KernelInput<AnyTypedArray>) => [x.shape[0], x.shape[1], numel(x.shape.slice(2))] as const;

export const batchNormKernels: Pick<KernelTable<AnyTypedArray>, "batchNormTrain"> = {
  batchNormTrain: ([x, w, b], p, out) => {
    const y = allocateForOverwrite(out.dtype, numel(out.shape)) as Float;
    batchNormForward(float(x), float(w), float(b), p.mean, p.invstd, ...layout(x), y);
    return y;
  },
};

export const batchNormLoops: BatchNormLoops<AnyTypedArray> = {
  channelStats: (x) => channelStats(float(x), ...layout(x)),
  backward: (x, g, weight, p, wantInput) => {
    const [batch, channels, inner] = layout(x);
    const input = wantInput ? (allocateForOverwrite(x.dtype, numel(x.shape)) as Float) : null;
    const dweight = allocate(x.dtype, channels) as Float,
      dbias = allocate(x.dtype, channels) as Float;
    batchNormBackward(
      float(x),
      float(g),
      float(weight),
      p.mean,
      p.invstd,
      batch,
      channels,
      inner,
      input,
      dweight,
      dbias,
    );
    return { input, weight: dweight, bias: dbias };
  },
};
