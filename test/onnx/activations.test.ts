/**
 * The issue-21 activation layers exported as their ONNX ops (HardSwish, HardSigmoid, Clip,
 * Sigmoid + Mul; Dropout2d vanishes in evaluation) and run in onnxruntime-node against
 * shapegrad's forward pass, on inputs spread over every kink's both sides.
 */
import { describe, expect, it } from "vitest";
import { manualSeed, mul, randn, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { traceOnnx } from "../../src/onnx/index.js";
import { runBoth } from "./helpers.js";

type AnyModule = nn.Module & { forward(x: AnyTensor): AnyTensor };

describe("exportOnnx: silu, hardswish, hardsigmoid, relu6, dropout2d", () => {
  const cases: [string, () => AnyModule, string[]][] = [
    ["SiLU", () => nn.SiLU(), ["Sigmoid", "Mul"]],
    ["Hardswish", () => nn.Hardswish(), ["HardSwish"]],
    ["Hardsigmoid", () => nn.Hardsigmoid(), ["HardSigmoid"]],
    ["ReLU6", () => nn.ReLU6(), ["Clip"]],
  ];
  for (const [name, make, ops] of cases) {
    it(`${name} as ${ops.join(" + ")}`, async () => {
      manualSeed(21);
      const model = make();
      // randn * 5 reaches past -3, 3 and 6 on both sides.
      const x = mul(randn([2, 3, 8, 8]), 5) as unknown as AnyTensor;
      const r = await runBoth(model, x);
      expect(r.onnxShape).toEqual(r.shape);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(2e-6 * Math.max(1, r.scale));
      // The exporter names the graph's output through an Identity node after the layer's own.
      const types = traceOnnx(model, [2, 3, 8, 8]).graph.nodes.map((n) => n.opType);
      expect(types).toEqual([...ops, "Identity"]);
    });
  }

  it("a model with every one of them and Dropout2d (the identity in evaluation)", async () => {
    manualSeed(22);
    const model = nn.Sequential(
      nn.Conv2d(3, 8, 3, { padding: 1 }),
      nn.Hardswish(),
      nn.Dropout2d(0.3),
      nn.Conv2d(8, 8, 3, { padding: 1 }),
      nn.ReLU6(),
      nn.Conv2d(8, 4, 1),
      nn.Hardsigmoid(),
      nn.SiLU(),
    ) as unknown as AnyModule;
    model.eval();
    const r = await runBoth(model, mul(randn([2, 3, 8, 8]), 4));
    expect(r.onnxShape).toEqual(r.shape);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(2e-5 * Math.max(1, r.scale));
    const types = traceOnnx(model, [2, 3, 8, 8]).graph.nodes.map((n) => n.opType);
    for (const op of ["HardSwish", "Clip", "HardSigmoid", "Sigmoid", "Mul"]) expect(types).toContain(op);
    expect(types).not.toContain("Dropout");
  });
});
