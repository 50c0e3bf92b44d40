/**
 * Random interpolate geometries (both modes, alignCorners both ways, odd sizes, sizes and scale
 * factors below and above 1) and inputs, shared by the kernel tests (test/ops/interpolate-kernels,
 * test/fast/interpolate).
 */
import fc from "fast-check";
import { resolveInterpolate } from "../../src/ops/interpolate.js";
import type { InterpolateGeometry } from "../../src/primitives/index.js";
import { rng } from "./random.js";

export const options = fc.record({
  shape: fc.tuple(
    fc.integer({ min: 1, max: 2 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 9 }),
    fc.integer({ min: 1, max: 9 }),
  ),
  mode: fc.constantFrom("nearest", "bilinear"),
  alignCorners: fc.boolean(),
  how: fc.oneof(
    fc.record({ size: fc.tuple(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 17 })) }),
    fc.record({
      scaleFactor: fc.tuple(
        fc.constantFrom(0.5, 0.6, 0.75, 1, 1.3, 1.5, 1.7, 2, 2.5, 3, 10 / 3),
        fc.constantFrom(0.4, 0.9, 1, 1.25, 2, 2.2, 3, 4),
      ),
    }),
  ),
});

export type Drawn = typeof options extends fc.Arbitrary<infer T> ? T : never;

export function geometry(o: Drawn): InterpolateGeometry | null {
  const opts = { ...o.how, mode: o.mode, ...(o.mode === "bilinear" ? { alignCorners: o.alignCorners } : {}) };
  try {
    return resolveInterpolate(o.shape, opts);
  } catch {
    return null; // an output size of 0: refused before the kernels, by the op's tests
  }
}

export function random<F extends Float32Array | Float64Array>(make: new (n: number) => F, n: number, seed: number): F {
  const draw = rng(seed);
  const a = new make(n);
  for (let i = 0; i < n; i++) a[i] = draw() * 2 - 1;
  return a;
}
