/**
 * WGSL matmul, conv2d family (conv2dBias too), pad family and max-pool family against the CPU backend over random
 * geometries (fast-check, seed 42), with both GEMM algorithms (tiled 32x32 and direct), sizes that
 * are not multiples of the tiles, and k long enough to take the split-K path.
 *
 * float32 tolerance: |webgpu - cpu| <= 1e-4 |cpu| + 1e-5 sqrt(k) for k summed products of values
 * in [-1, 1] (the CPU accumulates in float64, the GPU in float32 in another order).
 */
import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import type { Pool2dGeometry } from "../../src/primitives/index.js";
import {
  type Conv2dGeometry,
  type PadMode,
  conv2dGeometry,
  convOutSize,
  padGeometry,
} from "../../src/primitives/index.js";
import { setGemmAlgorithm } from "../../src/backends/webgpu/index.js";
import { EXACT, type Tolerance, floats, ints, levels, mismatch, runBoth } from "./compare.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
afterAll(() => destroyWebGPU());

const SEED = 42;
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const sumTol = (k: number): Tolerance => ({ rtol: 1e-4, atol: 1e-5 * Math.sqrt(k) });

function check(o: Parameters<typeof mismatch>[0], tol: Tolerance): void {
  const m = mismatch(o, tol);
  if (m) throw new Error(m);
}

const convArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    groups: fc.integer({ min: 1, max: 3 }),
    cinG: fc.integer({ min: 1, max: 3 }),
    coutG: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    padding: fc.tuple(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
    ),
  })
  .map((r): Conv2dGeometry =>
    conv2dGeometry({
      input: [r.batch, r.cinG * r.groups, r.h, r.w],
      weight: [r.coutG * r.groups, r.cinG, r.kh, r.kw],
      stride: r.stride,
      dilation: r.dilation,
      padding: r.padding,
      groups: r.groups,
    }),
  )
  .filter((g) => g.outHeight >= 1 && g.outWidth >= 1);

async function checkConvFamily(g: Conv2dGeometry, sd: number): Promise<void> {
  const xShape = [g.batch, g.inChannels, g.inHeight, g.inWidth];
  const wShape = [g.outChannels, g.inChannels / g.groups, g.kernelHeight, g.kernelWidth];
  const yShape = [g.batch, g.outChannels, g.outHeight, g.outWidth];
  const x = floats(xShape, sd),
    w = floats(wShape, sd + 1),
    gy = floats(yShape, sd + 2);
  const k = (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
  check(await runBoth("conv2d", [x, w], g), sumTol(k));
  check(await runBoth("conv2dBias", [x, w, floats([g.outChannels], sd + 3)], g), sumTol(k + 1));
  check(
    await runBoth("conv2dBackInput", [gy, w], g),
    sumTol((g.outChannels / g.groups) * g.kernelHeight * g.kernelWidth),
  );
  check(await runBoth("conv2dBackWeight", [x, gy], g), sumTol(g.batch * g.outHeight * g.outWidth));
}

for (const algorithm of ["tiled", "direct"] as const) {
  describe.skipIf(!setup.available)(suiteTitle(`webgpu ${algorithm} GEMM kernels equal the cpu backend`, setup), () => {
    it("matmul float32, batched, sizes off the 32x32 tile", async () => {
      setGemmAlgorithm(algorithm);
      const arb = fc.tuple(
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        fc.integer({ min: 1, max: 45 }),
        fc.integer({ min: 1, max: 45 }),
        fc.integer({ min: 1, max: 45 }),
        seed,
      );
      await fc.assert(
        fc.asyncProperty(arb, async ([batch, m, k, n, sd]) => {
          check(
            await runBoth("matmul", [floats([...batch, m, k], sd), floats([...batch, k, n], sd + 1)], {}),
            sumTol(k),
          );
        }),
        { seed: SEED, numRuns: 20 },
      );
    });

    it("matmul int32 is exact", async () => {
      setGemmAlgorithm(algorithm);
      const arb = fc.tuple(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        seed,
      );
      await fc.assert(
        fc.asyncProperty(arb, async ([b, m, k, n, sd]) => {
          check(await runBoth("matmul", [ints([b, m, k], sd, -20, 20), ints([b, k, n], sd + 1, -20, 20)], {}), EXACT);
        }),
        { seed: SEED, numRuns: 10 },
      );
    });

    it("matmul with a long k (split-K partial sums, then a reduction)", async () => {
      setGemmAlgorithm(algorithm);
      const arb = fc.tuple(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 512, max: 2500 }),
        fc.integer({ min: 1, max: 9 }),
        seed,
      );
      await fc.assert(
        fc.asyncProperty(arb, async ([m, k, n, sd]) => {
          check(await runBoth("matmul", [floats([m, k], sd), floats([k, n], sd + 1)], {}), sumTol(k));
        }),
        { seed: SEED, numRuns: 6 },
      );
    });

    it("conv2d, conv2dBackInput and conv2dBackWeight over random geometries", async () => {
      setGemmAlgorithm(algorithm);
      await fc.assert(fc.asyncProperty(convArb, seed, checkConvFamily), { seed: SEED, numRuns: 40 });
    });

    it("conv2d family with a large batch x image (split-K weight gradient, many tiles)", async () => {
      setGemmAlgorithm(algorithm);
      const g = conv2dGeometry({
        input: [4, 6, 23, 21],
        weight: [10, 3, 3, 3],
        stride: [1, 2],
        dilation: [2, 1],
        padding: [2, 1, 1, 0],
        groups: 2,
      });
      await checkConvFamily(g, 5);
    });
  });
}

const padArb = fc.constantFrom<PadMode>("constant", "reflect", "replicate", "circular").chain((mode) =>
  fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 })).chain(([h, w]) => {
    // PyTorch's limits: reflect pads < size, circular pads <= size.
    const limit = (n: number) =>
      fc.integer({ min: 0, max: mode === "reflect" ? Math.min(3, n - 1) : mode === "circular" ? Math.min(3, n) : 3 });
    return fc.record({
      batch: fc.integer({ min: 1, max: 2 }),
      channels: fc.integer({ min: 1, max: 3 }),
      inHeight: fc.constant(h),
      inWidth: fc.constant(w),
      top: limit(h),
      bottom: limit(h),
      left: limit(w),
      right: limit(w),
      mode: fc.constant(mode),
    });
  }),
);

describe.skipIf(!setup.available)(suiteTitle("webgpu pad kernels equal the cpu backend", setup), () => {
  it("pad and padAdjoint of the last two dims in every mode", async () => {
    await fc.assert(
      fc.asyncProperty(padArb, seed, async (p, sd) => {
        const shape = [p.batch, p.channels, p.inHeight, p.inWidth];
        const g = padGeometry(shape, [p.left, p.right, p.top, p.bottom], p.mode);
        check(await runBoth("pad", [floats(shape, sd)], g), EXACT);
        const padded = [p.batch, p.channels, p.inHeight + p.top + p.bottom, p.inWidth + p.left + p.right];
        // Each input cell sums at most (1 + 3)^2 padded cells.
        check(await runBoth("padAdjoint", [floats(padded, sd + 1)], g), sumTol(16));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

const poolArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    inHeight: fc.integer({ min: 1, max: 9 }),
    inWidth: fc.integer({ min: 1, max: 9 }),
    kernelHeight: fc.integer({ min: 1, max: 4 }),
    kernelWidth: fc.integer({ min: 1, max: 4 }),
    strideH: fc.integer({ min: 1, max: 3 }),
    strideW: fc.integer({ min: 1, max: 3 }),
    dilationH: fc.integer({ min: 1, max: 2 }),
    dilationW: fc.integer({ min: 1, max: 2 }),
    padFracH: fc.double({ min: 0, max: 1, noNaN: true }),
    padFracW: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((r): Pool2dGeometry => {
    // PyTorch allows padding up to half the kernel; padding is symmetric.
    const padTop = Math.floor(r.padFracH * (Math.floor(r.kernelHeight / 2) + 1) * 0.999);
    const padLeft = Math.floor(r.padFracW * (Math.floor(r.kernelWidth / 2) + 1) * 0.999);
    return {
      batch: r.batch,
      channels: r.channels,
      inHeight: r.inHeight,
      inWidth: r.inWidth,
      kernelHeight: r.kernelHeight,
      kernelWidth: r.kernelWidth,
      strideH: r.strideH,
      strideW: r.strideW,
      dilationH: r.dilationH,
      dilationW: r.dilationW,
      padTop,
      padLeft,
      outHeight: convOutSize(r.inHeight, r.kernelHeight, r.strideH, r.dilationH, padTop, padTop),
      outWidth: convOutSize(r.inWidth, r.kernelWidth, r.strideW, r.dilationW, padLeft, padLeft),
    };
  })
  .filter((p) => p.outHeight >= 1 && p.outWidth >= 1);

describe.skipIf(!setup.available)(suiteTitle("webgpu max-pool kernels equal the cpu backend", setup), () => {
  it("maxPool2d, maxPool2dBackward and maxPool2dSelect with ties", async () => {
    await fc.assert(
      fc.asyncProperty(poolArb, seed, async (p, sd) => {
        const x = levels([p.batch, p.channels, p.inHeight, p.inWidth], sd, 3);
        const gy = floats([p.batch, p.channels, p.outHeight, p.outWidth], sd + 1);
        const g = floats([p.batch, p.channels, p.inHeight, p.inWidth], sd + 2);
        check(await runBoth("maxPool2d", [x], p), EXACT);
        check(await runBoth("maxPool2dBackward", [x, gy], p), sumTol(p.kernelHeight * p.kernelWidth));
        check(await runBoth("maxPool2dSelect", [x, g], p), EXACT);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("a NaN in a window wins (the last NaN holds the index), -Infinity windows point at their first cell", async () => {
    const data = Float32Array.of(1, NaN, 3, NaN, -Infinity, -Infinity, -Infinity, -Infinity, 2, 5, 5, 1, 0, 0, 0, 0);
    const p: Pool2dGeometry = {
      batch: 1,
      channels: 1,
      inHeight: 4,
      inWidth: 4,
      kernelHeight: 2,
      kernelWidth: 2,
      strideH: 2,
      strideW: 1,
      dilationH: 1,
      dilationW: 1,
      padTop: 0,
      padLeft: 0,
      outHeight: 2,
      outWidth: 3,
    };
    const x = { shape: [1, 1, 4, 4], dtype: "float32" as const, data };
    check(await runBoth("maxPool2d", [x], p), EXACT);
    check(await runBoth("maxPool2dBackward", [x, floats([1, 1, 2, 3], 3)], p), EXACT);
    check(await runBoth("maxPool2dSelect", [x, floats([1, 1, 4, 4], 4)], p), EXACT);
  });
});
