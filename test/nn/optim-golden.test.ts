/**
 * Optimizer steps, schedulers and gradient clipping against PyTorch (test/fixtures/nn/optim.json):
 * the same parameters and the same gradient sequence, compared after every step in float64.
 */
import { describe, expect, it } from "vitest";
import { tensor, type AnyTensor } from "../../src/index.js";
import * as optim from "../../src/optim/index.js";
import { expectClose, f64, fixture, type Enc } from "./helpers.js";

interface OptimCase {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW";
  options: Record<string, unknown>;
  params: Enc[];
  grads: Enc[][];
  steps: Enc[][];
}
interface SchedCase {
  name: string;
  scheduler: "StepLR" | "CosineAnnealingLR";
  options: Record<string, number>;
  baseLr: number;
  lrs: number[];
}
interface ClipCase {
  name: string;
  maxNorm: number;
  normType: number | "inf";
  grads: Enc[];
  totalNorm: number;
  clipped: Enc[];
}

const golden = fixture<{ optimizers: OptimCase[]; schedulers: SchedCase[]; clipGradNorm: ClipCase[] }>("optim.json");

function make(c: OptimCase, params: AnyTensor[]): optim.Optimizer<{ lr: number }> {
  if (c.optimizer === "SGD") return new optim.SGD(params, c.options as unknown as optim.SGDOptions);
  return new optim[c.optimizer](params, c.options);
}

describe("optimizers vs PyTorch (float64)", () => {
  for (const c of golden.optimizers) {
    it(c.name, () => {
      const params = c.params.map((p) => f64(p, true));
      const opt = make(c, params);
      c.grads.forEach((gs, step) => {
        params.forEach((p, i) => (p.grad = f64(gs[i])));
        opt.step();
        params.forEach((p, i) => expectClose(p, c.steps[step][i], 1e-13, `step ${step + 1} param ${i}`));
      });
    });
  }

  it("a failed step leaves every parameter and state unchanged", () => {
    const a = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true }) as AnyTensor;
    const b = tensor([4, 5], { dtype: "float64", requiresGrad: true }) as AnyTensor;
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1, 1, 1], { dtype: "float64" });
    b.grad = tensor([1, 1, 1], { dtype: "float64" }); // wrong shape: the step must refuse
    expect(() => opt.step()).toThrow("Adam: the gradient of parameter 1 has shape [3] but the parameter has [2]");
    expect([...a.dataSync()]).toEqual([1, 2, 3]);
    expect([...b.dataSync()]).toEqual([4, 5]);
    // The refused step did not advance Adam's step count: a good step now equals a first step.
    b.grad = tensor([1, 1], { dtype: "float64" });
    opt.step();
    a.dataSync().forEach((v, i) => expect(v).toBeCloseTo(i + 0.9, 8)); // a first Adam step moves by lr g / (|g| + eps)
  });

  it("refuses bad options with the rule", () => {
    const p = tensor([1], { requiresGrad: true }) as AnyTensor;
    expect(() => new optim.SGD([p], { lr: -1 })).toThrow("SGD: lr -1 is not valid (expected a number >= 0)");
    expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(
      "SGD: nesterov true is not valid (Nesterov momentum needs momentum > 0 and dampening 0)",
    );
    expect(() => new optim.Adam([p], { betas: [0.9, 1] })).toThrow(
      "Adam: betas [0.9, 1] is not valid (expected two numbers in [0, 1))",
    );
    expect(() => new optim.Adam([])).toThrow("Adam: expected a non-empty list of parameters");
  });

  it("parameter groups take their own options", () => {
    const a = tensor([1], { dtype: "float64", requiresGrad: true }) as AnyTensor;
    const b = tensor([1], { dtype: "float64", requiresGrad: true }) as AnyTensor;
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.grad = tensor([1], { dtype: "float64" });
    b.grad = tensor([1], { dtype: "float64" });
    opt.step();
    expect(a.item()).toBeCloseTo(0.9, 14);
    expect(b.item()).toBeCloseTo(0.5, 14);
  });
});

describe("schedulers vs PyTorch", () => {
  for (const c of golden.schedulers) {
    it(c.name, () => {
      const p = tensor([0], { requiresGrad: true }) as AnyTensor;
      const opt = new optim.SGD([p], { lr: c.baseLr });
      const sched =
        c.scheduler === "StepLR"
          ? new optim.StepLR(opt, { stepSize: c.options.stepSize, gamma: c.options.gamma })
          : new optim.CosineAnnealingLR(opt, { tMax: c.options.tMax, etaMin: c.options.etaMin });
      const lrs = [opt.lr];
      for (let e = 1; e < c.lrs.length; e++) {
        sched.step();
        lrs.push(sched.getLastLr()[0]);
      }
      lrs.forEach((lr, i) => expect(Math.abs(lr - c.lrs[i]), `epoch ${i}`).toBeLessThan(1e-12));
    });
  }
});

describe("clipGradNorm vs PyTorch", () => {
  for (const c of golden.clipGradNorm) {
    it(c.name, () => {
      const params = c.grads.map((g) => {
        const p = tensor(new Float64Array(g.data.length), {
          shape: g.shape,
          dtype: "float64",
          requiresGrad: true,
        }) as AnyTensor;
        p.grad = f64(g);
        return p;
      });
      const total = optim.clipGradNorm(params, c.maxNorm, c.normType === "inf" ? Infinity : c.normType);
      expect(Math.abs(total.item() - c.totalNorm)).toBeLessThan(1e-12);
      params.forEach((p, i) => expectClose(p.grad, c.clipped[i], 1e-13, `grad ${i}`));
    });
  }
});
