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
 *
 * Each sum runs in four interleaved float64 accumulators (element k into accumulator k mod 4 of
 * its run), added pairwise at the end: one accumulator makes every element wait for the previous
 * add's latency (~4 cycles), four keep the adder busy. The order differs from a left-to-right sum
 * by float64 roundings only (relative ~1e-16 of the sum), far below the float32 output's rounding.
 */
function channelStats(x: Float, batch: number, channels: number, inner: number): ChannelStats {
  const count = batch * inner;
  const mean = new Float64Array(channels),
    variance = new Float64Array(channels);
  const inner4 = inner - (inner % 4);
  for (let c = 0; c < channels; c++) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      let k = base;
      for (const end = base + inner4; k < end; k += 4) {
        s0 += x[k];
        s1 += x[k + 1];
        s2 += x[k + 2];
        s3 += x[k + 3];
      }
      for (const end = base + inner; k < end; k++) s0 += x[k];
    }
    const m = (s0 + s1 + (s2 + s3)) / count;
    let q0 = 0,
      q1 = 0,
      q2 = 0,
      q3 = 0;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      let k = base;
      for (const end = base + inner4; k < end; k += 4) {
        const d0 = x[k] - m,
          d1 = x[k + 1] - m,
          d2 = x[k + 2] - m,
          d3 = x[k + 3] - m;
        q0 += d0 * d0;
        q1 += d1 * d1;
        q2 += d2 * d2;
        q3 += d3 * d3;
      }
      for (const end = base + inner; k < end; k++) {
        const d = x[k] - m;
        q0 += d * d;
      }
    }
    mean[c] = m;
    variance[c] = (q0 + q1 + (q2 + q3)) / count;
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
  const inner2 = inner - (inner % 2);
  for (let c = 0; c < channels; c++) {
    const m = mean[c];
    // two interleaved accumulators for each sum (four add chains): see channelStats
    let sg0 = 0,
      sg1 = 0,
      sgx0 = 0,
      sgx1 = 0;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      let k = base;
      for (const end = base + inner2; k < end; k += 2) {
        const v0 = g[k],
          v1 = g[k + 1];
        sg0 += v0;
        sg1 += v1;
        sgx0 += v0 * (x[k] - m);
        sgx1 += v1 * (x[k + 1] - m);
      }
      if (k < base + inner) {
        const v = g[k];
        sg0 += v;
        sgx0 += v * (x[k] - m);
      }
    }
    const sg = sg0 + sg1,
      sgx = sgx0 + sgx1;
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
