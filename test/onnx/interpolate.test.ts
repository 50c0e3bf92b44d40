/**
 * interpolate / nn.Upsample in ONNX: one Resize node (nearest: asymmetric + floor; bilinear:
 * linear with half_pixel or align_corners), or, where a runtime's float32 arithmetic would give
 * another source index or output size than PyTorch's rule, the exact Gather form
 * (src/onnx/interpolate.ts). Every configuration of a grid is run in onnxruntime against
 * shapegrad's forward, with a fixed and a dynamic batch, float32 and float64.
 */
import { describe, expect, it } from "vitest";
import { interpolate, randn, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { traceOnnx } from "../../src/onnx/index.js";
import { runBoth } from "./helpers.js";

const call = interpolate as unknown as (x: AnyTensor, o: unknown) => AnyTensor;
const opTypes = (f: (x: AnyTensor) => AnyTensor, shape: number[], dtype: "float32" | "float64" = "float32") =>
  traceOnnx(f, shape, { dtype }).graph.nodes.map((n) => n.opType);

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
    const f = (x: AnyTensor) => call(x, { size: 7 });
    const r = await runBoth(f, randn([1, 2, 3, 3]));
    expect(r.onnxShape).toEqual([1, 2, 7, 7]);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-6 * Math.max(1, r.scale));
  });

  it("the usual upsamplings are one Resize, with no MatMul", () => {
    for (const o of [
      { scaleFactor: 2 },
      { scaleFactor: 2, mode: "bilinear" },
      { scaleFactor: 2, mode: "bilinear", alignCorners: true },
      { size: [32, 32], mode: "bilinear" },
      { size: [8, 24] },
    ]) {
      const types = opTypes((x) => call(x, o), [2, 3, 16, 16]);
      expect(types.filter((t) => t === "Resize")).toHaveLength(1);
      expect(types).not.toContain("MatMul");
      expect(types).not.toContain("Gather");
    }
  });

  it("a grid of modes, sizes and scales: onnxruntime equals shapegrad, Resize where the rules agree", async () => {
    const hows = [
      { size: [1, 1] },
      { size: [4, 9] },
      { size: [13, 3] },
      { scaleFactor: 2 },
      { scaleFactor: 0.5 },
      { scaleFactor: [1.7, 0.6] },
      { scaleFactor: [2.3, 3] },
      { scaleFactor: 10 / 3 },
      { scaleFactor: [0.3, 1.1] },
    ];
    let runs = 0,
      resized = 0;
    const gatherForms: string[] = [];
    for (const mode of ["nearest", "bilinear"])
      for (const h of [1, 2, 3, 5, 7, 10])
        for (const how of hows)
          for (const alignCorners of mode === "bilinear" ? [false, true] : [undefined]) {
            const o = { ...how, mode, ...(alignCorners === undefined ? {} : { alignCorners }) };
            const shape = [2, 3, h, 11 - h];
            const f = (x: AnyTensor) => call(x, o);
            let types: string[];
            try {
              types = opTypes(f, shape);
            } catch (e) {
              // an output size of 0 is refused by interpolate itself
              expect(String(e)).toContain("each must be at least 1");
              continue;
            }
            runs++;
            if (types.includes("Resize")) resized++;
            else gatherForms.push(`${JSON.stringify(o)} [${shape.join(", ")}]`);
            const r = await runBoth(f, randn(shape));
            expect(r.onnxShape, JSON.stringify(o)).toEqual(r.shape);
            expect(r.maxAbsDiff, JSON.stringify(o)).toBeLessThanOrEqual(1e-5 * Math.max(1, r.scale));
          }
    expect(runs).toBe(144);
    // The float32 index and size rules disagree with PyTorch's only at some odd scales.
    expect(resized).toBe(132);
    expect(gatherForms).toContain('{"scaleFactor":[0.3,1.1],"mode":"nearest"} [2, 3, 5, 6]');
    expect(gatherForms.every((s) => /2\.3|3\.33|0\.3/.test(s))).toBe(true);
  });

  it("a dynamic batch: Resize takes [N, C] from the input's Shape", async () => {
    for (const o of [{ size: [5, 7], mode: "bilinear" }, { scaleFactor: 2 }, { scaleFactor: [0.3, 1.1] }]) {
      const model = nn.Sequential(nn.Upsample(o as never));
      const r = await runBoth(model, randn([5, 2, 6, 4]), { dynamicBatch: true }, [2, 2, 6, 4]);
      expect(r.onnxShape).toEqual(r.shape);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-6 * Math.max(1, r.scale));
    }
  });

  it("float64: the exact Gather form, to 1e-12 (onnxruntime has no double Resize)", async () => {
    for (const o of [
      { size: [5, 7], mode: "bilinear" },
      { scaleFactor: 2 },
      { scaleFactor: 1.5, mode: "bilinear", alignCorners: true },
    ]) {
      const model = nn.Sequential(nn.Upsample(o as never));
      expect(opTypes((x) => model.forward(x as never) as AnyTensor, [2, 2, 6, 4], "float64")).not.toContain("Resize");
      const r = await runBoth(model, randn([2, 2, 6, 4], { dtype: "float64" }), { dtype: "float64" });
      expect(r.onnxShape).toEqual(r.shape);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-12 * Math.max(1, r.scale));
    }
  });
});
