/**
 * interpolate and its adjoint as what they are mathematically, two products with each axis's dense
 * interpolation matrix: y = A_h · x · A_wᵀ and gx = A_hᵀ · g · A_w, in double. The oracle the
 * direct kernels (../interpolate.ts, the WebGPU ones) are tested against: it shares only the taps
 * (src/primitives/interpolate.ts) with them, not the loops.
 */
import { type InterpolateAxis, type InterpolateGeometry, interpolationTaps } from "../../../primitives/index.js";
import { type FloatArray, castLike } from "./arrays.js";

/** The [out, in] matrix of one axis, row-major: row dst holds 1 - λ at i0(dst) and λ at i1(dst). */
export function interpolationMatrix(axis: InterpolateAxis, p: InterpolateGeometry): Float64Array {
  const { i0, i1, lambda } = interpolationTaps(axis, p.mode, p.alignCorners);
  const m = new Float64Array(axis.out * axis.in);
  for (let dst = 0; dst < axis.out; dst++) {
    m[dst * axis.in + i0[dst]] += 1 - lambda[dst];
    m[dst * axis.in + i1[dst]] += lambda[dst];
  }
  return m;
}

/** out[r, c] = Σ_k a[r, k] b[k, c] for a [R, K] and b [K, C], each maybe read transposed. */
function product(
  a: ArrayLike<number>,
  aT: boolean,
  b: ArrayLike<number>,
  bT: boolean,
  R: number,
  K: number,
  C: number,
): Float64Array {
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (aT ? a[k * R + r] : a[r * K + k]) * (bT ? b[c * K + k] : b[k * C + c]);
      out[r * C + c] = s;
    }
  }
  return out;
}

/** Applies x ↦ L · x · R to every [rows, cols] plane; L and R are given by their stored matrices and transposition. */
function planes<F extends FloatArray>(
  x: F,
  rowsIn: number,
  colsIn: number,
  left: { m: Float64Array; t: boolean; rows: number },
  right: { m: Float64Array; t: boolean; cols: number },
): F {
  const inPlane = rowsIn * colsIn,
    outPlane = left.rows * right.cols;
  const count = x.length / inPlane;
  const y = new Float64Array(count * outPlane);
  for (let i = 0; i < count; i++) {
    const plane = x.subarray(i * inPlane, (i + 1) * inPlane);
    const half = product(plane, false, right.m, right.t, rowsIn, colsIn, right.cols);
    y.set(product(left.m, left.t, half, false, left.rows, rowsIn, right.cols), i * outPlane);
  }
  return castLike(x, y);
}

/** The forward A_h · v · A_wᵀ on [N, C, H, W], or the adjoint A_hᵀ · v · A_w on [N, C, outH, outW]. */
function byMatrices<F extends FloatArray>(p: InterpolateGeometry, v: F, adjoint: boolean): F {
  const ah = interpolationMatrix(p.height, p),
    aw = interpolationMatrix(p.width, p);
  const [from, to] = adjoint ? (["out", "in"] as const) : (["in", "out"] as const);
  return planes(
    v,
    p.height[from],
    p.width[from],
    { m: ah, t: adjoint, rows: p.height[to] },
    { m: aw, t: !adjoint, cols: p.width[to] },
  );
}

/** y [N, C, outH, outW] = A_h · x · A_wᵀ for x [N, C, H, W]. */
export const interpolate = <F extends FloatArray>(p: InterpolateGeometry, x: F): F => byMatrices(p, x, false);

/** gx [N, C, H, W] = A_hᵀ · g · A_w for g [N, C, outH, outW]. */
export const interpolateAdjoint = <F extends FloatArray>(p: InterpolateGeometry, g: F): F => byMatrices(p, g, true);
