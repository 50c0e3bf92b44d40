/**
 * The typed ResNet-18 of examples/resnet18.ts gives PyTorch's logits for PyTorch's weights: the
 * state dict of a torchvision-layout ResNet-18 filled by a shared hash (see resnet18-weights.ts),
 * passed through safetensors, and a hashed [2, 3, 64, 64] input, in eval mode. float32 must match
 * PyTorch's float32 logits to rounding; float64 (the same float32-rounded weights) to 1e-9.
 */
import { describe, expect, it } from "vitest";
import { tensor, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { resnet18 } from "../../examples/resnet18.js";
import { fill, hashUniform } from "./resnet18-weights.js";
import { expectClose, fixture, type Enc } from "./helpers.js";

interface Golden {
  stateDictKeys: [string, number[], string][];
  probe: Record<string, number[]>;
  logits32: Enc;
  logits64: Enc;
}
const golden = fixture<Golden>("resnet18.json");

describe("ResNet-18 (examples/resnet18.ts) vs PyTorch", () => {
  const model = resnet18();
  const state = model.stateDict();

  it("has torchvision's state-dict names, shapes and dtypes", () => {
    expect([...state.entries()].map(([k, t]) => [k, [...t.shape], t.dtype === "int32" ? "I64" : "F32"])).toEqual(
      golden.stateDictKeys,
    );
    expect(model.parameterCount()).toBe(11689512);
  });

  const weights = new Map<string, AnyTensor>();
  for (const [name, shape] of golden.stateDictKeys) {
    const data = fill(name, shape);
    weights.set(name, tensor(data, { shape, dtype: data instanceof Int32Array ? "int32" : "float32" }));
  }
  const input = tensor(Float32Array.from(hashUniform("input", 2 * 3 * 64 * 64)), { shape: [2, 3, 64, 64] });

  it("the hash reproduces PyTorch's weights", () => {
    for (const [name, values] of Object.entries(golden.probe))
      expect([...weights.get(name)!.dataSync().slice(0, 3)]).toEqual(values);
  });

  it("loads the weights through safetensors and gives PyTorch's float32 logits", () => {
    const bytes = nn.stateDictToSafetensors(weights, { format: "pt" });
    nn.loadSafetensors(model, bytes);
    model.eval();
    const logits = model.forward(input);
    expect([...logits.shape]).toEqual([2, 1000]);
    expectClose(logits, golden.logits32, 2e-5, "float32 logits");
  });

  it("in float64 matches PyTorch's float64 logits to 1e-9", () => {
    const m64 = resnet18().to("float64");
    m64.loadStateDict(
      new Map(
        [...weights].map(([k, t]) => [
          k,
          t.dtype === "float32"
            ? (tensor(Float64Array.from(t.dataSync()), { shape: [...t.shape], dtype: "float64" }) as AnyTensor)
            : t,
        ]),
      ),
    );
    m64.eval();
    const x64 = tensor(Float64Array.from(input.dataSync()), { shape: [2, 3, 64, 64], dtype: "float64" });
    expectClose(m64.forward(x64), golden.logits64, 1e-9, "float64 logits");
  });
});
