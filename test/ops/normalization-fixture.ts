/**
 * The PyTorch fixtures of layerNorm and groupNorm (docs/goldens-ops.md), typed, with the tensor
 * helpers their tests share (test/ops, test/nn, test/webgpu, test/onnx).
 */
import { readOpsGolden, type GoldenTensor } from "../helpers/goldens.js";

export type FixtureTensor = GoldenTensor;
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
  layerNorm: readOpsGolden<NormFixture>("layerNorm"),
  groupNorm: readOpsGolden<NormFixture>("groupNorm"),
};

/** A fixture tensor in the case's dtype, on a device; the elementwise comparison (test/helpers/goldens.ts). */
export { goldenTensor as fromFixture, expectEachClose as expectClose } from "../helpers/goldens.js";
