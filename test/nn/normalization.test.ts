/**
 * nn.LayerNorm and nn.GroupNorm: PyTorch's outputs and parameter gradients (the fixtures' `layer`
 * entries), state-dict names and shapes, repr, train/eval (no running statistics: the same
 * function), construction checks, callable without `new`, and the run-time messages the types
 * also give (test-d/nn/normalization.test-d.ts).
 */
import { describe, expect, it } from "vitest";
import { gradients, noGrad, randn, tensor, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { expectClose, fixtures, fromFixture, type NormCase } from "../ops/normalization-fixture.js";

type AnyLayer = nn.LayerNorm | nn.GroupNorm;

function build(c: NormCase): AnyLayer {
  const options = { ...c.layer!.options, dtype: "float64" as const };
  const layer =
    c.layer!.class === "nn.LayerNorm"
      ? nn.LayerNorm(c.layer!.args[0] as number | number[], options)
      : nn.GroupNorm(c.layer!.args[0] as number, c.layer!.args[1] as number, options);
  noGrad(() => {
    if (c.inputs.weight) layer.weight!.assign(fromFixture(c.inputs.weight, "float64"));
    if (c.inputs.bias) layer.bias!.assign(fromFixture(c.inputs.bias, "float64"));
  });
  return layer;
}
const forward = (layer: AnyLayer, x: AnyTensor) =>
  (layer as unknown as { forward(x: AnyTensor): AnyTensor }).forward(x);

for (const op of ["layerNorm", "groupNorm"] as const) {
  describe(`${op === "layerNorm" ? "nn.LayerNorm" : "nn.GroupNorm"} vs PyTorch`, () => {
    for (const c of fixtures[op].cases.filter((c) => c.layer)) {
      it(c.id, () => {
        const layer = build(c);
        const x = fromFixture(c.inputs.x, "float64", { requiresGrad: true });
        const y = forward(layer, x);
        expectClose(y.dataSync(), y.shape, c.output, 1e-12, "output");
        const leaves = layer.weight ? [x, layer.weight, layer.bias!] : [x];
        const gs = gradients(y, leaves, { seeds: [fromFixture(c.gy!, "float64")] });
        (["x", "weight", "bias"] as const)
          .slice(0, leaves.length)
          .forEach((k, i) => expectClose(gs[i].dataSync(), gs[i].shape, c.grads![k]!, 1e-12, `grad ${k}`));
        // No running statistics: evaluation computes the same function.
        layer.eval();
        expectClose(forward(layer, x).dataSync(), y.shape, c.output, 1e-12, "eval output");
      });
    }
  });
}

describe("nn.LayerNorm", () => {
  it("parameters: ones and zeros of shape normalizedShape, named as PyTorch's", () => {
    const ln = nn.LayerNorm([3, 4]);
    expect(ln).toBeInstanceOf(nn.LayerNorm);
    const sd = ln.stateDict();
    expect([...sd.keys()]).toEqual(["weight", "bias"]);
    expect(sd.get("weight")!.shape).toEqual([3, 4]);
    expect([...sd.get("weight")!.dataSync()]).toEqual(new Array(12).fill(1));
    expect([...sd.get("bias")!.dataSync()]).toEqual(new Array(12).fill(0));
    expect(ln.parameters().every((p) => p.requiresGrad && p.dtype === "float32")).toBe(true);
    expect(nn.LayerNorm(8, { elementwiseAffine: false }).stateDict().size).toBe(0);
    expect(nn.LayerNorm(8).normalizedShape).toEqual([8]);
  });
  it("repr", () => {
    expect(String(nn.LayerNorm(768))).toBe("LayerNorm([768], eps=0.00001, elementwiseAffine=true)");
    expect(String(new nn.LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }))).toBe(
      "LayerNorm([2, 3], eps=0.000001, elementwiseAffine=false)",
    );
  });
  it("loads a state dict and moves with .to()", () => {
    const a = nn.LayerNorm(4);
    a.loadStateDict(
      new Map([
        ["weight", tensor([1, 2, 3, 4])],
        ["bias", tensor([0, 1, 0, 1])],
      ]),
    );
    const b = a.to("float64");
    expect(b.weight!.dtype).toBe("float64");
    const y = b.forward(tensor([[1, 2, 3, 4]], { dtype: "float64" }));
    expect(y.dtype).toBe("float64");
    const s = Math.sqrt(1.25 + 1e-5);
    [-1.5, -0.5, 0.5, 1.5].forEach((d, i) => expect(y.dataSync()[i]).toBeCloseTo((d / s) * (i + 1) + (i % 2), 12));
  });
  it("refuses a bad construction and a mismatched input, with the messages the types give", () => {
    expect(() => nn.LayerNorm([] as number[])).toThrow(
      "LayerNorm: normalizedShape must be a positive integer or a non-empty list of them, got []",
    );
    expect(() => nn.LayerNorm(4, { eps: -1 })).toThrow("LayerNorm: eps must be a positive finite number, got -1");
    expect(() => nn.LayerNorm(4, { elementwiseAffine: 1 as unknown as boolean })).toThrow(
      "LayerNorm: option elementwiseAffine must be true or false, got 1",
    );
    const ln = nn.LayerNorm([14, 96]) as unknown as { forward(x: AnyTensor): AnyTensor };
    expect(() => ln.forward(randn([8, 14, 95]))).toThrow(
      "layerNorm: normalizedShape [14, 96] does not match the last dims of input [8, 14, 95]",
    );
  });
});

describe("nn.GroupNorm", () => {
  it("parameters: per channel, named as PyTorch's", () => {
    const gn = nn.GroupNorm(8, 32);
    expect(gn).toBeInstanceOf(nn.GroupNorm);
    const sd = gn.stateDict();
    expect([...sd.keys()]).toEqual(["weight", "bias"]);
    expect(sd.get("weight")!.shape).toEqual([32]);
    expect(sd.get("bias")!.shape).toEqual([32]);
    expect(nn.GroupNorm(2, 4, { affine: false }).stateDict().size).toBe(0);
  });
  it("repr", () => {
    expect(String(nn.GroupNorm(8, 32))).toBe("GroupNorm(8, 32, eps=0.00001, affine=true)");
    expect(String(new nn.GroupNorm(2, 4, { eps: 0.001, affine: false }))).toBe(
      "GroupNorm(2, 4, eps=0.001, affine=false)",
    );
  });
  it("refuses a bad construction and a mismatched input, with the messages the types give", () => {
    // A literal 32 is a compile error (test-d/nn/normalization.test-d.ts); a run-time count is checked here.
    const channels: number = 32;
    expect(() => nn.GroupNorm(3, channels)).toThrow("GroupNorm: numGroups 3 does not divide numChannels 32");
    expect(() => nn.GroupNorm(0, 32)).toThrow("GroupNorm: numGroups must be a positive integer, got 0");
    expect(() => nn.GroupNorm(2, 0)).toThrow("GroupNorm: numChannels must be a positive integer, got 0");
    expect(() => nn.GroupNorm(2, 4, { affine: "yes" as unknown as boolean })).toThrow(
      'GroupNorm: option affine must be true or false, got "yes"',
    );
    const gn = nn.GroupNorm(8, 32) as unknown as { forward(x: AnyTensor): AnyTensor };
    expect(() => gn.forward(randn([4, 16, 8, 8]))).toThrow(
      "GroupNorm: input has 16 channels but the layer expects 32 (input [4, 16, 8, 8])",
    );
    expect(() => gn.forward(randn([32]))).toThrow("GroupNorm: expected input [N, C, ...], got shape [32]");
    const seq = nn.Sequential(nn.Conv2d(3, 16, 3), nn.GroupNorm(8, 32)) as unknown as {
      forward(x: AnyTensor): AnyTensor;
    };
    expect(() => seq.forward(randn([2, 3, 16, 16]))).toThrow(
      "nn.Sequential: layer 1 (GroupNorm): GroupNorm: input has 16 channels but the layer expects 32 (input [2, 16, 14, 14])",
    );
  });
  it("trains: a step of SGD moves weight and bias by their gradients", () => {
    const gn = nn.GroupNorm(2, 4, { dtype: "float64" });
    const x = randn([3, 4, 5], { dtype: "float64" });
    const target = randn([3, 4, 5], { dtype: "float64" });
    const loss = nn.functional.mseLoss(gn.forward(x), target);
    loss.backward();
    expect(gn.weight!.grad!.shape).toEqual([4]);
    expect(gn.bias!.grad!.shape).toEqual([4]);
    expect(gn.weight!.grad!.dataSync().some((v) => v !== 0)).toBe(true);
  });
});
