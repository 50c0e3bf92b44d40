/**
 * Explicit padding of any dims, in PyTorch's four modes, and its adjoint: the math is in
 * src/primitives/pad.ts. Each dim has its own index map (output position -> input position, or
 * -1 for the fill); the last dim's map drives the inner loop, the outer dims' maps give the
 * source row. The adjoint runs the same maps backwards and sums: gx[src(i)] += gy[i].
 */
import { type PadGeometry, type PadMode, padOutShape } from "../../../primitives/pad.js";
import { type FloatArray, assertKernel, castLike } from "./arrays.js";

/** The source index of every output position along one dim, -1 where the output is the fill. */
export function padIndexMap(size: number, before: number, after: number, mode: PadMode): Int32Array {
  const out = size + before + after;
  assertKernel(out >= 0, `pad: dim of size ${size} padded by (${before}, ${after})`);
  if (mode === "reflect")
    assertKernel(
      (before <= 0 || before < size) && (after <= 0 || after < size),
      `pad: reflect padding ${before}, ${after} must be < size ${size}`,
    );
  const map = new Int32Array(out);
  if (mode === "circular") {
    const c0 = Math.max(-before, 0);
    const kept = size - c0 - Math.max(-after, 0);
    const lead = Math.max(before, 0);
    assertKernel(
      lead <= kept && Math.max(after, 0) <= kept,
      `pad: circular padding ${before}, ${after} of size ${size}`,
    );
    for (let i = 0; i < out; i++) map[i] = c0 + ((((i - lead) % kept) + kept) % kept);
    return map;
  }
  if (mode === "replicate") assertKernel(size > 0 || out === 0, "pad: replicate needs a non-empty dim");
  for (let i = 0; i < out; i++) {
    const t = i - before;
    if (t >= 0 && t < size) map[i] = t;
    else if (mode === "constant") map[i] = -1;
    else if (mode === "reflect") map[i] = t < 0 ? -t : 2 * (size - 1) - t;
    else map[i] = t < 0 ? 0 : size - 1;
  }
  return map;
}

/** Calls visit(outRow, inRow) for every row (all dims but the last) of the output, inRow -1 for a fill row. */
function forEachRow(p: PadGeometry, visit: (outRow: number, inRow: number) => void): void {
  const rank = p.inShape.length;
  const outShape = padOutShape(p);
  const maps = p.inShape.map((s, d) => padIndexMap(s, p.before[d], p.after[d], p.mode));
  const rows = outShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let row = 0; row < rows; row++) {
    let inRow = 0;
    for (let d = 0; d < rank - 1; d++) {
      const s = maps[d][idx[d]];
      if (s < 0) {
        inRow = -1;
        break;
      }
      inRow = inRow * p.inShape[d] + s;
    }
    visit(row, inRow);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
}

function lastMap(p: PadGeometry): Int32Array {
  const d = p.inShape.length - 1;
  return d < 0 ? Int32Array.of(0) : padIndexMap(p.inShape[d], p.before[d], p.after[d], p.mode);
}

/** y = pad(x): the padded shape of src/primitives/pad.ts, in x's dtype. */
export function pad<F extends FloatArray>(p: PadGeometry, x: F): F {
  const cols = lastMap(p);
  const inW = p.inShape.length === 0 ? 1 : p.inShape[p.inShape.length - 1];
  const y = new Float64Array(padOutShape(p).reduce((a, b) => a * b, 1));
  forEachRow(p, (outRow, inRow) => {
    const o = outRow * cols.length;
    if (inRow < 0) y.fill(p.value, o, o + cols.length);
    else {
      const base = inRow * inW;
      for (let j = 0; j < cols.length; j++) y[o + j] = cols[j] < 0 ? p.value : x[base + cols[j]];
    }
  });
  return castLike(x, y);
}

/** gx [inShape] = the adjoint of pad applied to gy [padded shape]. */
export function padAdjoint<F extends FloatArray>(p: PadGeometry, gy: F): F {
  const cols = lastMap(p);
  const inW = p.inShape.length === 0 ? 1 : p.inShape[p.inShape.length - 1];
  const gx = new Float64Array(p.inShape.reduce((a, b) => a * b, 1));
  forEachRow(p, (outRow, inRow) => {
    if (inRow < 0) return;
    const o = outRow * cols.length,
      base = inRow * inW;
    for (let j = 0; j < cols.length; j++) if (cols[j] >= 0) gx[base + cols[j]] += gy[o + j];
  });
  return castLike(gy, gx);
}
