/** Reductions over any set of dims, by walking the input with the output's strides zeroed on reduced dims. */
import type { AnyTypedArray } from "../../../types/core.js";
import type { PrimitiveParams } from "../../primitives.js";
import type { KernelInput, KernelOutput } from "../../backend.js";
import { numel, stridesOf } from "../../runtime/shape.js";
import { allocate } from "./arrays.js";
import { walkBroadcast } from "./elementwise.js";

/** Strides into the (keepdim) output for each input dim; 0 on reduced dims so they all land in one cell. */
function reducedStrides(inShape: readonly number[], dims: readonly number[]): number[] {
  const keptShape = inShape.map((d, i) => (dims.includes(i) ? 1 : d));
  const s = stridesOf(keptShape);
  return inShape.map((_, i) => (dims.includes(i) ? 0 : s[i]));
}

export function sumKernel([x]: readonly KernelInput<AnyTypedArray>[], p: PrimitiveParams["sum"], out: KernelOutput): AnyTypedArray {
  // Accumulate in float64 whatever the dtype: long float32 sums then lose no more than one rounding.
  const acc = new Float64Array(numel(out.shape));
  const xs = x.storage;
  walkBroadcast(x.shape, [reducedStrides(x.shape, p.dims)], (i, [o]) => { acc[o] += xs[i]; });
  const y = allocate(out.dtype, acc.length);
  y.set(acc);
  return y;
}

export function maxKernel([x]: readonly KernelInput<AnyTypedArray>[], p: PrimitiveParams["max"], out: KernelOutput): AnyTypedArray {
  // Float64 running maxima: -Infinity is a valid start for every dtype (an Int32Array would turn it into 0).
  const best = new Float64Array(numel(out.shape)).fill(-Infinity);
  const xs = x.storage;
  walkBroadcast(x.shape, [reducedStrides(x.shape, p.dims)], (i, [o]) => {
    const v = xs[i];
    if (v > best[o] || v !== v) best[o] = v; // NaN wins and stays, as torch.amax
  });
  const y = allocate(out.dtype, best.length);
  y.set(best);
  return y;
}

export function argmaxKernel([x]: readonly KernelInput<AnyTypedArray>[], p: PrimitiveParams["argmax"], out: KernelOutput): AnyTypedArray {
  const n = numel(out.shape);
  const best = new Float64Array(n).fill(-Infinity);
  const idx = new Int32Array(n).fill(-1);
  const xs = x.storage, dimStride = stridesOf(x.shape)[p.dim], dimSize = x.shape[p.dim];
  walkBroadcast(x.shape, [reducedStrides(x.shape, [p.dim])], (i, [o]) => {
    const v = xs[i];
    const k = Math.floor(i / dimStride) % dimSize;
    // First maximum wins; a NaN counts as the maximum (torch.argmax).
    if (idx[o] < 0 || (best[o] === best[o] && (v > best[o] || v !== v))) { best[o] = v; idx[o] = k; }
  });
  return idx;
}
