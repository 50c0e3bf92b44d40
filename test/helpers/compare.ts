/** Comparisons of a fast path's tensors with its reference's. */
import { expect } from "vitest";
import type { AnyTensor } from "../../src/index.js";

/**
 * Largest |a - b| over max(1, largest |b|), the shapes checked equal: the distance between float32
 * results of two summation orders. Two nulls are 0 apart, a null and a tensor infinitely.
 */
export function relativeGap(a: AnyTensor | null | undefined, b: AnyTensor | null | undefined): number {
  if (!a || !b) return a === b ? 0 : Infinity;
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync(),
    y = b.dataSync();
  let d = 0,
    scale = 1;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return d / scale;
}
