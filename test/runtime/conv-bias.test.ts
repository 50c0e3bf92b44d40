// conv2d with a bias runs as the conv2dBias primitive: on float32 CPU tensors the fast kernels add
// b to the conv's output in WebAssembly memory before copying it out (addBias in
// src/backends/cpu/fast/conv.ts, the add_bias kernel). The plain path is the oracle: conv2d without bias, then
// the broadcast add of reshape(b, [1, C, 1, 1]), which rounds the same float32 sums, so the
// forward must give the same bits; the gradients are the same primitives' (the bias's is a channel
// sum either way) and must give the same bits too. Then the paths that add b after the conv
// (too large for the WebAssembly memory: bands of rows, or the reference), float64 finite
// differences to second order. (ONNX's Conv with its B input: test/onnx/models.test.ts.)
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import type { PaddingMode } from "../../types/core.js";
import { fastRuntime, resetFastRuntime } from "../../src/backends/cpu/fast/index.js";
import { gradcheck, randomArray, seededRng } from "../helpers/gradcheck.js";

const FOUR_GIB = 2 ** 32;
afterEach(() => {
  fastRuntime().maxBytes = FOUR_GIB;
});

/** float32 values in [-1, 1) from a linear congruential stream (fixed by `seed`). */
const values = (n: number, seed: number): Float32Array => {
  const x = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = (s / 2 ** 32) * 2 - 1;
  }
  return x;
};

interface Case {
  input: number[];
  weight: number[];
  options: { stride: number; padding: number; dilation: number; groups: number; paddingMode: PaddingMode };
}

/** Geometries over every fast route: 1-channel planes (3x3 stride 1), depthwise, wide and gathered GEMMs, compaction. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    groups: fc.constantFrom(1, 1, 1, 2, 3),
    cinG: fc.constantFrom(1, 1, 2, 3, 5),
    coutG: fc.integer({ min: 1, max: 9 }),
    h: fc.integer({ min: 1, max: 14 }),
    w: fc.integer({ min: 1, max: 14 }),
    k: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 3 }),
    padding: fc.integer({ min: 0, max: 2 }),
    dilation: fc.integer({ min: 1, max: 2 }),
    paddingMode: fc.constantFrom<PaddingMode>("zeros", "zeros", "zeros", "replicate"),
    unbatched: fc.boolean(),
  })
  .filter((r) => {
    const span = r.dilation * (r.k - 1) + 1;
    return r.h + 2 * r.padding >= span && r.w + 2 * r.padding >= span;
  })
  .map((r) => ({
    input: r.unbatched ? [r.cinG * r.groups, r.h, r.w] : [r.batch, r.cinG * r.groups, r.h, r.w],
    weight: [r.coutG * r.groups, r.cinG, r.k, r.k],
    options: {
      stride: r.stride,
      padding: r.padding,
      dilation: r.dilation,
      groups: r.groups,
      paddingMode: r.paddingMode,
    },
  }));

/** Options at their defaults, spelled out (Case fixes them all). */
const plainOptions = { stride: 1, padding: 0, dilation: 1, groups: 1, paddingMode: "zeros" as PaddingMode };

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** The fused call and the plain one on the same float32 tensors: outputs and the three gradients. */
function both(c: Case, seed: number) {
  const run = (fused: boolean) => {
    const x = sg.tensor(values(size(c.input), seed), { shape: c.input }).requiresGrad_();
    const w = sg.tensor(values(size(c.weight), seed + 1), { shape: c.weight }).requiresGrad_();
    const b = sg.tensor(values(c.weight[0], seed + 2), { shape: [c.weight[0]] }).requiresGrad_();
    const channelShape = c.input.length === 4 ? [1, c.weight[0], 1, 1] : [c.weight[0], 1, 1];
    const y = fused
      ? sg.conv2d(x, w, b, c.options)
      : sg.add(sg.conv2d(x, w, null, c.options), sg.reshape(b, channelShape));
    const g = sg.tensor(values(y.size, seed + 3), { shape: y.shape });
    sg.mul(y, g).sum().backward();
    return [y, x.grad!, w.grad!, b.grad!].map((t) => Array.from(t.dataSync()));
  };
  return { fused: run(true), plain: run(false) };
}

/** The first element whose float32 bits differ (so -0 and NaN compare as themselves), or null. */
function firstMismatch(what: string, got: readonly number[], want: readonly number[]): string | null {
  if (got.length !== want.length) return `${what}: ${got.length} elements, want ${want.length}`;
  const a = new Int32Array(Float32Array.from(got).buffer),
    b = new Int32Array(Float32Array.from(want).buffer);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `${what}[${i}]: ${got[i]}, want ${want[i]}`;
  return null;
}

const PARTS = ["output", "x.grad", "w.grad", "b.grad"];

/** Every part of the two runs bitwise equal. */
function expectSameBits(fused: number[][], plain: number[][]): void {
  for (let k = 0; k < fused.length; k++) expect(firstMismatch(PARTS[k], fused[k], plain[k])).toBeNull();
}

describe("conv2d with bias (conv2dBias) on float32 CPU tensors", () => {
  it("gives the plain path's bits, output and gradients, over random geometries", () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 2 ** 30 }), (c, seed) => {
        const { fused, plain } = both(c, seed);
        expectSameBits(fused, plain);
      }),
      { seed: 2323, numRuns: 150 },
    );
  });

  it("gives the plain path's bits on the benchmarks' layers (BN CNN, the demo, ResNet's stem)", () => {
    const layers: Case[] = [
      { input: [4, 3, 32, 32], weight: [32, 3, 3, 3], options: { ...plainOptions, padding: 1 } },
      { input: [4, 32, 16, 16], weight: [64, 32, 3, 3], options: { ...plainOptions, padding: 1 } },
      { input: [8, 1, 28, 28], weight: [16, 1, 5, 5], options: plainOptions },
      { input: [8, 16, 12, 12], weight: [32, 16, 3, 3], options: plainOptions },
      { input: [4, 1, 28, 28], weight: [16, 1, 3, 3], options: { ...plainOptions, padding: 1 } },
      { input: [2, 3, 40, 40], weight: [16, 3, 7, 7], options: { ...plainOptions, stride: 2, padding: 3 } },
    ];
    layers.forEach((c, i) => {
      const { fused, plain } = both(c, 100 + i);
      expectSameBits(fused, plain);
    });
  });

  it("adds the bias after the conv when the call does not fit the WebAssembly memory (bands of rows, reference)", () => {
    const rt = resetFastRuntime();
    rt.adaptive = false;
    // small integers: every sum is exact in float32 on every path, so a misplaced bias shows
    const ints = (n: number, seed: number) =>
      Float32Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 7) - 3);
    const x = sg.tensor(ints(2 * 4 * 41 * 23, 1), { shape: [2, 4, 41, 23] });
    const w = sg.tensor(ints(6 * 4 * 3 * 3, 2), { shape: [6, 4, 3, 3] });
    const b = sg.tensor(ints(6, 3), { shape: [6] });
    const opts = { padding: [3, 1], stride: [2, 1], dilation: [2, 1] } as const;
    const conv = sg.conv2d(x.cast("float64"), w.cast("float64"), null, opts);
    const plane = conv.shape[2] * conv.shape[3];
    const bias = b.dataSync();
    const exact = Array.from(conv.dataSync(), (v, i) => v + bias[Math.floor(i / plane) % 6]);
    for (const limit of [2 ** 14, 2 ** 15, 2 ** 16, 2 ** 17, 2 ** 18, FOUR_GIB]) {
      rt.maxBytes = limit;
      const got = Array.from(sg.conv2d(x, w, b, opts).dataSync());
      expect(firstMismatch(`limit ${limit}`, got, exact)).toBeNull();
    }
  });

  it("adds the bias in the WebAssembly memory (add_bias) with the broadcast add's bits: many planes, non-finite values, 1 and 2 threads", async () => {
    const rt = fastRuntime();
    rt.adaptive = false;
    // every route (1-channel planes, wide GEMM with compaction, gathered GEMM, 1x1 read in place)
    // and plane sizes of 784, 49, 3 and 1 floats: vector steps of 8 and 4 and a scalar tail, items
    // of several planes whose channels wrap around
    const layers: Case[] = [
      { input: [32, 1, 28, 28], weight: [16, 1, 3, 3], options: { ...plainOptions, padding: 1 } },
      { input: [3, 8, 7, 7], weight: [24, 8, 3, 3], options: { ...plainOptions, padding: 1 } },
      { input: [5, 4, 9, 11], weight: [5, 4, 2, 2], options: { ...plainOptions, stride: 2 } },
      { input: [70, 6, 1, 1], weight: [7, 6, 1, 1], options: plainOptions },
    ];
    const special = [Infinity, -Infinity, NaN, -0, 0, 3e38, -3e38, 1e-45];
    for (const threads of [1, 2]) {
      rt.setNumThreads(threads);
      if (threads > 1) await rt.whenReady();
      layers.forEach((c, i) => {
        const xs = values(size(c.input), 40 + i);
        // a few infinities and NaNs in x too (their planes' outputs are NaN or infinite)
        for (let k = 0; k < 3; k++) xs[(k * 7919) % xs.length] = special[k];
        const bs = values(c.weight[0], 50 + i);
        for (let k = 0; k < bs.length && k < special.length; k += 2) bs[k] = special[(k / 2 + i) % special.length];
        const x = sg.tensor(xs, { shape: c.input });
        const w = sg.tensor(values(size(c.weight), 60 + i), { shape: c.weight });
        const b = sg.tensor(bs, { shape: [c.weight[0]] });
        const fused = Array.from(sg.conv2d(x, w, b, c.options).dataSync());
        const plain = Array.from(
          sg.add(sg.conv2d(x, w, null, c.options), sg.reshape(b, [1, c.weight[0], 1, 1])).dataSync(),
        );
        expect(firstMismatch(`layer ${i}, ${threads} thread(s)`, fused, plain)).toBeNull();
      });
    }
  });

  it("float64: gradients by finite differences, to second order", () => {
    const rng = seededRng(5);
    const x = sg.tensor(randomArray(2 * 4 * 5 * 6, rng), { shape: [2, 4, 5, 6], dtype: "float64" });
    const w = sg.tensor(randomArray(6 * 2 * 3 * 2, rng), { shape: [6, 2, 3, 2], dtype: "float64" });
    const b = sg.tensor(randomArray(6, rng), { shape: [6], dtype: "float64" });
    const options = { stride: 2, padding: 1, groups: 2, dilation: 1 };
    const f = (xx: sg.AnyTensor, ww: sg.AnyTensor, bb: sg.AnyTensor) => sg.conv2d(xx, ww, bb, options);
    gradcheck(f, [x, w, b]);
    // second order: the three gradients of <f, c> (grad traces f even under gradcheck's noGrad),
    // squared and summed, differentiated again
    const c = sg.tensor(randomArray(2 * 6 * 3 * 4, rng), { shape: [2, 6, 3, 4], dtype: "float64" });
    const first = sg.grad((xx: sg.AnyTensor, ww: sg.AnyTensor, bb: sg.AnyTensor) => sg.mul(f(xx, ww, bb), c).sum(), {
      createGraph: true,
    });
    const g = (xx: sg.AnyTensor, ww: sg.AnyTensor, bb: sg.AnyTensor) =>
      first(xx, ww, bb).reduce(
        (acc: sg.AnyTensor, d: sg.AnyTensor) => sg.add(acc, sg.mul(d, d).sum()),
        sg.tensor(0, { dtype: "float64" }),
      );
    gradcheck(g, [x, w, b]);
  });
});
