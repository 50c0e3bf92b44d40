/**
 * The run-based kernels (coalesced dims, one loop per run) against a naive oracle that computes
 * every element from its multi-index: broadcasting binary ops, reductions over any dim set and
 * permutations, over random shapes (fast-check, fixed seed).
 */
import { expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";

const numelOf = (s: number[]) => s.reduce((a, b) => a * b, 1);
function unravel(i: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}
function ravel(idx: number[], shape: number[]): number {
  return idx.reduce((acc, v, d) => acc * shape[d] + v, 0);
}
const values = (n: number, seed: number) =>
  Float64Array.from({ length: n }, (_, i) => Math.round(Math.sin(seed + i * 1.3) * 8) / 2);

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 5 });

it("broadcast add/mul/maximum equal the per-index definition", () => {
  fc.assert(
    fc.property(
      shapeArb,
      fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      fc.nat(3),
      fc.nat(100),
      (out, ones, drop, seed) => {
        // b: some dims squeezed to 1, some leading dims dropped
        const bShape = out.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, out.length));
        const a = sg.tensor(values(numelOf(out), seed), { shape: out, dtype: "float64" });
        const b = sg.tensor(values(numelOf(bShape), seed + 7), { shape: bShape, dtype: "float64" });
        for (const [f, g] of [
          [sg.add, (u: number, v: number) => u + v],
          [sg.mul, (u: number, v: number) => u * v],
          [sg.maximum, Math.max],
        ] as const) {
          const y = (f as (x: sg.AnyTensor, z: sg.AnyTensor) => sg.AnyTensor)(a, b).dataSync();
          const ad = a.dataSync(),
            bd = b.dataSync();
          for (let i = 0; i < y.length; i++) {
            const idx = unravel(i, out);
            const bIdx = idx.slice(out.length - bShape.length).map((v, d) => (bShape[d] === 1 ? 0 : v));
            // === rather than Object.is: max(0, -0) may be either zero (IEEE leaves it open)
            const want = g(ad[i], bd[ravel(bIdx, bShape)]);
            expect(y[i] === want, `${y[i]} vs ${want}`).toBe(true);
          }
        }
      },
    ),
    { seed: 42, numRuns: 200 },
  );
});

it("sum and max over any set of dims, keepdim or not, equal the per-index definition", () => {
  fc.assert(
    fc.property(
      shapeArb.filter((s) => s.length > 0),
      fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      fc.boolean(),
      fc.nat(100),
      (shape, pick, keepdim, seed) => {
        const dims = shape.map((_, d) => d).filter((d) => pick[d]);
        const x = sg.tensor(values(numelOf(shape), seed), { shape, dtype: "float64" });
        const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
        const sum = new Float64Array(numelOf(kept)),
          max = new Float64Array(numelOf(kept)).fill(-Infinity);
        const xd = x.dataSync();
        for (let i = 0; i < xd.length; i++) {
          const o = ravel(
            unravel(i, shape).map((v, d) => (dims.includes(d) ? 0 : v)),
            kept,
          );
          sum[o] += xd[i];
          max[o] = Math.max(max[o], xd[i]);
        }
        const s = sg.sum(x, dims, keepdim),
          m = sg.max(x, dims, keepdim);
        expect(s.shape).toEqual(keepdim ? kept : shape.filter((_, i) => !dims.includes(i)));
        expect(Array.from(s.dataSync())).toEqual(Array.from(sum));
        expect(Array.from(m.dataSync())).toEqual(Array.from(max));
      },
    ),
    { seed: 42, numRuns: 200 },
  );
});

it("permute equals the per-index definition", () => {
  fc.assert(
    fc.property(
      shapeArb.filter((s) => s.length > 0),
      fc.nat(1000),
      (shape, seed) => {
        const perm = shape.map((_, d) => d).sort((p, q) => Math.sin(seed + p) - Math.sin(seed + q));
        const x = sg.tensor(values(numelOf(shape), seed), { shape, dtype: "float64" });
        const y = sg.permute(x, perm);
        const outShape = perm.map((p) => shape[p]);
        const xd = x.dataSync(),
          yd = y.dataSync();
        for (let i = 0; i < yd.length; i++) {
          const idx = unravel(i, outShape);
          const src = new Array<number>(shape.length);
          perm.forEach((p, d) => {
            src[p] = idx[d];
          });
          expect(yd[i]).toBe(xd[ravel(src, shape)]);
        }
      },
    ),
    { seed: 42, numRuns: 200 },
  );
});
