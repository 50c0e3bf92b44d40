// Outputs left resident in the fast kernels' memory (FastRuntime.residentAt, issue 23), which the
// max pool reads in place. fast-check with fixed seeds:
// - whatever sequence of calls runs (convs packing new weights into the kept region, transposes,
//   weight gradients, pools reading in place, the pool recycling an array, dataSync exposing one),
//   an array the runtime calls resident has exactly its bits at that offset;
// - a max pool reading a conv's output in place equals the reference on a copy, 1 and 2 threads.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  conv2dBackWeightF32,
  conv2dForwardF32,
  fastRuntime,
  markExposed,
  maxPool2dBackwardF32,
  maxPool2dF32,
  setNumThreads,
  transposeF32,
} from "../../src/backends/cpu/fast/index.js";
import { maxPool2dArgmax, windowTaps } from "../../src/backends/cpu/reference/pool2d.js";
import { allocateForOverwrite, pin, release, rewritten } from "../../src/backends/cpu/arrays.js";
import type { Conv2dGeometry, Pool2dGeometry } from "../../src/primitives/index.js";
import { rng } from "../helpers/random.js";
import { copiesOf } from "../helpers/copies.js";

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

/** `run` on 1 and then 2 threads (2 again afterwards, the tests' default). */
function onOneAndTwoThreads(run: () => void): void {
  for (const threads of [1, 2]) {
    setNumThreads(threads);
    run();
  }
  setNumThreads(2);
}

/** Bitwise equality of the memory at `at` with `a`. */
function sameAsMemory(a: Float32Array, at: number): boolean {
  const mem = new Int32Array(fastRuntime().memory.buffer, at, a.length);
  const bits = new Int32Array(a.buffer, a.byteOffset, a.length);
  return mem.every((v, i) => v === bits[i]);
}

describe("resident outputs", () => {
  it("an array called resident has its bits at its offset, whatever calls ran since", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ op: fc.integer({ min: 0, max: 6 }), seed: fc.nat(1e6), size: fc.integer({ min: 6, max: 14 }) }),
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
            } else if (op === 5 && last)
              seen.push(transposeF32(last, 1, last.length, 1)); // copied in again from its plain array
            else if (op === 6) {
              // a max pool over an array no call left: copied in, and left resident there
              const x = floats(2 * 4 * size * size, seed);
              const p = pool(2, 4, size, 2);
              seen.push(x, maxPool2dF32(p, x, windowTaps(p)).y);
            }
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

  it("an input copied in is left resident: read in place by the next call, never once recycled or exposed", () => {
    onOneAndTwoThreads(() => {
      const rt = fastRuntime();
      const p = pool(2, 5, 12, 2);
      // an array of the pool's, as a tensor's storage is
      const x = allocateForOverwrite("float32", 2 * 5 * 12 * 12) as Float32Array;
      x.set(floats(x.length, 41, true));
      const want = maxPool2dArgmax(p, x);
      expect(rt.residentAt(x, 0)).toBeUndefined();
      expect(copiesOf(x, () => expect(maxPool2dF32(p, x, windowTaps(p)).argmax).toEqual(want))).toBe(1);
      const at = rt.residentAt(x, 0);
      expect(at).toBeDefined();
      expect(sameAsMemory(x, at!)).toBe(true);
      expect(copiesOf(x, () => expect(maxPool2dF32(p, x, windowTaps(p)).argmax).toEqual(want))).toBe(0);
      // an optimizer rewrote it in place: copied in afresh
      x.set(floats(x.length, 42));
      rewritten(x);
      expect(rt.residentAt(x, 0)).toBeUndefined();
      expect(copiesOf(x, () => expect(maxPool2dF32(p, x, windowTaps(p)).argmax).toEqual(maxPool2dArgmax(p, x)))).toBe(
        1,
      );
      expect(rt.residentAt(x, 0)).toBeDefined();
      // the pool takes it back and hands it out again, with new data
      release(x);
      expect(rt.residentAt(x, 0)).toBeUndefined();
      const again = allocateForOverwrite("float32", x.length) as Float32Array;
      expect(again).toBe(x);
      again.set(floats(x.length, 43));
      const fresh = () => expect(maxPool2dF32(p, again, windowTaps(p)).argmax).toEqual(maxPool2dArgmax(p, again));
      expect(copiesOf(again, fresh)).toBe(1);
      // dataSync handed it out: its caller may write it, so it is never read in place
      pin(again);
      markExposed(again);
      again.fill(-1, 0, 50);
      expect(copiesOf(again, fresh)).toBe(1);
      expect(rt.residentAt(again, 0)).toBeUndefined();
    });
  });

  it("a max pool reading a conv's output in place equals the reference", () => {
    onOneAndTwoThreads(() =>
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
      ),
    );
  });

  it("a 1-channel conv's weight gradient reads a max pool's gradient in place, with the bits of the call on a copy", () => {
    // the demo's first layer at smaller batches (dw_bwd_w): gy is the gradient of the max pool that
    // follows the conv, resident. (Its second layer's gradients take the Winograd path, whose
    // scratch, ~0.8 MiB a thread, lies over the pool's gradient: they copy it in.)
    onOneAndTwoThreads(() =>
      fc.assert(
        fc.property(
          fc.record({
            // gy large enough to lie past the conv's scratch (planeScratch, per thread)
            batch: fc.integer({ min: 2, max: 6 }),
            cout: fc.integer({ min: 16, max: 24 }),
            half: fc.integer({ min: 4, max: 12 }),
            seed: fc.nat(1e6),
          }),
          ({ batch, cout, half, seed }) => {
            const g = conv(batch, 1, 2 * half + 4, cout, 5);
            const x = floats(batch * g.inHeight * g.inWidth, seed);
            // the conv's output y, max pooled 2x2; gy = the pool's gradient, the shape of y
            const p = pool(batch, cout, g.outHeight, 2);
            const { argmax } = maxPool2dF32(
              p,
              floats(batch * cout * g.outHeight * g.outWidth, seed + 1),
              windowTaps(p),
            );
            const gy = maxPool2dBackwardF32(p, floats(argmax.length, seed + 2), argmax);
            const copy = gy.slice();
            let dw: Float32Array | undefined;
            expect(copiesOf(gy, () => (dw = conv2dBackWeightF32(g, x, gy)))).toBe(0);
            expect(dw).toEqual(conv2dBackWeightF32(g, x, copy));
          },
        ),
        { seed: 2323, numRuns: 30 },
      ),
    );
  });
});
