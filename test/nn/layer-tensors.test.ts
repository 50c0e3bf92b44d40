/**
 * Issue 21: nn.Conv2d and nn.ConvTranspose2d check their options at construction (as PyTorch's
 * constructors do, with the texts the first forward would throw), and nn.Conv2d,
 * nn.ConvTranspose2d and nn.Linear take pre-built weight and bias tensors, checked against the
 * declared shapes with the compile-time text (test-d/messages/conv-layers.ts), which then train.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { manualSeed, mul, nn, optim, randn, sum, tensor, zeros, type AnyTensor } from "../../src/index.js";
import { conv2dErrors, layerErrors } from "../../types/errors.js";
import { root } from "../types/message-check.mjs";

// Imported by path: the fixture holds compile errors on purpose, outside the project's type check.
const path = join(root, "test-d/messages/conv-layers.ts");
const fixture = (await import(path)) as {
  valid: Record<string, () => nn.Module>;
  cases: Record<string, () => nn.Module>;
};
const lines = readFileSync(path, "utf8").split("\n");
const messageOf = (name: string) => {
  const i = lines.findIndex((l) => new RegExp(`^\\s*${name}: \\(\\) =>`).test(l));
  const m = /^\s*\/\/ error: (.*)$/.exec(lines[i + 2] ?? "");
  if (i < 0 || !m) throw new Error(`no annotated case ${name}`);
  return m[1];
};

describe("layers built from given tensors: the constructor throws the compile-time text", () => {
  const cases = Object.entries(fixture.cases);
  it("covers every annotated call", () =>
    expect(cases.length).toBe(lines.filter((l) => /^\s*\/\/ error: /.test(l)).length));
  for (const [name, build] of cases) it(name, () => expect(build).toThrow(new Error(messageOf(name))));
  for (const [name, build] of Object.entries(fixture.valid)) it(`builds ${name}`, () => expect(build).not.toThrow());
});

describe("layers built from given tensors", () => {
  it("make the given tensors their parameters, requiring grad as nn.Parameter does", () => {
    const w = zeros([16, 3, 3, 3]);
    const b = zeros([16]);
    expect(w.requiresGrad).toBe(false);
    const m = nn.Conv2d(3, 16, 3, { weight: w, bias: b });
    expect(m.weight).toBe(w);
    expect(m.bias).toBe(b);
    expect(w.requiresGrad && b.requiresGrad).toBe(true);
    expect(m.parameters()).toEqual([w, b]);
    expect([...m.stateDict().keys()]).toEqual(["weight", "bias"]);
  });

  it("detach a given tensor that is part of a graph (sharing its data)", () => {
    const a = randn([2, 4], { requiresGrad: true });
    const w = mul(a, 2);
    const m = nn.Linear(4, 2, { weight: w });
    expect(m.weight).not.toBe(w);
    expect(m.weight.requiresGrad).toBe(true);
    expect(Array.from(m.weight.dataSync())).toEqual(Array.from(w.dataSync()));
  });

  it("draw what is not given on the given tensors' dtype, as PyTorch initialises it", () => {
    manualSeed(1);
    const m = nn.ConvTranspose2d(4, 6, 3, { groups: 2, weight: zeros([4, 3, 3, 3], { dtype: "float64" }) });
    expect(m.bias?.dtype).toBe("float64");
    expect(m.bias?.shape).toEqual([6]);
    const bound = 1 / Math.sqrt(3 * 9); // fan_in from the weight's dim 1 and the kernel
    expect(Array.from(m.bias!.dataSync()).every((v) => Math.abs(v) <= bound)).toBe(true);
    const l = nn.Linear(3, 2, { bias: zeros([2], { dtype: "float64" }) });
    expect(l.weight.dtype).toBe("float64");
    expect(nn.Conv2d(3, 4, 1, { weight: zeros([4, 3, 1, 1]), bias: false }).bias).toBeNull();
    // the layer's type follows: a float64 input is what its forward takes
    const y = l.forward(tensor([[1, 2, 3]], { dtype: "float64" }));
    expect(y.dtype).toBe("float64");
  });

  it("compute with the given values", () => {
    const w = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const m = nn.Linear(3, 2, { weight: w, bias: tensor([10, 20]) });
    expect(Array.from(m.forward(tensor([[1, 1, 1]])).dataSync())).toEqual([16, 35]);
  });

  it("train: the given tensors change and the loss decreases", () => {
    manualSeed(7);
    const w = mul(randn([8, 3, 3, 3]), 0.2);
    const b = zeros([8]);
    const t = mul(randn([8, 3, 2, 2]), 0.2);
    const conv = nn.Conv2d(3, 8, 3, { weight: w, bias: b });
    const up = nn.ConvTranspose2d(8, 3, 2, { stride: 2, weight: t, bias: false });
    const head = nn.Linear(3 * 12 * 12, 1, { weight: mul(randn([1, 432]), 0.01) });
    const x = randn([2, 3, 8, 8]);
    const w0 = Array.from(w.dataSync()),
      t0 = Array.from(t.dataSync());
    const opt = new optim.SGD([...conv.parameters(), ...up.parameters(), ...head.parameters()], { lr: 1e-3 });
    const loss = () => {
      const y = head.forward(up.forward(conv.forward(x)).reshape([2, 432]));
      return sum(mul(y, y));
    };
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      opt.zeroGrad();
      const l = loss();
      losses.push(l.item());
      l.backward();
      opt.step();
    }
    expect(losses[4], JSON.stringify(losses)).toBeLessThan(losses[0]);
    expect(Array.from(w.dataSync())).not.toEqual(w0);
    expect(Array.from(t.dataSync())).not.toEqual(t0);
  });

  it("refuse what is not a tensor, at run time", () => {
    const untyped = nn.Conv2d as unknown as (...args: unknown[]) => AnyTensor;
    expect(() => untyped(3, 4, 1, { weight: [1, 2] })).toThrow(
      new Error(layerErrors.tensor("Conv2d", "weight", "a tensor", "[1, 2]")),
    );
    expect(() => untyped(3, 4, 1, { bias: 3 })).toThrow(
      new Error(layerErrors.tensor("Conv2d", "bias", "true, false or a tensor", "3")),
    );
  });
});

describe("the conv layers check their options at construction, as PyTorch's constructors do", () => {
  it("Conv2d: with the text the first forward would throw", () => {
    expect(() => nn.Conv2d(3, 16, 3, { padding: "same", stride: 2 })).toThrow(new Error(conv2dErrors.sameStride("2")));
    expect(() => nn.Conv2d(3, 16, 3, { paddingMode: "mirror" })).toThrow(
      new Error(conv2dErrors.paddingMode('"mirror"')),
    );
    expect(() => nn.Conv2d(3, 16, 3, { padding: -1 })).toThrow(new Error(conv2dErrors.padding("-1")));
    expect(() => nn.Conv2d(3, 16, 3, { padding: [1, 2, 3] as never })).toThrow(
      new Error(conv2dErrors.padding("[1, 2, 3]")),
    );
    expect(() => nn.Conv2d(3, 16, 3, { stride: [1, 0] })).toThrow(
      new Error(conv2dErrors.pairOption("stride", "[1, 0]")),
    );
    expect(() => nn.Conv2d(3, 16, 3, { dilation: 0 })).toThrow(new Error(conv2dErrors.pairOption("dilation", "0")));
    expect(() => nn.Conv2d(3, 16, 3, { strides: 2 } as never)).toThrow(
      new Error(conv2dErrors.unknownOption('"strides"')),
    );
    // the same text as the forward pass of conv2d with that option
    const conv2d = nn.functional.conv2d as (...args: unknown[]) => AnyTensor;
    expect(() => conv2d(zeros([1, 3, 5, 5]), zeros([16, 3, 3, 3]), null, { paddingMode: "mirror" })).toThrow(
      new Error(conv2dErrors.paddingMode('"mirror"')),
    );
    expect(() => nn.Conv2d(3, 16, 3, { padding: "same", paddingMode: "reflect" })).not.toThrow();
  });

  it("ConvTranspose2d: outputPadding against the stride and the dilation", () => {
    expect(() => nn.ConvTranspose2d(4, 2, 3, { stride: 2, outputPadding: 2 })).toThrow(
      new Error(conv2dErrors.transposeOutputPadding("[2, 2]", "[2, 2]", "[1, 1]")),
    );
    expect(() => nn.ConvTranspose2d(4, 2, 3, { padding: [1, -1] })).toThrow(
      new Error(conv2dErrors.transposePadOption("padding", "[1, -1]")),
    );
    expect(() => nn.ConvTranspose2d(4, 2, 3, { stride: 2, outputPadding: 1 })).not.toThrow();
    expect(() => nn.ConvTranspose2d(4, 2, 3, { outputPadding: 1, dilation: 2 })).not.toThrow();
  });
});
