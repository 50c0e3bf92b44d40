// The fast float32 max pooling against the reference, index for index and bit for bit (its argmax
// and its maxima): ties, NaNs, infinities, padding (also windows with no input cell at all), strides
// and dilation, 1 and 2 threads; and the CPU kernel's float32 gradient of overlapping windows.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fastRuntime, maxPool2dBackwardF32, maxPool2dF32, setNumThreads } from "../../src/backends/cpu/fast/index.js";
import {
  maxPool2d,
  maxPool2dArgmax,
  maxPool2dBackward,
  windowsDisjoint,
  windowTaps,
} from "../../src/backends/cpu/reference/pool2d.js";
import type { Pool2dGeometry } from "../../src/primitives/index.js";
import { cpuKernels } from "../../src/backends/cpu/index.js";

fastRuntime().adaptive = false;

const geometry: fc.Arbitrary<Pool2dGeometry> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    channels: fc.integer({ min: 1, max: 5 }),
    k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    d: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pad: fc.tuple(fc.nat(4), fc.nat(4)), // up to the whole kernel: some windows may cover no input cell
    size: fc.tuple(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 13 })),
  })
  .map((r) => {
    const out = (a: 0 | 1) =>
      Math.max(1, Math.floor((r.size[a] + 2 * r.pad[a] - r.d[a] * (r.k[a] - 1) - 1) / r.s[a]) + 1);
    return {
      batch: r.batch,
      channels: r.channels,
      inHeight: r.size[0],
      inWidth: r.size[1],
      outHeight: out(0),
      outWidth: out(1),
      kernelHeight: r.k[0],
      kernelWidth: r.k[1],
      strideH: r.s[0],
      strideW: r.s[1],
      dilationH: r.d[0],
      dilationW: r.d[1],
      padTop: r.pad[0],
      padLeft: r.pad[1],
    };
  });

/** MaxPool2d(2)'s geometry on [batch, channels, h, w] (ceil mode: a last window half outside x for an odd size). */
function maxPool2(batch: number, channels: number, h: number, w: number, ceil = false): Pool2dGeometry {
  const out = (n: number) => (ceil ? Math.ceil(n / 2) : Math.floor(n / 2));
  return {
    batch,
    channels,
    inHeight: h,
    inWidth: w,
    outHeight: out(h),
    outWidth: out(w),
    kernelHeight: 2,
    kernelWidth: 2,
    strideH: 2,
    strideW: 2,
    dilationH: 1,
    dilationW: 1,
    padTop: 0,
    padLeft: 0,
  };
}

/** MaxPool2d(2) on every size up to 9 x 21, ceil mode or not (an odd size then adds a last window
 * half outside x, which the vector paths leave to the scalar one). */
const twoByTwo = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    h: fc.integer({ min: 2, max: 9 }),
    w: fc.integer({ min: 2, max: 21 }),
    ceil: fc.boolean(),
  })
  .map(({ n, h, w, ceil }) => maxPool2(1, n, h, w, ceil));

/** Values with many ties and every special case the argmax rules treat apart. */
const value = fc.constantFrom(-2, -1, 0, -0, 1, 2, 0.5, NaN, -Infinity, Infinity);

/** The fast argmax and maxima equal the reference's (NaN for NaN, signed zeros apart). */
function expectReference(p: Pool2dGeometry, x: Float32Array): void {
  const { argmax, y } = maxPool2dF32(p, x, windowTaps(p));
  const want = maxPool2dArgmax(p, x);
  expect(Array.from(argmax)).toEqual(Array.from(want));
  expect(Array.from(y)).toEqual(Array.from(maxPool2d(p, x, want)));
}

/** The fast gradient of disjoint windows equals the reference's, bit for bit (signed zeros, NaN). */
function expectReferenceGradient(p: Pool2dGeometry, x: Float32Array, gy: Float32Array): void {
  const argmax = maxPool2dArgmax(p, x);
  expect(Array.from(maxPool2dBackwardF32(p, gy, argmax))).toEqual(Array.from(maxPool2dBackward(p, x, gy, argmax)));
}

describe("fast float32 max pooling", () => {
  for (const threads of [1, 2]) {
    it(`equals the reference's on random geometries and values (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      fc.assert(
        fc.property(geometry, fc.array(value, { minLength: 13 * 13 * 15, maxLength: 13 * 13 * 15 }), (p, pool) => {
          const x = Float32Array.from(
            { length: p.batch * p.channels * p.inHeight * p.inWidth },
            (_, i) => pool[i % pool.length],
          );
          expectReference(p, x);
        }),
        { seed: 11, numRuns: 300 },
      );
    });
  }
  for (const threads of [1, 2]) {
    it(`its gradient (disjoint windows) equals the reference's, gy with NaN, infinities and -0 (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      fc.assert(
        fc.property(
          geometry.filter(windowsDisjoint),
          fc.array(value, { minLength: 13 * 13 * 15, maxLength: 13 * 13 * 15 }),
          fc.nat(1000),
          (p, pool, shift) => {
            const x = Float32Array.from(
              { length: p.batch * p.channels * p.inHeight * p.inWidth },
              (_, i) => pool[i % pool.length],
            );
            const gy = Float32Array.from(
              { length: p.batch * p.channels * p.outHeight * p.outWidth },
              (_, i) => pool[(i + shift) % pool.length],
            );
            expectReferenceGradient(p, x, gy);
          },
        ),
        { seed: 12, numRuns: 300 },
      );
    });
  }

  for (const threads of [1, 2]) {
    it(`three columns at stride 2 (the vector path of ResNet's stem pool) equals the reference's (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      // kernel width 3, stride 2, dilation 1 across: every row geometry, paddings up to the kernel
      // (edge windows, and rows with no tap inside), widths up to 41 (interior runs of every length mod 4)
      const threeWide = fc
        .record({
          batch: fc.integer({ min: 1, max: 2 }),
          channels: fc.integer({ min: 1, max: 3 }),
          kH: fc.integer({ min: 1, max: 4 }),
          sH: fc.integer({ min: 1, max: 3 }),
          dH: fc.integer({ min: 1, max: 2 }),
          pad: fc.tuple(fc.nat(3), fc.nat(3)),
          size: fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 41 })),
        })
        .map((r): Pool2dGeometry => {
          const outH = Math.max(1, Math.floor((r.size[0] + 2 * r.pad[0] - r.dH * (r.kH - 1) - 1) / r.sH) + 1);
          const outW = Math.max(1, Math.floor((r.size[1] + 2 * r.pad[1] - 3) / 2) + 1);
          return {
            batch: r.batch,
            channels: r.channels,
            inHeight: r.size[0],
            inWidth: r.size[1],
            outHeight: outH,
            outWidth: outW,
            kernelHeight: r.kH,
            kernelWidth: 3,
            strideH: r.sH,
            strideW: 2,
            dilationH: r.dH,
            dilationW: 1,
            padTop: r.pad[0],
            padLeft: r.pad[1],
          };
        });
      fc.assert(
        fc.property(threeWide, fc.array(value, { minLength: 997, maxLength: 997 }), fc.boolean(), (p, pool, ties) => {
          const x = Float32Array.from({ length: p.batch * p.channels * p.inHeight * p.inWidth }, (_, i) =>
            // without ties: distinct values, so an argmax off by one tap shows
            ties ? pool[i % pool.length] : Math.sin(i * 12.9898) * 437.5,
          );
          expectReference(p, x);
        }),
        { seed: 14, numRuns: 400 },
      );
      // ResNet's stem pool on [2, 3, 32, 32] (3x3, stride 2, padding 1)
      const stem: Pool2dGeometry = {
        batch: 2,
        channels: 3,
        inHeight: 32,
        inWidth: 32,
        outHeight: 16,
        outWidth: 16,
        kernelHeight: 3,
        kernelWidth: 3,
        strideH: 2,
        strideW: 2,
        dilationH: 1,
        dilationW: 1,
        padTop: 1,
        padLeft: 1,
      };
      expectReference(
        stem,
        Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => Math.cos(i * 7.1)),
      );
    });
  }

  it("the CPU kernel's gradient of overlapping windows (a float64 scratch kept between calls) equals the reference's, bit for bit", () => {
    // one call after another on random geometries: a cell the scratch kept from a previous call would show
    fc.assert(
      fc.property(
        geometry.filter((p) => !windowsDisjoint(p)),
        fc.array(value, { minLength: 13 * 13 * 15, maxLength: 13 * 13 * 15 }),
        fc.nat(1000),
        (p, pool, shift) => {
          const shape = [p.batch, p.channels, p.inHeight, p.inWidth];
          const outShape = [p.batch, p.channels, p.outHeight, p.outWidth];
          const x = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => pool[i % pool.length]);
          const gy = Float32Array.from(
            { length: outShape.reduce((a, b) => a * b) },
            (_, i) => pool[(i + shift) % pool.length],
          );
          const dx = cpuKernels.maxPool2dBackward(
            [
              { storage: x, shape, dtype: "float32" },
              { storage: gy, shape: outShape, dtype: "float32" },
            ],
            p,
            { shape, dtype: "float32" },
          );
          expect(Array.from(dx)).toEqual(Array.from(maxPool2dBackward(p, x, gy, maxPool2dArgmax(p, x))));
        },
      ),
      { seed: 13, numRuns: 300 },
    );
  });

  it("many small planes: several planes per item, the last item short (1 and 2 threads)", () => {
    // 4,096 floats of planes per item: 5 x 7 planes give 117 a item, 2 x 61 x 5 = 610 planes
    const p: Pool2dGeometry = {
      batch: 2,
      channels: 61 * 5,
      inHeight: 5,
      inWidth: 7,
      outHeight: 3,
      outWidth: 4,
      kernelHeight: 2,
      kernelWidth: 2,
      strideH: 2,
      strideW: 2,
      dilationH: 1,
      dilationW: 1,
      padTop: 1,
      padLeft: 1,
    };
    const x = Float32Array.from({ length: 2 * 61 * 5 * 5 * 7 }, (_, i) => ((i * 7919) % 23) - 11);
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      expectReference(p, x);
      expectReference({ ...p, padTop: 0, padLeft: 0, outHeight: 2, outWidth: 3 }, x); // MaxPool2d(2)'s vector path
      const gy = Float32Array.from({ length: 2 * 61 * 5 * 3 * 4 }, (_, i) => (i % 7) - 3.5);
      expectReferenceGradient(p, x, gy);
    }
  });

  it("MaxPool2d(2) (2x2, stride 2, no padding: four windows per vector step) on every width, ceil mode or not, with ties, NaNs, infinities", () => {
    setNumThreads(1);
    fc.assert(
      fc.property(twoByTwo, fc.array(value, { minLength: 6 * 9 * 21, maxLength: 6 * 9 * 21 }), (p, pool) => {
        const x = Float32Array.from({ length: p.channels * p.inHeight * p.inWidth }, (_, i) => pool[i]);
        expectReference(p, x);
      }),
      { seed: 12, numRuns: 300 },
    );
  });
  for (const threads of [1, 2]) {
    it(`MaxPool2d(2)'s gradient (four windows per vector step, pool_scatter_2x2) equals the reference's, gy with NaN, infinities and -0 (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      fc.assert(
        fc.property(
          twoByTwo,
          fc.integer({ min: 1, max: 3 }),
          fc.array(value, { minLength: 6 * 9 * 21, maxLength: 6 * 9 * 21 }),
          fc.nat(1000),
          (q, batch, pool, shift) => {
            const p = { ...q, batch };
            const x = Float32Array.from(
              { length: batch * p.channels * p.inHeight * p.inWidth },
              (_, i) => pool[i % pool.length],
            );
            const gy = Float32Array.from(
              { length: batch * p.channels * p.outHeight * p.outWidth },
              (_, i) => pool[(i + shift) % pool.length],
            );
            expectReferenceGradient(p, x, gy);
          },
        ),
        { seed: 23, numRuns: 300 },
      );
    });
  }

  it("a large batch split over threads: the demo's first pooling", () => {
    const p = maxPool2(64, 16, 24, 24);
    const x = Float32Array.from({ length: 64 * 16 * 576 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
    setNumThreads(2);
    expectReference(p, x);
    expectReferenceGradient(
      p,
      x,
      x.subarray(0, 64 * 16 * 144).map((v) => v - 0.5),
    );
  });
});
