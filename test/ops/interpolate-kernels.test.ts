/**
 * The interpolate primitive's direct CPU kernels (src/backends/cpu/interpolate.ts) against the
 * matrix formulation (src/backends/cpu/reference/interpolate.ts: y = A_h · x · A_wᵀ and
 * gx = A_hᵀ · g · A_w with the dense per-axis matrices): random geometries, both modes, size and
 * scaleFactor, up and down, float64 and float32, with fast-check under fixed seeds. Plus: the
 * adjoint is the forward's transpose (<A x, g> = <x, Aᵀ g>), and the op equals the two matmuls
 * it used to be, gradients included.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { interpolateAdjointDirect, interpolateDirect } from "../../src/backends/cpu/interpolate.js";
import * as reference from "../../src/backends/cpu/reference/index.js";
import { resolveInterpolate } from "../../src/ops/interpolate.js";
import { gradients, interpolate, matmul, tensor, type AnyTensor } from "../../src/index.js";
import type { InterpolateGeometry } from "../../src/primitives/index.js";
import { geometry, options, random } from "../helpers/interpolate-cases.js";

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(tol);
}

const sizes = (g: InterpolateGeometry, n: number) => [n * g.height.in * g.width.in, n * g.height.out * g.width.out];

/**
 * The property tests over random geometries (fast-check, fixed seeds): each gets the geometry, an
 * input x from the draw's seed and a gradient gy from seed + gyOffset, as arrays of `array`, and the
 * direct kernels' forward y and adjoint gx of them.
 */
const properties: {
  name: string;
  array: new (n: number) => Float64Array | Float32Array;
  gyOffset: number;
  seed: number;
  numRuns: number;
  check: (g: InterpolateGeometry, [x, gy, y, gx]: (Float64Array | Float32Array)[]) => void;
}[] = [
  {
    name: "float64 forward and adjoint, to 1e-13",
    array: Float64Array,
    gyOffset: 1,
    seed: 21,
    numRuns: 300,
    check: (g, [x, gy, y, gx]) => {
      expectClose(y, reference.interpolate(g, x), 1e-13);
      expectClose(gx, reference.interpolateAdjoint(g, gy), 1e-13);
    },
  },
  {
    name: "float32 forward and adjoint, to 1e-6, and stay float32",
    array: Float32Array,
    gyOffset: 1,
    seed: 2021,
    numRuns: 200,
    check: (g, [x, gy, y, gx]) => {
      expect(y).toBeInstanceOf(Float32Array);
      expect(gx).toBeInstanceOf(Float32Array);
      expectClose(y, reference.interpolate(g, x), 1e-6);
      expectClose(gx, reference.interpolateAdjoint(g, gy), 1e-5);
    },
  },
  {
    name: "the adjoint is the transpose: <A x, g> = <x, Aᵀ g>",
    array: Float64Array,
    gyOffset: 7,
    seed: 7,
    numRuns: 200,
    check: (_, [x, gy, y, gx]) => {
      let lhs = 0,
        rhs = 0;
      for (let i = 0; i < gy.length; i++) lhs += y[i] * gy[i];
      for (let i = 0; i < x.length; i++) rhs += x[i] * gx[i];
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(lhs)));
    },
  },
];

describe("interpolate kernels: direct loops equal the matrix formulation", () => {
  for (const p of properties) {
    it(`${p.name} (property)`, () => {
      fc.assert(
        fc.property(options, fc.integer({ min: 1, max: 1000 }), (o, seed) => {
          const g = geometry(o);
          if (!g) return;
          const [nIn, nOut] = sizes(g, o.shape[0] * o.shape[1]);
          const x = random(p.array, nIn, seed),
            gy = random(p.array, nOut, seed + p.gyOffset);
          p.check(g, [x, gy, interpolateDirect(g, x), interpolateAdjointDirect(g, gy)]);
        }),
        { seed: p.seed, numRuns: p.numRuns },
      );
    });
  }
  it("each row of every matrix sums to 1 (interpolation preserves constants)", () => {
    const g = resolveInterpolate([1, 1, 5, 7], { size: [11, 3], mode: "bilinear" });
    for (const axis of [g.height, g.width]) {
      const m = reference.interpolationMatrix(axis, g);
      for (let r = 0; r < axis.out; r++) {
        let s = 0;
        for (let c = 0; c < axis.in; c++) s += m[r * axis.in + c];
        expect(Math.abs(s - 1)).toBeLessThanOrEqual(1e-15);
      }
    }
  });
});

describe("interpolate: the op equals the two matmuls it replaced, values and gradients", () => {
  const call = interpolate as unknown as (x: AnyTensor, o: unknown) => AnyTensor;
  for (const o of [
    { size: [7, 5], mode: "bilinear" },
    { scaleFactor: [1.7, 0.6] },
    { scaleFactor: 2, mode: "bilinear", alignCorners: true },
  ]) {
    it(JSON.stringify(o), () => {
      const x = tensor(random(Float64Array, 2 * 3 * 4 * 6, 3), { shape: [2, 3, 4, 6], dtype: "float64" }).requiresGrad_(
        true,
      );
      const g = resolveInterpolate(x.shape, o as never);
      const ah = tensor(reference.interpolationMatrix(g.height, g), {
        shape: [g.height.out, g.height.in],
        dtype: "float64",
      });
      const aw = reference.interpolationMatrix(g.width, g);
      const awT = tensor(
        Float64Array.from(
          { length: aw.length },
          (_, k) => aw[(k % g.width.out) * g.width.in + Math.floor(k / g.width.out)],
        ),
        { shape: [g.width.in, g.width.out], dtype: "float64" },
      );
      const byOp = call(x, o);
      const byMatmul = matmul(ah, matmul(x, awT) as never) as unknown as AnyTensor;
      expectClose(byOp.dataSync(), byMatmul.dataSync(), 1e-13);
      const seed = tensor(random(Float64Array, byOp.size, 4), { shape: byOp.shape, dtype: "float64" });
      const [a] = gradients(byOp, [x], { seeds: [seed] });
      const [b] = gradients(byMatmul, [x], { seeds: [seed] });
      expectClose(a.dataSync(), b.dataSync(), 1e-13);
    });
  }
});
