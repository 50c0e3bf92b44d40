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
export const goldenTensor = (
  t: GoldenTensor,
  dtype: "float32" | "float64",
  options: { requiresGrad?: boolean; device?: "cpu" | "webgpu" } = {},
): AnyTensor => tensor(t.data, { shape: t.shape, dtype, ...options });

/** Same shape, and every element within `rel` times the expected tensor's largest magnitude (at least 1). */
export function expectClose(actual: AnyTensor, expected: GoldenTensor, rel: number, label = ""): void {
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  const got = actual.dataSync();
  let scale = 1;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected.data[i]));
  expect(worst, label).toBeLessThanOrEqual(rel * scale);
}

/**
 * |a - e| <= rel max(1, |e|) for every element, with the shape: stricter than expectClose where a
 * tensor mixes large and small values. `actual` is a tensor's data (a WebGPU tensor's, read back).
 */
export function expectEachClose(
  actual: ArrayLike<number>,
  shape: readonly number[],
  expected: GoldenTensor,
  rel: number,
  label: string,
): void {
  expect([...shape], `${label}: shape`).toEqual(expected.shape);
  expect(actual.length, `${label}: length`).toBe(expected.data.length);
  for (let i = 0; i < actual.length; i++) {
    const e = expected.data[i];
    const err = Math.abs(actual[i] - e) / Math.max(1, Math.abs(e));
    expect(err, `${label}[${i}]: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(rel);
  }
}
