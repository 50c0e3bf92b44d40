/**
 * Per-channel sums of a float32 [batch, channels, inner] array: a conv bias's gradient, sum(g, [0,
 * 2, 3]) over the conv's output gradient (conv2dBias's rule), on batch norm's bn_bwd kernel in its
 * sums-only mode (float64 f64x2 chains, one channel per item; its second sum, of g (x - mean), is
 * taken with x = g and mean 0 and dropped). The JS loop of ../reduce.ts, float64 too, is the
 * reference: both sum float32 values in float64 and round once, in different orders, so they differ
 * only when a float64 sum lies within its own roundings of a float32 rounding boundary.
 *
 * The gradient is usually still in the memory, where the max pool's backward left it: the conv's
 * backward kernels then compute its sums there before laying out memory over it (`prepare`), and
 * the sum itself takes them, with no copy in (issue 23: the demo's two bias gradients were ~4% of
 * its step as a JS loop over 0.8M floats).
 */
import { allocateForOverwrite, onRecycle } from "../arrays.js";
import { check, COPY, F } from "./kernel-calls.js";
import { FastMemoryExceeded, type FastRuntime, fastRuntime } from "./workers.js";

/** Float64 per channel in bn_bwd's table: mean, invstd, weight in; sum g, sum g (x - mean) out. */
const TABLE = 8;

/**
 * Least elements for which the sums run here: below it the job's fixed costs (a layout, a call per
 * channel, a copy in) outweigh the JS loop's ~0.6-0.8 ns a float.
 */
export const CHANNEL_SUM_MIN = 1 << 14;

/** Sums computed ahead by `prepareChannelSums`, taken (once) by `channelSumsF32`. */
const prepared = new WeakMap<Float32Array, Float32Array>();
onRecycle((a) => {
  if (a instanceof Float32Array) prepared.delete(a);
});

/** sum over batch and inner of x [batch, channels, inner], rounded to float32 once. */
export function channelSumsF32(x: Float32Array, batch: number, channels: number, inner: number): Float32Array {
  check("channelSumsF32 x", x, batch * channels * inner);
  const ready = prepared.get(x);
  if (ready !== undefined && ready.length === channels) {
    prepared.delete(x);
    return ready;
  }
  const rt = fastRuntime();
  return sums(rt, x, batch, channels, inner, rt.residentAt(x, 0));
}

/**
 * The sums of x now, for a later channelSumsF32(x, ...), when x is still where a call left it in
 * the memory; otherwise nothing (the later call copies it in).
 */
export function prepareChannelSums(x: Float32Array, batch: number, channels: number, inner: number): void {
  if (x.length !== batch * channels * inner || x.length < CHANNEL_SUM_MIN || prepared.has(x)) return;
  const rt = fastRuntime();
  const at = rt.residentAt(x, 0);
  if (at === undefined) return;
  try {
    prepared.set(x, sums(rt, x, batch, channels, inner, at));
  } catch (e) {
    // past the memory's limit: the sum will take the reference path
    if (!(e instanceof FastMemoryExceeded)) throw e;
  }
}

function sums(
  rt: FastRuntime,
  x: Float32Array,
  batch: number,
  channels: number,
  inner: number,
  at: number | undefined,
): Float32Array {
  const n = x.length;
  const L = rt.layout(
    0,
    [at === undefined ? n * F : 0, channels * TABLE * 8],
    at === undefined ? 0 : at + x.byteLength,
  );
  const [copyOff, tOff] = L.offsets;
  const xOff = at ?? copyOff;
  if (at === undefined) rt.F32.set(x, xOff / F);
  const table = new Float64Array(rt.memory.buffer, tOff, channels * TABLE).fill(0);
  const params = rt.params("bn_bwd", {
    x: xOff,
    a: xOff,
    y: 0,
    batch,
    inC: channels,
    inner,
    relu: 0,
    table: tOff,
    wantInput: 0,
  });
  rt.run("bn_bwd", params, channels, L.scratch, L.scratchStride, COPY * n);
  const out = allocateForOverwrite("float32", channels) as Float32Array;
  for (let c = 0; c < channels; c++) out[c] = table[c * TABLE + 4];
  return out;
}
