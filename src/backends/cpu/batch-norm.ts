/**
 * Batch normalisation in training mode over dim 1 of an [N, C, ...] array, as fused loops: the
 * per-channel statistics, the normalise-and-affine pass, and the closed-form backward. The op
 * composition in nn.functional.batchNorm is the reference these are tested against; it takes ~8
 * broadcast passes forward and ~20 backward where these take 3 and 2.
 *
 * Float32 runs the SIMD kernels (./fast/batch-norm.ts): bn_stats and bn_fwd, the bits of
 * channelStats and batchNormForward, and bn_bwd (~2x these loops with its copies, another order of
 * float64 sums; after a fused relu it recomputes the output's mask from x and the bias, where
 * batchNormBackward reads the output); the loops here are their reference and the path of a call
 * that does not fit the memory.
 *
 * Layout: element (n, c, k) is at (n C + c) inner + k, inner = the product of the dims after C.
 * Every sum is accumulated in float64 (a JS number) and each output rounded once, so the float32
 * results are at least as accurate as the composition's.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { BatchNormLoops, ChannelStats, KernelInput, KernelOutput, KernelTable } from "../../backend.js";
import type { BatchNormParams, BatchNormTrainParams } from "../../primitives/batch-norm.js";
import { numel } from "../../runtime/shape.js";
import { allocateForOverwrite } from "./arrays.js";
import { type Float, float } from "./float.js";
import * as fast from "./fast/index.js";
import { batchNormBackwardF32, batchNormForwardF32, batchNormStatsF32 } from "./fast/batch-norm.js";

/**
 * Two passes, as PyTorch's CPU kernel: the mean, then the mean of squared deviations from it
 * (the one-pass E[x^2] - E[x]^2 cancels catastrophically when |mean| >> std).
 *
 * Each sum runs in four interleaved float64 accumulators (element k into accumulator k mod 4 of
 * its run), added pairwise at the end: one accumulator makes every element wait for the previous
 * add's latency (~4 cycles), four keep the adder busy. The order differs from a left-to-right sum
 * by float64 roundings only (relative ~1e-16 of the sum), far below the float32 output's rounding.
 */
export function channelStats(x: Float, batch: number, channels: number, inner: number): ChannelStats {
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

/**
 * y = (x - mean) invstd weight + bias; weight and bias have C entries. With `relu`, y = max(0, that)
 * in the same pass (batchNormReluTrain): the value v is a double, and (v + |v|) / 2 is v for v > 0
 * (2v is exact, halving it too) and +0 for v <= 0 (-0 included), without the branch a compare would
 * cost (on random signs it mispredicts half the time: ~15x the loop measured here). Rounding v to
 * float32 then keeps its sign or gives +0, so the store equals relu of the unfused output bit for
 * bit. The identity fails only for v = -inf or NaN; v is finite whenever the channel's mean, scale
 * and shift are (a finite mean means every x of the channel is finite, and |v| <= 7e38 x 1e41 +
 * 3.4e38 cannot overflow a double), so a channel with a non-finite one takes the plain compare.
 */
export function batchNormForward(
  x: Float,
  weight: Float,
  bias: Float,
  mean: Float64Array,
  invstd: Float64Array,
  batch: number,
  channels: number,
  inner: number,
  y: Float,
  relu: boolean,
): void {
  for (let c = 0; c < channels; c++) {
    const scale = invstd[c] * weight[c],
      m = mean[c],
      b = bias[c];
    const finite = Number.isFinite(scale) && Number.isFinite(m) && Number.isFinite(b);
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      if (!relu) for (let k = base; k < base + inner; k++) y[k] = (x[k] - m) * scale + b;
      else if (finite)
        for (let k = base; k < base + inner; k++) {
          const v = (x[k] - m) * scale + b;
          y[k] = (v + Math.abs(v)) * 0.5;
        }
      else
        for (let k = base; k < base + inner; k++) {
          // relu's own rule on the stored (rounded) output: NaN propagates, -0 and below give +0
          y[k] = (x[k] - m) * scale + b;
          const v = y[k];
          if (!(v > 0 || v !== v)) y[k] = 0;
        }
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
 *
 * With `relu` (batchNormReluTrain's output y), the cotangent is relu's gradient of g first, g where
 * y > 0 or is a NaN, else +0 (reluBackward's rule), read on the fly as g f + 0 with f = +!(y <= 0),
 * 1 for y > 0 and for a NaN, else 0: branch-free (V8 compiles a compare-and-select of floats to a
 * branch, which on random signs mispredicts half the time: ~9x the loop measured here) and without
 * reluBackward's full-size array and pass. g f + 0 is g or +0 whenever g is
 * finite; an infinite or NaN g where f = 0 would give NaN, so a channel whose sums come out
 * non-finite is recomputed with the exact select (a finite sum means every g of the channel is
 * finite). The values are reluBackward's then this backward's; only a -0 in g where y > 0 reads
 * as +0, which no sum can tell apart.
 */
export function batchNormBackward(
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
  relu: Float | null,
): void {
  const count = batch * inner;
  const sums = new Float64Array(4);
  for (let c = 0; c < channels; c++) {
    const m = mean[c];
    const channelSums = (mode: SumMode) => {
      sums.fill(0);
      for (let n = 0; n < batch; n++)
        runSums(x, g, relu ?? g, mode, m, (n * channels + c) * inner, inner, sums, relu ? dx : null);
      return [sums[0] + sums[1], sums[2] + sums[3]];
    };
    let [sg, sgx] = channelSums(relu ? SumMode.Relu : SumMode.Plain);
    const exact = relu !== null && !(Number.isFinite(sg) && Number.isFinite(sgx));
    if (exact) [sg, sgx] = channelSums(SumMode.ReluExact);
    const is = invstd[c];
    dbias[c] = sg;
    dweight[c] = sgx * is;
    if (!dx) continue;
    // dx = a g + b (x - mean) + d, the three per-channel constants folded out of the loop
    const a = weight[c] * is,
      b = (-a * is * is * sgx) / count,
      d = (-a * sg) / count;
    // with relu, the sums left relu's gradient of g in dx
    const gr = relu ? dx : g;
    for (let n = 0; n < batch; n++) {
      const base = (n * channels + c) * inner;
      for (let k = base; k < base + inner; k++) dx[k] = a * gr[k] + b * (x[k] - m) + d;
    }
  }
}

/** relu's gradient of one value, reluBackward's select: g where y > 0 or y is a NaN, else +0. */
const masked = (y: number, g: number) => (y > 0 || y !== y ? g : 0);

/** What runSums reads as the cotangent: g, or relu's gradient of g branch-free, or selected exactly. */
export const SumMode = { Plain: 0, Relu: 1, ReluExact: 2 } as const;
export type SumMode = (typeof SumMode)[keyof typeof SumMode];

/**
 * The backward sums of one run of `len` values from `start`: sum v and sum v (x - m), v the
 * cotangent (see SumMode; `relu` is read only by the relu modes), added into acc[0] + acc[1] and
 * acc[2] + acc[3], two interleaved accumulators for each sum (four add chains, see channelStats).
 * The relu modes also write v to `stage` (the input gradient's storage, which the dx pass then
 * reads in place of g). One loop per mode: a per-element test of the mode, even predicted, costs
 * ~20% of the plain loop here.
 */
export function runSums(
  x: Float,
  g: Float,
  relu: Float,
  mode: SumMode,
  m: number,
  start: number,
  len: number,
  acc: Float64Array,
  stage: Float | null,
): void {
  let sg0 = acc[0],
    sg1 = acc[1],
    sgx0 = acc[2],
    sgx1 = acc[3],
    k = start;
  const end = start + len - (len % 2);
  if (mode === SumMode.Plain)
    for (; k < end; k += 2) {
      const v0 = g[k],
        v1 = g[k + 1];
      sg0 += v0;
      sg1 += v1;
      sgx0 += v0 * (x[k] - m);
      sgx1 += v1 * (x[k + 1] - m);
    }
  else if (mode === SumMode.Relu && stage)
    for (; k < end; k += 2) {
      const v0 = (stage[k] = g[k] * +!(relu[k] <= 0) + 0),
        v1 = (stage[k + 1] = g[k + 1] * +!(relu[k + 1] <= 0) + 0);
      sg0 += v0;
      sg1 += v1;
      sgx0 += v0 * (x[k] - m);
      sgx1 += v1 * (x[k + 1] - m);
    }
  else
    for (; k < end; k += 2) {
      const v0 = cotangent(mode, g, relu, k),
        v1 = cotangent(mode, g, relu, k + 1);
      if (stage) {
        stage[k] = v0;
        stage[k + 1] = v1;
      }
      sg0 += v0;
      sg1 += v1;
      sgx0 += v0 * (x[k] - m);
      sgx1 += v1 * (x[k + 1] - m);
    }
  if (k < start + len) {
    const v = cotangent(mode, g, relu, k);
    if (stage) stage[k] = v;
    sg0 += v;
    sgx0 += v * (x[k] - m);
  }
  acc[0] = sg0;
  acc[1] = sg1;
  acc[2] = sgx0;
  acc[3] = sgx1;
}

/** runSums' cotangent of element i in `mode`. */
const cotangent = (mode: SumMode, g: Float, relu: Float, i: number) =>
  mode === SumMode.Plain ? g[i] : mode === SumMode.Relu ? g[i] * +!(relu[i] <= 0) + 0 : masked(relu[i], g[i]);

/**
 * Fewest elements for which the forward's SIMD calls pay: their fixed cost (the parameter block,
 * the layout, waking a worker) is ~20 us; at 4K elements the JS loops took half the time of the
 * calls, at 32K and up the calls 0.5-0.65 of theirs (CPU, paired, both with pooled outputs).
 */
const SIMD_FORWARD_MIN = 16384;

/** [batch, channels, inner] of an [N, C, ...] input. */
const layout = (x: KernelInput<AnyTypedArray>) => [x.shape[0], x.shape[1], numel(x.shape.slice(2))] as const;

/** batchNormTrain, or batchNormReluTrain with `relu`. */
const forwardKernel =
  (relu: boolean) =>
  ([x, w, b]: readonly KernelInput<AnyTypedArray>[], p: BatchNormTrainParams, out: KernelOutput): AnyTypedArray => {
    const xs = float(x),
      ws = float(w),
      bs = float(b);
    const dims = layout(x);
    const reference = () => {
      const y = allocateForOverwrite(out.dtype, numel(out.shape)) as Float;
      batchNormForward(xs, ws, bs, p.mean, p.invstd, ...dims, y, relu);
      return y;
    };
    return xs instanceof Float32Array &&
      ws instanceof Float32Array &&
      bs instanceof Float32Array &&
      xs.length >= SIMD_FORWARD_MIN
      ? fast.orReference(() => batchNormForwardF32(xs, ws, bs, p.mean, p.invstd, ...dims, relu), reference)
      : reference();
  };

export const batchNormKernels: Pick<KernelTable<AnyTypedArray>, keyof BatchNormParams> = {
  batchNormTrain: forwardKernel(false),
  batchNormReluTrain: forwardKernel(true),
};

export const batchNormLoops: BatchNormLoops<AnyTypedArray> = {
  channelStats: (x) => {
    const xs = float(x);
    return xs instanceof Float32Array && xs.length >= SIMD_FORWARD_MIN
      ? fast.orReference(
          () => batchNormStatsF32(xs, ...layout(x)),
          () => channelStats(xs, ...layout(x)),
        )
      : channelStats(xs, ...layout(x));
  },
  backward: (x, g, weight, p, wantInput, reluOf) => {
    const [batch, channels, inner] = layout(x);
    const xs = float(x),
      gs = float(g),
      ws = float(weight),
      relu = reluOf ? float(reluOf.output) : null,
      reluBias = reluOf ? float(reluOf.bias) : null;
    // every channel is written; an unwanted one goes back to the pool (batchNormTrainFusedGradient)
    const dweight = allocateForOverwrite(x.dtype, channels) as Float,
      dbias = allocateForOverwrite(x.dtype, channels) as Float;
    const simd =
      xs instanceof Float32Array &&
      gs instanceof Float32Array &&
      ws instanceof Float32Array &&
      !(reluBias instanceof Float64Array)
        ? fast.orReference(
            () => batchNormBackwardF32(xs, gs, reluBias, ws, p.mean, p.invstd, batch, channels, inner, wantInput),
            () => null,
          )
        : null;
    if (simd) {
      for (let c = 0; c < channels; c++) {
        dbias[c] = simd.sumG[c];
        dweight[c] = simd.sumGX[c] * p.invstd[c];
      }
      return { input: simd.input, weight: dweight, bias: dbias };
    }
    const input = wantInput ? (allocateForOverwrite(x.dtype, numel(x.shape)) as Float) : null;
    batchNormBackward(xs, gs, ws, p.mean, p.invstd, batch, channels, inner, input, dweight, dbias, relu);
    return { input, weight: dweight, bias: dbias };
  },
};
