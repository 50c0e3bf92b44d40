/**
 * ConvNeXt's pieces (src/models/convnext.ts, torchvision.models.convnext): LayerNorm2d is a
 * LayerNorm over the channels; CNBlock's input gradient against float64 finite differences; the
 * refusals the compiler shows (test-d/models) thrown with the same text at run time; the
 * stochastic depth schedule. The whole model against torchvision is in classifiers.test.ts.
 */
import { describe, expect, it } from "vitest";
import { manualSeed, permute, randn, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as models from "../../src/models/index.js";
import { nnErrors } from "../../types/errors.js";
import { gradcheck } from "../helpers/gradcheck.js";

/** The run-time path of a call the compiler refuses. */
const untyped = (m: nn.Module) => (x: AnyTensor) => (m.forward as (t: AnyTensor) => AnyTensor).call(m, x);

describe("LayerNorm2d", () => {
  it("normalises each position over the channels, as nn.LayerNorm on the channels-last tensor", () => {
    manualSeed(11);
    const x = randn([2, 6, 3, 5], { dtype: "float64" });
    const ln2d = new models.LayerNorm2d(6).to("float64");
    const ln = nn.LayerNorm(6, { eps: 1e-6, dtype: "float64" });
    // Non-trivial affine parameters, the same in both.
    ln2d.loadStateDict(
      new Map([
        ["weight", randn([6], { dtype: "float64" })],
        ["bias", randn([6], { dtype: "float64" })],
      ]),
    );
    ln.loadStateDict(ln2d.stateDict());
    const want = permute(ln.forward(permute(x, [0, 2, 3, 1])), [0, 3, 1, 2]).dataSync();
    const got = ln2d.forward(x).dataSync();
    expect([...got]).toEqual([...want]);
    expect(ln2d.eps).toBe(1e-6);
    expect([...ln2d.stateDict().keys()]).toEqual(["weight", "bias"]);
  });

  it("refuses what the compiler refuses, with the same text", () => {
    const ln2d = new models.LayerNorm2d(96);
    expect(() => untyped(ln2d)(randn([96, 5, 7]))).toThrow(
      nnErrors.layerInput("LayerNorm2d", "input [N, C, H, W]", [96, 5, 7]),
    );
    expect(() => untyped(ln2d)(randn([2, 95, 5, 7]))).toThrow(
      nnErrors.layerChannels("LayerNorm2d", 95, 96, [2, 95, 5, 7]),
    );
  });
});

describe("CNBlock", () => {
  it("has torchvision's keys and layer_scale 1e-6 at init", () => {
    const block = new models.CNBlock(8, 0.05);
    expect([...block.stateDict()].map(([k, t]) => [k, [...t.shape]])).toEqual([
      ["layer_scale", [8, 1, 1]],
      ["block.0.weight", [8, 1, 7, 7]],
      ["block.0.bias", [8]],
      ["block.2.weight", [8]],
      ["block.2.bias", [8]],
      ["block.3.weight", [32, 8]],
      ["block.3.bias", [32]],
      ["block.5.weight", [8, 32]],
      ["block.5.bias", [8]],
    ]);
    expect([...block.layer_scale.dataSync()].every((v) => Math.abs(v - 1e-6) < 1e-12)).toBe(true);
    expect(block.stochastic_depth.p).toBe(0.05);
  });

  it("input gradient equals float64 finite differences (eval mode)", () => {
    manualSeed(12);
    const block = new models.CNBlock(4, 0.1, 0.7).to("float64");
    block.eval();
    gradcheck((x) => untyped(block)(x), [randn([2, 4, 3, 3], { dtype: "float64" })], { tol: 1e-6 });
  });

  it("refuses a wrong channel count or rank with the compiler's text; Permute a bad permutation", () => {
    const block = new models.CNBlock(96, 0);
    expect(() => untyped(block)(randn([2, 95, 5, 7]))).toThrow(
      nnErrors.layerChannels("CNBlock", 95, 96, [2, 95, 5, 7]),
    );
    expect(() => untyped(block)(randn([96, 5, 7]))).toThrow(
      nnErrors.layerInput("CNBlock", "input [N, C, H, W]", [96, 5, 7]),
    );
    // The compiler's text (test-d/models): "permute: [0, 2, 1] is not a permutation of the 4 dims".
    expect(() => untyped(new models.Permute([0, 2, 1]))(randn([2, 96, 5, 7]))).toThrow(
      "permute: [0, 2, 1] is not a permutation of the 4 dims",
    );
  });
});

describe("convnextTiny", () => {
  it("stochastic depth rises linearly from 0 to 0.1 over the 18 blocks (torchvision's 0.1 * id / 17)", () => {
    const model = models.convnextTiny({ numClasses: 2 });
    const probs = model
      .namedModules()
      .flatMap(([name, m]) => (m instanceof models.CNBlock ? [[name, m.stochastic_depth.p] as const] : []));
    expect(probs.map(([name]) => name)).toEqual([
      ...[0, 1, 2].map((i) => `features.1.${i}`),
      ...[0, 1, 2].map((i) => `features.3.${i}`),
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `features.5.${i}`),
      ...[0, 1, 2].map((i) => `features.7.${i}`),
    ]);
    probs.forEach(([, p], id) => expect(p).toBeCloseTo((0.1 * id) / 17, 15));
  });
});
