import { describe, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import { gradcheck, randomArray, seededRng } from "../helpers/gradcheck.js";

const rng = seededRng(7);
const t = (shape: number[], shift = 0) =>
  sg.tensor(
    randomArray(
      shape.reduce((a, b) => a * b, 1),
      rng,
    ).map((v) => v + shift),
    { shape, dtype: "float64" },
  );

describe("every differentiable primitive matches float64 finite differences", () => {
  const unary: [string, (x: sg.AnyTensor) => sg.AnyTensor, number][] = [
    ["neg", sg.neg, 0],
    ["exp", sg.exp, 0],
    ["log", sg.log, 3],
    ["sqrt", sg.sqrt, 3],
    ["abs", sg.abs, 0],
    ["tanh", sg.tanh, 0],
    ["sigmoid", sg.sigmoid, 0],
    ["relu", sg.relu, 0],
    ["erf", sg.erf, 0],
    ["square", sg.square, 0],
  ];
  for (const [name, f, shift] of unary) it(name, () => gradcheck(f, [t([2, 3], shift)]));

  const binary: [string, (a: sg.AnyTensor, b: sg.AnyTensor) => sg.AnyTensor][] = [
    ["add", (a, b) => sg.add(a, b)],
    ["sub", (a, b) => sg.sub(a, b)],
    ["mul", (a, b) => sg.mul(a, b)],
    ["div", (a, b) => sg.div(a, sg.add(sg.abs(b), 1))],
    ["maximum", (a, b) => sg.maximum(a, b)],
  ];
  for (const [name, f] of binary) {
    it(`${name} with broadcasting`, () => gradcheck(f, [t([2, 1, 3]), t([4, 1])]));
    it(`${name} with a scalar`, () => gradcheck(f, [t([]), t([3, 2])]));
  }

  it("sum / mean / max over dims, keepdim or not", () => {
    gradcheck((x) => sg.sum(x, [0, 2]), [t([2, 3, 4])]);
    gradcheck((x) => sg.mean(x, 1, true), [t([2, 3, 4])]);
    gradcheck((x) => sg.max(x, -1), [t([3, 5])]);
    gradcheck((x) => sg.sum(x), [t([3, 2])]);
  });
  it("reshape, permute, transpose, expand, flatten", () => {
    gradcheck((x) => sg.reshape(x, [3, -1]), [t([2, 3, 2])]);
    gradcheck((x) => sg.permute(x, [2, 0, 1]), [t([2, 3, 4])]);
    gradcheck((x) => sg.transpose(x, 0, 2), [t([2, 3, 4])]);
    gradcheck((x) => sg.expand(x, [2, 3, 4]), [t([3, 1])]);
    gradcheck((x) => sg.flatten(x, 1), [t([2, 3, 4])]);
  });
  it("matmul: 2-D, batched with broadcasting, 1-D", () => {
    gradcheck((a, b) => sg.matmul(a, b), [t([3, 4]), t([4, 2])]);
    gradcheck((a, b) => sg.matmul(a, b), [t([2, 3, 4]), t([4, 5])]);
    gradcheck((a, b) => sg.matmul(a, b), [t([4]), t([2, 4, 3])]);
  });
  it("maxPool2d (distinct values, so the argmax is stable under the perturbation)", () => {
    const x = sg.tensor(
      Float64Array.from({ length: 2 * 2 * 5 * 5 }, (_, i) => Math.sin(i * 1.7) * 3),
      { shape: [2, 2, 5, 5], dtype: "float64" },
    );
    gradcheck((x) => sg.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }), [x]);
  });
  it("the max gradient is shared among ties (torch.amax)", () => {
    const x = sg.tensor(
      [
        [1, 5, 5],
        [2, 2, 0],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    sg.max(x, 1).backward();
    expectArray(x.grad!.dataSync(), [0, 0.5, 0.5, 0.5, 0.5, 0]);
  });
});

describe("double backward", () => {
  it("second derivative of x^3 sin-free polynomial via nested grad", () => {
    const f = (x: sg.AnyTensor) => sg.sum(sg.mul(sg.mul(x, x), x));
    const d2 = sg.grad((x: sg.AnyTensor) => sg.sum(sg.grad(f)(x)));
    const x = sg.tensor([1, -2, 3], { dtype: "float64" });
    expectArray(d2(x).dataSync(), [6, -12, 18]);
  });
  it("gradient of the gradient matches finite differences of the gradient", () => {
    const f = (x: sg.AnyTensor) => sg.sum(sg.tanh(sg.mul(x, sg.sigmoid(x))));
    gradcheck((x) => sg.grad(f, { createGraph: true })(x), [t([5])]);
  });
});

describe("autograd semantics", () => {
  it("gradients accumulate into .grad across backward calls until cleared", () => {
    const x = sg.tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    sg.sum(sg.mul(x, 2)).backward();
    sg.sum(sg.mul(x, 3)).backward();
    expectArray(x.grad!.dataSync(), [5, 5, 5]);
    x.grad = null;
    sg.sum(x).backward();
    expectArray(x.grad!.dataSync(), [1, 1, 1]);
  });
  it("a tensor used twice gets both contributions", () => {
    const x = sg.tensor([2, 3], { dtype: "float64", requiresGrad: true });
    sg.sum(sg.add(sg.mul(x, x), x)).backward();
    expectArray(x.grad!.dataSync(), [5, 7]);
  });
  it("a broadcast operand's gradient is summed back to its shape", () => {
    const b = sg.tensor([[1], [2]], { dtype: "float64", requiresGrad: true });
    const x = sg.ones([2, 3], { dtype: "float64" });
    sg.add(x, b).backward();
    expectArray(b.grad!.dataSync(), [3, 3]);
    if (b.grad!.shape.join() !== "2,1") throw new Error(`grad shape ${b.grad!.shape}`);
  });
  it("a non-scalar output with no seed is seeded with ones; a wrong seed shape is an error", () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    sg.mul(x, 3).backward();
    expectArray(x.grad!.dataSync(), [3, 3]);
    const y = sg.mul(x, 3);
    expectThrow(() => y.backward(sg.ones([3]) as never), "backward: the seed gradient has shape [3]");
  });
  it("noGrad records nothing", () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const y = sg.noGrad(() => sg.mul(x, 2));
    if (y.requiresGrad) throw new Error("recorded under noGrad");
    expectThrow(() => y.backward(), "backward: this tensor does not require grad");
  });
  it("detach cuts the graph", () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const y = sg.mul(sg.mul(x, 2).detach(), x);
    y.backward();
    expectArray(x.grad!.dataSync(), [2, 4]);
  });
  it("random draws are reproducible with manualSeed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (seed) => {
        sg.manualSeed(seed);
        const a = sg.randn([5]).dataSync().slice();
        sg.manualSeed(seed);
        const b = sg.randn([5]).dataSync();
        return a.every((v, i) => v === b[i]);
      }),
      { seed: 42, numRuns: 50 },
    );
  });
});

function expectArray(actual: ArrayLike<number>, expected: number[], tol = 1e-9): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tol)
      throw new Error(`at ${i}: ${actual[i]} != ${expected[i]} (${Array.from(actual)})`);
  }
}
function expectThrow(f: () => unknown, start: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof Error) || !e.message.startsWith(start)) throw new Error(`wrong error: ${(e as Error).message}`);
    return;
  }
  throw new Error("did not throw");
}
