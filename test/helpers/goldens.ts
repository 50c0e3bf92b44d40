/**
 * Reading the PyTorch goldens of test/fixtures/ops/ (format: docs/goldens-ops.md) and comparing a
 * result with one of their tensors.
 */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { tensor, type AnyTensor } from "../../src/index.js";

/** A fixture tensor: row-major data and its shape. */
export interface GoldenTensor {
  shape: number[];
  data: number[];
}

/** test/fixtures/ops/<name>.json, parsed (the caller states the cases' type). */
export function readOpsGolden<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/ops/${name}.json`, import.meta.url), "utf8")) as T;
}

/** The fixture tensor as a shapegrad tensor of `dtype` (float32 data round back to the same floats). */
export const goldenTensor = (t: GoldenTensor, dtype: "float32" | "float64"): AnyTensor =>
  tensor(t.data, { shape: t.shape, dtype });

/** Same shape, and every element within `rel` times the expected tensor's largest magnitude (at least 1). */
export function expectClose(actual: AnyTensor, expected: GoldenTensor, rel: number): void {
  expect(actual.shape).toEqual(expected.shape);
  const got = actual.dataSync();
  let scale = 1;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected.data[i]));
  expect(worst).toBeLessThanOrEqual(rel * scale);
}
