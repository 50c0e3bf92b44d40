/**
 * Walking tensors through strides by runs, not elements. Adjacent dims that every operand steps
 * through contiguously are merged first (a [64, 16, 28, 28] + [1, 16, 1, 1] add becomes
 * [64, 16, 784] with strides [0, 1, 0] for the bias), then the callback gets one call per run of
 * the innermost dim, and the kernels keep their per-element loops free of calls.
 */
import { numel } from "../../runtime/shape.js";

/** Drops size-1 dims and merges neighbours that every operand walks as one (row-major output). */
export function coalesce(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, j) => outStrides[j][last] === s[d] * shape[d]);
    if (mergeable) {
      outShape[last] *= shape[d];
      strides.forEach((s, j) => {
        outStrides[j][last] = s[d];
      });
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, j) => outStrides[j].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `visit(outStart, offsets, length, innerStrides)` once per run of the innermost (merged)
 * dim, in row-major output order; `offsets[j]` is operand j's element offset at the run's start
 * and `innerStrides[j]` its step within the run.
 */
export function forEachRun(
  fullShape: readonly number[],
  fullStrides: readonly (readonly number[])[],
  visit: (outStart: number, offsets: readonly number[], length: number, innerStrides: readonly number[]) => void,
): void {
  if (numel(fullShape) === 0) return;
  const { shape, strides } = coalesce(fullShape, fullStrides);
  const rank = shape.length;
  if (rank === 0) {
    visit(
      0,
      strides.map(() => 0),
      1,
      strides.map(() => 0),
    );
    return;
  }
  const inner = shape[rank - 1];
  const innerStrides = strides.map((s) => s[rank - 1]);
  const offsets = strides.map(() => 0);
  const index = new Array<number>(rank).fill(0);
  const runs = numel(shape) / inner;
  for (let r = 0; r < runs; r++) {
    visit(r * inner, offsets, inner, innerStrides);
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      for (let j = 0; j < offsets.length; j++) offsets[j] += strides[j][d];
      if (index[d] < shape[d]) break;
      for (let j = 0; j < offsets.length; j++) offsets[j] -= strides[j][d] * shape[d];
      index[d] = 0;
    }
  }
}
