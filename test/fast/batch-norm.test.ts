// The float32 SIMD batch norm backward (bn_bwd, src/backends/cpu/fast/batch-norm.ts) against the JS
// loops it replaced (batchNormBackward in src/backends/cpu/batch-norm.ts), fast-check with fixed
// seeds: runs of every length mod 4 (the kernel's scalar tails), with and without relu's mask (y
// with zeros, negative zeros and NaNs; cotangents with infinities and NaNs where the mask drops
// them), with and without the input gradient, 1 and 2 threads. The sums are float64 in both, in
// another order: equal to ~1e-15 relative; the input gradient, rounded once to float32 from them,
// to float32 rounding.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fastRuntime, setNumThreads } from "../../src/backends/cpu/fast/index.js";
import { batchNormBackwardF32 } from "../../src/backends/cpu/fast/batch-norm.js";
import { batchNormBackward } from "../../src/backends/cpu/batch-norm.js";
import { rng } from "../helpers/random.js";

fastRuntime().adaptive = false;

interface Case {
  batch: number;
  channels: number;
  inner: number;
  relu: boolean;
  wantInput: boolean;
  special: boolean;
  seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  batch: fc.integer({ min: 1, max: 4 }),
  channels: fc.integer({ min: 1, max: 6 }),
  inner: fc.integer({ min: 1, max: 23 }),
  relu: fc.boolean(),
  wantInput: fc.boolean(),
  special: fc.boolean(),
  seed: fc.nat(1e6),
});

/** A seeded stream of floats in [-1, 1). */
function stream(seed: number): () => number {
  const next = rng(seed);
  return () => next() * 2 - 1;
}

function data(c: Case) {
  const next = stream(c.seed);
  const n = c.batch * c.channels * c.inner;
  const x = Float32Array.from({ length: n }, () => 3 * next() + 0.5);
  const g = Float32Array.from({ length: n }, () => next());
  // batchNormReluTrain's output: zero (of both signs) where relu cut, NaN now and then
  const y = c.relu
    ? Float32Array.from({ length: n }, (_, i) => {
        const v = next();
        return c.special && i % 7 === 3 ? NaN : v > 0 ? v : i % 2 ? 0 : -0;
      })
    : null;
  // cotangents the mask drops may be anything: the kernel's and-mask must give +0 there
  if (y && c.special) for (let i = 0; i < n; i += 5) if (!(y[i] > 0) && y[i] === y[i]) g[i] = [Infinity, NaN][i % 2];
  const weight = Float32Array.from({ length: c.channels }, () => next() * 2);
  const mean = Float64Array.from({ length: c.channels }, () => next());
  const invstd = Float64Array.from({ length: c.channels }, () => 1 + Math.abs(next()));
  return { x, g, y, weight, mean, invstd, n };
}

function compare(c: Case): void {
  const { x, g, y, weight, mean, invstd, n } = data(c);
  const got = batchNormBackwardF32(x, g, y, weight, mean, invstd, c.batch, c.channels, c.inner, c.wantInput);
  const dx = c.wantInput ? new Float32Array(n) : null;
  const dweight = new Float32Array(c.channels),
    dbias = new Float32Array(c.channels);
  batchNormBackward(x, g, weight, mean, invstd, c.batch, c.channels, c.inner, dx, dweight, dbias, y);
  for (let ch = 0; ch < c.channels; ch++) {
    // dbias and dweight are the sums rounded to float32 (dweight after a product with invstd)
    expect(Math.fround(got.sumG[ch])).toBeCloseTo(dbias[ch], 5);
    expect(Math.abs(Math.fround(got.sumGX[ch] * invstd[ch]) - dweight[ch])).toBeLessThanOrEqual(
      1e-6 * (1 + Math.abs(dweight[ch])),
    );
  }
  expect(got.input === null).toBe(!c.wantInput);
  if (!dx || !got.input) return;
  const scale = dx.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const worst = dx.reduce((w, v, i) => Math.max(w, Math.abs(v - got.input![i])), 0);
  expect(worst).toBeLessThanOrEqual(1e-6 * scale);
  expect(got.input.every((v) => Number.isFinite(v))).toBe(true);
}

describe("bn_bwd: batch norm's backward in SIMD against the JS loops", () => {
  for (const threads of [1, 2]) {
    it(`agrees on random cases (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      try {
        fc.assert(fc.property(caseArb, compare), { seed: 2310 + threads, numRuns: 200 });
        // large enough to be shared with a worker
        compare({ batch: 8, channels: 24, inner: 1023, relu: true, wantInput: true, special: true, seed: 5 });
        compare({ batch: 4, channels: 16, inner: 4096, relu: false, wantInput: true, special: false, seed: 6 });
      } finally {
        setNumThreads(1);
      }
    });
  }

  it("sums exactly what the mask keeps: a channel of ones where y > 0 or NaN", () => {
    // inner 9: two vector steps and a scalar tail; y's kept lanes counted by hand
    const y = Float32Array.from([1, -1, 0, -0, NaN, 2, -3, 0.5, NaN]);
    const x = new Float32Array(9).fill(2),
      g = new Float32Array(9).fill(1);
    g[1] = Infinity;
    g[2] = NaN;
    const r = batchNormBackwardF32(x, g, y, Float32Array.of(1), Float64Array.of(1), Float64Array.of(1), 1, 1, 9, true);
    expect(r.sumG[0]).toBe(5);
    expect(r.sumGX[0]).toBe(5);
    // dx = g' - 5/9 - (x - m) 5/9 = g' - 10/9 with g' the kept cotangent
    expect(Array.from(r.input!)).toEqual(Array.from(y, (v) => Math.fround((v > 0 || v !== v ? 1 : 0) - 10 / 9)));
  });
});
