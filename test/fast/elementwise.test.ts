// Large float32 elementwise ops run on the WebAssembly SIMD kernel (src/backends/cpu/elementwise.ts,
// FAST_ELEMENTS and up). Each must give, bit for bit (any NaN for a NaN), what the plain definition
// gives in float32 -- the small-tensor path's loops -- on random bit patterns with the special values
// mixed in, at lengths that straddle the vector width and the kernel's items, with either operand
// broadcast from one element; and a threaded job must equal a single-thread one.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import { elementwiseF32, fastRuntime, setNumThreads } from "../../src/backends/cpu/fast/index.js";
import { ELEMENTWISE, ELEMENTWISE_ITEM } from "../../src/backends/cpu/fast/wasm/kernels-wasm.js";
import { rng } from "../helpers/random.js";

const unary = {
  neg: (u: number) => -u,
  abs: Math.abs,
  sqrt: Math.sqrt,
  relu: (u: number) => (u > 0 || Number.isNaN(u) ? u : 0),
  step: (u: number) => (u > 0 ? 1 : 0),
};
const binary = {
  add: (u: number, v: number) => u + v,
  sub: (u: number, v: number) => u - v,
  mul: (u: number, v: number) => u * v,
  div: (u: number, v: number) => u / v,
  maximum: (u: number, v: number) => (Number.isNaN(u) || Number.isNaN(v) ? NaN : u > v ? u : v),
  greater: (u: number, v: number) => (u > v ? 1 : 0),
  equal: (u: number, v: number) => (u === v ? 1 : 0),
};
const publicOp = {
  neg: sg.neg, abs: sg.abs, sqrt: sg.sqrt, relu: sg.relu,
  add: sg.add, sub: sg.sub, mul: sg.mul, div: sg.div, maximum: sg.maximum,
  greater: (a: sg.AnyTensor, b: never) => a.gt(b), equal: (a: sg.AnyTensor, b: never) => a.eq(b),
} as unknown as Record<string, (...t: sg.AnyTensor[]) => sg.AnyTensor>;

const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 1, -1, 1.401298464324817e-45, 3.4028234663852886e38, 0.5];

/** n floats from random bit patterns (any float, NaNs with payloads included), every 5th a special value. */
function floats(n: number, seed: number): Float32Array {
  const next = rng(seed);
  const x = new Float32Array(n);
  const bits = new Int32Array(x.buffer);
  for (let i = 0; i < n; i++) bits[i] = (next() * 2 ** 32) | 0;
  for (let i = 0; i < n; i += 5) x[i] = SPECIALS[(i / 5) % SPECIALS.length];
  return x;
}

function expectSame(got: ArrayLike<number>, want: (i: number) => number, label: string): void {
  for (let i = 0; i < got.length; i++) {
    const w = Math.fround(want(i));
    if (Number.isNaN(w) ? !Number.isNaN(got[i]) : !Object.is(got[i], w)) {
      throw new Error(`${label}: element ${i} is ${got[i]}, expected ${w}`);
    }
  }
}

describe("float32 elementwise on the SIMD kernel", () => {
  it("the kernel's op list is the table's: every op the kernel runs is a primitive tested here", () => {
    expect([...ELEMENTWISE].sort()).toEqual([...Object.keys(unary), ...Object.keys(binary)].sort());
  });

  it("matches the definitions bit for bit, both operands full or either one broadcast", () => {
    setNumThreads(1);
    const lengths = fc.oneof(fc.integer({ min: 2048, max: 2100 }), fc.integer({ min: ELEMENTWISE_ITEM - 5, max: ELEMENTWISE_ITEM + 9 }));
    fc.assert(fc.property(lengths, fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
      const x = floats(n, seed), b = floats(n, seed + 1), s = floats(1, seed + 2);
      for (const [op, f] of Object.entries(unary)) {
        expectSame(elementwiseF32(op as keyof typeof unary, x), (i) => f(x[i]), `${op} n=${n}`);
      }
      for (const [op, f] of Object.entries(binary)) {
        const name = op as keyof typeof binary;
        expectSame(elementwiseF32(name, x, b), (i) => f(x[i], b[i]), `${op} n=${n}`);
        expectSame(elementwiseF32(name, x, s), (i) => f(x[i], s[0]), `${op} n=${n}, scalar right`);
        expectSame(elementwiseF32(name, s, b), (i) => f(s[0], b[i]), `${op} n=${n}, scalar left`);
      }
    }), { seed: 7, numRuns: 12 });
  });

  it("the public ops take the kernel from FAST_ELEMENTS on, with the same results and shapes", () => {
    const n = 3 * 1024 + 1;
    const x = floats(n, 11), b = floats(n, 12);
    const tx = sg.tensor(x) as sg.AnyTensor;
    const tb = sg.tensor(b);
    const scalar = sg.tensor(new Float32Array([2.5]), { shape: [1, 1] });
    for (const [op, f] of Object.entries(unary)) {
      if (op === "step") continue; // no public op: relu's gradient, below
      const y = publicOp[op](tx);
      expect(y.shape).toEqual([n]);
      expectSame(y.dataSync(), (i) => f(x[i]), op);
    }
    const g = sg.grad((a: sg.AnyTensor) => sg.sum(sg.relu(a)))(tx).dataSync();
    expectSame(g, (i) => unary.step(x[i]), "step (relu's gradient)");
    for (const [op, f] of Object.entries(binary)) {
      expectSame(publicOp[op](tx, tb).dataSync(), (i) => f(x[i], b[i]), op);
      const right = publicOp[op](tx, scalar);
      expect(right.shape).toEqual([1, n]);
      expectSame(right.dataSync(), (i) => f(x[i], 2.5), `${op}, scalar tensor`);
      expectSame(publicOp[op](tx, 2.5 as never).dataSync(), (i) => f(x[i], 2.5), `${op}, number`);
    }
  });

  it("a job shared with a worker gives the single-thread result", async () => {
    const n = 4 * ELEMENTWISE_ITEM * 48 + 3; // over the pool's threshold: several items per thread
    const x = floats(n, 21), b = floats(n, 22);
    setNumThreads(1);
    const one = elementwiseF32("maximum", x, b);
    setNumThreads(2);
    fastRuntime().adaptive = false;
    await fastRuntime().whenReady();
    const before = fastRuntime().workerUnits;
    const two = elementwiseF32("maximum", x, b);
    expect(fastRuntime().workerUnits).toBeGreaterThan(before);
    expect(Buffer.compare(Buffer.from(two.buffer), Buffer.from(one.buffer))).toBe(0);
  });
});
