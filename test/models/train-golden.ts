/**
 * The float64 train-mode check that the classifier and segmentation tests share: after
 * `loss.backward()`, the squared norm of every parameter's gradient and the first three values of
 * a few named ones against torchvision's, as scripts/golden/models/gen_models.py writes them.
 */
import { expect } from "vitest";
import type * as nn from "../../src/nn/index.js";

export interface TrainGolden {
  readonly loss: number;
  readonly gradSquaredNorm: number;
  /** State-dict key -> the first three values of that parameter's gradient. */
  readonly grads: Record<string, number[]>;
}

export function expectGradients(model: nn.Module, t: TrainGolden): void {
  const grads = new Map(model.namedParameters().map(([k, p]) => [k, p.grad!.dataSync()]));
  let squared = 0;
  for (const gr of grads.values()) for (const v of gr) squared += v * v;
  expect(Math.abs(squared - t.gradSquaredNorm) / t.gradSquaredNorm).toBeLessThan(1e-8);
  for (const [k, want] of Object.entries(t.grads)) {
    const got = [...grads.get(k)!.slice(0, 3)];
    const scale = Math.max(...want.map(Math.abs));
    // Rounding grows through ~50 layers whose batch norms see 4 values per channel.
    want.forEach((w, i) => expect(Math.abs(got[i] - w) / scale, `${k}[${i}]`).toBeLessThan(1e-6));
  }
}
