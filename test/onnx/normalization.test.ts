/**
 * nn.LayerNorm exported as ONNX LayerNormalization (opset 17) and nn.GroupNorm as its traced
 * composition (GroupNormalization needs opset 18), run in onnxruntime-node against shapegrad's
 * forward pass; the functional forms inside a module's forward export as their traces.
 */
import { describe, expect, it } from "vitest";
import { add, manualSeed, mul, permute, randn, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { traceOnnx } from "../../src/onnx/index.js";
import { runBoth } from "./helpers.js";

type AnyModule = nn.Module & { forward(x: AnyTensor): AnyTensor };
const opTypes = (m: AnyModule, shape: number[]) => traceOnnx(m, shape).graph.nodes.map((n) => n.opType);

/** Learned-looking parameters instead of ones and zeros, so a misplaced scale or bias shows. */
function perturb(m: nn.LayerNorm | nn.GroupNorm): void {
  if (m.weight) m.weight.assign(add(mul(randn(m.weight.shape as number[]), 0.5), 1));
  if (m.bias) m.bias.assign(randn(m.bias.shape as number[]));
}

/** A ConvNeXt-style block: LayerNorm over the channels of NCHW via NHWC. */
class ChannelsLast extends nn.Module {
  norm = nn.LayerNorm(8, { eps: 1e-6 });
  forward(x: AnyTensor): AnyTensor {
    return permute((this.norm as unknown as AnyModule).forward(permute(x, [0, 2, 3, 1])), [0, 3, 1, 2]);
  }
}

class Functional extends nn.Module {
  forward(x: AnyTensor): AnyTensor {
    return nn.functional.groupNorm(nn.functional.layerNorm(x, [4, 5]), 2);
  }
}

describe("exportOnnx: LayerNorm and GroupNorm", () => {
  const cases: [string, () => nn.LayerNorm | nn.GroupNorm, number[], string[] | null][] = [
    ["LayerNorm over the last dim", () => nn.LayerNorm(6), [2, 3, 6], ["LayerNormalization"]],
    ["LayerNorm over the last three dims", () => nn.LayerNorm([3, 4, 5]), [2, 3, 4, 5], ["LayerNormalization"]],
    [
      "LayerNorm without affine",
      () => nn.LayerNorm([4, 5], { elementwiseAffine: false }),
      [2, 3, 4, 5],
      ["LayerNormalization"],
    ],
    ["GroupNorm on [N, C, H, W]", () => nn.GroupNorm(2, 6), [2, 6, 4, 5], null],
    ["GroupNorm on [N, C]", () => nn.GroupNorm(3, 6, { eps: 1e-3 }), [4, 6], null],
    ["GroupNorm without affine", () => nn.GroupNorm(6, 6, { affine: false }), [2, 6, 7], null],
  ];
  for (const [name, make, shape, ops] of cases) {
    it(name, async () => {
      manualSeed(21);
      const layer = make();
      perturb(layer);
      const model = layer as unknown as AnyModule;
      const r = await runBoth(model, add(mul(randn(shape), 3), 1));
      expect(r.onnxShape).toEqual(r.shape);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-5 * Math.max(1, r.scale));
      const types = opTypes(model, shape);
      if (ops) expect(types).toEqual([...ops, "Identity"]);
      else expect(types).not.toContain("LayerNormalization");
    });
  }

  it("float64 LayerNorm as LayerNormalization", async () => {
    manualSeed(3);
    // (the exporter takes the input's dtype from the parameters: a float64 model has some)
    const model = nn.LayerNorm([2, 5], { dtype: "float64" }) as unknown as AnyModule;
    const r = await runBoth(model, randn([3, 2, 5], { dtype: "float64" }));
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-12 * Math.max(1, r.scale));
    expect(opTypes(model, [3, 2, 5])).toEqual(["LayerNormalization", "Identity"]);
  });

  it("a conv stage with GroupNorm and a ConvNeXt LayerNorm over channels", async () => {
    manualSeed(22);
    const block = new ChannelsLast();
    perturb(block.norm);
    const model = nn.Sequential(
      nn.Conv2d(3, 8, 3, { padding: 1 }),
      nn.GroupNorm(4, 8),
      nn.SiLU(),
      block,
    ) as unknown as AnyModule;
    model.eval();
    const r = await runBoth(model, randn([2, 3, 6, 6]));
    expect(r.onnxShape).toEqual(r.shape);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-5 * Math.max(1, r.scale));
    expect(opTypes(model, [2, 3, 6, 6])).toContain("LayerNormalization");
  });

  it("the functional forms in a custom forward export as their traces", async () => {
    manualSeed(23);
    const r = await runBoth(new Functional(), randn([2, 4, 4, 5]));
    expect(r.onnxShape).toEqual(r.shape);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-5 * Math.max(1, r.scale));
  });

  // float32 traces record the fused primitive (rowNorm): layerNorm's is LayerNormalization over
  // the normalised dims, groupNorm's the composition over [N, G, rest], whose reshapes follow a
  // dynamic batch.
  it("the fused primitive's trace: LayerNormalization and the groupNorm composition, with a dynamic batch", async () => {
    manualSeed(24);
    const model = new Functional() as unknown as AnyModule;
    const types = opTypes(model, [2, 4, 4, 5]);
    expect(types.filter((t) => t === "LayerNormalization")).toHaveLength(1);
    expect(types.filter((t) => t === "ReduceMean")).toHaveLength(2);
    const r = await runBoth(model, add(mul(randn([5, 4, 4, 5]), 2), 3), { dynamicBatch: true }, [2, 4, 4, 5]);
    expect(r.onnxShape).toEqual([5, 4, 4, 5]);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-5 * Math.max(1, r.scale));
  });
});
