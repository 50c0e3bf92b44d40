/** The PyTorch fixture of convTranspose2d (docs/goldens-ops.md), typed, for the tests of every backend. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface FixtureTensor {
  shape: number[];
  data: number[];
}
export interface Case {
  id: string;
  inputs: { input: FixtureTensor; weight: FixtureTensor; bias: FixtureTensor | null };
  args: { options?: Record<string, unknown> };
  output: FixtureTensor;
  gy?: FixtureTensor;
  grads?: { input: FixtureTensor; weight: FixtureTensor; bias?: FixtureTensor | null };
  double?: { v: Record<string, FixtureTensor>; grads: Record<string, FixtureTensor> };
}
export interface ErrorCase {
  id: string;
  inputs: { input: { shape: number[] }; weight: { shape: number[] }; bias: { shape: number[] } | null };
  args: { options?: Record<string, unknown> };
}

export const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, "../fixtures/ops/convTranspose2d.json"), "utf8"),
) as { cases: Case[]; float32Cases: Case[]; errors: ErrorCase[] };
