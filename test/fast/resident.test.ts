// Outputs left resident in the fast kernels' memory (FastRuntime.residentAt, issue 23) and the
// per-channel sums (fast/channel-sums.ts) that read them in place. fast-check with fixed seeds:
// - whatever sequence of calls runs, an array the runtime calls resident has exactly its bits at
//   that offset (layouts, kept packings, the pool's recycling, dataSync's exposure invalidate it);
// - a max pool reading a conv's output in place equals the reference on a copy;
// - the sums equal a float64 left-to-right sum rounded once (1 and 2 threads), through the CPU
//   backend's sum kernel too, and a conv2dBias's bias gradient computed ahead of the conv's backward
//   equals the plain one, also when the gradient's array is recycled and rewritten in between.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  conv2dBackWeightF32,
  conv2dForwardF32,
  fastRuntime,
  markExposed,
  maxPool2dF32,
  setNumThreads,
  transposeF32,
} from "../../src/backends/cpu/fast/index.js";
import { channelSumsF32, prepareChannelSums } from "../../src/backends/cpu/fast/channel-sums.js";
import { maxPool2dArgmax, windowTaps } from "../../src/backends/cpu/reference/pool2d.js";
import { allocateForOverwrite, pin, release } from "../../src/backends/cpu/arrays.js";
import { cpuKernels } from "../../src/backends/cpu/index.js";
import type { Conv2dGeometry, Pool2dGeometry } from "../../src/primitives/index.js";
import { conv2d, maxPool2d, mul, randn, sum, tensor } from "../../src/index.js";
import { rng } from "../helpers/random.js";

fastRuntime().adaptive = false;

function floats(n: number, seed: number, special = false): Float32Array {
  const next = rng(seed);
  const a = Float32Array.from({ length: n }, () => next() * 4 - 2);
  if (special) for (let i = 3; i < n; i += 11) a[i] = [Infinity, -Infinity, NaN, -0][i % 4];
  return a;
}

function conv(batch: number, cin: number, size: number, cout: number, k: number): Conv2dGeometry {
  return {
    batch,
    inChannels: cin,
    inHeight: size,
    inWidth: size,
    outChannels: cout,
    kernelHeight: k,
    kernelWidth: k,
    outHeight: size - k + 1,
    outWidth: size - k + 1,
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    padTop: 0,
    padBottom: 0,
    padLeft: 0,
    padRight: 0,
    groups: 1,
  };
}

function pool(batch: number, channels: number, size: number, k: number): Pool2dGeometry {
  const out = Math.floor((size - k) / k) + 1;
  return {
    batch,
    channels,
    inHeight: size,
    inWidth: size,
    outHeight: out,
    outWidth: out,
    kernelHeight: k,
    kernelWidth: k,
    strideH: k,
    strideW: k,
    dilationH: 1,
    dilationW: 1,
    padTop: 0,
    padLeft: 0,
  };
}

/** Bitwise equality of the memory at `at` with `a`. */
function sameAsMemory(a: Float32Array, at: number): boolean {
  const mem = new Int32Array(fastRuntime().memory.buffer, at, a.length);
  const bits = new Int32Array(a.buffer, a.byteOffset, a.length);
  return mem.every((v, i) => v === bits[i]);
}

/** float64 sum over batch and inner, left to right, rounded once: the reference sum's values. */
function plainSums(x: Float32Array, batch: number, channels: number, inner: number): Float32Array {
  const acc = new Float64Array(channels);
  for (let n = 0; n < batch; n++)
    for (let c = 0; c < channels; c++) for (let i = 0; i < inner; i++) acc[c] += x[(n * channels + c) * inner + i];
  return Float32Array.from(acc);
}

/** Equal, or one float32 rounding apart (the float64 sums' orders differ). */
function expectSums(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  for (let c = 0; c < want.length; c++) {
    if (!Number.isFinite(want[c])) expect(got[c]).toBe(want[c]);
    else expect(Math.abs(got[c] - want[c])).toBeLessThanOrEqual(Math.abs(want[c]) * 2 ** -23 + 1e-45);
  }
}

describe("resident outputs", () => {
  it("an array called resident has its bits at its offset, whatever calls ran since", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ op: fc.integer({ min: 0, max: 5 }), seed: fc.nat(1e6), size: fc.integer({ min: 6, max: 14 }) }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        (ops) => {
          const rt = fastRuntime();
          const seen: Float32Array[] = [];
          for (const { op, seed, size } of ops) {
            const g = conv(2, 3, size, 4, 3);
            const last = seen.at(-1);
            if (op === 0) {
              const y = conv2dForwardF32(g, floats(2 * 3 * size * size, seed), floats(4 * 27, seed + 1));
              seen.push(y);
              // a max pool of it, reading it in place
              const p = pool(2, 4, size - 2, 2);
              seen.push(maxPool2dF32(p, y, windowTaps(p)).y);
            } else if (op === 1) seen.push(transposeF32(floats(3 * size * 5, seed), 3, size, 5));
            else if (op === 2) {
              const x = floats(2 * 3 * size * size, seed);
              seen.push(conv2dBackWeightF32(g, x, floats(2 * 4 * (size - 2) ** 2, seed + 2)));
            } else if (op === 3 && last)
              release(seen.pop()!); // recycled: the pool may hand it out again
            else if (op === 4 && last) {
              // dataSync(): the caller may write it, and the pool never takes it back (the backend's expose)
              pin(last);
              markExposed(seen.pop()!);
            } else if (op === 5) seen.push(channelSumsF32(floats(2 * 4 * size * size, seed), 2, 4, size * size));
            for (const a of seen) {
              const at = rt.residentAt(a, 0);
              if (at !== undefined) expect(sameAsMemory(a, at)).toBe(true);
            }
          }
          // the last output of a call is resident until something lays out over it
          const y = conv2dForwardF32(conv(1, 2, 8, 3, 3), floats(128, 5), floats(54, 6));
          expect(rt.residentAt(y, 0)).toBeDefined();
          transposeF32(floats(4096, 7), 64, 64, 1);
          expect(rt.residentAt(y, 0)).toBeUndefined();
        },
      ),
      { seed: 2312, numRuns: 60 },
    );
  });

  it("is not read in place once exposed or recycled", () => {
    const rt = fastRuntime();
    const y = conv2dForwardF32(conv(1, 2, 8, 3, 3), floats(128, 1), floats(54, 2));
    expect(rt.residentAt(y, 0)).toBeDefined();
    pin(y);
    markExposed(y);
    expect(rt.residentAt(y, 0)).toBeUndefined();
    const z = conv2dForwardF32(conv(1, 2, 8, 3, 3), floats(128, 3), floats(54, 4));
    expect(rt.residentAt(z, 0)).toBeDefined();
    release(z);
    expect(rt.residentAt(z, 0)).toBeUndefined();
  });

  it("a max pool reading a conv's output in place equals the reference", () => {
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      fc.assert(
        fc.property(
          fc.record({
            batch: fc.integer({ min: 1, max: 3 }),
            cout: fc.integer({ min: 1, max: 9 }),
            size: fc.integer({ min: 5, max: 17 }),
            k: fc.integer({ min: 1, max: 3 }),
            seed: fc.nat(1e6),
          }),
          ({ batch, cout, size, k, seed }) => {
            const g = conv(batch, 2, size, cout, 3);
            const y = conv2dForwardF32(g, floats(batch * 2 * size * size, seed, true), floats(cout * 18, seed + 1));
            expect(fastRuntime().residentAt(y, 0)).toBeDefined();
            const p = pool(batch, cout, size - 2, k);
            const copy = y.slice();
            const { argmax, y: maxima } = maxPool2dF32(p, y, windowTaps(p));
            expect(argmax).toEqual(maxPool2dArgmax(p, copy));
            expect(maxima).toEqual(Float32Array.from(argmax, (i) => (i < 0 ? -Infinity : copy[i])));
          },
        ),
        { seed: 71, numRuns: 40 },
      );
    }
    setNumThreads(2);
  });
});

describe("channel sums", () => {
  it("equal the float64 sums rounded once, copied in or read in place, 1 and 2 threads", () => {
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      fc.assert(
        fc.property(
          fc.record({
            batch: fc.integer({ min: 1, max: 5 }),
            channels: fc.integer({ min: 1, max: 7 }),
            inner: fc.integer({ min: 1, max: 41 }),
            special: fc.boolean(),
            seed: fc.nat(1e6),
          }),
          ({ batch, channels, inner, special, seed }) => {
            const x = floats(batch * channels * inner, seed, special);
            expectSums(channelSumsF32(x, batch, channels, inner), plainSums(x, batch, channels, inner));
            // resident: a transpose's output (rows = batch * channels, one column) read in place
            const t = transposeF32(x, 1, x.length, 1);
            expect(fastRuntime().residentAt(t, 0)).toBeDefined();
            expectSums(channelSumsF32(t, batch, channels, inner), plainSums(x, batch, channels, inner));
          },
        ),
        { seed: 4242, numRuns: 60 },
      );
    }
    setNumThreads(2);
  });

  it("the CPU sum kernel keeping one dim takes them from 2^14 elements, with the plain loop's values", () => {
    for (const shape of [
      [64, 16, 24, 24],
      [2, 3, 5, 7, 11, 13],
      [16384, 1],
      [3, 20000],
    ]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = floats(n, n, true);
      for (let d = 0; d < shape.length; d++) {
        const dims = shape.map((_, i) => i).filter((i) => i !== d);
        const got = cpuKernels.sum(
          [{ storage: x, shape, dtype: "float32" }],
          { dims, keepdim: false },
          { shape: [shape[d]], dtype: "float32" },
        );
        const batch = shape.slice(0, d).reduce((a, b) => a * b, 1);
        expectSums(got as Float32Array, plainSums(x, batch, shape[d], n / batch / shape[d]));
      }
    }
  });

  it("computed ahead from a resident gradient, stay right when its array is recycled and rewritten", () => {
    // [2, 4, 64, 64]: above CHANNEL_SUM_MIN
    const y = conv2dForwardF32(conv(2, 1, 66, 4, 3), floats(2 * 66 * 66, 1), floats(36, 2));
    prepareChannelSums(y, 2, 4, 4096);
    const want = plainSums(y, 2, 4, 4096);
    release(y);
    const again = allocateForOverwrite("float32", y.length) as Float32Array;
    expect(again).toBe(y); // the pool handed the same array out again
    again.set(floats(again.length, 9));
    expectSums(channelSumsF32(again, 2, 4, 4096), plainSums(again, 2, 4, 4096));
    expect(plainSums(again, 2, 4, 4096)).not.toEqual(want);
  });

  it("give conv2dBias's bias gradient through max pooling as the float64 graph does", () => {
    // [8, 8, 28, 28]: above CHANNEL_SUM_MIN, so computed ahead by the conv's backward
    const x = randn([8, 3, 30, 30]);
    const w = randn([8, 3, 3, 3], { requiresGrad: true });
    const b = randn([8], { requiresGrad: true });
    const r = randn([8, 8, 14, 14]);
    sum(mul(maxPool2d(conv2d(x, w, b), { kernelSize: 2 }), r)).backward();
    const x64 = tensor(Float64Array.from(x.dataSync()), { shape: [8, 3, 30, 30], dtype: "float64" });
    const w64 = tensor(Float64Array.from(w.dataSync()), { shape: [8, 3, 3, 3], dtype: "float64" });
    const b64 = tensor(Float64Array.from(b.dataSync()), { shape: [8], dtype: "float64", requiresGrad: true });
    const r64 = tensor(Float64Array.from(r.dataSync()), { shape: [8, 8, 14, 14], dtype: "float64" });
    sum(mul(maxPool2d(conv2d(x64, w64, b64), { kernelSize: 2 }), r64)).backward();
    // the same cotangents (r's float32 values at the same argmax) summed in float64 in two orders
    expectSums(Float32Array.from(b.grad!.dataSync()), Float32Array.from(b64.grad!.dataSync()));
  });
});
