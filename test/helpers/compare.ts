/** Comparisons of a fast path's results with its reference's. */
import { expect } from "vitest";
import type { AnyTensor } from "../../src/index.js";

/** Largest |a - b| over max(1, largest |b|), the lengths checked equal. */
export function arrayGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0,
    scale = 1;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return d / scale;
}

/**
 * arrayGap of two tensors' data, the shapes checked equal: the distance between float32 results of
 * two summation orders. Two nulls are 0 apart, a null and a tensor infinitely.
 */
export function relativeGap(a: AnyTensor | null | undefined, b: AnyTensor | null | undefined): number {
  if (!a || !b) return a === b ? 0 : Infinity;
  expect(a.shape).toEqual(b.shape);
  return arrayGap(a.dataSync(), b.dataSync());
}
