/**
 * The CPU sum kernel (src/backends/cpu/reduce.ts) sums a contiguous run in four interleaved float64
 * accumulators (the conv bias's gradient, a sum over N, H, W): against a plain left-to-right float64
 * sum written here, over random shapes, dims, dtypes and values including infinities and NaN
 * (fast-check, fixed seed). The two orders differ by float64 roundings only, so the bound is a few
 * float64 ulps of the sum of magnitudes (float64), or one float32 rounding of it (float32).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { sum, tensor } from "../../src/index.js";
import type { AnyTensor } from "../../src/tensor.js";

/** Left to right, one float64 accumulator per output cell, in the kept-dims output order. */
function plainSum(data: number[], shape: number[], dims: number[]): { sums: number[]; magnitudes: number[] } {
  const outShape = shape.filter((_, i) => !dims.includes(i));
  const size = outShape.reduce((a, b) => a * b, 1);
  const sums = new Array<number>(size).fill(0),
    magnitudes = new Array<number>(size).fill(0);
  data.forEach((v, flat) => {
    let rest = flat,
      o = 0,
      scale = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
      if (!dims.includes(d)) {
        o += i * scale;
        scale *= shape[d];
      }
    }
    sums[o] += v;
    magnitudes[o] += Math.abs(v);
  });
  return { sums, magnitudes };
}

const caseArb = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
    float64: fc.boolean(),
    special: fc.boolean(),
    seed: fc.nat(),
  })
  .chain((c) =>
    fc.record({
      c: fc.constant(c),
      dims: fc.subarray(
        c.shape.map((_, i) => i),
        { minLength: 1 },
      ),
      data: fc.array(
        c.special
          ? fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constantFrom(Infinity, -Infinity, NaN))
          : fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        { minLength: c.shape.reduce((a, b) => a * b, 1), maxLength: c.shape.reduce((a, b) => a * b, 1) },
      ),
    }),
  );

describe("sum over contiguous runs (four accumulators) against a left-to-right sum", () => {
  it("agrees to the float64 rounding of the order, every shape, dim set and dtype", () => {
    fc.assert(
      fc.property(caseArb, ({ c, dims, data }) => {
        const dtype = c.float64 ? "float64" : "float32";
        const x = tensor(c.float64 ? Float64Array.from(data) : Float32Array.from(data), {
          shape: c.shape,
        }) as AnyTensor;
        expect(x.dtype).toBe(dtype);
        const got = Array.from(sum(x, dims).dataSync() as Float32Array | Float64Array);
        const stored = Array.from(x.dataSync() as Float32Array | Float64Array);
        const { sums, magnitudes } = plainSum(stored, c.shape, dims);
        const want = c.float64 ? sums : sums.map(Math.fround);
        got.forEach((v, i) => {
          if (!Number.isFinite(want[i]) || !Number.isFinite(v)) expect(v).toBe(want[i]);
          else {
            const bound = (c.float64 ? 64 * Number.EPSILON : 2 ** -23) * magnitudes[i];
            expect(Math.abs(v - want[i])).toBeLessThanOrEqual(bound);
          }
        });
      }),
      { seed: 2305, numRuns: 300 },
    );
  });

  it("sums a conv bias's gradient shape, [N, C, H, W] over N, H and W, as the plain sum", () => {
    const shape = [3, 2, 5, 7];
    const data = Array.from({ length: 210 }, (_, i) => Math.sin(i) * 100);
    const got = Array.from(sum(tensor(Float64Array.from(data), { shape }) as AnyTensor, [0, 2, 3]).dataSync());
    const { sums, magnitudes } = plainSum(data, shape, [0, 2, 3]);
    got.forEach((v, i) => expect(Math.abs(v - sums[i])).toBeLessThanOrEqual(64 * Number.EPSILON * magnitudes[i]));
  });
});
