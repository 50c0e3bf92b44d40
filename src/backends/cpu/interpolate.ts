/**
 * interpolate and its adjoint on the CPU: loops over the taps of src/primitives/interpolate.ts,
 * for float32 and float64 alike (the dense matrix form in ./reference/interpolate.ts is the oracle
 * they are tested against).
 *
 * Both run separably, one axis per pass, through a float64 [H, outW] plane t:
 *   forward  t[h, q] = (1 - λw_q) x[h, i0w_q] + λw_q x[h, i1w_q]
 *            y[p, q] = (1 - λh_p) t[i0h_p, q] + λh_p t[i1h_p, q]
 *   adjoint  t[i0h_p, q] += (1 - λh_p) g[p, q],  t[i1h_p, q] += λh_p g[p, q]
 *            gx[h, i0w_q] += (1 - λw_q) t[h, q],  gx[h, i1w_q] += λw_q t[h, q]
 * The forward is PyTorch's own expression h0 (w0 a + w1 b) + h1 (w0 c + w1 d), in double, rounded
 * once into the output's type; the adjoint accumulates in double and rounds once per input cell.
 * Two multiply-adds per element of each pass instead of four per output (or four scatters per
 * gradient cell), and the second pass of the forward, the first of the adjoint, run along
 * contiguous rows. These loops run float64; float32 runs the same loops in WebAssembly
 * (./fast/interpolate.ts: the contiguous pass in SIMD, planes shared with the workers), whose
 * results equal these loops' bit for bit; bench/RESULTS-ops.md has what each measured against
 * TensorFlow.js.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { KernelInput, KernelTable } from "../../backend.js";
import type { InterpolateAxis, InterpolateGeometry, InterpolateParams } from "../../primitives/index.js";
import { interpolationTaps } from "../../primitives/index.js";
import { allocateForOverwrite } from "./arrays.js";
import { type Float, float } from "./float.js";
import * as fast from "./fast/index.js";

/** One axis's taps, with the first source's weight 1 - λ precomputed. */
function axisTaps(a: InterpolateAxis, p: InterpolateGeometry) {
  const t = interpolationTaps(a, p.mode, p.alignCorners);
  return [t.i0, t.i1, t.lambda.map((l) => 1 - l), t.lambda] as const;
}

const like = (x: Float, size: number) =>
  allocateForOverwrite(x instanceof Float32Array ? "float32" : "float64", size) as Float;

// The loops read the taps from locals, not from an object's properties: V8 does not hoist those
// loads out of a loop that stores into a typed array, and that made the passes ~3x slower.

/** y [N, C, outH, outW] from x [N, C, H, W]. */
export function interpolateDirect(p: InterpolateGeometry, x: Float): Float {
  const [r0, r1, h0, h1] = axisTaps(p.height, p),
    [c0, c1, w0, w1] = axisTaps(p.width, p);
  const nearest = p.mode === "nearest";
  const { in: H, out: OH } = p.height,
    { in: W, out: OW } = p.width;
  const planes = x.length / (H * W);
  const y = like(x, planes * OH * OW);
  const t = new Float64Array(H * OW);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let r = 0; r < H; r++) {
      const xr = base + r * W,
        tr = r * OW;
      if (nearest) for (let q = 0; q < OW; q++) t[tr + q] = x[xr + c0[q]];
      else for (let q = 0; q < OW; q++) t[tr + q] = w0[q] * x[xr + c0[q]] + w1[q] * x[xr + c1[q]];
    }
    for (let r = 0; r < OH; r++) {
      const t0 = r0[r] * OW,
        t1 = r1[r] * OW,
        a = h0[r],
        b = h1[r];
      if (nearest) for (let q = 0; q < OW; q++) y[o++] = t[t0 + q];
      else for (let q = 0; q < OW; q++) y[o++] = a * t[t0 + q] + b * t[t1 + q];
    }
  }
  return y;
}

/** gx [N, C, H, W] from g [N, C, outH, outW]: each g cell adds its weighted value onto the cells it read. */
export function interpolateAdjointDirect(p: InterpolateGeometry, g: Float): Float {
  const [r0, r1, h0, h1] = axisTaps(p.height, p),
    [c0, c1, w0, w1] = axisTaps(p.width, p);
  const nearest = p.mode === "nearest";
  const { in: H, out: OH } = p.height,
    { in: W, out: OW } = p.width;
  const planes = g.length / (OH * OW);
  const gx = like(g, planes * H * W);
  const t = new Float64Array(H * OW),
    row = new Float64Array(W);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    t.fill(0);
    for (let r = 0; r < OH; r++) {
      const t0 = r0[r] * OW,
        t1 = r1[r] * OW,
        a = h0[r],
        b = h1[r];
      if (nearest) for (let q = 0; q < OW; q++) t[t0 + q] += g[o++];
      else
        for (let q = 0; q < OW; q++) {
          const v = g[o++];
          t[t0 + q] += a * v;
          t[t1 + q] += b * v;
        }
    }
    for (let r = 0; r < H; r++) {
      row.fill(0);
      const tr = r * OW;
      if (nearest) for (let q = 0; q < OW; q++) row[c0[q]] += t[tr + q];
      else
        for (let q = 0; q < OW; q++) {
          const v = t[tr + q];
          row[c0[q]] += w0[q] * v;
          row[c1[q]] += w1[q] * v;
        }
      gx.set(row, (plane * H + r) * W);
    }
  }
  return gx;
}

/** float32 on the fast kernel (the plain loop when the WebAssembly memory cannot hold the call), float64 on the loop. */
const dispatch =
  (
    direct: (p: InterpolateGeometry, x: Float) => Float,
    fastF32: (p: InterpolateGeometry, taps: fast.AxisTaps, x: Float32Array) => Float32Array,
  ) =>
  ([input]: readonly KernelInput<AnyTypedArray>[], p: InterpolateGeometry): Float => {
    const x = float(input);
    if (!(x instanceof Float32Array)) return direct(p, x);
    const taps = {
      rows: interpolationTaps(p.height, p.mode, p.alignCorners),
      cols: interpolationTaps(p.width, p.mode, p.alignCorners),
    };
    return fast.orReference(
      () => fastF32(p, taps, x),
      () => direct(p, x),
    );
  };

export const interpolateKernels: Pick<KernelTable<AnyTypedArray>, keyof InterpolateParams> = {
  interpolate: dispatch(interpolateDirect, fast.interpolateF32),
  interpolateAdjoint: dispatch(interpolateAdjointDirect, fast.interpolateAdjointF32),
};
