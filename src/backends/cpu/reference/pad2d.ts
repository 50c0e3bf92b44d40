/**
 * Explicit 2-D padding of the last two dims of NCHW, in PyTorch's four modes, and its adjoint.
 *
 * Every output cell copies one source cell or is zero, and the row and the column choose
 * independently, so the whole op is described by two index maps, one per axis:
 *   out[n, c, i, j] = src(i) >= 0 && src(j) >= 0 ? x[n, c, srcH(i), srcW(j)] : 0
 * For an axis of size S padded by `lo` before, with t = i - lo the position in input coordinates:
 *   zeros:     t when 0 <= t < S, else none (the cell is 0)
 *   reflect:   mirror about the edge cells without repeating them: -t for t < 0, 2(S-1) - t for
 *              t >= S (PyTorch's "reflect"; needs lo, hi < S so one mirror suffices)
 *   replicate: clamp(t, 0, S-1)
 *   circular:  t mod S (PyTorch needs lo, hi <= S)
 * The adjoint (the gradient of pad2d) sends each padded cell's value back to the cell it copied
 * and sums: gx[srcH(i), srcW(j)] += gy[i, j].
 */
import type { Pad2dGeometry } from "../../../primitives/index.js";
import type { PaddingMode } from "../../../../types/core.js";
import { type FloatArray, assertKernel, castLike, gather, scatterAdd } from "./arrays.js";

/** Output height and width of pad2d. */
export function pad2dOutSize(p: Pad2dGeometry): [number, number] {
  return [p.inHeight + p.top + p.bottom, p.inWidth + p.left + p.right];
}

/** The source index of every output position along one axis, -1 where the output is zero. */
export function padIndexMap(size: number, lo: number, hi: number, mode: PaddingMode): Int32Array {
  assertKernel(lo >= 0 && hi >= 0, `pad2d: negative padding ${lo}, ${hi}`);
  if (mode === "reflect")
    assertKernel(lo < size && hi < size, `pad2d: reflect padding ${lo}, ${hi} must be < size ${size}`);
  if (mode === "circular")
    assertKernel(lo <= size && hi <= size, `pad2d: circular padding ${lo}, ${hi} must be <= size ${size}`);
  if (mode === "replicate") assertKernel(size > 0 || lo + hi === 0, "pad2d: replicate needs a non-empty axis");
  const map = new Int32Array(size + lo + hi);
  for (let i = 0; i < map.length; i++) {
    const t = i - lo;
    if (t >= 0 && t < size) map[i] = t;
    else if (mode === "zeros") map[i] = -1;
    else if (mode === "reflect") map[i] = t < 0 ? -t : 2 * (size - 1) - t;
    else if (mode === "replicate") map[i] = t < 0 ? 0 : size - 1;
    else map[i] = ((t % size) + size) % size;
  }
  return map;
}

/** For one [H, W] plane of the output, the offset of the input cell each cell copies, or -1. */
function planeIndex(p: Pad2dGeometry): Int32Array {
  const rows = padIndexMap(p.inHeight, p.top, p.bottom, p.mode);
  const cols = padIndexMap(p.inWidth, p.left, p.right, p.mode);
  const index = new Int32Array(rows.length * cols.length);
  for (let i = 0; i < rows.length; i++) {
    for (let j = 0; j < cols.length; j++) {
      index[i * cols.length + j] = rows[i] < 0 || cols[j] < 0 ? -1 : rows[i] * p.inWidth + cols[j];
    }
  }
  return index;
}

/** y [N, C, H + top + bottom, W + left + right] = pad2d(x [N, C, H, W]). */
export function pad2d<F extends FloatArray>(p: Pad2dGeometry, x: F): F {
  const index = planeIndex(p);
  const inPlane = p.inHeight * p.inWidth;
  const y = new Float64Array(p.batch * p.channels * index.length);
  for (let nc = 0; nc < p.batch * p.channels; nc++) gather(index, x, nc * inPlane, y, nc * index.length);
  return castLike(x, y);
}

/** gx [N, C, H, W] = the adjoint of pad2d applied to gy [N, C, H + top + bottom, W + left + right]. */
export function pad2dAdjoint<F extends FloatArray>(p: Pad2dGeometry, gy: F): F {
  const index = planeIndex(p);
  const inPlane = p.inHeight * p.inWidth;
  const gx = new Float64Array(p.batch * p.channels * inPlane);
  for (let nc = 0; nc < p.batch * p.channels; nc++) scatterAdd(index, gy, nc * index.length, gx, nc * inPlane);
  return castLike(gy, gx);
}
