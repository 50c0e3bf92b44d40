/**
 * Training-mode batch norm on float32 arrays in SIMD, one channel per item (issue 23): the forward's
 * statistics and its normalise-and-affine pass (bn_stats, bn_fwd: batchNormForwardKernels in
 * scripts/wasm/gen-wat.mjs, the bits of the JS loops), and the backward (bn_bwd: batchNormKernels;
 * float64 sums in another order). The JS loops of ../batch-norm.ts are their reference (and run the
 * calls that do not fit the memory); they take ~4.5 ns per element, memory-bound scalar code that V8
 * does not vectorise, where the backward kernel with its copies in and out takes ~1.5.
 *
 * The forward's input is read in place when the conv before it left it in the memory, and otherwise
 * copied in once by the statistics' call and left there for the normalising call that follows
 * (./resident-input.ts); its output stays resident for the op after it. The backward reads x and
 * the cotangent the same way, and after a fused relu recomputes the forward's output from x rather
 * than reading it (one array fewer to copy in: the forward's output is long gone from the memory).
 */
import { check, COPY, F, output } from "./kernel-calls.js";
import { layoutOverInputs } from "./resident-input.js";
import { fastRuntime } from "./workers.js";

/** Float64 per channel in the forward's table (a cache line: threads never share one). */
const FWD_TABLE = 8;

/** Per channel of x ([batch, channels, inner]): the mean and the biased variance, channelStats' bits. */
export function batchNormStatsF32(
  x: Float32Array,
  batch: number,
  channels: number,
  inner: number,
): { mean: Float64Array; variance: Float64Array } {
  check("batchNormStatsF32 x", x, batch * channels * inner);
  const rt = fastRuntime();
  const {
    inputOffsets: [xOff],
    offsets: [tOff],
    L,
  } = layoutOverInputs(rt, 0, [x], [channels * FWD_TABLE * 8]);
  const params = rt.params("bn_stats", { x: xOff, batch, inC: channels, inner, table: tOff });
  // two passes over x, the second mostly from the cache
  rt.run("bn_stats", params, channels, L.scratch, L.scratchStride, 2 * COPY * x.length);
  const table = new Float64Array(rt.memory.buffer, tOff, channels * FWD_TABLE);
  const mean = new Float64Array(channels),
    variance = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    mean[c] = table[c * FWD_TABLE];
    variance[c] = table[c * FWD_TABLE + 1];
  }
  return { mean, variance };
}

/** y = (x - mean) invstd weight + bias per channel, relu of it with `relu`: batchNormForward's bits. */
export function batchNormForwardF32(
  x: Float32Array,
  weight: Float32Array,
  bias: Float32Array,
  mean: Float64Array,
  invstd: Float64Array,
  batch: number,
  channels: number,
  inner: number,
  relu: boolean,
): Float32Array {
  const n = batch * channels * inner;
  check("batchNormForwardF32 x", x, n);
  check("batchNormForwardF32 weight", weight, channels);
  check("batchNormForwardF32 bias", bias, channels);
  const rt = fastRuntime();
  const {
    inputOffsets: [xOff],
    offsets: [tOff, yOff],
    L,
  } = layoutOverInputs(rt, 0, [x], [channels * FWD_TABLE * 8, n * F]);
  const table = new Float64Array(rt.memory.buffer, tOff, channels * FWD_TABLE);
  for (let c = 0; c < channels; c++) {
    table[c * FWD_TABLE] = mean[c];
    table[c * FWD_TABLE + 1] = invstd[c] * weight[c];
    table[c * FWD_TABLE + 2] = bias[c];
  }
  const params = rt.params("bn_fwd", { x: xOff, y: yOff, batch, inC: channels, inner, table: tOff, relu: +relu });
  const y = output(n);
  rt.run("bn_fwd", params, channels, L.scratch, L.scratchStride, COPY * n, y.make);
  return y.take(rt, yOff);
}

/**
 * Float64 per channel in the kernel's table: mean, invstd, weight, scale in; sum g, sum g (x -
 * mean) out; bias in.
 */
const TABLE = 8;

export interface BatchNormBackwardF32 {
  /** The input gradient, null unless asked for. */
  readonly input: Float32Array | null;
  /** Per channel: sum of the cotangent (relu's gradient of it with `reluBias`), and of it times (x - mean). */
  readonly sumG: Float64Array;
  readonly sumGX: Float64Array;
}

/**
 * x and g are [batch, channels, inner]; weight, mean and invstd have one entry per channel. With
 * `reluBias` (batchNormReluTrain's bias), g is relu's gradient of it first, its mask that of the
 * forward's output, which the kernel recomputes from x bit for bit (batchNormForward's scale
 * invstd weight and its order of operations) instead of copying that output in.
 */
export function batchNormBackwardF32(
  x: Float32Array,
  g: Float32Array,
  reluBias: Float32Array | null,
  weight: Float32Array,
  mean: Float64Array,
  invstd: Float64Array,
  batch: number,
  channels: number,
  inner: number,
  wantInput: boolean,
): BatchNormBackwardF32 {
  const n = batch * channels * inner;
  check("batchNormBackwardF32 x", x, n);
  check("batchNormBackwardF32 g", g, n);
  if (reluBias) check("batchNormBackwardF32 bias", reluBias, channels);
  check("batchNormBackwardF32 weight", weight, channels);
  const rt = fastRuntime();
  // g, the gradient of the op after the batch norm, is often still where that op's call left it
  const {
    inputOffsets: [xOff, gOff],
    offsets: [dOff, tOff],
    L,
  } = layoutOverInputs(rt, 0, [x, g], [wantInput ? n * F : 0, channels * TABLE * 8]);
  const table = new Float64Array(rt.memory.buffer, tOff, channels * TABLE);
  for (let c = 0; c < channels; c++) {
    table[c * TABLE] = mean[c];
    table[c * TABLE + 1] = invstd[c];
    table[c * TABLE + 2] = weight[c];
    table[c * TABLE + 3] = invstd[c] * weight[c];
    table[c * TABLE + 6] = reluBias ? reluBias[c] : 0;
  }
  const params = rt.params("bn_bwd", {
    x: xOff,
    a: gOff,
    y: dOff,
    batch,
    inC: channels,
    inner,
    relu: reluBias ? 1 : 0,
    table: tOff,
    wantInput: wantInput ? 1 : 0,
  });
  const dx = wantInput ? output(n) : null;
  // two passes over two arrays: a copy's cost per element, twice
  rt.run("bn_bwd", params, channels, L.scratch, L.scratchStride, 2 * COPY * n, dx?.make);
  const sumG = new Float64Array(channels),
    sumGX = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    sumG[c] = table[c * TABLE + 4];
    sumGX[c] = table[c * TABLE + 5];
  }
  return { input: dx ? dx.take(rt, dOff) : null, sumG, sumGX };
}
