/**
 * Reference max pooling (NCHW) and its two linear companions.
 *
 * Window (oh, ow) covers input rows ih = oh*sH - padTop + ki*dH and columns
 * iw = ow*sW - padLeft + kj*dW; cells outside the input are padding and read as -Infinity, so they
 * never win. Its argmax follows PyTorch's CPU kernel exactly: scan the in-range cells in row-major
 * window order starting from best = -Infinity at the first in-range cell, and move to a cell when
 * its value is strictly greater or is NaN. Hence ties go to the first cell, a NaN anywhere in the
 * window makes the output NaN (the last NaN holds the index), and a window of only -Infinity
 * points at its first in-range cell.
 *
 * With a = argmax(x) fixed, max pooling is the gather y = x[a]; its gradient in x is the scatter
 * gx[a] += gy (maxPool2dBackward), and the adjoint of that scatter in gy is the gather g[a]
 * (maxPool2dSelect), which is what double backward needs.
 */
import type { Pool2dGeometry } from "../../../primitives/index.js";
import { allocateForOverwrite } from "../arrays.js";
import { type FloatArray, allocLike, castLike, gather, scatterAdd } from "./arrays.js";

/**
 * For every output cell, the flat index into x (over all of N, C, H, W) of its window's argmax,
 * or -1 for a window that covers no input cell at all (PyTorch's option checks rule that out; here
 * it yields -Infinity and no gradient).
 */
export function maxPool2dArgmax(p: Pool2dGeometry, x: FloatArray): Int32Array {
  const plane = p.inHeight * p.inWidth;
  const outPlane = p.outHeight * p.outWidth;
  const argmax = allocateForOverwrite("int32", p.batch * p.channels * outPlane) as Int32Array;
  const { rowStart, rowLo, rowHi, colStart, colLo, colHi } = windowTaps(p);
  const dh = p.dilationH * p.inWidth,
    dw = p.dilationW;
  let o = 0;
  for (let nc = 0; nc < p.batch * p.channels; nc++) {
    const base = nc * plane;
    for (let oh = 0; oh < p.outHeight; oh++) {
      const rowBase = base + rowStart[oh] * p.inWidth,
        kiLo = rowLo[oh],
        kiHi = rowHi[oh];
      for (let ow = 0; ow < p.outWidth; ow++, o++) {
        const kjLo = colLo[ow],
          kjHi = colHi[ow],
          c0 = rowBase + colStart[ow];
        let best = -Infinity;
        let at = -1;
        for (let ki = kiLo; ki <= kiHi; ki++) {
          for (let kj = kjLo, i = c0 + ki * dh + kjLo * dw; kj <= kjHi; kj++, i += dw) {
            const v = x[i];
            if (at < 0) at = i;
            // v !== v: a NaN wins, and the last NaN of the window is taken (PyTorch's CPU kernel)
            if (v > best || v !== v) {
              best = v;
              at = i;
            }
          }
        }
        argmax[o] = at;
      }
    }
  }
  return argmax;
}

/**
 * Only the taps that land inside the input, in row-major order (so ties still go to the first): a
 * window of 2^31 taps over a 6x6 input visits at most 36 cells. The ranges depend only on the
 * output row (column), so they are computed once, not per window: window row oh starts at input
 * row rowStart[oh] and takes its taps rowLo[oh] ..= rowHi[oh] (likewise for columns).
 */
export function windowTaps(p: Pool2dGeometry) {
  const rowStart = new Int32Array(p.outHeight),
    rowLo = new Int32Array(p.outHeight),
    rowHi = new Int32Array(p.outHeight);
  for (let oh = 0; oh < p.outHeight; oh++) {
    rowStart[oh] = oh * p.strideH - p.padTop;
    [rowLo[oh], rowHi[oh]] = tapRange(rowStart[oh], p.dilationH, p.kernelHeight, p.inHeight);
  }
  const colStart = new Int32Array(p.outWidth),
    colLo = new Int32Array(p.outWidth),
    colHi = new Int32Array(p.outWidth);
  for (let ow = 0; ow < p.outWidth; ow++) {
    colStart[ow] = ow * p.strideW - p.padLeft;
    [colLo[ow], colHi[ow]] = tapRange(colStart[ow], p.dilationW, p.kernelWidth, p.inWidth);
  }
  return { rowStart, rowLo, rowHi, colStart, colLo, colHi };
}

/** The taps t in [0, k) with 0 <= start + t d < size, as [first, last] (empty when first > last). */
function tapRange(start: number, d: number, k: number, size: number): [number, number] {
  return [Math.max(0, Math.ceil(-start / d)), Math.min(k - 1, Math.floor((size - 1 - start) / d))];
}

/** y [N, C, Ho, Wo] = max over each window of x [N, C, H, W]. Each of the three takes the argmax if the caller has it already. */
export function maxPool2d<F extends FloatArray>(p: Pool2dGeometry, x: F, argmax = maxPool2dArgmax(p, x)): F {
  const y = allocLike(x, argmax.length);
  for (let i = 0; i < argmax.length; i++) y[i] = argmax[i] < 0 ? -Infinity : x[argmax[i]];
  return y;
}

/** Windows that cannot share a cell: each spans at most its stride, in both directions. */
export function windowsDisjoint(p: Pool2dGeometry): boolean {
  return p.strideH >= p.dilationH * (p.kernelHeight - 1) + 1 && p.strideW >= p.dilationW * (p.kernelWidth - 1) + 1;
}

/** gx [N, C, H, W]: gy [N, C, Ho, Wo] scattered (summed) onto each window's argmax in x. */
export function maxPool2dBackward<F extends FloatArray>(
  p: Pool2dGeometry,
  x: F,
  gy: F,
  argmax = maxPool2dArgmax(p, x),
): F {
  // Disjoint windows send every cell at most one term: the sum is exact in gy's own type, with no
  // float64 accumulator to round from.
  const disjoint = windowsDisjoint(p);
  const gx = disjoint ? allocLike(gy, x.length) : new Float64Array(x.length);
  scatterAdd(argmax, gy, 0, gx, 0);
  return disjoint ? (gx as F) : castLike(gy, gx as Float64Array);
}

/** out [N, C, Ho, Wo]: g [N, C, H, W] read at each window's argmax in x (the scatter's adjoint). */
export function maxPool2dSelect<F extends FloatArray>(
  p: Pool2dGeometry,
  x: F,
  g: F,
  argmax = maxPool2dArgmax(p, x),
): F {
  const out = new Float64Array(argmax.length);
  gather(argmax, g, 0, out, 0);
  return castLike(g, out);
}
