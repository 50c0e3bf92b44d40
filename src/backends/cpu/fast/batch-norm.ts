/**
 * Training-mode batch norm's backward on float32 arrays, the bn_bwd kernel (batchNormKernels in
 * scripts/wasm/gen-wat.mjs): per channel, the two sums in float64 SIMD and the input gradient, one
 * channel per item. The JS loops of ../batch-norm.ts are its reference (and run the calls that do
 * not fit the memory); they take ~4.5 ns per element, memory-bound scalar code that V8 does not
 * vectorise, where the kernel with its copies in and out takes ~1.5 (issue 23).
 */
import { check, COPY, F, output } from "./kernel-calls.js";
import { fastRuntime } from "./workers.js";

/** Float64 per channel in the kernel's table: mean, invstd, weight in; sum g, sum g (x - mean) out. */
const TABLE = 8;

export interface BatchNormBackwardF32 {
  /** The input gradient, null unless asked for. */
  readonly input: Float32Array | null;
  /** Per channel: sum of the cotangent (relu's gradient of it with `relu`), and of it times (x - mean). */
  readonly sumG: Float64Array;
  readonly sumGX: Float64Array;
}

/**
 * x, g (and `relu`, batchNormReluTrain's output, whose mask selects g) are [batch, channels,
 * inner]; weight, mean and invstd have one entry per channel.
 */
export function batchNormBackwardF32(
  x: Float32Array,
  g: Float32Array,
  relu: Float32Array | null,
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
  if (relu) check("batchNormBackwardF32 relu", relu, n);
  check("batchNormBackwardF32 weight", weight, channels);
  const rt = fastRuntime();
  const L = rt.layout(0, [n * F, n * F, relu ? n * F : 0, wantInput ? n * F : 0, channels * TABLE * 8]);
  const [xOff, gOff, rOff, dOff, tOff] = L.offsets;
  rt.F32.set(x, xOff / F);
  rt.F32.set(g, gOff / F);
  if (relu) rt.F32.set(relu, rOff / F);
  const table = new Float64Array(rt.memory.buffer, tOff, channels * TABLE);
  for (let c = 0; c < channels; c++) {
    table[c * TABLE] = mean[c];
    table[c * TABLE + 1] = invstd[c];
    table[c * TABLE + 2] = weight[c];
  }
  const params = rt.params("bn_bwd", {
    x: xOff,
    a: gOff,
    y: dOff,
    batch,
    inC: channels,
    inner,
    relu: relu ? rOff : 0,
    table: tOff,
    wantInput: wantInput ? 1 : 0,
  });
  const dx = wantInput ? output(n) : null;
  // two passes over two or three arrays: a copy's cost per element, twice
  rt.run("bn_bwd", params, channels, L.scratch, L.scratchStride, 2 * COPY * n, dx?.make);
  const sumG = new Float64Array(channels),
    sumGX = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    sumG[c] = table[c * TABLE + 4];
    sumGX[c] = table[c * TABLE + 5];
  }
  return { input: dx ? dx.take(rt, dOff) : null, sumG, sumGX };
}
