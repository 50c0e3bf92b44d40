// Winograd F(2x2, 3x3) (src/backends/cpu/fast/winograd.ts) against the float64 reference: the
// forward, the input gradient and the weight gradient, over random 3x3 stride-1 geometries with odd and even sizes
// (edge tiles, a last tile row and column half outside), padding 0, 1 and 2 on each side
// independently, batch 1, channel counts off the 4 x 8 register tile, tile blocks with a partial
// last B panel, bias, on 1 and 2 threads; the dispatch from conv2dForwardF32 / conv2dBackInputF32 /
// conv2dBackWeightF32; the weight gradient's lanes (1, 2, 4) and tile blocks (one, several, a partial last);
// the fallback to the direct path on non-finite values; the kept transformed weights.
//
// Tolerance as test/fast/conv.test.ts: |fast - ref| <= 1e-4 (1 + sum over the terms of |x||w|).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type Conv2dGeometry, conv2dGeometry, transposedGeometry } from "../../src/primitives/index.js";
import { conv2dBackInput, conv2dBackWeight, conv2dForward } from "../../src/backends/cpu/reference/index.js";
import {
  conv2dBackInputF32,
  conv2dBackWeightF32,
  conv2dForwardF32,
  fastRuntime,
  setNumThreads,
} from "../../src/backends/cpu/fast/index.js";
import {
  setWinograd,
  winogradBackInputF32,
  winogradBackWeightF32,
  winogradFits,
  winogradForwardF32,
  winogradWeightFits,
} from "../../src/backends/cpu/fast/winograd.js";
import { rng } from "../helpers/random.js";

const TOL = 1e-4;

function uniform(n: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/** The worst |fast - ref| / (1 + mass) (0 for equal lengths of nothing). */
function worstError(fast: Float32Array, ref: Float64Array, mass: Float64Array): number {
  expect(fast.length).toBe(ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(fast[i] - ref[i]) / (1 + mass[i]));
  return worst;
}

const f64 = (a: Float32Array) => Float64Array.from(a);
const abs64 = (a: Float32Array) => Float64Array.from(a, Math.abs);

/** y plus bias per output channel, in float64 (the reference's conv2dBias is this sum). */
function plusBias(y: Float64Array, bias: Float32Array, g: Conv2dGeometry): Float64Array {
  const plane = g.outHeight * g.outWidth;
  return y.map((v, i) => v + bias[Math.floor(i / plane) % g.outChannels]);
}

type Shape = [number, number, number, number];

/** A 3x3 stride-1 conv of `input` with `weight`, padding `pad` on every side. */
const geometry3x3 = (input: Shape, weight: Shape, pad: number): Conv2dGeometry =>
  conv2dGeometry({ input, weight, stride: [1, 1], dilation: [1, 1], padding: [pad, pad, pad, pad], groups: 1 });

const geometryArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    inC: fc.integer({ min: 16, max: 37 }),
    outC: fc.integer({ min: 16, max: 37 }),
    h: fc.integer({ min: 1, max: 21 }),
    w: fc.integer({ min: 1, max: 21 }),
    pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
  })
  .map((r) => {
    const [pt, pb, pl, pr] = r.pad;
    return conv2dGeometry({
      input: [r.batch, r.inC, Math.max(r.h, 3 - pt - pb), Math.max(r.w, 3 - pl - pr)],
      weight: [r.outC, r.inC, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [pt, pb, pl, pr],
      groups: 1,
    });
  });

// Jobs large enough for the pool always use it, so the 2-thread runs really split the work.
fastRuntime().adaptive = false;

describe("Winograd F(2x2, 3x3) vs the float64 reference", () => {
  for (const threads of [1, 2]) {
    it(`forward with and without bias, input and weight gradients (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      let forwards = 0,
        gradients = 0,
        weights = 0;
      fc.assert(
        fc.property(geometryArb, fc.nat(1 << 30), (g, seed) => {
          const x = uniform(g.batch * g.inChannels * g.inHeight * g.inWidth, seed);
          const w = uniform(g.outChannels * g.inChannels * 9, seed + 1);
          const gy = uniform(g.batch * g.outChannels * g.outHeight * g.outWidth, seed + 2);
          const bias = uniform(g.outChannels, seed + 3);
          const y = winogradForwardF32(g, x, w);
          // null exactly when the dispatch rule refuses the geometry (the data are finite)
          expect(y === null).toBe(!winogradFits(g));
          if (y !== null) {
            forwards++;
            const ref = conv2dForward(g, f64(x), f64(w));
            const mass = conv2dForward(g, abs64(x), abs64(w));
            expect(worstError(y, ref, mass)).toBeLessThanOrEqual(TOL);
            const yb = winogradForwardF32(g, x, w, bias);
            expect(yb).not.toBeNull();
            expect(worstError(yb!, plusBias(ref, bias, g), plusBias(mass, bias.map(Math.abs), g))).toBeLessThanOrEqual(
              TOL,
            );
            // the dispatch takes it, with the same bits
            expect(conv2dForwardF32(g, x, w)).toEqual(y);
          }
          const dx = winogradBackInputF32(g, gy, w);
          expect(dx === null).toBe(!winogradFits(transposedGeometry(g)));
          if (dx !== null) {
            gradients++;
            const ref = conv2dBackInput(g, f64(gy), f64(w));
            const mass = conv2dBackInput(g, abs64(gy), abs64(w));
            expect(worstError(dx, ref, mass)).toBeLessThanOrEqual(TOL);
            expect(conv2dBackInputF32(g, gy, w)).toEqual(dx);
          }
          const dw = winogradBackWeightF32(g, x, gy);
          expect(dw === null).toBe(!winogradWeightFits(g));
          if (dw !== null) {
            weights++;
            const ref = conv2dBackWeight(g, f64(x), f64(gy));
            const mass = conv2dBackWeight(g, abs64(x), abs64(gy));
            expect(worstError(dw, ref, mass)).toBeLessThanOrEqual(TOL);
            expect(conv2dBackWeightF32(g, x, gy)).toEqual(dw);
          }
        }),
        { seed: 23, numRuns: 40 },
      );
      // the generator must reach the Winograd path, not only the fallbacks
      expect(forwards).toBeGreaterThan(10);
      expect(gradients).toBeGreaterThan(10);
      expect(weights).toBeGreaterThan(10);
    });
  }

  it("the BN CNN's and ResNet-18's shapes: several items, a partial last tile block, batch 1; same bits on 1 thread", () => {
    setNumThreads(2);
    const cases: [Shape, Shape, number][] = [
      [[4, 32, 32, 32], [32, 32, 3, 3], 1],
      [[2, 64, 16, 16], [64, 64, 3, 3], 1],
      [[1, 128, 30, 18], [72, 128, 3, 3], 0],
      [[1, 20, 13, 41], [24, 20, 3, 3], 2],
    ];
    for (const [i, [input, weight, pad]] of cases.entries()) {
      const g = geometry3x3(input, weight, pad);
      const x = uniform(
        input.reduce((a, b) => a * b),
        100 + i,
      );
      const w = uniform(
        weight.reduce((a, b) => a * b),
        200 + i,
      );
      const gy = uniform(g.batch * g.outChannels * g.outHeight * g.outWidth, 300 + i);
      const y = winogradForwardF32(g, x, w);
      expect(y).not.toBeNull();
      expect(
        worstError(y!, conv2dForward(g, f64(x), f64(w)), conv2dForward(g, abs64(x), abs64(w))),
      ).toBeLessThanOrEqual(TOL);
      const dx = winogradBackInputF32(g, gy, w);
      expect(dx).not.toBeNull();
      const refDx = conv2dBackInput(g, f64(gy), f64(w));
      expect(worstError(dx!, refDx, conv2dBackInput(g, abs64(gy), abs64(w)))).toBeLessThanOrEqual(TOL);
      // each output sums its channels in one GEMM whatever the tile blocks: the split cannot move a bit
      setNumThreads(1);
      expect(winogradForwardF32(g, x, w.slice())).toEqual(y);
      expect(winogradBackInputF32(g, gy, w.slice())).toEqual(dx);
      setNumThreads(2);
    }
  });

  it("weight gradient: 1, 2 and 4 lanes, one or several tile blocks, odd sizes; no worse than the direct path; same bits on 1 and 2 threads", () => {
    // [input, weight, padding]: lanes = 1, 2 or 4 from the tiles (64 a lane at least); the 168-channel
    // case's lane (100 tiles) runs as a 97-tile block and a 3-tile one
    const cases: [Shape, Shape, number][] = [
      [[4, 32, 32, 32], [32, 32, 3, 3], 1], // 1,024 tiles: 4 lanes
      [[2, 64, 16, 16], [64, 64, 3, 3], 1], // 128 tiles: 2 lanes
      [[1, 20, 13, 41], [24, 20, 3, 3], 2], // odd output (15 x 43): dY zero-bordered, 176 tiles
      [[1, 128, 30, 18], [72, 128, 3, 3], 0], // 112 tiles: 1 lane
      [[1, 168, 20, 20], [168, 168, 3, 3], 1], // 100 tiles: two blocks
      [[4, 37, 9, 12], [17, 37, 3, 3], 0], // channels off the 4 x 8 tile, 80 tiles
    ];
    for (const [i, [input, weight, pad]] of cases.entries()) {
      const g = geometry3x3(input, weight, pad);
      expect(winogradWeightFits(g), `case ${i}`).toBe(true);
      const x = uniform(g.batch * g.inChannels * g.inHeight * g.inWidth, 400 + i);
      const gy = uniform(g.batch * g.outChannels * g.outHeight * g.outWidth, 500 + i);
      setNumThreads(2);
      const dw = winogradBackWeightF32(g, x, gy);
      expect(dw).not.toBeNull();
      const ref = conv2dBackWeight(g, f64(x), f64(gy));
      const mass = conv2dBackWeight(g, abs64(x), abs64(gy));
      setWinograd(false);
      const direct = conv2dBackWeightF32(g, x, gy);
      setWinograd(true);
      // Winograd's dU sums in lanes and blocks of tiles, each tile four pixels: its rounding stays
      // within the direct path's (measured 0.2-1x of it; the bound leaves 2x for other data)
      const wino = worstError(dw!, ref, mass);
      expect(wino).toBeLessThanOrEqual(TOL);
      expect(wino).toBeLessThanOrEqual(2 * Math.max(worstError(direct, ref, mass), 1e-7));
      // the lanes depend on the geometry, not on the threads: the same sums in the same order
      setNumThreads(1);
      expect(winogradBackWeightF32(g, x, gy)).toEqual(dw);
      setNumThreads(2);
    }
  });

  it("leaves non-finite values to the direct path, which gives the reference's infinities and NaNs", () => {
    setNumThreads(1);
    const g = geometry3x3([2, 16, 16, 16], [16, 16, 3, 3], 1);
    const w = uniform(16 * 16 * 9, 7).map(Math.abs);
    for (const bad of [Infinity, -Infinity, NaN, 3e38]) {
      const x = uniform(2 * 16 * 16 * 16, 8).map(Math.abs);
      x[5 * 16 + 7] = bad;
      x[300] = bad;
      expect(winogradForwardF32(g, x, w)).toBeNull();
      const y = conv2dForwardF32(g, x, w);
      const ref = conv2dForward(g, f64(x), f64(w));
      for (let i = 0; i < ref.length; i++) {
        // 3e38 overflows float32 sums to infinity where float64 does not: compare the non-finite pattern
        if (!Number.isFinite(y[i]) || !Number.isFinite(ref[i])) expect(Number.isFinite(y[i])).toBe(false);
        if (Number.isNaN(ref[i])) expect(y[i]).toBeNaN();
        if (ref[i] === Infinity || ref[i] === -Infinity) expect(y[i]).toBe(ref[i]);
      }
      // the weight gradient: gy of one sign, so an infinite x gives infinities, not NaN, in float64
      const gy = uniform(2 * 16 * 16 * 16, 9).map(Math.abs);
      expect(winogradBackWeightF32(g, x, gy)).toBeNull();
      const dw = conv2dBackWeightF32(g, x, gy);
      const refDw = conv2dBackWeight(g, f64(x), f64(gy));
      for (let i = 0; i < refDw.length; i++) {
        if (!Number.isFinite(dw[i]) || !Number.isFinite(refDw[i])) expect(Number.isFinite(dw[i])).toBe(false);
        if (Number.isNaN(refDw[i])) expect(dw[i]).toBeNaN();
        if (refDw[i] === Infinity || refDw[i] === -Infinity) expect(dw[i]).toBe(refDw[i]);
      }
    }
  });

  it("keeps the transformed weights per array and direction", () => {
    setNumThreads(2);
    const g = geometry3x3([2, 24, 20, 20], [24, 24, 3, 3], 1);
    const x = uniform(2 * 24 * 400, 1);
    const w = uniform(24 * 24 * 9, 2);
    const gy = uniform(2 * 24 * 400, 3);
    const first = winogradForwardF32(g, x, w)!;
    const dx = winogradBackInputF32(g, gy, w)!;
    // second calls read the kept U (forward and flipped are kept apart): same bits
    expect(winogradForwardF32(g, x, w)).toEqual(first);
    expect(winogradBackInputF32(g, gy, w)).toEqual(dx);
    // a fresh copy of w is transformed again
    expect(winogradForwardF32(g, x, w.slice())).toEqual(first);
  });
});
