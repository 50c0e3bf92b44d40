/**
 * The optimizers' fused float32 CPU passes (src/optim/fused-cpu.ts) against their op forms
 * (adamStepOps, sgdStepOps), bit for bit: random options (Adam and AdamW with weight decay,
 * AMSGrad, maximize; SGD with momentum, dampening, Nesterov, weight decay, maximize), parameters,
 * gradients and starting states that include NaN, infinities, signed zeros, subnormals and huge
 * values, over several steps that thread each form's own state (fast-check, fixed seed).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { conv2d, manualSeed, randn, sum, tensor, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";
import { adamStepOps, type ResolvedAdam } from "../../src/optim/adam.js";
import { sgdStepOps, type ResolvedSGD } from "../../src/optim/sgd.js";
import type { ParamState, ParamUpdate } from "../../src/optim/optimizer.js";
import { adamStepCpu, sgdStepCpu } from "../../src/optim/fused-cpu.js";
import { cpuKernels } from "../../src/backends/cpu/index.js";

const N = 12;
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-45, 3e38, -1e300, 1, -0.5];
const value = fc.oneof(
  fc.constantFrom(...SPECIAL),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.double({ noNaN: false }),
);
const values = fc.array(value, { minLength: N, maxLength: N });
/** A few typical values, or any in the range (fast-check draws many of those tiny). */
const scalar = (typical: number[], min: number, max: number) =>
  fc.oneof(fc.constantFrom(...typical), fc.double({ min, max, noNaN: true }));
const lr = scalar([0, 1e-3, 0.1, 0.7], 1e-6, 2);
const weightDecay = scalar([0, 0.01, 0.3], 1e-4, 0.5);

const adamOptions = fc.record({
  lr,
  weightDecay,
  betas: fc.tuple(scalar([0, 0.5, 0.9], 0, 0.999), scalar([0, 0.9, 0.999], 0, 0.9999)),
  eps: scalar([0, 1e-8], 1e-12, 1e-2),
  amsgrad: fc.boolean(),
  maximize: fc.boolean(),
  decoupled: fc.boolean(),
});
const sgdOptions = fc
  .record({
    lr,
    weightDecay,
    momentum: scalar([0, 0.9], 0, 2),
    dampening: scalar([0, 0.1, -0.5], -1, 1),
    nesterov: fc.boolean(),
    maximize: fc.boolean(),
  })
  .map((o) => ({ ...o, nesterov: o.nesterov && o.momentum > 0 && o.dampening === 0 }));

/** Every value and every state array, as plain arrays (toEqual tells -0 from +0, and NaN equals NaN). */
function contents({ value, state }: ParamUpdate) {
  const arrays = Object.entries(state).map(([k, v]): [string, number | number[]] => [
    k,
    typeof v === "number" ? v : Array.from(v.dataSync() as ArrayLike<number>),
  ]);
  return { value: Array.from(value.dataSync() as ArrayLike<number>), state: Object.fromEntries(arrays) };
}

type Step = (p: AnyTensor, grad: AnyTensor, state: ParamState) => ParamUpdate | null;

/**
 * Runs both forms from the same parameter and state over the gradients, each on its own results,
 * and requires equal bits after every step.
 */
function sameSteps(opsStep: Step, cpuStep: Step, p: AnyTensor, state: ParamState, grads: AnyTensor[]): void {
  let [pOps, sOps, pCpu, sCpu] = [p, state, p, state];
  for (const grad of grads) {
    const ops = opsStep(pOps, grad, sOps)!;
    const cpu = cpuStep(pCpu, grad, sCpu);
    expect(cpu).not.toBeNull();
    expect(contents(cpu!)).toEqual(contents(ops));
    [pOps, sOps, pCpu, sCpu] = [ops.value, ops.state, cpu!.value, cpu!.state];
  }
}

describe("the optimizers' fused CPU passes", () => {
  const run = fc.record({
    n: fc.integer({ min: 1, max: N }),
    p: values,
    grads: fc.array(values, { minLength: 3, maxLength: 3 }),
    // a state to start from (a run so far, or none), each moment or buffer any values
    start: fc.option(
      fc.record({ step: fc.integer({ min: 1, max: 1000 }), arrays: fc.array(values, { minLength: 3, maxLength: 3 }) }),
    ),
  });
  const arrays = (n: number, xs: number[][]) => xs.map((x) => tensor(x.slice(0, n)) as AnyTensor);

  it("Adam and AdamW equal the op form bit for bit, every step, every option", () => {
    fc.assert(
      fc.property(adamOptions, run, ({ decoupled, ...o }, { n, p, grads, start }) => {
        const [m, v, vMax] = start ? arrays(n, start.arrays) : [];
        const state: ParamState = start ? { step: start.step, expAvg: m, expAvgSq: v, maxExpAvgSq: vMax } : {};
        const opt = o as ResolvedAdam;
        sameSteps(
          (q, g, s) => adamStepOps(q, g, s, opt, decoupled),
          (q, g, s) => adamStepCpu(q, g, s, opt, decoupled),
          arrays(n, [p])[0],
          state,
          arrays(n, grads),
        );
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it("SGD equals the op form bit for bit, every step, every option", () => {
    fc.assert(
      fc.property(sgdOptions, run, (o, { n, p, grads, start }) => {
        const state: ParamState = start ? { momentumBuffer: arrays(n, start.arrays)[0] } : {};
        const opt = o as ResolvedSGD;
        sameSteps(
          (q, g, s) => sgdStepOps(q, g, s, opt),
          (q, g, s) => sgdStepCpu(q, g, s, opt),
          arrays(n, [p])[0],
          state,
          arrays(n, grads),
        );
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it("are what step() runs on the CPU: no elementwise kernel is called", () => {
    const p = tensor([1, -2, 3], { requiresGrad: true }) as AnyTensor;
    const q = tensor([1, -2, 3], { requiresGrad: true }) as AnyTensor;
    const opts = [
      new optim.AdamW([p], { lr: 0.1, amsgrad: true }),
      new optim.SGD([q], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 }),
    ];
    const calls: string[] = [];
    const saved = { ...cpuKernels };
    for (const k of ["add", "sub", "mul", "div", "sqrt", "maximum"] as const) {
      (cpuKernels as Record<string, unknown>)[k] = (...args: Parameters<typeof saved.add>) => {
        calls.push(k);
        return saved[k](...args);
      };
    }
    try {
      for (let i = 0; i < 3; i++) {
        p.grad = tensor([0.5, 0.25, -1]);
        q.grad = tensor([0.5, 0.25, -1]);
        for (const opt of opts) opt.step();
      }
    } finally {
      Object.assign(cpuKernels, saved);
    }
    expect(calls).toEqual([]);
  });

  it("leave float64, and state of another dtype, to the op form (which names the mismatch)", () => {
    const o: ResolvedAdam = {
      lr: 0.1,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    };
    const s: ResolvedSGD = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
    const p64 = tensor([1, 2], { dtype: "float64" }) as AnyTensor;
    const g64 = tensor([1, 1], { dtype: "float64" }) as AnyTensor;
    expect(adamStepCpu(p64, g64, {}, o, false)).toBeNull();
    expect(sgdStepCpu(p64, g64, {}, s)).toBeNull();
    const p = tensor([1, 2]) as AnyTensor;
    const g = tensor([1, 1]) as AnyTensor;
    const moments: ParamState = {
      step: 1,
      expAvg: tensor([0, 0], { dtype: "float64" }),
      expAvgSq: tensor([0, 0]),
    };
    expect(adamStepCpu(p, g, moments, o, false)).toBeNull();
    expect(() => adamStepOps(p, g, moments, o, false)).toThrow("float64");
    const buffer: ParamState = { momentumBuffer: tensor([0, 0], { dtype: "float64" }) };
    expect(sgdStepCpu(p, g, buffer, s)).toBeNull();
    expect(() => sgdStepOps(p, g, buffer, s)).toThrow("float64");
  });
});

/**
 * Optimizer.step() writes a float32 CPU parameter's update over its own storage and state's when
 * each is held by its tensor alone (issue 23): the same bits as the fresh-array update, which a
 * second tensor holding the storage (a detach) forces, and nothing else sees a change.
 */
describe("in-place optimizer steps", () => {
  const M = 40; // floats: more than the array pool's 64-byte floor, so ownership is counted
  const data = (seed: number) => Array.from({ length: M }, (_, i) => Math.sin(seed * 7.3 + i * 1.7) * 2);
  const storageOf = (t: AnyTensor) => (t as unknown as { storage: unknown }).storage;
  /** The values through a copy: dataSync() on the tensor itself would pin its array (never written in place again). */
  const read = (t: AnyTensor) => Array.from(t.clone().dataSync());
  const make = (o: { kind: "sgd" | "adam" | "adamw"; options: object }, p: AnyTensor[]) =>
    o.kind === "sgd"
      ? new optim.SGD(p, { lr: 0.1, ...o.options })
      : new (o.kind === "adam" ? optim.Adam : optim.AdamW)(p, { lr: 0.05, ...o.options });
  const kinds = fc.oneof(
    fc.record({
      kind: fc.constant("sgd" as const),
      options: fc.record({
        momentum: fc.constantFrom(0, 0.9),
        weightDecay: fc.constantFrom(0, 0.01),
        maximize: fc.boolean(),
      }),
    }),
    fc.record({
      kind: fc.constantFrom("adam" as const, "adamw" as const),
      options: fc.record({ amsgrad: fc.boolean(), weightDecay: fc.constantFrom(0, 0.01), maximize: fc.boolean() }),
    }),
  );

  it("equal the fresh-array steps bit for bit, and write into the same arrays from the second step", () => {
    fc.assert(
      fc.property(kinds, fc.nat(1000), (o, seed) => {
        const free = tensor(data(seed), { requiresGrad: true }) as AnyTensor;
        const held = tensor(data(seed), { requiresGrad: true }) as AnyTensor;
        const optFree = make(o, [free]),
          optHeld = make(o, [held]);
        const stored: unknown[] = [];
        for (let step = 0; step < 4; step++) {
          // a second holder of held's storage: its step must make new arrays, and the view keep its data
          const view = held.detach();
          const before = Array.from(view.dataSync());
          free.grad = tensor(data(seed + step + 1));
          held.grad = tensor(data(seed + step + 1));
          const version = free.version;
          optFree.step();
          optHeld.step();
          expect(Array.from(view.dataSync())).toEqual(before);
          expect(read(free)).toEqual(read(held));
          expect(free.version).toBe(version + 1);
          stored.push(storageOf(free));
          for (const key of ["momentumBuffer", "expAvg", "expAvgSq", "maxExpAvgSq"]) {
            const a = (optFree as unknown as { state: Map<AnyTensor, ParamState> }).state.get(free)?.[key];
            const b = (optHeld as unknown as { state: Map<AnyTensor, ParamState> }).state.get(held)?.[key];
            expect(a === undefined).toBe(b === undefined);
            if (a !== undefined) expect(read(a as AnyTensor)).toEqual(read(b as AnyTensor));
          }
          view.dispose();
        }
        // the first step makes the pool's array, every later one writes it again
        expect(new Set(stored.slice(1)).size).toBe(1);
      }),
      { seed: 2306, numRuns: 60 },
    );
  });

  it("in place from the second step, until dataSync() hands the array out", () => {
    const p = tensor(data(1), { requiresGrad: true }) as AnyTensor;
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    const arrays: unknown[] = [];
    for (let step = 0; step < 4; step++) {
      p.grad = tensor(data(step));
      opt.step();
      arrays.push(storageOf(p));
    }
    expect(arrays[2]).toBe(arrays[1]);
    expect(arrays[3]).toBe(arrays[1]);
    const seen = p.dataSync();
    const copy = Array.from(seen);
    p.grad = tensor(data(9));
    opt.step();
    expect(storageOf(p)).not.toBe(arrays[1]);
    expect(Array.from(seen)).toEqual(copy);
  });

  it("a refused step leaves an in-place-able parameter and its state unchanged", () => {
    const a = tensor(data(2), { requiresGrad: true }) as AnyTensor;
    const b = tensor(data(3), { requiresGrad: true }) as AnyTensor;
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    for (let step = 0; step < 2; step++) {
      a.grad = tensor(data(4));
      b.grad = tensor(data(5));
      opt.step();
    }
    const before = read(a);
    a.grad = tensor(data(6));
    b.grad = tensor([1, 2, 3]);
    expect(() => opt.step()).toThrow("Adam: the gradient of parameter 1 has shape [3] but the parameter has [40]");
    expect(read(a)).toEqual(before);
  });

  it("a parameter listed twice is stepped as before (twice from the same data, the last one kept)", () => {
    const runs = [true, false].map((twice) => {
      const p = tensor(data(7), { requiresGrad: true }) as AnyTensor;
      const opt = twice
        ? new optim.SGD([{ params: [p] }, { params: [p], lr: 0.3 }], { lr: 0.1, momentum: 0.9 })
        : new optim.SGD([p], { lr: 0.3, momentum: 0.9 });
      for (let step = 0; step < 3; step++) {
        p.grad = tensor(data(8 + step));
        opt.step();
      }
      return read(p);
    });
    expect(runs[0]).toEqual(runs[1]);
  });

  it("a conv weight packed before an in-place step is packed again (its cached packing is dropped)", () => {
    manualSeed(3);
    const conv = nn.Conv2d(8, 16, 3);
    const opt = new optim.SGD(conv.parameters(), { lr: 0.5, momentum: 0.9 });
    const x = randn([2, 8, 6, 6]);
    const weights: unknown[] = [];
    for (let step = 0; step < 4; step++) {
      sum(conv.forward(x as never)).backward();
      opt.step();
      opt.zeroGrad();
      weights.push(storageOf(conv.weight));
      // the layer's own weight array (packed by the forward above) against a copy of it, never packed
      expect(read(conv.forward(x as never) as AnyTensor)).toEqual(
        read(conv2d(x, conv.weight.clone(), conv.bias!.clone()) as AnyTensor),
      );
    }
    expect(weights[3]).toBe(weights[1]);
  });
});
