/** Reductions over any set of dims, by walking the input with the output's strides zeroed on reduced dims. */
import type { AnyTypedArray } from "../../../types/core.js";
import type { PrimitiveParams, ReduceParams } from "../../primitives/index.js";
import type { KernelInput, KernelOutput, KernelTable } from "../../backend.js";
import { numel, stridesOf } from "../../runtime/shape.js";
import { allocateForOverwrite } from "./arrays.js";
import { forEachRun } from "./strided.js";
import { dataErrors } from "../../../types/errors.js";

/** Strides into the (keepdim) output for each input dim; 0 on reduced dims so they all land in one cell. */
function reducedStrides(inShape: readonly number[], dims: readonly number[]): number[] {
  const keptShape = inShape.map((d, i) => (dims.includes(i) ? 1 : d));
  const s = stridesOf(keptShape);
  return inShape.map((_, i) => (dims.includes(i) ? 0 : s[i]));
}

function sumKernel(
  [x]: readonly KernelInput<AnyTypedArray>[],
  p: PrimitiveParams["sum"],
  out: KernelOutput,
): AnyTypedArray {
  if (x.storage instanceof Int32Array) return int32Sum(x.storage, x.shape, p.dims, numel(out.shape));
  // Accumulate in float64 whatever the dtype: long float32 sums then lose no more than one rounding.
  const acc = new Float64Array(numel(out.shape));
  const xs = x.storage;
  forEachRun(x.shape, [reducedStrides(x.shape, p.dims)], (i, [o], len, [so]) => {
    if (so === 0) acc[o] += runSum(xs, i, len);
    else {
      for (let k = 0; k < len; k++) acc[o + k * so] += xs[i + k];
    }
  });
  const y = allocateForOverwrite(out.dtype, acc.length);
  y.set(acc);
  return y;
}

/**
 * The float64 sum of xs[start .. start + len) in four interleaved accumulators added pairwise at
 * the end (as batch norm's channel statistics, src/backends/cpu/batch-norm.ts): one accumulator
 * makes each add wait for the previous one's latency; four keep the adder busy (a conv bias's
 * gradient, a sum over [64, 16, 24, 24] less its channels, ran at ~5 ns per element with one). The
 * order differs from left to right by float64 roundings only, ~1e-16 of the sum.
 */
function runSum(xs: AnyTypedArray, start: number, len: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    k = start;
  for (const end = start + len - (len % 4); k < end; k += 4) {
    s0 += xs[k];
    s1 += xs[k + 1];
    s2 += xs[k + 2];
    s3 += xs[k + 3];
  }
  for (const end = start + len; k < end; k++) s0 += xs[k];
  return s0 + s1 + (s2 + s3);
}

/**
 * int32 sums, exact, refused when they leave int32 (PyTorch widens to int64, which shapegrad does
 * not have; wrapping would be silently wrong). Each value is split as v = 2^16 hi + lo with
 * -2^15 <= hi < 2^15 and 0 <= lo < 2^16, and the halves are summed apart: up to 2^31 terms keep both
 * sums below 2^47, exact in float64, where one float64 sum would round past 2^53.
 */
function int32Sum(xs: Int32Array, shape: readonly number[], dims: readonly number[], size: number): Int32Array {
  const hi = new Float64Array(size),
    lo = new Float64Array(size);
  forEachRun(shape, [reducedStrides(shape, dims)], (i, [o], len, [so]) => {
    for (let k = 0; k < len; k++) {
      const v = xs[i + k],
        at = o + k * so;
      hi[at] += v >> 16;
      lo[at] += v & 0xffff;
    }
  });
  const y = new Int32Array(size);
  for (let o = 0; o < size; o++) {
    // 2^16 hi is exact (a power of two); the sum is exact whenever it is within int32.
    const total = hi[o] * 65536 + lo[o];
    y[o] = toInt32("sum", Math.abs(total) < 2 ** 53 ? total : BigInt(hi[o]) * 65536n + BigInt(lo[o]), o);
  }
  return y;
}

/** The int32 value of an exact sum, or the catalogued refusal naming the op and the position. */
export function toInt32(op: string, total: number | bigint, index: number): number {
  if (total < -(2 ** 31) || total >= 2 ** 31) throw new Error(dataErrors.int32Overflow(op, String(total), index));
  return Number(total);
}

function maxKernel(
  [x]: readonly KernelInput<AnyTypedArray>[],
  p: PrimitiveParams["max"],
  out: KernelOutput,
): AnyTypedArray {
  // Float64 running maxima: -Infinity is a valid start for every dtype (an Int32Array would turn it into 0).
  const best = new Float64Array(numel(out.shape)).fill(-Infinity);
  const xs = x.storage;
  forEachRun(x.shape, [reducedStrides(x.shape, p.dims)], (i, [o], len, [so]) => {
    for (let k = 0; k < len; k++) {
      const v = xs[i + k],
        at = o + k * so;
      if (v > best[at] || v !== v) best[at] = v; // NaN wins and stays, as torch.amax
    }
  });
  const y = allocateForOverwrite(out.dtype, best.length);
  y.set(best);
  return y;
}

function argmaxKernel(
  [x]: readonly KernelInput<AnyTypedArray>[],
  p: PrimitiveParams["argmax"],
  out: KernelOutput,
): AnyTypedArray {
  const n = numel(out.shape);
  const best = new Float64Array(n).fill(-Infinity);
  const idx = new Int32Array(n).fill(-1);
  const xs = x.storage,
    dimStride = stridesOf(x.shape)[p.dim],
    dimSize = x.shape[p.dim];
  forEachRun(x.shape, [reducedStrides(x.shape, [p.dim])], (start, [o0], len, [so]) => {
    for (let r = 0; r < len; r++) {
      const i = start + r,
        o = o0 + r * so,
        v = xs[i];
      // First maximum wins; a NaN counts as the maximum (torch.argmax).
      if (idx[o] < 0 || (best[o] === best[o] && (v > best[o] || v !== v))) {
        best[o] = v;
        idx[o] = Math.floor(i / dimStride) % dimSize;
      }
    }
  });
  return idx;
}

export const reduceKernels: Pick<KernelTable<AnyTypedArray>, keyof ReduceParams> = {
  sum: sumKernel,
  max: maxKernel,
  argmax: argmaxKernel,
};
