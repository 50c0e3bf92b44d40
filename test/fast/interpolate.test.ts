// float32 interpolate and its adjoint run on the wasm kernels interp_fwd / interp_adj
// (src/backends/cpu/fast/interpolate.ts), which repeat the plain loops of
// src/backends/cpu/interpolate.ts with the same float64 intermediates: their results must equal
// the loops' bit for bit, and the dense matrix oracle (src/backends/cpu/reference/interpolate.ts)
// to float32 rounding. fast-check with fixed seeds over both modes, alignCorners both ways, odd
// sizes, sizes and scale factors below and above 1, one thread and the pool.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as fast from "../../src/backends/cpu/fast/index.js";
import { interpolateAdjointDirect, interpolateDirect } from "../../src/backends/cpu/interpolate.js";
import * as reference from "../../src/backends/cpu/reference/index.js";
import { resolveInterpolate } from "../../src/ops/interpolate.js";
import { gradients, interpolate, sum, mul, tensor } from "../../src/index.js";
import { type InterpolateGeometry, interpolationTaps } from "../../src/primitives/index.js";
import { geometry, options, random } from "../helpers/interpolate-cases.js";
import { arrayGap as gap } from "../helpers/compare.js";

const cases = fc.record({ o: options, threads: fc.constantFrom(1, 2), seed: fc.integer({ min: 1, max: 10000 }) });

const random32 = (n: number, seed: number) => random(Float32Array, n, seed);

const taps = (g: InterpolateGeometry) => ({
  rows: interpolationTaps(g.height, g.mode, g.alignCorners),
  cols: interpolationTaps(g.width, g.mode, g.alignCorners),
});
const interpolateF32 = (g: InterpolateGeometry, x: Float32Array) => fast.interpolateF32(g, taps(g), x);
const interpolateAdjointF32 = (g: InterpolateGeometry, x: Float32Array) => fast.interpolateAdjointF32(g, taps(g), x);
const setNumThreads = fast.setNumThreads;

/** Whether two float arrays hold the same bits (vitest's toEqual walks a large array for seconds). */
const sameBits = (a: Float32Array, b: Float32Array | Float64Array) =>
  b instanceof Float32Array &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe("interpolate on the wasm kernels (float32)", () => {
  it("forward and adjoint equal the plain loops bit for bit, and the matrix oracle to rounding (property)", () => {
    let ran = 0;
    fc.assert(
      fc.property(cases, ({ o, threads, seed }) => {
        const g = geometry(o);
        if (!g) return;
        ran++;
        setNumThreads(threads);
        const planes = o.shape[0] * o.shape[1];
        const x = random32(planes * g.height.in * g.width.in, seed),
          gy = random32(planes * g.height.out * g.width.out, seed + 1);
        const y = interpolateF32(g, x),
          gx = interpolateAdjointF32(g, gy);
        expect(y).toBeInstanceOf(Float32Array);
        expect(gx).toBeInstanceOf(Float32Array);
        expect(y).toEqual(interpolateDirect(g, x));
        expect(gx).toEqual(interpolateAdjointDirect(g, gy));
        expect(gap(y, reference.interpolate(g, Float64Array.from(x)))).toBeLessThan(2e-7);
        expect(gap(gx, reference.interpolateAdjoint(g, Float64Array.from(gy)))).toBeLessThan(2e-7);
      }),
      { seed: 2121, numRuns: 400 },
    );
    expect(ran).toBeGreaterThan(300);
    setNumThreads(2);
  });

  it("large planes across many items and threads: bilinear x2 and a 0.37 downscale", () => {
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      for (const opts of [
        { scaleFactor: 2, mode: "bilinear" as const, alignCorners: false },
        { size: [23, 41] as [number, number], mode: "bilinear" as const, alignCorners: true },
        { scaleFactor: 0.37, mode: "nearest" as const },
      ]) {
        const g = resolveInterpolate([2, 8, 62, 111], opts);
        const x = random32(2 * 8 * 62 * 111, 7 + threads);
        expect(sameBits(interpolateF32(g, x), interpolateDirect(g, x))).toBe(true);
        const gy = random32(2 * 8 * g.height.out * g.width.out, 9 + threads);
        expect(sameBits(interpolateAdjointF32(g, gy), interpolateAdjointDirect(g, gy))).toBe(true);
      }
    }
  });

  it("the op takes the fast path for float32: its values and gradients equal float64's to rounding", () => {
    const data = random32(2 * 3 * 9 * 7, 5);
    const x32 = tensor(data, { shape: [2, 3, 9, 7], requiresGrad: true });
    const x64 = tensor(Float64Array.from(data), { shape: [2, 3, 9, 7], dtype: "float64", requiresGrad: true });
    const c = random32(2 * 3 * 18 * 14, 6);
    const [y32, y64] = [x32, x64].map((x) => interpolate(x, { scaleFactor: 2, mode: "bilinear" }));
    expect(gap(y32.dataSync(), y64.dataSync())).toBeLessThan(2e-7);
    const [g32] = gradients(sum(mul(y32, tensor(c, { shape: [2, 3, 18, 14] }))), [x32]);
    const [g64] = gradients(sum(mul(y64, tensor(Float64Array.from(c), { shape: [2, 3, 18, 14], dtype: "float64" }))), [
      x64,
    ]);
    expect(g32.dtype).toBe("float32");
    expect(gap(g32.dataSync(), g64.dataSync())).toBeLessThan(2e-7);
  });
});
