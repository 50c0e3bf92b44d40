// The CPU backend's float array reuse (src/backends/cpu/arrays.ts): an array goes back to the pool
// when the last tensor holding it is disposed, and a later op of the same length gets it again.
// Reuse must never show: training with the pool gives the same bits as training without it
// (setPoolBytes(0)); an array handed out by dataSync() is never reused; tensors sharing an array
// (reshape, detach, assign) keep it until the last one goes; caches keyed by an array (packed conv
// weights, max pooling's argmax) forget it before it holds other data; the pool's bytes stay under
// its budget. A fast-check model runs random sequences of those operations and checks every live
// tensor and every handed-out array against a copy after each one.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import type { AnyTensor } from "../../src/tensor.js";
import { poolStats, setPoolBytes } from "../../src/backends/cpu/arrays.js";
import { bnNet, trainStep } from "./nets.js";

const DEFAULT_BUDGET = poolStats().budget;
afterEach(() => setPoolBytes(DEFAULT_BUDGET));

/** The tensor's own array (no dataSync: that would pin it). */
const storage = (t: AnyTensor) => t.storage as Float32Array | Float64Array;
const same = (a: ArrayLike<number> | null, b: Float32Array) =>
  a !== null && a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));
const bits = (t: AnyTensor) => Array.from(new Uint8Array(storage(t).slice().buffer));

type Net = ReturnType<typeof bnNet>;

/** Losses and final parameters of `steps` tidy() training steps from seed 0, with the pool's budget `budget`. */
function train(budget: number, dtype: "float32" | "float64", optimizer: "sgd" | "adam", steps = 6) {
  setPoolBytes(budget);
  sg.manualSeed(0);
  const net: Net = bnNet(dtype);
  net.train();
  const opt =
    optimizer === "sgd"
      ? new sg.optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 })
      : new sg.optim.Adam(net.parameters(), { lr: 1e-2 });
  const x = sg.keep(sg.rand([4, 3, 16, 16], { dtype }));
  const y = sg.keep(sg.randint(0, 10, [4]));
  const losses: number[] = [];
  const before = poolStats().reuses;
  const step = trainStep(net, opt, x, y);
  for (let i = 0; i < steps; i++) losses.push(step());
  return { losses, params: net.parameters().map(bits), reuses: poolStats().reuses - before };
}

describe("float array reuse on the CPU", () => {
  for (const [dtype, optimizer] of [
    ["float32", "sgd"],
    ["float32", "adam"],
    ["float64", "sgd"],
  ] as const) {
    it(`training steps give the same bits with and without the pool (${dtype}, ${optimizer})`, () => {
      const without = train(0, dtype, optimizer);
      const withPool = train(DEFAULT_BUDGET, dtype, optimizer);
      expect(without.reuses).toBe(0);
      // Each step after the first takes its arrays back: the activations, gradients, new weights.
      expect(withPool.reuses).toBeGreaterThan(5 * 20);
      expect(withPool.losses).toEqual(without.losses);
      expect(withPool.params).toEqual(without.params);
    });
  }

  it("an array handed out by dataSync() is never reused", () => {
    const handed = sg.tidy(() => sg.mul(sg.rand([64, 64]), 2).dataSync());
    const copy = handed.slice();
    for (let i = 0; i < 20; i++) {
      sg.tidy(() => {
        const t = sg.add(sg.rand([64, 64]), 1);
        expect(storage(t)).not.toBe(handed);
        return null;
      });
    }
    expect(handed).toEqual(copy);
  });

  it("an array released by one of the tensors sharing it stays until the last is disposed", () => {
    const a = sg.mul(sg.rand([32, 64]), 3);
    const expected = storage(a).slice();
    const r = a.reshape([64, 32]);
    const d = a.detach();
    a.dispose();
    d.dispose();
    for (let i = 0; i < 5; i++) sg.neg(sg.rand([2048])).dispose();
    expect(storage(r)).toEqual(expected);
    const reused = poolStats().reuses;
    r.dispose();
    const next = sg.neg(sg.rand([2048]));
    expect(poolStats().reuses).toBeGreaterThan(reused);
    next.dispose();
  });

  it("assign shares the value's array: disposing the value leaves the tensor's data", () => {
    const p = sg.zeros([4096]);
    const old = storage(p);
    const v = sg.add(sg.rand([4096]), 1);
    const expected = storage(v).slice();
    p.assign(v);
    v.dispose();
    // p's old array went to the pool and is handed out again; v's stays p's
    const n = sg.rand([4096]);
    expect(storage(n)).toBe(old);
    expect(storage(n)).not.toBe(storage(p));
    expect(storage(p)).toEqual(expected);
    n.dispose();
  });

  it("a conv weight's packing is forgotten when its array is reused for another weight", () => {
    const x = sg.keep(sg.rand([2, 8, 12, 12]));
    const w1 = sg.rand([16, 8, 3, 3]);
    const first = w1.storage;
    sg.conv2d(x, w1).dispose(); // packs w1
    w1.dispose();
    const w2 = sg.rand([16, 8, 3, 3]); // the same length: w1's array, other data
    expect(w2.storage).toBe(first);
    const y = sg.conv2d(x, w2);
    const plain = sg.conv2d(x.cast("float64"), w2.cast("float64"));
    const got = storage(y),
      want = storage(plain);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4);
    x.dispose();
  });

  it("max pooling's remembered argmax is forgotten when its input's array is reused", () => {
    const p = { kernelSize: 2 } as const;
    const a = sg.rand([2, 4, 16, 16]);
    const first = a.storage;
    sg.maxPool2d(a, p).dispose();
    a.dispose();
    const b = sg.rand([2, 4, 16, 16]).requiresGrad_();
    expect(b.storage).toBe(first);
    const y = sg.maxPool2d(b, p);
    y.sum().backward();
    const b64 = b.detach().cast("float64").requiresGrad_();
    sg.maxPool2d(b64, p).sum().backward();
    expect(Array.from(storage(b.grad!))).toEqual(Array.from(storage(b64.grad!)));
  });

  it("the pool never holds more than its budget", () => {
    setPoolBytes(64 * 1024);
    const ts = Array.from({ length: 40 }, (_, i) => sg.neg(sg.rand([1024 + 64 * i])));
    for (const t of ts) t.dispose();
    const { freeBytes, budget } = poolStats();
    expect(budget).toBe(64 * 1024);
    expect(freeBytes).toBeGreaterThan(0);
    expect(freeBytes).toBeLessThanOrEqual(budget);
  });

  it("random sequences of ops, views, disposals, dataSync and assign never change a live value", () => {
    type Op =
      | { kind: "make"; size: number }
      | { kind: "reshape" | "detach" | "dispose" | "dataSync" | "neg"; at: number }
      | { kind: "assign"; at: number; from: number };
    const sizes = [1024, 2048];
    const reusesBefore = poolStats().reuses;
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("make" as const), size: fc.constantFrom(...sizes) }),
      fc.record({
        kind: fc.constantFrom("reshape" as const, "detach" as const, "dispose" as const, "dataSync" as const),
        at: fc.nat(),
      }),
      fc.record({ kind: fc.constant("neg" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("assign" as const), at: fc.nat(), from: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const live: { t: AnyTensor; want: Float32Array }[] = [];
        const handed: { data: Float32Array; want: Float32Array }[] = [];
        for (const o of ops) {
          if (o.kind === "make") {
            const t = sg.add(sg.rand([o.size]), 1);
            live.push({ t, want: (storage(t) as Float32Array).slice() });
            continue;
          }
          if (live.length === 0) continue;
          const e = live[o.at % live.length];
          if (o.kind === "reshape") live.push({ t: e.t.reshape(e.t.ndim === 1 ? [2, -1] : [-1]), want: e.want });
          else if (o.kind === "detach") live.push({ t: e.t.detach(), want: e.want });
          else if (o.kind === "neg") {
            const t = sg.neg(e.t);
            live.push({ t, want: e.want.map((v) => -v) });
          } else if (o.kind === "dispose") {
            e.t.dispose();
            live.splice(live.indexOf(e), 1);
          } else if (o.kind === "dataSync") handed.push({ data: e.t.dataSync() as Float32Array, want: e.want });
          else if (o.kind === "assign") {
            const src = live[o.from % live.length];
            if (src.t.size !== e.t.size || src === e) continue;
            // detached first: a reshape to the same shape is the tensor itself
            const value = src.t.detach().reshape(e.t.shape as number[]);
            e.t.assign(value);
            value.dispose();
            e.want = src.want;
          }
          expect(live.every((l) => same(storage(l.t), l.want)) && handed.every((h) => same(h.data, h.want))).toBe(true);
        }
        for (const l of live) l.t.dispose();
      }),
      { seed: 2323, numRuns: 100 },
    );
    expect(poolStats().reuses).toBeGreaterThan(reusesBefore + 100);
  });
});
