// conv2d's forward reading an input that an earlier call left resident in the fast kernels' memory
// (FastRuntime.residentAt, issue 23): every forward path (gemmConv wide at stride 1 read in place,
// wide over phase planes at stride 2, gathered; the per-plane dw_conv; Winograd) gives the bits of
// the same call on a copy, leaves the input's bits where they were (no scratch or region of the
// call lies over it), and really skips the copy for the inputs that lie past the call's scratch.
// fast-check with fixed seeds, on 1 and 2 threads.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { conv2dForwardF32, fastRuntime, setNumThreads } from "../../src/backends/cpu/fast/index.js";
import { conv2dGeometry, type Conv2dGeometry } from "../../src/primitives/index.js";
import { rng } from "../helpers/random.js";
import { copiesOf } from "../helpers/copies.js";

fastRuntime().adaptive = false;

function floats(n: number, seed: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => next() * 4 - 2);
}

const bits = (a: Float32Array) => new Int32Array(a.buffer, a.byteOffset, a.length);

/**
 * An input of `channels` planes of `batch` x `size` x `size` left resident by a 1x1 conv of a wide
 * input (`depth` channels): its output lies past the producer's own input in the memory, so past
 * the scratch of the call that reads it when `depth` is large.
 */
function residentInput(batch: number, channels: number, size: number, depth: number, seed: number): Float32Array {
  const g = geom([batch, depth, size, size], [channels, depth, 1, 1]);
  return conv2dForwardF32(g, floats(batch * depth * size * size, seed), floats(channels * depth, seed + 1));
}

type Shape = readonly [number, number, number, number];
interface Options {
  stride?: number | readonly [number, number];
  dilation?: number;
  padding?: number | readonly [number, number, number, number];
  groups?: number;
}

function geom(input: Shape, weight: Shape, o: Options = {}): Conv2dGeometry {
  const s = o.stride ?? 1;
  const p = o.padding ?? 0;
  const d = o.dilation ?? 1;
  return conv2dGeometry({
    input,
    weight,
    stride: typeof s === "number" ? [s, s] : s,
    dilation: [d, d],
    padding: typeof p === "number" ? [p, p, p, p] : p,
    groups: o.groups ?? 1,
  });
}

/** The forward paths by geometry: kind 0 Winograd 3x3, 1 a 1x1 read in place, 2 stride 2 over phase
 * planes, 3 a gathered 5x5 dilated, 4 depthwise 3x3 (dw_conv), 5 a 1-channel-per-group 5x5. */
function geometry(kind: number, batch: number, c: number, o: number, size: number): Conv2dGeometry {
  const input = [batch, c, size, size] as const;
  switch (kind) {
    case 0:
      return geom([batch, 16 + c, size, size], [16 + o, 16 + c, 3, 3], { padding: 1 });
    case 1:
      return geom(input, [o, c, 1, 1]);
    case 2:
      return geom(input, [o, c, 3, 3], { stride: 2, padding: 1 });
    case 3:
      return geom(input, [o, c, 3, 3], { dilation: 2, padding: [2, 1, 0, 2] });
    case 4:
      return geom(input, [c, 1, 3, 3], { padding: 1, groups: c });
    default:
      return geom(input, [2 * c, 1, 5, 5], { stride: [1, 2], groups: c });
  }
}

describe("conv2d forward on a resident input", () => {
  it("gives the bits of the call on a copy, leaves the input intact, and reads it in place past the scratch", () => {
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      let inPlace = 0;
      fc.assert(
        fc.property(
          fc.record({
            kind: fc.integer({ min: 0, max: 5 }),
            batch: fc.integer({ min: 1, max: 3 }),
            c: fc.integer({ min: 1, max: 9 }),
            o: fc.integer({ min: 1, max: 13 }),
            size: fc.integer({ min: 5, max: 20 }),
            depth: fc.constantFrom(4, 1500),
            bias: fc.boolean(),
            seed: fc.nat(1e6),
          }),
          ({ kind, batch, c, o, size, depth, bias, seed }) => {
            const g = geometry(kind, batch, c, o, size);
            const x = residentInput(batch, g.inChannels, size, depth, seed);
            const rt = fastRuntime();
            const at = rt.residentAt(x, 0);
            expect(at).toBeDefined();
            const w = floats(g.outChannels * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth, seed + 2);
            const b = bias ? floats(g.outChannels, seed + 3) : undefined;
            const copy = x.slice();
            let y: Float32Array = new Float32Array(0);
            const copies = copiesOf(x, () => (y = conv2dForwardF32(g, x, w, b)));
            if (copies === 0) inPlace++;
            expect(bits(x)).toEqual(bits(copy));
            // still resident, with its bits: the call's scratch and regions lay out past it
            if (copies === 0) {
              expect(rt.residentAt(x, 0)).toBe(at);
              expect(bits(new Float32Array(rt.memory.buffer, at, x.length))).toEqual(bits(copy));
            }
            expect(bits(y)).toEqual(bits(conv2dForwardF32(g, copy, w, b)));
          },
        ),
        { seed: 2330 + threads, numRuns: 40 },
      );
      // the wide producers (depth 1500) put the input past every call's scratch
      expect(inPlace).toBeGreaterThan(12);
    }
    setNumThreads(2);
  });
});
