/**
 * layerNorm and groupNorm as fused loops over contiguous rows (the rowNorm primitive,
 * src/primitives/normalization.ts: x as [A, G, Cg, K], a row of M = Cg K values per (a, g), the
 * weight index of element (a, g, c, k) is g Cg + c): the row statistics, the normalise-and-affine
 * pass, and the closed-form backward. The op composition in src/ops/normalization.ts is the
 * reference these are tested against; it takes ~6 broadcast passes forward and ~15 backward.
 *
 * The row statistics are batch norm's two-pass channel statistics (./batch-norm.ts) of x viewed as
 * [1, rows, M]: the op asks the backend's `batchNorm.channelStats` for them. Every sum is
 * accumulated in float64 (a JS number) and each output rounded once, so the float32 results are at
 * least as accurate as the composition's. A layerNorm row (96 to 1,024 values) or a groupNorm row
 * (a few thousand) stays in the L1/L2 cache while the backward's two loops read it.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { KernelTable, RowNormLoops } from "../../backend.js";
import type { NormalizationParams, RowNormGeometry } from "../../primitives/index.js";
import { rowNormLayout } from "../../primitives/index.js";
import { numel } from "../../runtime/shape.js";
import { allocateForOverwrite } from "./arrays.js";
import { type Float, float } from "./float.js";
import { SumMode, runSums } from "./batch-norm.js";

/** y = (x - mean) invstd weight + bias, row by row. */
function rowNormForward(x: Float, weight: Float, bias: Float, p: RowNormGeometry, y: Float): void {
  const [a, groups, cg, inner] = rowNormLayout([x.length], weight.length, p);
  const len = cg * inner;
  for (let r = 0; r < a * groups; r++) {
    const m = p.mean[r],
      is = p.invstd[r],
      base = r * len,
      first = (r % groups) * cg;
    if (inner === 1) {
      // layerNorm: each value has its own weight
      for (let j = 0; j < len; j++) y[base + j] = (x[base + j] - m) * is * weight[first + j] + bias[first + j];
      continue;
    }
    for (let c = 0; c < cg; c++) {
      const scale = is * weight[first + c],
        shift = bias[first + c],
        start = base + c * inner;
      for (let k = start; k < start + inner; k++) y[k] = (x[k] - m) * scale + shift;
    }
  }
}

/**
 * The gradients for the cotangent g, over each row of M values with gw = g weight and
 * xhat = (x - m) invstd:
 *   dx = invstd (gw - sum(gw) / M - xhat sum(gw xhat) / M),
 *   dweight = sum g xhat, dbias = sum g (over A and K).
 * dx is folded to a gw + b (x - m) + d with row constants; `dx` null: only the parameters'.
 */
function rowNormBackward(
  x: Float,
  g: Float,
  weight: Float,
  p: RowNormGeometry,
  dx: Float | null,
  dweight: Float,
  dbias: Float,
): void {
  const [a, groups, cg, inner] = rowNormLayout([x.length], weight.length, p);
  const len = cg * inner;
  const dw = new Float64Array(weight.length),
    db = new Float64Array(weight.length);
  const sums = new Float64Array(4);
  for (let r = 0; r < a * groups; r++) {
    const m = p.mean[r],
      is = p.invstd[r],
      base = r * len,
      first = (r % groups) * cg;
    // sgw = sum gw, sgwx = sum gw (x - m)
    let sgw = 0,
      sgwx = 0;
    if (inner === 1) {
      for (let j = 0; j < len; j++) {
        const v = g[base + j],
          d = x[base + j] - m,
          w = weight[first + j];
        sgw += v * w;
        sgwx += v * w * d;
        dw[first + j] += v * d * is;
        db[first + j] += v;
      }
    } else {
      for (let c = 0; c < cg; c++) {
        sums.fill(0);
        runSums(x, g, g, SumMode.Plain, m, base + c * inner, inner, sums, null);
        const sg = sums[0] + sums[1],
          sgx = sums[2] + sums[3],
          w = weight[first + c];
        sgw += w * sg;
        sgwx += w * sgx;
        dw[first + c] += sgx * is;
        db[first + c] += sg;
      }
    }
    if (!dx) continue;
    const b = (-is * is * is * sgwx) / len,
      d = (-is * sgw) / len;
    if (inner === 1) {
      for (let j = 0; j < len; j++) dx[base + j] = is * weight[first + j] * g[base + j] + b * (x[base + j] - m) + d;
      continue;
    }
    for (let c = 0; c < cg; c++) {
      const scale = is * weight[first + c],
        start = base + c * inner;
      for (let k = start; k < start + inner; k++) dx[k] = scale * g[k] + b * (x[k] - m) + d;
    }
  }
  dweight.set(dw);
  dbias.set(db);
}

export const normalizationKernels: Pick<KernelTable<AnyTypedArray>, keyof NormalizationParams> = {
  rowNorm: ([x, w, b], p, out) => {
    const y = allocateForOverwrite(out.dtype, numel(out.shape)) as Float;
    rowNormForward(float(x), float(w), float(b), p, y);
    return y;
  },
};

export const rowNormLoops: RowNormLoops<AnyTypedArray> = {
  backward: (x, g, weight, p, wantInput) => {
    const size = numel(weight.shape);
    const input = wantInput ? (allocateForOverwrite(x.dtype, numel(x.shape)) as Float) : null;
    const dweight = allocateForOverwrite(x.dtype, size) as Float,
      dbias = allocateForOverwrite(x.dtype, size) as Float;
    rowNormBackward(float(x), float(g), float(weight), p, input, dweight, dbias);
    return { input, weight: dweight, bias: dbias };
  },
};
