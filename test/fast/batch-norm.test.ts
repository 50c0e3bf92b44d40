// The float32 SIMD batch norm (src/backends/cpu/fast/batch-norm.ts) against the JS loops of
// src/backends/cpu/batch-norm.ts, fast-check with fixed seeds. Forward (bn_stats, bn_fwd): the same
// order of float64 operations, so the same bits, with runs of every length mod 4, NaN and infinite
// inputs, a mean far from zero, with and without relu, x read in place or copied in. Backward
// (bn_bwd): runs of every length mod 4 (the kernel's scalar tails), with and without relu's mask
// (which the kernel recomputes from x and the bias where the JS loops read the forward's output:
// NaN x, biases that make y a float64 residual of either sign, cotangents with infinities and NaNs
// where the mask drops them), with and without the input gradient, 1 and 2 threads. The sums are
// float64 in both, in another order: equal to ~1e-15 relative; the input gradient, rounded once to
// float32 from them, to float32 rounding. The recomputed mask itself is checked bit for bit.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fastRuntime, setNumThreads } from "../../src/backends/cpu/fast/index.js";
import {
  batchNormBackwardF32,
  batchNormForwardF32,
  batchNormStatsF32,
} from "../../src/backends/cpu/fast/batch-norm.js";
import { batchNormBackward, batchNormForward, channelStats } from "../../src/backends/cpu/batch-norm.js";
import { rng } from "../helpers/random.js";
import { add, manualSeed, mul, randn, relu, sum } from "../../src/index.js";
import { cast } from "../../src/ops/untyped.js";
import { batchNormRelu, batchNormReference } from "../../src/nn/functional-impl.js";
import { relativeGap as gap } from "../helpers/compare.js";
import type { AnyTensor } from "../../src/tensor.js";

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
  // a NaN x now and then: the forward's output there is NaN, which relu's gradient keeps
  if (c.special) for (let i = 3; i < n; i += 13) x[i] = NaN;
  const g = Float32Array.from({ length: n }, () => next());
  const weight = Float32Array.from({ length: c.channels }, () => next() * 2);
  const bias = Float32Array.from({ length: c.channels }, () => next());
  const mean = Float64Array.from({ length: c.channels }, () => next());
  const invstd = Float64Array.from({ length: c.channels }, () => 1 + Math.abs(next()));
  if (c.special)
    for (let ch = 0; ch < c.channels; ch++) {
      // ties: a bias that cancels (x - mean) scale to float32 rounding for some x of the channel,
      // whose y is then a float64 residual, its sign that of the exact operations and their order
      const first = ch * c.inner;
      for (let k = 1; k < c.inner; k += 3) x[first + k] = x[first];
      bias[ch] = Math.fround(-(x[first] - mean[ch]) * (invstd[ch] * weight[ch]));
    }
  // batchNormReluTrain's output, whose mask the JS loops read (the kernel recomputes it from x)
  const y = c.relu ? new Float32Array(n) : null;
  if (y) batchNormForward(x, weight, bias, mean, invstd, c.batch, c.channels, c.inner, y, true);
  // cotangents the mask drops may be anything: the kernel's and-mask must give +0 there
  if (y && c.special) for (let i = 0; i < n; i += 5) if (!(y[i] > 0) && y[i] === y[i]) g[i] = [Infinity, NaN][i % 2];
  return { x, g, y, weight, bias: c.relu ? bias : null, mean, invstd, n };
}

function compare(c: Case): void {
  const { x, g, y, weight, bias, mean, invstd, n } = data(c);
  const got = batchNormBackwardF32(x, g, bias, weight, mean, invstd, c.batch, c.channels, c.inner, c.wantInput);
  const dx = c.wantInput ? new Float32Array(n) : null;
  const dweight = new Float32Array(c.channels),
    dbias = new Float32Array(c.channels);
  batchNormBackward(x, g, weight, mean, invstd, c.batch, c.channels, c.inner, dx, dweight, dbias, y);
  for (let ch = 0; ch < c.channels; ch++) {
    // dbias and dweight are the sums rounded to float32 (dweight after a product with invstd)
    expect(Math.fround(got.sumG[ch])).toBeCloseTo(dbias[ch], 5);
    if (Number.isNaN(dweight[ch])) {
      // a NaN x in the channel: sum g (x - mean) is NaN in both (and so is the channel's dx)
      expect(got.sumGX[ch]).toBeNaN();
      continue;
    }
    expect(Math.abs(Math.fround(got.sumGX[ch] * invstd[ch]) - dweight[ch])).toBeLessThanOrEqual(
      1e-6 * (1 + Math.abs(dweight[ch])),
    );
  }
  expect(got.input === null).toBe(!c.wantInput);
  if (!dx || !got.input) return;
  // NaN exactly where the JS loops give NaN, every other value to float32 rounding of the largest
  expect(Array.from(got.input, Number.isNaN)).toEqual(Array.from(dx, Number.isNaN));
  const scale = dx.reduce((m, v) => (v === v ? Math.max(m, Math.abs(v)) : m), 0);
  const worst = dx.reduce((w, v, i) => (v === v ? Math.max(w, Math.abs(v - got.input![i])) : w), 0);
  expect(worst).toBeLessThanOrEqual(1e-6 * scale);
}

/**
 * relu's gradient of g by reluBackward's rule on the forward's output y (g where y > 0 or NaN,
 * else +0): the kernel with its recomputed mask must sum exactly these values, in its own order,
 * so it equals the kernel without relu on them bit for bit.
 */
const reluGradient = (g: Float32Array, y: Float32Array) => g.map((v, i) => (y[i] > 0 || y[i] !== y[i] ? v : 0));

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

  it("recomputes the forward's mask bit for bit: the sums and dx of the pre-masked cotangent", () => {
    const bitsOf = (r: ReturnType<typeof batchNormBackwardF32>) => [
      ...r.sumG,
      ...r.sumGX,
      ...Array.from(r.input ?? [], (v) => (v !== v ? NaN : v)),
    ];
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      try {
        fc.assert(
          fc.property(caseArb, (c0) => {
            const c = { ...c0, relu: true };
            const { x, g, y, weight, bias, mean, invstd } = data(c);
            const dims = [c.batch, c.channels, c.inner] as const;
            const masked = reluGradient(g, y!);
            const got = batchNormBackwardF32(x, g, bias, weight, mean, invstd, ...dims, c.wantInput);
            const want = batchNormBackwardF32(x, masked, null, weight, mean, invstd, ...dims, c.wantInput);
            expect(bitsOf(got)).toEqual(bitsOf(want));
          }),
          { seed: 2330 + threads, numRuns: 150 },
        );
      } finally {
        setNumThreads(1);
      }
    }
  });

  it("takes the mask from the float32 output: a v > 0 that rounds to +0 is cut, NaN kept", () => {
    // inner 9: two vector steps and a scalar tail. scale = invstd weight = 2^-130 and bias 0: v =
    // x 2^-130, which for x = 2^-20 is 2^-150, half the least float32 subnormal (rounds to even: +0,
    // cut), and for x just above it rounds up to 2^-149 (kept)
    const x = Float32Array.from([1, -1, 0, 2 ** -20, NaN, 2, -3, 2 ** -20 * (1 + 2 ** -23), 0.5]);
    const weight = Float32Array.of(2 ** -65),
      bias = Float32Array.of(0),
      mean = Float64Array.of(0),
      invstd = Float64Array.of(2 ** -65);
    const y = new Float32Array(9);
    batchNormForward(x, weight, bias, mean, invstd, 1, 1, 9, y, true);
    const kept = [true, false, false, false, true, true, false, true, true];
    expect(Array.from(y, (v) => v > 0 || v !== v)).toEqual(kept);
    // the cut cotangents are not finite: any leak turns the sum into NaN or infinity
    const g = Float32Array.from(kept, (k, i) => (k ? 1 : [Infinity, NaN][i % 2]));
    for (const [at, len] of [
      [0, 9],
      [1, 8],
      [3, 6],
    ]) {
      // the same values at other offsets in the vector loop and the scalar tail
      const sub = (a: Float32Array) => a.slice(at, at + len);
      const r = batchNormBackwardF32(sub(x), sub(g), bias, weight, mean, invstd, 1, 1, len, false);
      expect(r.sumG[0]).toBe(kept.slice(at, at + len).filter(Boolean).length);
    }
  });
});

interface ForwardCase {
  batch: number;
  channels: number;
  inner: number;
  relu: boolean;
  /** 0: plain values, 1: a mean of ~1e4 (two-pass territory), 2: NaN and infinities in some channels */
  kind: 0 | 1 | 2;
  seed: number;
}

const forwardArb: fc.Arbitrary<ForwardCase> = fc.record({
  batch: fc.integer({ min: 1, max: 4 }),
  channels: fc.integer({ min: 1, max: 6 }),
  inner: fc.integer({ min: 1, max: 23 }),
  relu: fc.boolean(),
  kind: fc.constantFrom(0 as const, 1 as const, 2 as const),
  seed: fc.nat(1e6),
});

function forwardData(c: ForwardCase) {
  const next = stream(c.seed);
  const n = c.batch * c.channels * c.inner;
  const x = Float32Array.from({ length: n }, () => (c.kind === 1 ? 1e4 + next() : 3 * next() + 0.5));
  if (c.kind === 2) for (let i = 0; i < n; i += 11) x[i] = [NaN, Infinity, -Infinity][i % 3];
  const weight = Float32Array.from({ length: c.channels }, () => next() * 2);
  const bias = Float32Array.from({ length: c.channels }, () => next());
  return { x, weight, bias, n };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** The SIMD forward against channelStats then batchNormForward: every bit of the statistics and of y. */
function compareForward(c: ForwardCase): void {
  const { x, weight, bias, n } = forwardData(c);
  const dims = [c.batch, c.channels, c.inner] as const;
  const got = batchNormStatsF32(x, ...dims);
  const want = channelStats(x, ...dims);
  for (let ch = 0; ch < c.channels; ch++) {
    expect(Object.is(got.mean[ch], want.mean[ch])).toBe(true);
    expect(Object.is(got.variance[ch], want.variance[ch])).toBe(true);
  }
  const invstd = want.variance.map((v) => 1 / Math.sqrt(v + 1e-5));
  const y = batchNormForwardF32(x, weight, bias, want.mean, invstd, ...dims, c.relu);
  const ref = new Float32Array(n);
  batchNormForward(x, weight, bias, want.mean, invstd, ...dims, ref, c.relu);
  // NaN as NaN (its payload is the hardware's in both), every other value bit for bit
  expect(bits(y.map((v) => (v !== v ? NaN : v)))).toEqual(bits(ref.map((v) => (v !== v ? NaN : v))));
}

describe("bn_stats and bn_fwd: batch norm's forward in SIMD, the JS loops' bits", () => {
  for (const threads of [1, 2]) {
    it(`agrees on random cases (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      try {
        fc.assert(fc.property(forwardArb, compareForward), { seed: 2323 + threads, numRuns: 200 });
        // large enough to be shared with a worker
        compareForward({ batch: 8, channels: 24, inner: 1023, relu: true, kind: 0, seed: 7 });
        compareForward({ batch: 4, channels: 16, inner: 4096, relu: false, kind: 1, seed: 8 });
        compareForward({ batch: 4, channels: 16, inner: 4096, relu: true, kind: 2, seed: 9 });
      } finally {
        setNumThreads(1);
      }
    });
  }

  it("statistics: the two-pass variance within float64 roundings of the exact one", () => {
    // mean 1e4, std ~0.6: E[x^2] - E[x]^2 in float64 would lose ~8 of its 16 digits
    const { x } = forwardData({ batch: 3, channels: 2, inner: 37, relu: false, kind: 1, seed: 3 });
    const got = batchNormStatsF32(x, 3, 2, 37);
    for (let ch = 0; ch < 2; ch++) {
      const xs: number[] = [];
      for (let n = 0; n < 3; n++) for (let k = 0; k < 37; k++) xs.push(x[(n * 2 + ch) * 37 + k]);
      // exact in rationals: float32 values are integers over 2^24 here (|x| < 2^14), so BigInt sums are exact
      const scaled = xs.map((v) => BigInt(v * 2 ** 24));
      const count = BigInt(xs.length);
      const sum = scaled.reduce((a, b) => a + b, 0n);
      const squares = scaled.reduce((a, b) => a + b * b, 0n);
      // variance = (count sum x^2 - (sum x)^2) / count^2, in units of 2^-48
      const variance = Number(count * squares - sum * sum) / Number(count * count) / 2 ** 48;
      expect(got.mean[ch]).toBeCloseTo(Number(sum) / xs.length / 2 ** 24, 9);
      expect(Math.abs(got.variance[ch] - variance)).toBeLessThanOrEqual(1e-12 * variance);
    }
  });

  it("reads x in place after the statistics, copies it again once the memory moved on; g likewise", () => {
    const c: ForwardCase = { batch: 2, channels: 3, inner: 64, relu: true, kind: 0, seed: 11 };
    const { x, weight, bias, n } = forwardData(c);
    const other = forwardData({ ...c, seed: 12 }).x;
    const dims = [c.batch, c.channels, c.inner] as const;
    const want = channelStats(x, ...dims);
    const ref = new Float32Array(n);
    batchNormForward(x, weight, bias, want.mean, want.variance, ...dims, ref, true);
    const rt = fastRuntime();
    batchNormStatsF32(x, ...dims);
    expect(rt.residentAt(x, 0)).toBeDefined();
    expect(bits(batchNormForwardF32(x, weight, bias, want.mean, want.variance, ...dims, true))).toEqual(bits(ref));
    // another input's statistics lay out their copy over x's
    batchNormStatsF32(other, ...dims);
    batchNormStatsF32(Float32Array.from(other), ...dims);
    const y = batchNormForwardF32(x, weight, bias, want.mean, want.variance, ...dims, true);
    expect(bits(y)).toEqual(bits(ref));
    // the backward reads a resident cotangent (here y, left by the call above) in place
    expect(rt.residentAt(y, 0)).toBeDefined();
    const back = batchNormBackwardF32(x, y, null, weight, want.mean, want.variance, ...dims, true);
    const dx = new Float32Array(n),
      dw = new Float32Array(c.channels),
      db = new Float32Array(c.channels);
    batchNormBackward(x, ref, weight, want.mean, want.variance, ...dims, dx, dw, db, null);
    const worst = dx.reduce((m, v, i) => Math.max(m, Math.abs(v - back.input![i])), 0);
    expect(worst).toBeLessThanOrEqual(1e-6 * dx.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
    for (let ch = 0; ch < c.channels; ch++) expect(Math.fround(back.sumG[ch])).toBeCloseTo(db[ch], 5);
  });
});

describe("batch norm + relu through the op at a size the SIMD path takes", () => {
  it("output, running statistics and gradients agree with the op composition in float64", () => {
    setNumThreads(2);
    try {
      manualSeed(23);
      // 4 x 16 x 16 x 17 = 17,408 elements: past SIMD_FORWARD_MIN; inner 272 (a multiple of 4), the mean ~2
      const x = add(mul(randn([4, 16, 16, 17]), 3), 2)
        .detach()
        .requiresGrad_();
      const w = randn([16], { requiresGrad: true }),
        b = randn([16], { requiresGrad: true });
      const g = randn([4, 16, 16, 17]);
      const stats = () => [randn([16]), add(mul(randn([16]), randn([16])).abs(), 0.1)] as const;
      manualSeed(5);
      const [rm, rv] = stats();
      manualSeed(5);
      const [rm64, rv64] = stats().map((t) => cast(t, "float64"));
      const got = batchNormRelu(x, rm, rv, { weight: w, bias: b, training: true, momentum: 0.1 });
      sum(mul(got.output, g)).backward();
      const x64 = cast(x.detach(), "float64").requiresGrad_(),
        w64 = cast(w.detach(), "float64").requiresGrad_(),
        b64 = cast(b.detach(), "float64").requiresGrad_();
      const want = batchNormReference(x64, rm64, rv64, { weight: w64, bias: b64, training: true, momentum: 0.1 });
      sum(mul(relu(want.output), cast(g, "float64"))).backward();
      const f64 = (t: AnyTensor | null) => cast(t!, "float64");
      // float32 rounding of values of order 1 (the running variance: unbiased, as PyTorch's)
      expect(gap(f64(got.output), relu(want.output))).toBeLessThan(1e-6);
      expect(gap(f64(got.runningMean), want.runningMean)).toBeLessThan(1e-6);
      expect(gap(f64(got.runningVar), want.runningVar)).toBeLessThan(1e-6);
      // the gradients: sums over 1,088 values per channel, rounded once
      expect(gap(f64(x.grad), x64.grad)).toBeLessThan(1e-5);
      expect(gap(f64(w.grad), w64.grad)).toBeLessThan(1e-5);
      expect(gap(f64(b.grad), b64.grad)).toBeLessThan(1e-5);
    } finally {
      setNumThreads(1);
    }
  });
});
