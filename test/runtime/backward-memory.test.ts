// The backward pass frees each gradient as soon as it has been consumed (src/autograd/backward.ts,
// Gradients): the values must be the very bits of a pass that keeps them all (setFreeGradients
// (false)), what it must never free (a seed, the leaves' .grad, a gradient asked for, a gradient a
// rule handed to two inputs, anything under createGraph) stays alive, and the pool's count of held
// arrays at backward's peak drops, down to the leaves' gradients once it returns.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import type { AnyTensor } from "../../src/tensor.js";
import { poolStats, resetPeak } from "../../src/backends/cpu/arrays.js";
import { setFreeGradients } from "../../src/autograd/backward.js";
import { bnNet } from "./nets.js";

afterEach(() => setFreeGradients(true));

const bits = (t: AnyTensor) => Array.from(new Uint8Array((t.storage as Float32Array | Float64Array).slice().buffer));
/** Bytes of the arrays the pool counts (more than 64 bytes: arrays.ts's IN_HEAP_BYTES). */
const counted = (t: AnyTensor) => {
  const b = (t.storage as Float32Array).byteLength;
  return b > 64 ? b : 0;
};

/** A residual MLP: `add` hands its gradient to both inputs, and x feeds two branches. */
function residualNet() {
  const { nn } = sg;
  const block = () => nn.Residual(nn.Sequential(nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 32)));
  return nn.Sequential(nn.Linear(16, 32), block(), nn.ReLU(), block(), nn.Linear(32, 10));
}

interface Step {
  losses: number[];
  params: number[][];
  grads: number[][];
  /** per step: bytes held at backward's peak above what was held before it, and after it */
  peak: number[];
  after: number[];
  gradBytes: number;
}

function train(free: boolean, model: "bn" | "residual", dtype: "float32" | "float64", steps = 3): Step {
  setFreeGradients(free);
  sg.manualSeed(7);
  const net = model === "bn" ? bnNet(dtype) : residualNet();
  if (model === "residual" && dtype === "float64") net.to("float64");
  net.train();
  const opt = new sg.optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
  const x = sg.keep(sg.rand(model === "bn" ? [4, 3, 16, 16] : [8, 16], { dtype }));
  const y: AnyTensor = sg.keep(sg.randint(0, 10, [model === "bn" ? 4 : 8]));
  const out: Step = { losses: [], params: [], grads: [], peak: [], after: [], gradBytes: 0 };
  for (let i = 0; i < steps; i++) {
    sg.tidy(() => {
      const loss = sg.nn.functional.crossEntropy(net.forward(x as never), y as never);
      opt.zeroGrad();
      const before = poolStats().heldBytes;
      resetPeak();
      loss.backward();
      out.peak.push(poolStats().peakHeldBytes - before);
      out.after.push(poolStats().heldBytes - before);
      out.losses.push(loss.item());
      out.grads = net.parameters().map((p) => bits(p.grad!));
      out.gradBytes = net.parameters().reduce((a, p) => a + counted(p.grad!), 0);
      opt.step();
      return null;
    });
  }
  out.params = net.parameters().map(bits);
  x.dispose();
  y.dispose();
  return out;
}

describe("backward frees each gradient once consumed", () => {
  for (const [model, dtype] of [
    ["bn", "float32"],
    ["bn", "float64"],
    ["residual", "float32"],
    ["residual", "float64"],
  ] as const) {
    it(`training gives the same bits with and without freeing; the peak drops (${model}, ${dtype})`, () => {
      const kept = train(false, model, dtype);
      const freed = train(true, model, dtype);
      expect(freed.losses).toEqual(kept.losses);
      expect(freed.grads).toEqual(kept.grads);
      expect(freed.params).toEqual(kept.params);
      for (let i = 0; i < freed.peak.length; i++) {
        // Once backward returns, at most the leaves' gradients are left of everything it made (a
        // kernel that accumulates writes a zeroed array the pool does not count).
        expect(freed.after[i]).toBeGreaterThan(0);
        expect(freed.after[i]).toBeLessThanOrEqual(freed.gradBytes);
        expect(kept.after[i]).toBeGreaterThan(freed.gradBytes);
        expect(freed.peak[i]).toBeLessThan(kept.peak[i]);
      }
    });
  }

  it("on a chain of 12 layers the peak during backward holds a few gradients, not all of them", () => {
    // Every layer's output gradient is [32, 64] float32 (8 KiB) as is each weight's: kept, the
    // peak holds the 24 activation gradients and the weights'; freed, the frontier (one or two
    // activation gradients) and the weights'.
    const peak = (free: boolean) => {
      setFreeGradients(free);
      sg.manualSeed(5);
      const layers = Array.from({ length: 12 }, () => [sg.nn.Linear(64, 64), sg.nn.Tanh()]).flat();
      const net = sg.nn.Sequential(...layers);
      const x = sg.rand([32, 64]);
      return sg.tidy(() => {
        const loss = (net.forward(x) as AnyTensor).sum();
        const before = poolStats().heldBytes;
        resetPeak();
        loss.backward();
        const weights = net.parameters().reduce((a, p) => a + counted(p.grad!), 0);
        return { over: poolStats().peakHeldBytes - before - weights, weights };
      });
    };
    const kept = peak(false),
      freed = peak(true);
    const gradient = 32 * 64 * 4;
    expect(kept.over).toBeGreaterThanOrEqual(12 * gradient);
    expect(freed.over).toBeLessThanOrEqual(4 * gradient);
  });

  it("keeps a user's seed, a gradient asked for, and what createGraph differentiates again", () => {
    const x = sg.rand([64, 8], { dtype: "float64" }).requiresGrad_();
    const h = sg.tanh(sg.mul(x, 3));
    const y = sg.add(h, h).reshape([8, 64]);
    const seed = sg.rand([8, 64], { dtype: "float64" });
    const [gh, gx] = sg.gradients(y, [h, x], { seeds: [seed], retainGraph: true });
    expect(seed.disposed || gh.disposed || gx.disposed).toBe(false);
    y.backward(seed, { retainGraph: true });
    expect(seed.disposed || x.grad!.disposed).toBe(false);
    expect(Array.from(x.grad!.dataSync())).toEqual(Array.from(gx.dataSync()));
    // second order: d/dx sum(dy/dx * seed), freeing off inside createGraph
    const [g1] = sg.gradients(y, [x], { seeds: [seed], createGraph: true });
    const [g2] = sg.gradients(g1.sum(), [x], { retainGraph: true });
    setFreeGradients(false);
    const [k1] = sg.gradients(y, [x], { seeds: [seed], createGraph: true });
    const [k2] = sg.gradients(k1.sum(), [x], { retainGraph: true });
    expect(bits(g2)).toEqual(bits(k2));
  });

  it("random graphs: the same gradients, none of them disposed, with and without freeing", () => {
    // Each op reads one or two earlier tensors (shared reads, pass-through gradients, views).
    type Op = { kind: number; a: number; b: number };
    const apply = (kind: number, a: AnyTensor, b: AnyTensor): AnyTensor => {
      switch (kind) {
        case 0:
          return sg.add(a, b);
        case 1:
          return sg.mul(a, b);
        case 2:
          return sg.relu(sg.sub(a, 0.3));
        case 3:
          return a.reshape([16, 8]).transpose(0, 1).reshape([8, 16]);
        case 4:
          return sg.matmul(sg.matmul(a, sg.transpose(b, 0, 1)), a).narrow(1, 0, 16);
        case 5:
          return sg.mul(a, a);
        default:
          return sg.exp(sg.mul(a, -0.5));
      }
    };
    const run = (free: boolean, ops: Op[], wantAt: number[]) => {
      setFreeGradients(free);
      return sg.tidy(() => {
        sg.manualSeed(1);
        const leaves = [0, 1].map(() => sg.rand([8, 16], { dtype: "float64" }).requiresGrad_());
        const ts: AnyTensor[] = [...leaves];
        for (const o of ops) ts.push(apply(o.kind, ts[o.a % ts.length], ts[o.b % ts.length]));
        const loss = sg.add(ts[ts.length - 1].sum(), ts[ts.length - 2].sum());
        const wanted = [...new Set(wantAt.map((i) => ts[i % ts.length]))].filter((t) => t.requiresGrad);
        const gs = sg.gradients(loss, wanted, { retainGraph: true });
        loss.backward();
        const all: AnyTensor[] = [...gs, ...leaves.flatMap((l) => (l.grad ? [l.grad] : []))];
        expect(all.some((g) => g.disposed)).toBe(false);
        return all.map(bits);
      });
    };
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: fc.nat(6), a: fc.nat(), b: fc.nat() }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (ops, wantAt) => {
          expect(run(true, ops, wantAt)).toEqual(run(false, ops, wantAt));
        },
      ),
      { seed: 2324, numRuns: 150 },
    );
  });
});
