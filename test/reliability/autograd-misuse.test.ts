/**
 * Issue 24, "autograd and tensors that cannot silently go wrong": one test per case of the issue,
 * named after it. Each misuse must end in a plain Error with the catalogue's text (built here by
 * the catalogue functions), leave every `.grad` and parameter as it was, and never give a wrong
 * number; the legitimate neighbours of each misuse (the same pattern done right) must still work.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import { nn, optim } from "../../src/index.js";
import { argumentErrors, autogradErrors, dataErrors, optimErrors, show } from "../../types/errors.js";
import { opErrors } from "../../types/errors.js";
import { fastRuntime } from "../../src/backends/cpu/fast/index.js";
import { installBackendSpy, snapshot, touched } from "./spy.js";

vi.mock("../../src/backends/cpu/arrays.js", async (importOriginal) =>
  (await import("./counters.js")).countingArrays(importOriginal),
);

installBackendSpy();
afterEach(() => sg.setMaxElements(2 ** 31 - 1));

/** Runs `f`, which must throw exactly `message` as a plain Error; returns the error. */
function throwsExactly(f: () => unknown, message: string): Error {
  let thrown: unknown = null;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected: ${message}`).toBeInstanceOf(Error);
  expect((thrown as Error).constructor).toBe(Error);
  expect((thrown as Error).message).toBe(message);
  return thrown as Error;
}

/** As throwsExactly, and the call allocated, uploaded, filled and computed nothing first. */
function refusesBeforeAllocation(f: () => unknown, message: string): void {
  const before = snapshot();
  throwsExactly(f, message);
  expect(touched(before)).toEqual([]);
}

const values = (t: sg.AnyTensor | null) => Array.from(t!.dataSync());

describe("a tensor that a live graph saved, changed before backward (version counter)", () => {
  it("the issue's example: w.assign under noGrad between forward and backward", () => {
    const x = sg.tensor([1, 1], { requiresGrad: true });
    const w = sg.tensor([2, 3]);
    const y = x.mul(w).sum();
    sg.noGrad(() => w.assign(sg.tensor([100, 100])));
    throwsExactly(() => y.backward(), autogradErrors.modified("input 1 [2] float32", "mul", "assign", 1, 0));
    expect(x.grad).toBeNull();
    // Done right: the forward pass again after the change.
    x.mul(w).sum().backward();
    expect(values(x.grad)).toEqual([100, 100]);
  });

  it("a change that no gradient reads is allowed, as in PyTorch (add saves nothing; mul's own operand)", () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const b = sg.tensor([5, 5]);
    const y = x.add(b).sum();
    b.assign(sg.tensor([7, 7]));
    y.backward();
    expect(values(x.grad)).toEqual([1, 1]);
    // d(x w)/dw reads x only: changing the constant x of a graph that differentiates w alone is fine.
    const c = sg.tensor([3, 4]);
    const w = sg.tensor([1, 1], { requiresGrad: true });
    const z = c.mul(w).sum();
    w.assign(sg.tensor([9, 9]));
    z.backward();
    expect(values(w.grad)).toEqual([3, 4]);
  });

  it("an op's saved output changed in place (exp saves its output)", () => {
    const x = sg.tensor([0, 1], { dtype: "float64", requiresGrad: true });
    const e = x.exp();
    const y = e.sum();
    e.assign(sg.tensor([5, 5], { dtype: "float64" }));
    throwsExactly(() => y.backward(), autogradErrors.modified("the output [2] float64", "exp", "assign", 1, 0));
  });

  it("a saved tensor disposed before backward", () => {
    const x = sg.tensor([1, 1], { requiresGrad: true });
    const w = sg.tensor([2, 3]);
    const y = x.mul(w).sum();
    w.dispose();
    throwsExactly(() => y.backward(), autogradErrors.disposedSaved("input 1 [2] float32", "mul"));
    expect(x.grad).toBeNull();
  });

  // A conv with a bias is one graph node, conv2dBias (src/primitives/conv2d.ts): the message names it.
  it("the GAN pattern: the discriminator's optimizer.step() while a graph through it is alive", () => {
    sg.manualSeed(3);
    const G = nn.Sequential(nn.Linear(4, 36), nn.Tanh());
    const D = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 1));
    const optD = new optim.Adam(D.parameters(), { lr: 0.1 });
    const z = sg.randn([3, 4]);
    const real = sg.randn([3, 1, 6, 6]);
    const fake = G.forward(z).reshape([3, 1, 6, 6]);
    const gLoss = D.forward(fake).mean().neg();
    // The discriminator's step on its own loss, with gLoss's graph through D still alive.
    D.forward(real).mean().backward();
    optD.step();
    throwsExactly(
      () => gLoss.backward(),
      autogradErrors.modified("input 1 [2, 1, 3, 3] float32", "conv2dBias", "Adam.step() (parameter 0)", 1, 0),
    );
    for (const p of G.parameters()) expect(p.grad).toBeNull();
    // Done right: the generator's loss through the updated discriminator.
    optD.zeroGrad();
    const again = D.forward(G.forward(z).reshape([3, 1, 6, 6]))
      .mean()
      .neg();
    again.backward();
    for (const p of G.parameters()) expect(values(p.grad).every(Number.isFinite)).toBe(true);
  });

  it("loadStateDict into a model whose graph is alive", () => {
    sg.manualSeed(4);
    const model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU());
    const other = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU());
    const x = sg.randn([1, 1, 5, 5], { requiresGrad: true });
    const loss = model.forward(x).sum();
    model.loadStateDict(other.stateDict());
    throwsExactly(
      () => loss.backward(),
      autogradErrors.modified("input 1 [2, 1, 3, 3] float32", "conv2dBias", 'loadStateDict ("0.weight")', 1, 0),
    );
    expect(x.grad).toBeNull();
  });

  it("Module.to() between forward and backward", () => {
    const model = nn.Sequential(nn.Conv2d(1, 1, 2));
    const x = sg.randn([1, 1, 3, 3], { requiresGrad: true });
    const loss = model.forward(x).sum();
    model.to("float64");
    throwsExactly(
      () => loss.backward(),
      autogradErrors.modified("input 1 [1, 1, 2, 2] float64", "conv2dBias", "Module.to", 1, 0),
    );
  });

  it("an SGD step on a matmul operand, checked on both operands (pair rule)", () => {
    const a = sg.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const b = sg.tensor(
      [
        [1, 0],
        [0, 1],
      ],
      { requiresGrad: true },
    );
    const y = a.matmul(b).sum();
    a.grad = sg.ones([2, 2]);
    new optim.SGD([a], { lr: 1 }).step();
    a.grad = null;
    throwsExactly(
      () => y.backward(),
      autogradErrors.modified("input 0 [2, 2] float32", "matmul", "SGD.step() (parameter 0)", 1, 0),
    );
    expect(b.grad).toBeNull();
  });
});

describe("conv2d's packed copy of a weight after a write through dataSync()", () => {
  const conv = (x: sg.AnyTensor, w: sg.AnyTensor) =>
    (sg.conv2d as (...a: unknown[]) => sg.AnyTensor)(x, w, null, { padding: 1 });
  const reference = (x: sg.AnyTensor, w: sg.AnyTensor) => conv(x.cast("float64"), w.cast("float64")).dataSync();
  const close = (got: ArrayLike<number>, want: ArrayLike<number>) => {
    expect(got.length).toBe(want.length);
    for (let i = 0; i < got.length; i++)
      expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4 * (1 + Math.abs(want[i])));
  };

  it("a write after the weight was packed is seen by the next call, forward and input gradient", () => {
    sg.manualSeed(5);
    const x = sg.randn([2, 3, 8, 8], { requiresGrad: true });
    const w = sg.randn([5, 3, 3, 3]);
    const before = sg.conv2d(x, w, null, { padding: 1 }).dataSync().slice();
    close(before, reference(x, w));
    const data = w.dataSync();
    for (let i = 0; i < data.length; i++) data[i] = -data[i] + 0.25;
    close(sg.conv2d(x, w, null, { padding: 1 }).dataSync(), reference(x, w));
    // The input gradient packs w again (flipped): sum over outputs gives x.grad = the correlation of ones with flipped w.
    sg.conv2d(x, w, null, { padding: 1 }).sum().backward();
    const x64 = x.cast("float64").detach().requiresGrad_();
    conv(x64, w.cast("float64")).sum().backward();
    close(x.grad!.dataSync(), x64.grad!.dataSync());
  });

  it("an exposed weight that is not written keeps its packing (the cache still serves)", () => {
    sg.manualSeed(6);
    const x = sg.randn([1, 4, 8, 8]);
    const w = sg.randn([8, 4, 3, 3]);
    const data = w.dataSync();
    const y1 = sg.conv2d(x, w, null, { padding: 1 }).dataSync().slice();
    const kept = fastRuntime().keptBytes;
    const y2 = sg.conv2d(x, w, null, { padding: 1 }).dataSync();
    expect(fastRuntime().keptBytes).toBe(kept);
    expect(Array.from(y2)).toEqual(Array.from(y1));
    data[7] += 1;
    const y3 = sg.conv2d(x, w, null, { padding: 1 }).dataSync();
    expect(fastRuntime().keptBytes).toBeGreaterThan(kept);
    close(y3, reference(x, w));
  });
});

describe("a second backward() through the same graph (retainGraph)", () => {
  it("is refused and leaves .grad as the first pass left it", () => {
    const x = sg.tensor([1, 1], { requiresGrad: true });
    const y = x.mul(sg.tensor([2, 3])).sum();
    y.backward();
    throwsExactly(() => y.backward(), autogradErrors.graphUsed("mul"));
    expect(values(x.grad)).toEqual([2, 3]);
  });

  it("with { retainGraph: true } the second pass accumulates, as PyTorch's retain_graph", () => {
    const x = sg.tensor([1, 1], { requiresGrad: true });
    const y = x.mul(sg.tensor([2, 3])).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward(null as never, { retainGraph: true }); // null is "no seed", as PyTorch's None
    y.backward();
    expect(values(x.grad)).toEqual([6, 9]);
    throwsExactly(() => y.backward(), autogradErrors.graphUsed("mul"));
  });

  it("a branch shared by two losses: the second loss needs the first to retain", () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const h = x.exp();
    const a = h.sum(),
      b = h.mul(2).sum();
    a.backward();
    throwsExactly(() => b.backward(), autogradErrors.graphUsed("exp"));
    const h2 = x.exp();
    h2.sum().backward(undefined, { retainGraph: true });
    h2.mul(2).sum().backward();
    expect(values(x.grad)[0]).toBeCloseTo(Math.exp(1) * (1 + 1 + 2), 5);
  });

  it("double backward (createGraph) still works, and keeps the graph by default", () => {
    const x = sg.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const y = x.mul(x).mul(x).sum();
    y.backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(values(g)).toEqual([3, 12]);
    x.grad = null;
    g.sum().backward();
    expect(values(x.grad)).toEqual([6, 12]);
    // Nested grad and a vjp pullback called twice.
    const second = sg.grad((t: sg.AnyTensor) =>
      sg
        .grad((u: sg.AnyTensor) => u.mul(u).mul(u).sum())(t)
        .sum(),
    );
    expect(values(second(sg.tensor([1, 2], { dtype: "float64" })))).toEqual([6, 12]);
    const [, pullback] = sg.vjp((t: sg.AnyTensor) => t.mul(t), sg.tensor([1, 2], { dtype: "float64" }));
    expect(values(pullback(sg.ones([2], { dtype: "float64" }) as never)[0])).toEqual([2, 4]);
    expect(values(pullback(sg.full([2], 2, { dtype: "float64" }) as never)[0])).toEqual([4, 8]);
  });

  it("gradients() frees the graph too unless retainGraph or createGraph", () => {
    const x = sg.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    expect(values(sg.gradients(y, [x], { retainGraph: true })[0])).toEqual([2, 4]);
    expect(values(sg.gradients(y, [x])[0])).toEqual([2, 4]);
    throwsExactly(() => sg.gradients(y, [x]), autogradErrors.graphUsed("mul"));
  });
});

describe("wrong-typed arguments to the autograd entry points", () => {
  const x = sg.tensor([1, 2], { requiresGrad: true });
  const y = () => x.mul(x).sum();
  it("backward(1), backward(seed, 5), unknown and non-boolean options", () => {
    throwsExactly(() => y().backward(1 as never), argumentErrors.seed("backward", "1"));
    throwsExactly(() => y().backward([1] as never), argumentErrors.seed("backward", "[1]"));
    throwsExactly(() => y().backward("ones" as never), argumentErrors.seed("backward", '"ones"'));
    throwsExactly(() => y().backward(undefined, 5 as never), argumentErrors.options("backward", "5"));
    throwsExactly(() => y().backward(undefined, null as never), argumentErrors.options("backward", "null"));
    throwsExactly(
      () => y().backward(undefined, { retain_graph: true } as never),
      argumentErrors.unknownOption("backward", '"retain_graph"', "createGraph, retainGraph"),
    );
    throwsExactly(
      () => y().backward(undefined, { createGraph: "yes" } as never),
      argumentErrors.booleanOption("backward", "createGraph", '"yes"'),
    );
    expect(x.grad).toBeNull();
  });

  it("gradients(y, [5]) and other non-tensors", () => {
    throwsExactly(() => sg.gradients(y(), [5 as never]), opErrors.notTensor("gradients", "inputs[0]", 5));
    throwsExactly(() => sg.gradients(y(), 5 as never), argumentErrors.tensorList("gradients", "inputs", "5"));
    throwsExactly(() => sg.gradients(null as never, [x]), argumentErrors.tensorList("gradients", "outputs", "null"));
    throwsExactly(() => sg.gradients([y(), "a"] as never, [x]), opErrors.notTensor("gradients", "outputs[1]", "a"));
    throwsExactly(
      () => sg.gradients(y(), [x], { seeds: [1 as never] }),
      opErrors.notTensor("gradients", "seeds[0]", 1),
    );
    throwsExactly(() => sg.gradients(y(), [x], { seeds: [] }), argumentErrors.listLength("gradients", "seeds", 0, 1));
    throwsExactly(
      () => sg.gradients(y(), [x], { createGraph: 1 } as never),
      argumentErrors.booleanOption("gradients", "createGraph", "1"),
    );
  });

  it("seeds of the wrong shape, dtype or device; grad of a non-tensor or of a non-scalar function", () => {
    throwsExactly(
      () => y().backward(sg.ones([3]) as never),
      argumentErrors.seedMismatch("backward", "[3] (float32, cpu)", "[] (float32, cpu)"),
    );
    throwsExactly(
      () => sg.gradients(x.mul(2), [x], { seeds: [sg.ones([2], { dtype: "float64" })] }),
      argumentErrors.seedMismatch("gradients", "[2] (float64, cpu)", "[2] (float32, cpu)"),
    );
    const [, pullback] = sg.vjp((t: sg.AnyTensor) => t.mul(2), sg.tensor([1, 2]));
    throwsExactly(
      () => pullback(sg.ones([3])),
      argumentErrors.seedMismatch("vjp", "[3] (float32, cpu)", "[2] (float32, cpu)"),
    );
    throwsExactly(
      () => pullback(sg.ones([2]), { create_graph: true } as never),
      argumentErrors.unknownOption("vjp", '"create_graph"', "createGraph, retainGraph, seeds"),
    );
    throwsExactly(() => sg.grad((t: sg.AnyTensor) => t.sum())(5 as never), opErrors.notTensor("grad", "argument 0", 5));
    throwsExactly(
      () => sg.grad((t: sg.AnyTensor) => t.mul(2))(sg.tensor([1, 2])),
      argumentErrors.gradOutput("shape [2]"),
    );
    throwsExactly(() => sg.grad((() => 5) as never)(sg.tensor([1, 2])), argumentErrors.gradOutput("5"));
    throwsExactly(
      () => sg.vjp((() => "y") as never, sg.tensor([1]))[1](sg.ones([1])),
      argumentErrors.tensorList("vjp", "outputs", '"y"'),
    );
    throwsExactly(() => sg.tensor([1, 2]).sum().backward(), argumentErrors.noGrad());
  });

  it("grad, vjp, noGrad and tidy of something that is not a function", () => {
    throwsExactly(() => sg.grad(5 as never), argumentErrors.notFunction("grad", "5"));
    throwsExactly(() => sg.vjp(null as never, x), argumentErrors.notFunction("vjp", "null"));
    throwsExactly(() => sg.noGrad("f" as never), argumentErrors.notFunction("noGrad", '"f"'));
    throwsExactly(() => sg.tidy({} as never), argumentErrors.notFunction("tidy", "object"));
    throwsExactly(() => x.assign(3 as never), opErrors.notTensor("assign", "value", 3));
  });
});

describe("tidy() when its function throws", () => {
  it("frees every tensor the function made and rethrows the very error", () => {
    const outside = sg.ones([2]);
    const made: sg.AnyTensor[] = [];
    const kept: sg.AnyTensor[] = [];
    const original = new RangeError("from user code");
    let caught: unknown = null;
    try {
      sg.tidy(() => {
        made.push(sg.randn([3]), outside.add(1));
        kept.push(sg.keep(sg.zeros([2])));
        sg.tidy(() => made.push(sg.ones([4])));
        throw original;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(original);
    expect(made.map((t) => t.disposed)).toEqual([true, true, true]);
    expect(kept[0].disposed).toBe(false);
    expect(outside.disposed).toBe(false);
    // The scope is closed: a tensor made now belongs to no scope and survives the next tidy.
    const later = sg.ones([1]);
    sg.tidy(() => sg.ones([1]));
    expect(later.disposed).toBe(false);
  });
});

describe("tensor() from an array with holes, a cyclic array, a 20,000-deep array", () => {
  it("holes: [1, , 3], nested, first slot, flat data with a shape, a 1e9-slot sparse array", () => {
    // eslint-disable-next-line no-sparse-arrays
    refusesBeforeAllocation(() => sg.tensor([1, , 3] as never), dataErrors.hole("[1]"));
    // eslint-disable-next-line no-sparse-arrays
    refusesBeforeAllocation(() => sg.tensor([[1, 2], , [3, 4]] as never), dataErrors.hole("[1]"));
    // eslint-disable-next-line no-sparse-arrays
    refusesBeforeAllocation(() => sg.tensor([[1, , 2]] as never), dataErrors.hole("[0][1]"));
    // eslint-disable-next-line no-sparse-arrays
    refusesBeforeAllocation(() => sg.tensor([, 1] as never), dataErrors.hole("[0]"));
    // eslint-disable-next-line no-sparse-arrays
    refusesBeforeAllocation(() => sg.tensor([1, , 3] as never, { shape: [3] }), dataErrors.hole("[1]"));
    refusesBeforeAllocation(() => sg.tensor(new Array(1e6) as never), dataErrors.hole("[0]"));
  });

  it("a cyclic array", () => {
    const a: unknown[] = [];
    a.push(a);
    refusesBeforeAllocation(() => sg.tensor(a as never), dataErrors.cycle("[0]"));
    const b: unknown[] = [[1, 2]];
    (b[0] as unknown[])[0] = b;
    refusesBeforeAllocation(() => sg.tensor(b as never), dataErrors.cycle("[0][0]"));
    // A cycle off the first elements meets the shape check instead.
    const c: unknown[] = [1];
    c.push(c);
    refusesBeforeAllocation(() => sg.tensor(c as never), opErrors.notNumber("[1]", "an array"));
  });

  it("a 20,000-deep array; 64 levels are accepted", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    refusesBeforeAllocation(() => sg.tensor(deep as never), dataErrors.tooDeep(64));
    let ok: unknown = 7;
    for (let i = 0; i < 64; i++) ok = [ok];
    const t = sg.tensor(ok as never) as sg.AnyTensor;
    expect(t.shape.length).toBe(64);
    expect(t.item()).toBe(7);
  });

  it("a huge dense nested array is refused by the element limit before its values are read", () => {
    sg.setMaxElements(1000);
    const rows = Array.from({ length: 100 }, () => new Array<number>(100).fill(1));
    refusesBeforeAllocation(() => sg.tensor(rows), opErrors.tooManyElements("tensor", [100, 100], 10000, 1000));
  });
});

describe("optimizer options", () => {
  const p = () => [sg.tensor([1, 2], { requiresGrad: true })];
  const sgdKnown = "lr, momentum, dampening, weightDecay, nesterov, maximize";
  it("{ momentun: 0.9 } and PyTorch's { weight_decay: 0.1 } are refused by name", () => {
    throwsExactly(
      () => new optim.SGD(p(), { lr: 0.1, momentun: 0.9 } as never),
      argumentErrors.unknownOption("SGD", '"momentun"', sgdKnown),
    );
    throwsExactly(
      () => new optim.SGD(p(), { lr: 0.1, weight_decay: 0.1 } as never),
      optimErrors.snakeCase("SGD", '"weight_decay"', '"weightDecay"'),
    );
    throwsExactly(
      () => new optim.Adam(p(), { amsGrad: true } as never),
      argumentErrors.unknownOption("Adam", '"amsGrad"', "lr, betas, eps, weightDecay, amsgrad, maximize"),
    );
    throwsExactly(
      () => new optim.AdamW([{ params: p(), weight_decay: 0 }] as never),
      optimErrors.snakeCase("AdamW", '"weight_decay"', '"weightDecay"'),
    );
  });

  it("ranges as PyTorch checks them", () => {
    throwsExactly(
      () => new optim.SGD(p(), { lr: NaN }),
      optimErrors.option("SGD", "lr", "NaN", "expected a number >= 0"),
    );
    throwsExactly(
      () => new optim.SGD(p(), { lr: -1 }),
      optimErrors.option("SGD", "lr", "-1", "expected a number >= 0"),
    );
    throwsExactly(
      () => new optim.SGD(p(), { lr: "0.1" } as never),
      optimErrors.option("SGD", "lr", '"0.1"', "expected a number >= 0"),
    );
    throwsExactly(
      () => new optim.SGD(p(), { lr: 0.1, momentum: -0.5 }),
      optimErrors.option("SGD", "momentum", "-0.5", "expected a number >= 0"),
    );
    throwsExactly(
      () => new optim.SGD(p(), { lr: 0.1, nesterov: 1 } as never),
      optimErrors.option("SGD", "nesterov", "1", "expected true or false"),
    );
    throwsExactly(
      () => new optim.Adam(p(), { betas: [1, 0.999] }),
      optimErrors.option("Adam", "betas", "[1, 0.999]", "expected two numbers in [0, 1)"),
    );
    throwsExactly(
      () => new optim.Adam(p(), { eps: -1e-8 }),
      optimErrors.option("Adam", "eps", "-1e-8", "expected a number >= 0"),
    );
    throwsExactly(
      () => new optim.Adam(p(), { weightDecay: NaN }),
      optimErrors.option("Adam", "weightDecay", "NaN", "expected a number >= 0"),
    );
    expect(() => new optim.SGD(p(), { lr: 0 })).not.toThrow();
    expect(() => new optim.Adam(p(), { betas: [0, 0] })).not.toThrow();
  });

  for (const dtype of ["float32", "float64"] as const) {
    it(`opt.lr = NaN is refused at the next step before any parameter changes (${dtype}${dtype === "float32" ? ", the fused CPU step" : ""})`, () => {
      const w = sg.tensor([1, 2], { dtype, requiresGrad: true });
      const v = sg.tensor([3], { dtype, requiresGrad: true });
      const opt = new optim.SGD([{ params: [w] }, { params: [v], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
      const step = () => {
        opt.zeroGrad();
        w.mul(w).sum().add(v.mul(v).sum()).backward();
        opt.step();
      };
      step();
      const before = [values(w), values(v)];
      opt.paramGroups[1].options.lr = -0.1;
      throwsExactly(step, optimErrors.atStep("SGD", "lr", "-0.1", 1, "expected a number >= 0"));
      opt.lr = NaN;
      throwsExactly(step, optimErrors.atStep("SGD", "lr", "NaN", 0, "expected a number >= 0"));
      expect([values(w), values(v)]).toEqual(before);
      opt.lr = 0.1;
      step();
      expect(values(w).every(Number.isFinite)).toBe(true);
    });
  }

  it("a scheduler that sets an invalid rate: refused at the optimizer's next step", () => {
    const w = sg.tensor([1, 2], { requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.1 });
    const sched = new optim.StepLR(opt, { stepSize: 1, gamma: NaN });
    sched.step();
    w.mul(w).sum().backward();
    throwsExactly(() => opt.step(), optimErrors.atStep("Adam", "lr", "NaN", 0, "expected a number >= 0"));
    expect(values(w)).toEqual([1, 2]);
  });
});

describe("int32 sums that overflow", () => {
  const i32 = (data: number[], shape?: number[]) => sg.tensor(data, { dtype: "int32", shape: shape ?? [data.length] });
  it("[2^31 - 1, 1] sums to 2^31: refused, not -2^31", () => {
    throwsExactly(() => i32([2 ** 31 - 1, 1]).sum(), dataErrors.int32Overflow("sum", "2147483648", 0));
    throwsExactly(() => i32([-(2 ** 31), -1]).sum(), dataErrors.int32Overflow("sum", "-2147483649", 0));
    throwsExactly(
      () => i32([1, 2 ** 31 - 1, 2, 2 ** 31 - 1], [2, 2]).sum(0),
      dataErrors.int32Overflow("sum", "4294967294", 1),
    );
  });

  it("sums within int32 are exact, even when a partial sum leaves the range", () => {
    expect(
      i32([2 ** 31 - 1, 1, -5])
        .sum()
        .item(),
    ).toBe(2 ** 31 - 5);
    expect(
      i32([-(2 ** 31), 0])
        .sum()
        .item(),
    ).toBe(-(2 ** 31));
    expect(values(i32([1, 2, 3, 4], [2, 2]).sum(1))).toEqual([3, 7]);
  });

  it("property: the result is the exact sum, or the error names it (against BigInt)", () => {
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(int32, fc.constantFrom(2 ** 31 - 1, -(2 ** 31))), { minLength: 1, maxLength: 40 }),
        (data) => {
          const exact = data.reduce((s, v) => s + BigInt(v), 0n);
          if (exact >= -(2n ** 31n) && exact < 2n ** 31n) expect(BigInt(i32(data).sum().item())).toBe(exact);
          else throwsExactly(() => i32(data).sum(), dataErrors.int32Overflow("sum", String(exact), 0));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it("int32 matmul: exact (BigInt when products pass 2^53), refused outside int32 instead of wrapping", () => {
    const big = 46341; // 46341^2 = 2147488281 > 2^31 - 1
    throwsExactly(
      () => i32([big], [1, 1]).matmul(i32([big], [1, 1])),
      dataErrors.int32Overflow("matmul", "2147488281", 0),
    );
    // (2^31 - 1)^2 - (2^31 - 1)^2 + 5: float64 products would round; the exact result fits.
    const m = 2 ** 31 - 1;
    const a = i32([m, m, 5], [1, 3]),
      b = i32([m, -m, 1], [3, 1]);
    expect(a.matmul(b).item()).toBe(5);
    expect(values(i32([1, 2, 3, 4], [2, 2]).matmul(i32([5, 6, 7, 8], [2, 2])))).toEqual([19, 22, 43, 50]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 6, maxLength: 6 }), (v) => {
        const exact = [0, 1].map(
          (i) =>
            BigInt(v[i * 3]) * BigInt(v[3]) + BigInt(v[i * 3 + 1]) * BigInt(v[4]) + BigInt(v[i * 3 + 2]) * BigInt(v[5]),
        );
        const run = () => i32(v, [2, 3]).matmul(i32(v.slice(3), [3, 1]));
        const bad = exact.findIndex((e) => e < -(2n ** 31n) || e >= 2n ** 31n);
        if (bad < 0) expect(values(run()).map(BigInt)).toEqual(exact);
        else throwsExactly(run, dataErrors.int32Overflow("matmul", String(exact[bad]), bad));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("mean of int32 stays refused (PyTorch refuses it too)", () => {
    throwsExactly(() => i32([1, 2]).mean(), opErrors.notFloat("mean", "int32"));
  });
});

describe("catalogue texts render as the docs show them", () => {
  it("show() of the values used above", () =>
    expect([show(NaN), show("x"), show([1, 0.999])]).toEqual(["NaN", '"x"', "[1, 0.999]"]));
});
