/** Shared helpers of the nn tests: golden fixtures, tensors from them, and closeness checks. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { tensor, type AnyTensor } from "../../src/index.js";

export interface Enc {
  shape: number[];
  data: number[];
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/nn/${name}`, import.meta.url)), "utf8")) as T;
}

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/nn/${name}`, import.meta.url));
}

/** A float64 tensor (leaf, requiring grad when asked) from an encoded fixture tensor. */
export function f64(e: Enc, requiresGrad = false): AnyTensor {
  return tensor(Float64Array.from(e.data), { shape: e.shape, dtype: "float64", requiresGrad });
}

export function i32(e: Enc): AnyTensor {
  return tensor(Int32Array.from(e.data), { shape: e.shape, dtype: "int32" });
}

/**
 * Relative error max|a - e| / max(1, max|e|): float64 compositions of ops differ from PyTorch's
 * fused kernels by rounding only, so 1e-10 catches any mistake while allowing reassociation.
 */
export function expectClose(actual: AnyTensor | null | undefined, expected: Enc, tol = 1e-10, label = ""): void {
  expect(actual, `${label}: missing`).toBeTruthy();
  expect([...actual!.shape], `${label}: shape`).toEqual(expected.shape);
  const a = actual!.dataSync();
  let maxDiff = 0,
    scale = 1;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    scale = Math.max(scale, Math.abs(e));
    const d = Math.abs(a[i] - e);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  expect(maxDiff / scale, `${label}: relative error`).toBeLessThanOrEqual(tol);
}
