/**
 * Adam's fused CPU pass (src/optim/adam-cpu.ts) against its op form (adamStepOps), bit for bit:
 * random options (Adam and AdamW, weight decay, AMSGrad, maximize), and float32 parameters and
 * gradients that include NaN, infinities, signed zeros, subnormals and huge values,
 * over several steps that thread each form's own state (fast-check, fixed seed).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { tensor, type AnyTensor } from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { adamStepOps, type AdamState, type ResolvedAdam } from "../../src/optim/adam.js";
import { adamStepCpu } from "../../src/optim/adam-cpu.js";
import { cpuKernels } from "../../src/backends/cpu/index.js";

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-45, 3e38, -1e300, 1, -0.5];
const value = fc.oneof(fc.constantFrom(...SPECIAL), fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ noNaN: false }));
/** A few typical values, or any in the range (fast-check draws many of those tiny). */
const scalar = (typical: number[], min: number, max: number) => fc.oneof(fc.constantFrom(...typical), fc.double({ min, max, noNaN: true }));
const options = fc.record({
  lr: scalar([0, 1e-3, 0.1, 0.7], 1e-6, 2),
  betas: fc.tuple(scalar([0, 0.5, 0.9], 0, 0.999), scalar([0, 0.9, 0.999], 0, 0.9999)),
  eps: scalar([0, 1e-8], 1e-12, 1e-2),
  weightDecay: scalar([0, 0.01, 0.3], 1e-4, 0.5),
  amsgrad: fc.boolean(),
  maximize: fc.boolean(),
});

/** Every value and every state array, as plain arrays (toEqual tells -0 from +0, and NaN equals NaN). */
function contents(value: AnyTensor, state: AdamState) {
  const arrays = Object.entries(state).map(([k, v]) => [k, typeof v === "number" ? v : Array.from(v.dataSync())]);
  return { value: Array.from(value.dataSync()), state: Object.fromEntries(arrays) };
}

describe("Adam's fused CPU pass", () => {
  it("equals the op form bit for bit, every step, every option", () => {
    const config = fc.record({
      n: fc.integer({ min: 1, max: 12 }),
      decoupled: fc.boolean(),
      o: options,
      seeds: fc.array(fc.array(value, { minLength: 12, maxLength: 12 }), { minLength: 4, maxLength: 4 }),
      // a state to start from (a run so far, or none), each moment any values
      start: fc.option(fc.record({
        step: fc.integer({ min: 1, max: 1000 }),
        moments: fc.array(fc.array(value, { minLength: 12, maxLength: 12 }), { minLength: 3, maxLength: 3 }),
      })),
    });
    fc.assert(fc.property(config, ({ n, decoupled, o, seeds, start }) => {
      const make = (xs: number[]) => tensor(xs.slice(0, n)) as AnyTensor;
      let pOps = make(seeds[0]), pCpu = pOps;
      const [m, v, vMax] = start?.moments.map(make) ?? [];
      let sOps: AdamState = start ? { step: start.step, expAvg: m, expAvgSq: v, maxExpAvgSq: vMax } : {};
      let sCpu = sOps;
      for (let step = 1; step < seeds.length; step++) {
        const grad = make(seeds[step]);
        const ops = adamStepOps(pOps, grad, sOps, o as ResolvedAdam, decoupled);
        const cpu = adamStepCpu(pCpu, grad, sCpu, o as ResolvedAdam, decoupled);
        expect(cpu).not.toBeNull();
        expect(contents(cpu!.value, cpu!.state)).toEqual(contents(ops.value, ops.state));
        [pOps, sOps, pCpu, sCpu] = [ops.value, ops.state, cpu!.value, cpu!.state];
      }
    }), { seed: 42, numRuns: 400 });
  });

  it("is what Adam.step runs on the CPU: no elementwise kernel is called", () => {
    const p = tensor([1, -2, 3], { requiresGrad: true }) as AnyTensor;
    const opt = new optim.AdamW([p], { lr: 0.1, amsgrad: true });
    const calls: string[] = [];
    const saved = { ...cpuKernels };
    for (const k of ["add", "sub", "mul", "div", "sqrt", "maximum"] as const) {
      (cpuKernels as Record<string, unknown>)[k] = (...args: Parameters<typeof saved.add>) => { calls.push(k); return saved[k](...args); };
    }
    try {
      for (let i = 0; i < 3; i++) {
        p.grad = tensor([0.5, 0.25, -1]) as AnyTensor;
        opt.step();
      }
    } finally {
      Object.assign(cpuKernels, saved);
    }
    expect(calls).toEqual([]);
  });

  it("leaves float64, and state of another dtype, to the op form (which names the mismatch)", () => {
    const o: ResolvedAdam = { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
    const p64 = tensor([1, 2], { dtype: "float64" }) as AnyTensor;
    expect(adamStepCpu(p64, tensor([1, 1], { dtype: "float64" }) as AnyTensor, {}, o, false)).toBeNull();
    const p = tensor([1, 2]) as AnyTensor;
    const g = tensor([1, 1]) as AnyTensor;
    const state: AdamState = { step: 1, expAvg: tensor([0, 0], { dtype: "float64" }) as AnyTensor, expAvgSq: tensor([0, 0]) as AnyTensor };
    expect(adamStepCpu(p, g, state, o, false)).toBeNull();
    expect(() => adamStepOps(p, g, state, o, false)).toThrow("float64");
  });
});
