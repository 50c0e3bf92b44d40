/**
 * Interpolation of the last two dims of NCHW (torch.nn.functional.interpolate, "nearest" and
 * "bilinear") and its adjoint.
 *
 * Both modes are separable: output row `dst` of an axis reads input rows i0(dst) and i1(dst) with
 * weights 1 - λ(dst) and λ(dst) (nearest: i1 = i0, λ = 0), so
 *   y[n, c, p, q] = (1 - λh_p) ((1 - λw_q) x[i0h_p, i0w_q] + λw_q x[i0h_p, i1w_q])
 *                 +      λh_p  ((1 - λw_q) x[i1h_p, i0w_q] + λw_q x[i1h_p, i1w_q])
 * (PyTorch's upsample_bilinear2d order of operations). As a matrix per axis, A[dst, i0] += 1 - λ,
 * A[dst, i1] += λ, the op is y = A_h · x · A_wᵀ. It is linear in x: its vector-Jacobian product is
 * the adjoint, gx = A_hᵀ · g · A_w, a scatter-add of g through the same taps, and the adjoint's is
 * the forward again, so the family is closed under differentiation.
 *
 * A primitive rather than the two matmuls it once was: the matmul form multiplies by dense
 * [out, in] matrices that are almost all zero (at most two non-zeros per row); the CPU's separable
 * loop over the taps is 1.6-2.9x faster on bilinear x2 upsampling, forward and backward
 * (bench/RESULTS-ops.md), and ONNX gets one Resize node instead of two MatMuls with constant
 * matrices.
 *
 * `interpolationTaps` is the one source of the indices and weights: every kernel (CPU, WebGPU) and
 * the ONNX rule read it, and the tests' reference builds its matrices from it.
 */
import type { FamilyDefinitions } from "./definition.js";
import { invariant } from "./definition.js";

export type InterpolateMode = "nearest" | "bilinear";

/** One axis of a resolved interpolation: sizes and, when a scaleFactor was given, that factor. */
export interface InterpolateAxis {
  readonly in: number;
  readonly out: number;
  readonly scaleFactor: number | undefined;
}

export interface InterpolateGeometry {
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean;
  readonly height: InterpolateAxis;
  readonly width: InterpolateAxis;
}

export interface InterpolateParams {
  interpolate: InterpolateGeometry;
  interpolateAdjoint: InterpolateGeometry;
}

/** Per output position of one axis: the two source positions and the weight λ of the second. */
export interface InterpolationTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  /** λ in double; the first source's weight is 1 - λ */
  readonly lambda: Float64Array;
}

/**
 * PyTorch's source indices and weights of one axis (upsample_nearest2d and upsample_bilinear2d,
 * CPU kernels of 1.13).
 */
export function interpolationTaps(
  axis: InterpolateAxis,
  mode: InterpolateMode,
  alignCorners: boolean,
): InterpolationTaps {
  const { in: n, out, scaleFactor } = axis;
  const i0 = new Int32Array(out),
    i1 = new Int32Array(out),
    lambda = new Float64Array(out);
  if (mode === "nearest") {
    // nearest_idx: exact for out == in and out == 2 in; else floorf(dst * scale) in float32, with
    // scale = (float)(1 / scaleFactor) when given, else (float)in / out. The product of two
    // float32 values is exact in double, so fround(dst * s) is float32's own product.
    const s = Math.fround(scaleFactor !== undefined ? 1 / scaleFactor : n / out);
    for (let dst = 0; dst < out; dst++) {
      i0[dst] = i1[dst] =
        out === n ? dst : out === 2 * n ? dst >> 1 : Math.min(Math.floor(Math.fround(dst * s)), n - 1);
    }
    return { i0, i1, lambda };
  }
  // area_pixel_compute_scale and area_pixel_compute_source_index, then
  // compute_source_index_and_lambda: i0 = trunc(src), i1 = i0 + (i0 < in - 1), λ = clamp(src - i0, 0, 1).
  const scale = alignCorners
    ? out > 1
      ? (n - 1) / (out - 1)
      : 0
    : scaleFactor !== undefined && scaleFactor > 0
      ? 1 / scaleFactor
      : n / out;
  for (let dst = 0; dst < out; dst++) {
    const src = alignCorners ? scale * dst : Math.max(scale * (dst + 0.5) - 0.5, 0);
    const a = Math.min(Math.trunc(src), n - 1);
    i0[dst] = a;
    i1[dst] = a + (a < n - 1 ? 1 : 0);
    lambda[dst] = Math.min(Math.max(src - a, 0), 1);
  }
  return { i0, i1, lambda };
}

const geometryShape = (p: InterpolateGeometry, side: "in" | "out") => [p.height[side], p.width[side]];

function nchw(shape: readonly number[], hw: readonly number[], what: string): number[] {
  invariant(shape.length === 4 && shape[2] === hw[0] && shape[3] === hw[1], `${what}: shape ${shape.join("x")}`);
  return [shape[0], shape[1]];
}

export const interpolateFamily: FamilyDefinitions<InterpolateParams> = {
  interpolate: {
    arity: 1,
    saved: [],
    shape: ([x], p) => ({
      shape: [...nchw(x.shape, geometryShape(p, "in"), "interpolate"), ...geometryShape(p, "out")],
      dtype: x.dtype,
    }),
    vjp: (op, g, _x, _y, p) => [op.apply("interpolateAdjoint", [g], p)],
  },
  interpolateAdjoint: {
    arity: 1,
    saved: [],
    shape: ([g], p) => ({
      shape: [...nchw(g.shape, geometryShape(p, "out"), "interpolateAdjoint"), ...geometryShape(p, "in")],
      dtype: g.dtype,
    }),
    vjp: (op, g, _x, _y, p) => [op.apply("interpolate", [g], p)],
  },
};
