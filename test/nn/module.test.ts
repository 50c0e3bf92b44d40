import { describe, expect, it } from "vitest";
import { manualSeed, randn, tensor, type AnyTensor } from "../../src/index.js";
import * as shapegrad from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";
import { parseSafetensors } from "../../src/io/safetensors.js";

const lucid = () =>
  nn.Sequential(
    nn.Conv2d(3, 16, 3, { padding: 1 }),
    nn.ReLU(),
    nn.Conv2d(16, 32, 3, { padding: 1 }),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 16 * 16, 10),
  );

const values = (t: AnyTensor): number[] => Array.from(t.dataSync());

/** A user-defined module with a typed forward and named children, as in PyTorch. */
class TwoLayer extends nn.Module {
  fc1 = nn.Linear(4, 8);
  act = nn.ReLU();
  fc2 = nn.Linear(8, 2);
  extra = nn.Parameter(tensor([1, 2]));
  forward<N extends number>(x: import("../../src/index.js").Tensor<[N, 4]>) {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

describe("nn.Module", () => {
  it("finds parameters by walking properties, with PyTorch's names", () => {
    const m = new TwoLayer();
    expect(m.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual([
      ["extra", [2]],
      ["fc1.weight", [8, 4]],
      ["fc1.bias", [8]],
      ["fc2.weight", [2, 8]],
      ["fc2.bias", [2]],
    ]);
    expect(m.parameterCount()).toBe(2 + 32 + 8 + 16 + 2);
    expect(m.children().length).toBe(3);
    const seq = lucid();
    expect(seq.namedParameters().map(([n]) => n)).toEqual([
      "0.weight",
      "0.bias",
      "2.weight",
      "2.bias",
      "6.weight",
      "6.bias",
    ]);
    expect(seq.parameters().every((p) => p.requiresGrad)).toBe(true);
  });

  it("train() and eval() reach every descendant; zeroGrad clears gradients", () => {
    const m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5), nn.BatchNorm2d(2)));
    m.eval();
    expect(m.namedModules().every(([, c]) => !c.training)).toBe(true);
    m.train();
    expect(m.namedModules().every(([, c]) => c.training)).toBe(true);
    const lin = m.layers[0];
    const y = lin.forward(tensor([[1, 2]]));
    y.backward();
    expect(lin.weight.grad).not.toBeNull();
    m.zeroGrad();
    expect(lin.weight.grad).toBeNull();
  });

  it("layers can be made with or without new, and instanceof holds", () => {
    const a = nn.Linear(2, 3);
    const b = new nn.Linear(2, 3);
    expect(a).toBeInstanceOf(nn.Linear);
    expect(b).toBeInstanceOf(nn.Linear);
    expect(a).toBeInstanceOf(nn.Module);
    // The public contract: `import { nn, optim, conv2d } from "shapegrad"`, with nn.functional.conv2d the same function.
    expect(shapegrad.nn.functional.conv2d).toBe(shapegrad.conv2d);
    expect(shapegrad.nn.functional.maxPool2d).toBe(shapegrad.maxPool2d);
    expect(shapegrad.nn.Conv2d).toBe(nn.Conv2d);
    expect(typeof shapegrad.optim.Adam).toBe("function");
  });

  it("initialises Conv2d and Linear as PyTorch does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), reproducibly", () => {
    manualSeed(1);
    const conv = nn.Conv2d(8, 64, 3);
    const bound = 1 / Math.sqrt(8 * 9);
    const w = values(conv.weight);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.99 * bound);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.05 * bound);
    expect(variance / ((bound * bound) / 3)).toBeGreaterThan(0.95); // U(-b, b) has variance b^2 / 3
    expect(variance / ((bound * bound) / 3)).toBeLessThan(1.05);
    expect(Math.max(...values(conv.bias!).map(Math.abs))).toBeLessThanOrEqual(bound);
    const grouped = nn.Conv2d(8, 4, 3, { groups: 4, bias: false });
    expect([...grouped.weight.shape]).toEqual([4, 2, 3, 3]);
    expect(grouped.bias).toBeNull();
    expect(Math.max(...values(grouped.weight).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(2 * 9));
    manualSeed(1);
    expect(values(nn.Conv2d(8, 64, 3).weight)).toEqual(w);
    const lin = nn.Linear(100, 10);
    expect(Math.max(...values(lin.weight).map(Math.abs))).toBeLessThanOrEqual(0.1);
  });

  it("stateDict round trip reproduces the outputs, buffers included", () => {
    manualSeed(2);
    const a = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 2));
    const x = randn([4, 2, 6, 6]);
    a.forward(x); // updates the running statistics
    a.eval();
    const state = a.stateDict();
    expect([...state.keys()]).toEqual([
      "0.weight",
      "0.bias",
      "1.weight",
      "1.bias",
      "1.running_mean",
      "1.running_var",
      "1.num_batches_tracked",
      "4.weight",
      "4.bias",
    ]);
    expect(state.get("1.num_batches_tracked")!.item()).toBe(1);
    manualSeed(3);
    const b = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 2));
    b.eval();
    expect(values(b.forward(x))).not.toEqual(values(a.forward(x)));
    b.loadStateDict(state);
    expect(values(b.forward(x))).toEqual(values(a.forward(x)));
  });

  it("loadStateDict refuses wrong names, shapes and dtypes, leaving the model untouched", () => {
    const m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm2d(3));
    const before = m.stateDict();
    const good = () => new Map(before);
    const snapshot = () => [...m.stateDict().values()].map(values);
    const original = snapshot();

    const missing = good();
    missing.delete("0.bias");
    expect(() => m.loadStateDict(missing)).toThrow('loadStateDict: missing "0.bias"');
    const extra = good();
    extra.set("2.weight", tensor([1]));
    expect(() => m.loadStateDict(extra)).toThrow('loadStateDict: unexpected "2.weight"');
    const shape = good();
    shape.set(
      "0.weight",
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    shape.set("0.bias", tensor([9, 9, 9]));
    expect(() => m.loadStateDict(shape)).toThrow(
      'loadStateDict: "0.weight" has shape [2, 3] but the model expects [3, 2]',
    );
    const dtype = good();
    dtype.set("0.bias", tensor([1, 2, 3], { dtype: "float64" }));
    dtype.set(
      "0.weight",
      tensor([
        [7, 7],
        [7, 7],
        [7, 7],
      ]),
    );
    expect(() => m.loadStateDict(dtype)).toThrow(
      'loadStateDict: "0.bias" has dtype float64 but the model expects float32',
    );
    expect(snapshot()).toEqual(original);
    const partial = new Map([["0.bias", tensor([5, 6, 7])]]);
    m.loadStateDict(partial, { strict: false });
    expect(values(m.layers[0].bias!)).toEqual([5, 6, 7]);
  });

  it("safetensors round trip, and a corrupt file is refused with the tensor named and the model untouched", () => {
    manualSeed(4);
    const a = lucid();
    const bytes = nn.saveSafetensors(a, { note: "test" });
    const file = parseSafetensors(bytes);
    expect(file.metadata).toEqual({ note: "test" });
    expect(file.tensors.get("6.weight")!.shape).toEqual([10, 8192]);
    manualSeed(5);
    const b = lucid();
    const x = randn([1, 3, 32, 32]);
    nn.loadSafetensors(b, bytes);
    expect(values(b.forward(x))).toEqual(values(a.forward(x)));

    // Cut the file short: the last tensor in the data section no longer fits.
    manualSeed(6);
    const c = lucid();
    const before = values(c.forward(x));
    expect(() => nn.loadSafetensors(c, bytes.subarray(0, bytes.length - 4))).toThrow(
      /safetensors: tensor "[0-9.a-z]+" ends at byte \d+ but the data section has only \d+ bytes/,
    );
    // A file from a different model: every name is checked before anything is written.
    const other = nn.saveSafetensors(
      nn.Sequential(nn.Conv2d(3, 16, 3, { padding: 1 }), nn.ReLU(), nn.Conv2d(16, 8, 3, { padding: 1 })),
    );
    expect(() => nn.loadSafetensors(c, other)).toThrow('loadStateDict: missing "6.weight", "6.bias"');
    expect(values(c.forward(x))).toEqual(before);
  });

  it("to(dtype) casts parameters and buffers; gradients then flow in float64", () => {
    const m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm2d(2)).to("float64");
    expect(m.parameters().every((p) => p.dtype === "float64" && p.requiresGrad)).toBe(true);
    expect(m.namedBuffers().map(([n, b]) => [n, b.dtype])).toEqual([
      ["1.running_mean", "float64"],
      ["1.running_var", "float64"],
      ["1.num_batches_tracked", "int32"],
    ]);
  });

  it("to() keeps every parameter object, so an optimizer made before the move still trains the module", () => {
    const m = nn.Linear(3, 2);
    const before = m.parameters();
    const opt = new optim.SGD(m.parameters(), { lr: 0.5 });
    m.to("float64");
    expect(m.parameters()).toEqual(before);
    expect(m.parameters().every((p, i) => p === before[i] && p.dtype === "float64" && p.requiresGrad)).toBe(true);
    const w0 = Array.from(m.weight.dataSync());
    const x = tensor([[1, 2, 3]], { dtype: "float64" });
    nn.functional.mseLoss(m.forward(x as never), tensor([[0, 0]], { dtype: "float64" }) as never).backward();
    opt.step();
    expect(Array.from(m.weight.dataSync())).not.toEqual(w0);
    m.to("float64"); // already there: nothing changes
    expect(m.parameters()[0]).toBe(before[0]);
  });

  it("summary prints each layer's output shape and parameter count (torchinfo style)", () => {
    const text = lucid().summary([8, 3, 32, 32]);
    const rows = text.split("\n");
    const row = (label: string) => rows.find((r) => r.trimStart().startsWith(label))!;
    expect(row("Conv2d (0)")).toMatch(/\[8, 16, 32, 32\]\s+448$/);
    expect(row("ReLU (1)")).toMatch(/\[8, 16, 32, 32\]\s+--$/);
    expect(row("Conv2d (2)")).toMatch(/\[8, 32, 32, 32\]\s+4,640$/);
    expect(row("MaxPool2d (4)")).toMatch(/\[8, 32, 16, 16\]\s+--$/);
    expect(row("Flatten (5)")).toMatch(/\[8, 8192\]\s+--$/);
    expect(row("Linear (6)")).toMatch(/\[8, 10\]\s+81,930$/);
    expect(text).toContain("Total params: 87,018");
    expect(row("Sequential")).toMatch(/\[8, 10\]\s+87,018$/);
  });

  it("summary shows custom modules' output shapes and indents an array's modules once under their owner", () => {
    /** A custom module holding an array of custom modules. */
    class Stack extends nn.Module {
      blocks = [new TwoLayerBlock(), new TwoLayerBlock()];
      forward(x: AnyTensor): AnyTensor {
        return this.blocks.reduce((h, b) => b.forward(h), x);
      }
    }
    class TwoLayerBlock extends nn.Module {
      fc = nn.Linear(4, 4);
      forward(x: AnyTensor): AnyTensor {
        return this.fc.forward(x);
      }
    }
    const model = new Stack();
    const printed: unknown[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => {
      printed.push(...a);
    };
    let text: string;
    try {
      text = model.summary([3, 4]);
      expect(printed).toEqual([]);
      expect(model.summary([3, 4], { print: true })).toBe(text);
      expect(printed).toEqual([text]);
    } finally {
      console.log = log;
    }
    const rows = text.split("\n").filter((r) => /^ *(Stack|TwoLayerBlock|Linear)/.test(r));
    expect(rows.map((r) => r.replace(/(\S)\s{2,}/g, "$1 | ").trimEnd())).toEqual([
      "Stack | [3, 4] | 40",
      "  TwoLayerBlock (blocks.0) | [3, 4] | 20",
      "    Linear (blocks.0.fc) | [3, 4] | 20",
      "  TwoLayerBlock (blocks.1) | [3, 4] | 20",
      "    Linear (blocks.1.fc) | [3, 4] | 20",
    ]);
    // the instances' forward is the class's again
    expect(Object.hasOwn(model, "forward") || model.blocks.some((b) => Object.hasOwn(b, "forward"))).toBe(false);
    // a typed custom module: its output shape too
    expect(
      new TwoLayer()
        .summary([5, 4])
        .split("\n")
        .find((r) => r.startsWith("TwoLayer")),
    ).toMatch(/^TwoLayer\s+\[5, 2\]\s+60$/);
  });

  it("a layer that does not fit throws the compile-time message, with its position", () => {
    const bad = nn.Sequential(
      nn.Conv2d(3, 16, 3, { padding: 1 }),
      nn.ReLU(),
      nn.Conv2d(16, 32, 3, { padding: 1 }),
      nn.ReLU(),
      nn.MaxPool2d(2),
      nn.Flatten(),
      nn.Linear(32 * 16 * 15, 10),
    );
    expect(() => bad.forward(randn([8, 3, 32, 32]) as never)).toThrow(
      "nn.Sequential: layer 6 (Linear): linear: input [8, 8192] has 8192 features but the layer expects 7680 (weight [10, 7680])",
    );
    const bn = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Flatten(), nn.BatchNorm2d(3)));
    expect(() => bn.forward(randn([2, 4]) as never)).toThrow(
      "nn.Sequential: layer 1 (Sequential): nn.Sequential: layer 1 (BatchNorm2d): BatchNorm2d: input has 4 channels but the layer expects 3 (input [2, 4])",
    );
    expect(() => nn.AvgPool2d(2).forward(randn([2, 3]) as never)).toThrow(
      "avgPool2d: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape [2, 3]",
    );
    expect(() => nn.AdaptiveAvgPool2d(2).forward(randn([2, 3]) as never)).toThrow(
      "adaptiveAvgPool2d: expected input [N, C, H, W] or [C, H, W], got shape [2, 3]",
    );
    expect(() => nn.AvgPool2d(3, { padding: 2 }).forward(randn([1, 1, 8, 8]) as never)).toThrow(
      "avgPool2d: padding [2, 2] must be at most half the kernel size [3, 3]",
    );
    const pool = nn.Sequential(nn.MaxPool2d(5));
    expect(() => pool.forward(randn([2, 3, 4, 9]) as never)).toThrow(
      "nn.Sequential: layer 0 (MaxPool2d): maxPool2d: output size would be 0x1: the 5x5 window (kernel [5, 5], dilation [1, 1]) does not fit the input 4x9 with padding [0, 0]",
    );
  });

  it("dropout: inverted scaling in training, identity in eval, reproducible", () => {
    const d = nn.Dropout(0.25);
    const x = tensor(new Float32Array(20000).fill(1), { shape: [20000] });
    manualSeed(9);
    const y = values(d.forward(x));
    const kept = y.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    expect(Math.abs(kept.length / 20000 - 0.75)).toBeLessThan(0.02);
    manualSeed(9);
    expect(values(d.forward(x))).toEqual(y);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(() => nn.Dropout(1.5)).toThrow("Dropout: p must be a probability in [0, 1], got 1.5");
  });

  it("BatchNorm2d in eval uses the running statistics; in train it updates them", () => {
    const bn = nn.BatchNorm2d(2, { momentum: 0.5 });
    const x = tensor([
      [[[1, 3]], [[10, 30]]],
      [[[5, 7]], [[50, 70]]],
    ]); // [2, 2, 1, 2]
    bn.forward(x);
    // channel 0: mean 4, unbiased var of [1, 3, 5, 7] = 20/3; running = 0.5 * init + 0.5 * batch
    expect(values(bn.runningMean!)).toEqual([2, 20]);
    expect(values(bn.runningVar!)[0]).toBeCloseTo(0.5 + (0.5 * 20) / 3, 5);
    bn.eval();
    const y = values(bn.forward(x));
    expect(y[0]).toBeCloseTo((1 - 2) / Math.sqrt(0.5 + 10 / 3 + 1e-5), 5);
  });

  it("loadSafetensors casts float weights to the model's dtype only when asked", () => {
    manualSeed(14);
    const a = nn.Linear(3, 2);
    const bytes = nn.saveSafetensors(a);
    const b = nn.Linear(3, 2, { dtype: "float64" });
    expect(() => nn.loadSafetensors(b, bytes)).toThrow(
      'loadStateDict: "weight" has dtype float32 but the model expects float64',
    );
    nn.loadSafetensors(b, bytes, { castFloats: true });
    expect(b.weight.dtype).toBe("float64");
    expect(values(b.weight)).toEqual(values(a.weight));
  });
});
