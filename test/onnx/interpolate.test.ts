/**
 * interpolate / nn.Upsample in ONNX: the exporter traces them as what they are, two MatMuls with
 * constant interpolation matrices (initializers), which is PyTorch's exact rule for every option
 * (nearest's float32 index rule included), checked here in onnxruntime against shapegrad's forward.
 */
import { describe, expect, it } from "vitest";
import { interpolate, randn, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { runBoth } from "./helpers.js";

const configs = [
  { scaleFactor: 2 },
  { scaleFactor: [1.7, 0.6] },
  { size: [5, 9], mode: "bilinear" },
  { scaleFactor: 1.5, mode: "bilinear", alignCorners: true },
];

describe("ONNX export of interpolate", () => {
  for (const o of configs) {
    it(`nn.Upsample(${JSON.stringify(o)}) runs in onnxruntime as shapegrad computes it`, async () => {
      const model = nn.Sequential(nn.Upsample(o as never), nn.ReLU());
      const r = await runBoth(model, randn([2, 3, 4, 6]));
      expect(r.onnxShape).toEqual(r.shape);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-6 * Math.max(1, r.scale));
    });
  }
  it("a function calling interpolate", async () => {
    const f = (x: AnyTensor) => (interpolate as unknown as (x: AnyTensor, o: unknown) => AnyTensor)(x, { size: 7 });
    const r = await runBoth(f, randn([1, 2, 3, 3]));
    expect(r.onnxShape).toEqual([1, 2, 7, 7]);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-6 * Math.max(1, r.scale));
  });
});
