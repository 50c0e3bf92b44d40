/**
 * Gradchecks in float64: for every layer and loss, the autograd gradient of sum(f(x) * gy) equals
 * central finite differences (h = 1e-6, so the error is O(h^2) ~ 1e-12 on smooth functions; inputs
 * are random, so the kinks of relu, max and abs are almost surely not within h).
 */
import { describe, expect, it } from "vitest";
import { gradients, manualSeed, noGrad, randn, tensor, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

const F = nn.functional as unknown as Record<string, (...args: unknown[]) => AnyTensor>;

function leaf(shape: number[], scale = 1): AnyTensor {
  const t = randn(shape, { dtype: "float64" }) as AnyTensor;
  return tensor(
    Float64Array.from(t.dataSync(), (v) => v * scale),
    { shape, dtype: "float64", requiresGrad: true },
  );
}

function gradcheck(f: (...xs: AnyTensor[]) => AnyTensor, inputs: AnyTensor[]): void {
  const y = f(...inputs);
  const gy = randn([...y.shape], { dtype: "float64" }) as AnyTensor;
  const analytic = gradients(y, inputs, { seeds: [gy] });
  const g = gy.dataSync();
  const h = 1e-6;
  const value = (xs: AnyTensor[]) =>
    noGrad(() => {
      const out = f(...xs).dataSync();
      let s = 0;
      for (let i = 0; i < out.length; i++) s += out[i] * g[i];
      return s;
    });
  inputs.forEach((x, k) => {
    const base = Float64Array.from(x.dataSync());
    const a = analytic[k].dataSync();
    let worst = 0;
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) => {
        const data = Float64Array.from(base);
        data[i] += d;
        const xs = inputs.map((t, j) =>
          j === k ? (tensor(data, { shape: [...x.shape], dtype: "float64" }) as AnyTensor) : t,
        );
        return value(xs);
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - a[i]) / Math.max(1, Math.abs(numeric)));
    }
    expect(worst, `input ${k}`).toBeLessThan(1e-6);
  });
}

describe("gradcheck (float64 finite differences)", () => {
  manualSeed(7);
  const cases: [string, () => void][] = [
    ["linear", () => gradcheck((x, w, b) => F.linear(x, w, b), [leaf([3, 4]), leaf([2, 4]), leaf([2])])],
    ["leakyRelu", () => gradcheck((x) => F.leakyRelu(x, 0.1), [leaf([10])])],
    ["gelu", () => gradcheck((x) => F.gelu(x), [leaf([10], 2)])],
    ["gelu tanh", () => gradcheck((x) => F.gelu(x, "tanh"), [leaf([10], 2)])],
    ["softmax", () => gradcheck((x) => F.softmax(x, 1), [leaf([3, 4], 3)])],
    ["logSoftmax", () => gradcheck((x) => F.logSoftmax(x, 0), [leaf([3, 4], 3)])],
    [
      "maxPool2d",
      () =>
        gradcheck(
          (x) => F.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, dilation: 1, ceilMode: true }),
          [leaf([1, 2, 6, 5])],
        ),
    ],
    [
      "avgPool2d",
      () =>
        gradcheck(
          (x) => F.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
          [leaf([1, 2, 6, 5])],
        ),
    ],
    ["adaptiveAvgPool2d", () => gradcheck((x) => F.adaptiveAvgPool2d(x, [3, 2]), [leaf([1, 2, 7, 5])])],
    [
      "batchNorm training",
      () =>
        gradcheck(
          (x, w, b) => nn.functional.batchNorm(x, null, null, { weight: w, bias: b, training: true }).output,
          [leaf([3, 2, 2, 2]), leaf([2]), leaf([2])],
        ),
    ],
    [
      "crossEntropy smoothing",
      () =>
        gradcheck(
          (x) => F.crossEntropy(x, tensor([0, 2, 1], { dtype: "int32" }), { labelSmoothing: 0.1 }),
          [leaf([3, 3])],
        ),
    ],
    ["nllLoss", () => gradcheck((x) => F.nllLoss(x, tensor([1, 0], { dtype: "int32" }), "sum"), [leaf([2, 3])])],
    ["mseLoss", () => gradcheck((a, b) => F.mseLoss(a, b), [leaf([2, 3]), leaf([2, 3])])],
    ["l1Loss", () => gradcheck((a, b) => F.l1Loss(a, b, "sum"), [leaf([2, 3]), leaf([2, 3])])],
    [
      "binaryCrossEntropyWithLogits",
      () =>
        gradcheck(
          (a, b) => F.binaryCrossEntropyWithLogits(a, b, { posWeight: tensor([0.5, 2, 1], { dtype: "float64" }) }),
          [leaf([2, 3], 3), leaf([2, 3])],
        ),
    ],
  ];
  for (const [name, check] of cases) it(name, check);

  it("a Conv2d + BatchNorm2d + residual block", () => {
    const conv = nn.Conv2d(2, 2, 3, { padding: 1, dtype: "float64" });
    const bn = nn.BatchNorm2d(2, { dtype: "float64" });
    const block = nn.Residual(nn.Sequential(conv, bn, nn.ReLU()));
    gradcheck(
      (x, w) => {
        conv.weight = w;
        return block.forward(x);
      },
      [leaf([2, 2, 4, 4]), leaf([2, 2, 3, 3])],
    );
  });
});
