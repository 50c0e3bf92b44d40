/**
 * rowNorm(x, weight, bias) -> y: layerNorm and groupNorm as one primitive (src/ops/normalization.ts
 * creates it for float32 CPU inputs; every other case runs as ops). Both normalise contiguous
 * rows of x, viewed as [A, G, Cg, K]:
 *   - layerNorm: A rows of the normalised size P, G = 1, Cg = P, K = 1;
 *   - groupNorm of [N, C, ...]: A = N, G = numGroups, Cg = C / G, K = prod(spatial).
 * Row (a, g) holds Cg K values; element (a, g, c, k) is scaled by weight[g Cg + c] and shifted by
 * bias[g Cg + c] (weight and bias have P = G Cg values, in any shape: layerNorm's is
 * normalizedShape). With M = Cg K and the row's mean m and invstd = 1 / sqrt(biased var + eps),
 * which the op computes before the call (the gradient reuses them):
 *   y = (x - m) invstd weight + bias
 */
import type { AnyTensor } from "../tensor.js";
import type { FamilyDefinitions, GradOps } from "./definition.js";
import { sameAsFirst } from "./definition.js";

export interface RowNormGeometry {
  readonly eps: number;
  /** G: the groups of each of the A leading rows' blocks (1 for layerNorm). */
  readonly groups: number;
  /** K: how many consecutive values share one weight (1 for layerNorm, prod(spatial) for groupNorm). */
  readonly inner: number;
  /** Per row (A G of them), in float64. */
  readonly mean: Float64Array;
  readonly invstd: Float64Array;
}

export interface NormalizationParams {
  rowNorm: RowNormGeometry;
}

/** [A, G, Cg, K] of rowNorm's input x with weight of `p` values. */
export function rowNormLayout(
  xShape: readonly number[],
  paramSize: number,
  p: Pick<RowNormGeometry, "groups" | "inner">,
): [number, number, number, number] {
  const total = xShape.reduce((a, d) => a * d, 1);
  const block = paramSize * p.inner;
  return [block === 0 ? 0 : total / block, p.groups, paramSize / p.groups, p.inner];
}

/**
 * The gradients of y as ops, recorded so that they differentiate again (createGraph). Over each
 * row, with gw = g weight and xhat = (x - m) invstd:
 *   dx = invstd (gw - mean(gw) - xhat mean(gw xhat))
 * (the last two terms flow through the mean and the variance); dweight = sum g xhat and dbias =
 * sum g over A and K. The statistics are recomputed from x as ops: every term depends on x.
 */
function closedForm(
  op: GradOps,
  g: AnyTensor,
  [x, weight]: readonly AnyTensor[],
  p: RowNormGeometry,
  needs: readonly boolean[],
): (AnyTensor | null)[] {
  const layout = rowNormLayout(
    x.shape,
    weight.shape.reduce((a, d) => a * d, 1),
    p,
  );
  const row = [2, 3],
    perParam = [0, 3];
  const x4 = op.reshape(x, layout),
    g4 = op.reshape(g, layout);
  const centered = op.sub(x4, op.mean(x4, row, true));
  const invstd = op.div(1, op.sqrt(op.add(op.mean(op.mul(centered, centered), row, true), p.eps)));
  const xhat = op.mul(centered, invstd);
  let dx: AnyTensor | null = null;
  if (needs[0]) {
    const gw = op.mul(g4, op.reshape(weight, [1, layout[1], layout[2], 1]));
    const inRow = op.sub(op.sub(gw, op.mean(gw, row, true)), op.mul(xhat, op.mean(op.mul(gw, xhat), row, true)));
    dx = op.reshape(op.mul(invstd, inRow), x.shape);
  }
  const param = (t: AnyTensor) => op.reshape(op.sum(t, perParam), weight.shape);
  return [dx, needs[1] ? param(op.mul(g4, xhat)) : null, needs[2] ? param(g4) : null];
}

export const normalizationFamily: FamilyDefinitions<NormalizationParams> = {
  rowNorm: {
    arity: 3,
    saved: [0, 1],
    shape: sameAsFirst,
    // Without a graph of the gradient: the backend's fused loops, reusing the forward's
    // statistics. With one (createGraph): the closed form as ops.
    vjp: (op, g, inputs, _y, p, needs) =>
      op.isGradEnabled() ? closedForm(op, g, inputs, p, needs) : op.rowNormFused(g, inputs, p, needs),
  },
};
