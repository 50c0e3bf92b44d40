/**
 * Fast float32 conv2d (forward, input gradient, weight gradient), batched matmul, max pooling's
 * search, interpolate and its adjoint, and large 2-D transposes on the CPU:
 * WebAssembly SIMD kernels (src/backends/cpu/fast/wasm) over one shared memory, split across a
 * worker pool (workers.ts) when the work pays for it. Same contract as the reference kernels (NCHW / OIHW,
 * geometry from src/primitives/conv2d.ts), synchronous, inputs never modified, fresh outputs returned.
 *
 * This module is the kernels' entry: the thread count, and calls of any size (cut into pieces when
 * one would not fit the WebAssembly memory). The calls themselves live in conv.ts, matmul.ts,
 * transpose.ts, max-pool.ts and interpolate.ts, and what they share in kernel-calls.ts.
 */
import type { Conv2dGeometry } from "../../../primitives/index.js";
import { allocateForOverwrite } from "../arrays.js";
import { addConv2dBias } from "../reference/conv2d.js";
import { conv2dForwardF32 } from "./conv.js";
import { matmulF32 } from "./matmul.js";
import { FastMemoryExceeded, fastRuntime } from "./workers.js";

export { conv2dBackInputF32, conv2dBackWeightF32, conv2dForwardF32 } from "./conv.js";
export { matmulF32 } from "./matmul.js";
export { type AxisTaps, interpolateAdjointF32, interpolateF32 } from "./interpolate.js";
export { maxPool2dBackwardF32, maxPool2dF32, type WindowTaps } from "./max-pool.js";
export { transposeF32 } from "./transpose.js";
export { fastRuntime, resetFastRuntime, isShared, KEEP_BYTES, markExposed } from "./workers.js";

/** Total threads (the calling one included) the fast kernels may use; 1 disables the pool. */
export function setNumThreads(n: number): void {
  fastRuntime().setNumThreads(n);
}
export function getNumThreads(): number {
  return fastRuntime().numThreads;
}
/**
 * `fast()`, or `cut(parts)` when the fast call would need more than the WebAssembly memory holds
 * (a float32 matmul of [2^15, 2^14] by [2^14, 1] packs 4 GiB): `parts` cuts it into pieces of about
 * PART_BYTES each, at least 2.
 */
function fitted<T>(fast: () => T, cut: (parts: number) => T): T {
  try {
    return fast();
  } catch (e) {
    if (e instanceof FastMemoryExceeded) return cut(Math.max(2, Math.ceil(e.bytes / PART_BYTES)));
    throw e;
  }
}

/**
 * What a piece of a call cut for the memory aims at. Not just under 4 GiB: the memory never shrinks,
 * and on a loaded two-core machine one 1 GiB band of a 1x1 conv took 19 s where a 512 MiB one took
 * 3.6 s (page faults and memory pressure, not arithmetic).
 */
const PART_BYTES = 2 ** 29;

/**
 * `fast()`, or `reference()` when the fast call would need more than the WebAssembly memory holds.
 * The reference kernels use ordinary typed arrays, so every call within the element limit has a
 * kernel that can run it.
 */
export function orReference<T>(fast: () => T, reference: () => T): T {
  return fitted(fast, () => reference());
}

/** [start, end) of each of `parts` even pieces of `n` (parts <= n). */
function pieces(n: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => [Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)]);
}

/**
 * conv2dForwardF32 for any size: a call too large for the WebAssembly memory is cut into bands of
 * output rows, each a conv of its own over the input rows it reads (the 1x1 conv on
 * [1, 1, 2^15, 2^14] runs as eight bands of 512 MiB; a band that still does not fit is cut again),
 * and a single output row that does not fit runs on `reference` (with that row's geometry and input).
 * With `bias` (conv2dBias) a call that fits adds it as it writes its output, a cut one afterwards.
 */
export function conv2dForwardAnySize(
  g: Conv2dGeometry,
  x: Float32Array,
  w: Float32Array,
  reference: (g: Conv2dGeometry, x: Float32Array, w: Float32Array) => Float32Array,
  bias?: Float32Array,
): Float32Array {
  return fitted(
    () => conv2dForwardF32(g, x, w, bias),
    (parts) => {
      const y = inBands(g, x, w, reference, parts);
      return bias ? addConv2dBias(g, y, bias) : y;
    },
  );
}

/** The conv `g` (without bias) as `parts` bands of output rows, or on `reference` when one row is too large. */
function inBands(
  g: Conv2dGeometry,
  x: Float32Array,
  w: Float32Array,
  reference: (g: Conv2dGeometry, x: Float32Array, w: Float32Array) => Float32Array,
  parts: number,
): Float32Array {
  if (g.outHeight < 2) return reference(g, x, w);
  const y = allocateForOverwrite("float32", g.batch * g.outChannels * g.outHeight * g.outWidth) as Float32Array;
  for (const [r0, r1] of pieces(g.outHeight, Math.min(parts, g.outHeight))) {
    const band = rowBand(g, r0, r1);
    const rows = (r1 - r0) * g.outWidth,
      plane = g.outHeight * g.outWidth;
    const part = band
      ? conv2dForwardAnySize(band.g, band.x(x), w, reference)
      : new Float32Array(g.batch * g.outChannels * rows);
    for (let i = 0; i < g.batch * g.outChannels; i++)
      y.set(part.subarray(i * rows, (i + 1) * rows), i * plane + r0 * g.outWidth);
  }
  return y;
}

/**
 * Output rows [r0, r1) of the conv `g` as a conv of its own: output row r reads input rows
 * r sH - padTop + ki dH, so the band reads input rows [lo, hi) (clamped to the input) and keeps as
 * top padding the rows its first window starts above lo. Null when every row it reads is padding
 * (its output is 0). `x(input)` copies those input rows out of every plane.
 */
function rowBand(g: Conv2dGeometry, r0: number, r1: number) {
  const first = r0 * g.strideH - g.padTop;
  const lo = Math.max(0, first);
  const hi = Math.min(g.inHeight, (r1 - 1) * g.strideH - g.padTop + (g.kernelHeight - 1) * g.dilationH + 1);
  if (hi <= lo) return null;
  const inHeight = hi - lo,
    padTop = lo - first,
    outHeight = r1 - r0;
  const bandGeometry: Conv2dGeometry = {
    ...g,
    inHeight,
    outHeight,
    padTop,
    padBottom: Math.max(0, (outHeight - 1) * g.strideH + (g.kernelHeight - 1) * g.dilationH + 1 - padTop - inHeight),
  };
  return {
    g: bandGeometry,
    x(input: Float32Array): Float32Array {
      const planes = g.batch * g.inChannels,
        W = g.inWidth;
      if (planes === 1) return input.subarray(lo * W, hi * W); // one plane: its rows are contiguous
      const out = allocateForOverwrite("float32", planes * inHeight * W) as Float32Array;
      for (let i = 0; i < planes; i++)
        out.set(input.subarray((i * g.inHeight + lo) * W, (i * g.inHeight + hi) * W), i * inHeight * W);
      return out;
    },
  };
}

/**
 * matmulF32 for any size: a call too large for the WebAssembly memory is split along the batch,
 * or with one matrix along the rows of A (contiguous either way, so no copies in), into pieces of
 * about PART_BYTES (cut again if one still does not fit); a single row that does not fit runs on
 * `reference` (called with that row's operands).
 */
export function matmulAnySize(
  a: Float32Array,
  b: Float32Array,
  batch: number,
  m: number,
  k: number,
  n: number,
  reference: (a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number) => Float32Array,
): Float32Array {
  return fitted(
    () => matmulF32(a, b, batch, m, k, n),
    (parts) => {
      if (batch < 2 && m < 2) return reference(a, b, batch, m, k, n);
      const c = allocateForOverwrite("float32", batch * m * n) as Float32Array;
      if (batch > 1) {
        for (const [t0, t1] of pieces(batch, Math.min(parts, batch))) {
          c.set(
            matmulAnySize(
              a.subarray(t0 * m * k, t1 * m * k),
              b.subarray(t0 * k * n, t1 * k * n),
              t1 - t0,
              m,
              k,
              n,
              reference,
            ),
            t0 * m * n,
          );
        }
      } else {
        for (const [r0, r1] of pieces(m, Math.min(parts, m)))
          c.set(matmulAnySize(a.subarray(r0 * k, r1 * k), b, 1, r1 - r0, k, n, reference), r0 * n);
      }
      return c;
    },
  );
}

/** Terminates the pool's workers now (optional: they never keep the process alive). */
export function shutdownFastPool(): Promise<void> {
  return fastRuntime().shutdown();
}
