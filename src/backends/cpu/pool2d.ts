/**
 * Max pooling on the CPU: float32 on the fast kernels (./fast), float64 on the reference
 * (./reference/pool2d.ts); the backward and the select reuse the forward's argmax search.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { KernelTable } from "../../backend.js";
import type { Pool2dGeometry, Pool2dParams } from "../../primitives/index.js";
import { onRecycle, release, retain } from "./arrays.js";
import * as fast from "./fast/index.js";
import { type Float, float } from "./float.js";
import * as reference from "./reference/index.js";
import { scatterAdd } from "./reference/arrays.js";
import { allocateForOverwrite } from "./arrays.js";

/**
 * Each window's argmax, remembered per input array: storage is immutable and the gradient rule
 * passes the forward's own params object, so backward (and double backward) reuse the forward's
 * search instead of repeating it. Held weakly: it goes when the input does. The argmax comes from
 * the array pool (./arrays.ts), owned by this cache: given back when replaced or when the input's
 * array is recycled.
 */
const argmaxCache = new WeakMap<Float, { params: Pool2dGeometry; argmax: Int32Array }>();
function remember(x: Float, params: Pool2dGeometry, argmax: Int32Array): void {
  const old = argmaxCache.get(x);
  retain(argmax);
  argmaxCache.set(x, { params, argmax });
  if (old) release(old.argmax);
}
onRecycle((a) => {
  const hit = argmaxCache.get(a as Float);
  if (!hit) return;
  argmaxCache.delete(a as Float);
  release(hit.argmax);
});
function poolArgmax(p: Pool2dGeometry, x: Float): Int32Array {
  const hit = argmaxCache.get(x);
  if (hit && hit.params === p) return hit.argmax;
  const argmax =
    x instanceof Float32Array
      ? fast.orReference(
          () => fast.maxPool2dF32(p, x, reference.windowTaps(p)).argmax,
          () => reference.maxPool2dArgmax(p, x),
        )
      : reference.maxPool2dArgmax(p, x);
  remember(x, p, argmax);
  return argmax;
}

/** The forward: float32 gets its maxima from the argmax search itself, which it caches. */
function maxPool2dForward(p: Pool2dGeometry, x: Float): Float {
  if (!(x instanceof Float32Array)) return reference.maxPool2d(p, x, poolArgmax(p, x));
  const { argmax, y } = fast.orReference(
    () => fast.maxPool2dF32(p, x, reference.windowTaps(p)),
    () => {
      const found = reference.maxPool2dArgmax(p, x);
      return { argmax: found, y: reference.maxPool2d(p, x, found) };
    },
  );
  remember(x, p, argmax);
  return y;
}

/**
 * The float64 accumulator of overlapping windows' gradient (a 3x3 stride-2 pool, ResNet's stem),
 * kept between calls up to SCRATCH_LIMIT elements (32 MiB; larger takes the reference): a fresh 8-byte-per-cell array each
 * backward, as the reference makes, cost ~4x the scatter itself inside a training step ([16, 64,
 * 32, 32]: 18 ms CPU in the step against 4.4 alone; the new pages and the collector's response to
 * the external memory). Zeroed, summed into and rounded as the reference does: bit for bit its result.
 */
const SCRATCH_LIMIT = 1 << 22;
let scratch = new Float64Array(0);
function overlappingBackwardF32(size: number, g: Float32Array, argmax: Int32Array): Float32Array {
  if (scratch.length < size) scratch = new Float64Array(size);
  const acc = scratch.subarray(0, size).fill(0);
  scatterAdd(argmax, g, 0, acc, 0);
  const dx = allocateForOverwrite("float32", size) as Float32Array;
  dx.set(acc);
  return dx;
}

export const pool2dKernels: Pick<KernelTable<AnyTypedArray>, keyof Pool2dParams> = {
  maxPool2d: ([x], p) => maxPool2dForward(p, float(x)),
  maxPool2dBackward: ([x, gy], p) => {
    const xs = float(x),
      g = float(gy),
      argmax = poolArgmax(p, xs);
    const plain = () => reference.maxPool2dBackward(p, xs, g, argmax);
    if (!(g instanceof Float32Array)) return plain();
    return reference.windowsDisjoint(p)
      ? fast.orReference(() => fast.maxPool2dBackwardF32(p, g, argmax), plain)
      : xs.length <= SCRATCH_LIMIT
        ? overlappingBackwardF32(xs.length, g, argmax)
        : plain();
  },
  maxPool2dSelect: ([x, g], p) => reference.maxPool2dSelect(p, float(x), float(g), poolArgmax(p, float(x))),
};
