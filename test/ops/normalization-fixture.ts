/**
 * The PyTorch fixtures of layerNorm and groupNorm (docs/goldens-ops.md), typed, with the tensor
 * helpers their tests share (test/ops, test/nn, test/webgpu, test/onnx).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { tensor, type AnyTensor } from "../../src/index.js";

export interface FixtureTensor {
  shape: number[];
  data: number[];
}
type Params = Record<"x" | "weight" | "bias", FixtureTensor | null>;
export interface NormCase {
  id: string;
  dtype: "float64" | "float32";
  inputs: Params & { x: FixtureTensor };
  args: { normalizedShape?: number | number[]; numGroups?: number; eps?: number };
  layer?: { class: "nn.LayerNorm" | "nn.GroupNorm"; args: unknown[]; options: Record<string, unknown> };
  output: FixtureTensor;
  gy?: FixtureTensor;
  grads?: Partial<Record<"x" | "weight" | "bias", FixtureTensor>>;
  double?: { v: Partial<Params>; grads: Partial<Record<"x" | "weight" | "bias" | "gy", FixtureTensor>> };
}
export interface NormErrorCase {
  id: string;
  inputs: Record<"x" | "weight" | "bias", { shape: number[] } | null>;
  args: { normalizedShape?: number | number[]; numGroups?: number };
  torchError: string;
}
export interface NormFixture {
  signature: string[];
  cases: NormCase[];
  float32Cases: NormCase[];
  errors: NormErrorCase[];
}

export const fixtures = {
  layerNorm: JSON.parse(
    readFileSync(join(import.meta.dirname, "../fixtures/ops/layerNorm.json"), "utf8"),
  ) as NormFixture,
  groupNorm: JSON.parse(
    readFileSync(join(import.meta.dirname, "../fixtures/ops/groupNorm.json"), "utf8"),
  ) as NormFixture,
};

/** A fixture tensor in the case's dtype (float32 values are the float32 numbers the decimals round to). */
export function fromFixture(
  e: FixtureTensor,
  dtype: "float32" | "float64",
  options: { requiresGrad?: boolean; device?: "cpu" | "webgpu" } = {},
): AnyTensor {
  const data = dtype === "float64" ? Float64Array.from(e.data) : Float32Array.from(e.data.map((v) => Math.fround(v)));
  return tensor(data, { shape: e.shape, dtype, ...options });
}

/** |a - e| <= tol max(1, |e|) elementwise, with the shape. */
export function expectClose(
  actual: ArrayLike<number>,
  shape: readonly number[],
  expected: FixtureTensor,
  tol: number,
  label: string,
): void {
  expect([...shape], `${label}: shape`).toEqual(expected.shape);
  expect(actual.length, `${label}: length`).toBe(expected.data.length);
  for (let i = 0; i < actual.length; i++) {
    const e = expected.data[i];
    const err = Math.abs(actual[i] - e) / Math.max(1, Math.abs(e));
    expect(err, `${label}[${i}]: ${actual[i]} vs ${e}`).toBeLessThanOrEqual(tol);
  }
}
