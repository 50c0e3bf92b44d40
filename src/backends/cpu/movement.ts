/**
 * Movement kernels: reshape shares, permute and expand copy through strides, cast converts, concat
 * and slice copy contiguous runs.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { MovementParams, PrimitiveParams } from "../../primitives/index.js";
import type { KernelInput, KernelOutput, KernelTable } from "../../backend.js";
import { broadcastStrides, numel, stridesOf } from "../../runtime/shape.js";
import { allocateForOverwrite } from "./arrays.js";
import { coalesce, forEachRun } from "./strided.js";
import { castArray } from "./elementwise.js";
import { orReference, transposeF32 } from "./fast/index.js";

/** Elements from which a float32 transpose pays for the copies in and out of the wasm memory. */
const FAST_TRANSPOSE = 2048;

/**
 * Reading the input through permuted strides while writing the output in order; a large float32
 * (batched) 2-D transpose -- what matmul's gradients ask for -- goes through 4 x 4 register
 * blocks in wasm instead (transposeF32; the demo's [64, 800]: best 230 -> 103 us).
 */
function permuteKernel(
  [x]: readonly KernelInput<AnyTypedArray>[],
  p: PrimitiveParams["permute"],
  out: KernelOutput,
): AnyTypedArray {
  const inStrides = stridesOf(x.shape);
  const xs = x.storage;
  const read = p.perm.map((d) => inStrides[d]);
  const plain = () => {
    const y = allocateForOverwrite(out.dtype, numel(out.shape));
    forEachRun(out.shape, [read], (i, [o], len, [s]) => {
      for (let k = 0; k < len; k++) y[i + k] = xs[o + k * s];
    });
    return y;
  };
  if (xs instanceof Float32Array && xs.length >= FAST_TRANSPOSE) {
    const t = batchedTranspose(coalesce(out.shape, [read]));
    if (t) return orReference(() => transposeF32(xs, t.batch, t.rows, t.cols), plain);
  }
  return plain();
}

/**
 * x [batch, rows, cols] read as y [batch, cols, rows], from the output's merged dims and x's
 * strides along them (coalesce): [cols, rows] with strides [1, cols], or the same after a batch
 * dim of stride rows * cols. Null for any other permutation.
 */
function batchedTranspose({ shape, strides: [s] }: { shape: number[]; strides: number[][] }) {
  const at = shape.length - 2;
  if (at < 0 || at > 1 || s[at] !== 1 || s[at + 1] !== shape[at]) return null;
  const cols = shape[at],
    rows = shape[at + 1];
  if (at === 1 && s[0] !== rows * cols) return null;
  return { batch: at === 1 ? shape[0] : 1, rows, cols };
}

function expandKernel(
  [x]: readonly KernelInput<AnyTypedArray>[],
  _p: PrimitiveParams["expand"],
  out: KernelOutput,
): AnyTypedArray {
  const y = allocateForOverwrite(out.dtype, numel(out.shape));
  const xs = x.storage;
  forEachRun(out.shape, [broadcastStrides(x.shape, out.shape)], (i, [o], len, [s]) => {
    for (let k = 0; k < len; k++) y[i + k] = xs[o + k * s];
  });
  return y;
}

/** Below this many elements a run is copied in a loop: a subarray per run costs more than it saves. */
const SHORT_RUN = 32;

/** Copies `outer` runs of `width` elements from `src` (runs `srcStride` apart) into `dst` (runs `dstStride` apart). */
function copyRuns(
  dst: AnyTypedArray,
  dstOffset: number,
  dstStride: number,
  src: AnyTypedArray,
  srcOffset: number,
  srcStride: number,
  outer: number,
  width: number,
): void {
  if (width === 0) return;
  for (let o = 0; o < outer; o++) {
    const from = srcOffset + o * srcStride,
      to = dstOffset + o * dstStride;
    if (width < SHORT_RUN) for (let k = 0; k < width; k++) dst[to + k] = src[from + k];
    // Both arrays have the output's dtype (the shape rules say so), so set copies without converting.
    else (dst as Float64Array).set((src as Float64Array).subarray(from, from + width), to);
  }
}

/** Each input is `outer` runs of (its size along dim) x (the dims after dim), laid side by side. */
function concatKernel(
  xs: readonly KernelInput<AnyTypedArray>[],
  p: PrimitiveParams["concat"],
  out: KernelOutput,
): AnyTypedArray {
  const y = allocateForOverwrite(out.dtype, numel(out.shape));
  const outer = numel(out.shape.slice(0, p.dim)),
    inner = numel(out.shape.slice(p.dim + 1));
  const row = out.shape[p.dim] * inner;
  let offset = 0;
  for (const x of xs) {
    const width = x.shape[p.dim] * inner;
    copyRuns(y, offset, row, x.storage, 0, width, outer, width);
    offset += width;
  }
  return y;
}

function sliceKernel(
  [x]: readonly KernelInput<AnyTypedArray>[],
  p: PrimitiveParams["slice"],
  out: KernelOutput,
): AnyTypedArray {
  const outer = numel(x.shape.slice(0, p.dim)),
    inner = numel(x.shape.slice(p.dim + 1));
  const width = p.length * inner;
  if (outer === 1) return x.storage.slice(p.start * inner, p.start * inner + width);
  const y = allocateForOverwrite(out.dtype, numel(out.shape));
  copyRuns(y, 0, width, x.storage, p.start * inner, x.shape[p.dim] * inner, outer, width);
  return y;
}

export const movementKernels: Pick<KernelTable<AnyTypedArray>, keyof MovementParams> = {
  // Storage is never written after creation, so a reshape can share it.
  reshape: ([x]) => x.storage,
  permute: permuteKernel,
  expand: expandKernel,
  cast: ([x], p) => castArray(x.storage, p.dtype),
  concat: concatKernel,
  slice: sliceKernel,
};
