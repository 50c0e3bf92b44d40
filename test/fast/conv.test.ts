// The fast float32 kernels against the float64 reference (src/backends/cpu/reference) over random
// geometries: every option (stride, dilation, asymmetric and negative-free zero padding, groups,
// depthwise with channel multipliers, 1x1, batch 1) and sizes that are not multiples of the 4 x 8
// register tile or of the 256-deep / 256-wide blocks.
//
// Tolerance: float32 GEMM sums K products of values in [-1, 1) in a different order than the float64
// oracle; the error is bounded by ~K * 2^-24 * sum|x w|. We compare |fast - ref| <= 1e-4 * (1 +
// sum over the same terms of |x||w|), i.e. relative to the L1 mass of the dot product (computed by
// running the reference on |x| and |w|), which is scale-free and never vacuous.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { type Conv2dGeometry, conv2dGeometry } from "../../src/primitives/index.js";
import { conv2dBackInput, conv2dBackWeight, conv2dForward } from "../../src/backends/cpu/reference/index.js";
import {
  conv2dBackInputF32,
  conv2dBackWeightF32,
  conv2dForwardF32,
  fastRuntime,
  matmulF32,
  resetFastRuntime,
  setNumThreads,
} from "../../src/backends/cpu/fast/index.js";

const TOL = 1e-4;

function rand(n: number, seed: number): Float32Array {
  // xorshift: deterministic data independent of fast-check's shrinking
  let s = seed >>> 0 || 1;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
  return a;
}
const f64 = (a: Float32Array) => Float64Array.from(a);
const abs64 = (a: Float32Array) => Float64Array.from(a, Math.abs);

function expectClose(name: string, fast: Float32Array, ref: Float64Array, mass: Float64Array): void {
  expect(fast.length).toBe(ref.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < ref.length; i++) {
    const err = Math.abs(fast[i] - ref[i]) / (1 + mass[i]);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  if (!(worst <= TOL)) throw new Error(`${name}: error ${worst} at ${at}: fast ${fast[at]} ref ${ref[at]}`);
}

const geometryArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    groups: fc.integer({ min: 1, max: 3 }),
    cPerGroup: fc.integer({ min: 1, max: 7 }),
    oPerGroup: fc.integer({ min: 1, max: 11 }),
    depthwise: fc.boolean(),
    kH: fc.integer({ min: 1, max: 4 }),
    kW: fc.integer({ min: 1, max: 4 }),
    sH: fc.integer({ min: 1, max: 3 }),
    sW: fc.integer({ min: 1, max: 3 }),
    dH: fc.integer({ min: 1, max: 3 }),
    dW: fc.integer({ min: 1, max: 3 }),
    pad: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    h: fc.integer({ min: 1, max: 19 }),
    w: fc.integer({ min: 1, max: 23 }),
  })
  .map((r) => {
    const cg = r.depthwise ? 1 : r.cPerGroup;
    const groups = r.depthwise ? r.groups + r.cPerGroup - 1 : r.groups;
    const [pt, pb, pl, pr] = r.pad;
    // grow the image until at least one window fits
    const h = Math.max(r.h, r.dH * (r.kH - 1) + 1 - pt - pb);
    const w = Math.max(r.w, r.dW * (r.kW - 1) + 1 - pl - pr);
    return conv2dGeometry({
      input: [r.batch, cg * groups, h, w],
      weight: [r.oPerGroup * groups, cg, r.kH, r.kW],
      stride: [r.sH, r.sW],
      dilation: [r.dH, r.dW],
      padding: [pt, pb, pl, pr],
      groups,
    });
  });

function sizes(g: Conv2dGeometry) {
  return {
    x: g.batch * g.inChannels * g.inHeight * g.inWidth,
    w: g.outChannels * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth,
    y: g.batch * g.outChannels * g.outHeight * g.outWidth,
  };
}

/**
 * conv2dForwardF32 with a bias has the bits of the conv without one plus the bias, rounded once
 * to float32, whichever kernel adds it (the dense store's last block, conv_fwd's items, compact,
 * dw_conv, add_bias). Returns the biased output.
 */
function expectBiasBits(g: Conv2dGeometry, seed: number): Float32Array {
  const s = sizes(g);
  const x = rand(s.x, seed),
    w = rand(s.w, seed + 1),
    bias = rand(g.outChannels, seed + 2);
  const plain = conv2dForwardF32(g, x, w);
  const fused = conv2dForwardF32(g, x, w, bias);
  const plane = g.outHeight * g.outWidth;
  for (let i = 0; i < plain.length; i++) {
    const want = Math.fround(plain[i] + bias[Math.floor(i / plane) % g.outChannels]);
    if (fused[i] !== want) throw new Error(`${JSON.stringify(g)}: at ${i} ${fused[i]}, want ${want}`);
  }
  return fused;
}

function checkAll(g: Conv2dGeometry, seed: number): void {
  const s = sizes(g);
  const x = rand(s.x, seed),
    w = rand(s.w, seed + 1),
    gy = rand(s.y, seed + 2);
  const tag = JSON.stringify(g);
  expectClose(
    `forward ${tag}`,
    conv2dForwardF32(g, x, w),
    conv2dForward(g, f64(x), f64(w)),
    conv2dForward(g, abs64(x), abs64(w)),
  );
  expectClose(
    `backInput ${tag}`,
    conv2dBackInputF32(g, gy, w),
    conv2dBackInput(g, f64(gy), f64(w)),
    conv2dBackInput(g, abs64(gy), abs64(w)),
  );
  expectClose(
    `backWeight ${tag}`,
    conv2dBackWeightF32(g, x, gy),
    conv2dBackWeight(g, f64(x), f64(gy)),
    conv2dBackWeight(g, abs64(x), abs64(gy)),
  );
}

// Jobs large enough for the pool always use it here, even on a busy machine, so the 2-thread
// runs below really split the work.
fastRuntime().adaptive = false;

/**
 * Both kernel modules: the FMA one (fused multiply-adds in the GEMM tile, what Node loads once
 * relaxed SIMD is validated) and the plain one (engines without relaxed SIMD). The conv and matmul
 * suites run once under each, the FMA one last: the tests after them run on the default module.
 */
const KERNELS = ["plain", "fma"] as const;
type Kernels = (typeof KERNELS)[number];
function useKernels(kernels: Kernels): void {
  const rt = resetFastRuntime({ fma: kernels === "fma" });
  rt.adaptive = false;
  expect(rt.fma).toBe(kernels === "fma");
}
for (const kernels of KERNELS) {
  describe(`fast float32 conv2d vs float64 reference (${kernels} kernels)`, () => convSuite(kernels));
  describe(`fast float32 matmul vs float64 (${kernels} kernels)`, () => matmulSuite(kernels));
}

function convSuite(kernels: Kernels): void {
  beforeAll(() => useKernels(kernels));
  for (const threads of [1, 2]) {
    it(`random geometries, every option (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      fc.assert(
        fc.property(geometryArb, fc.nat(1 << 30), (g, seed) => {
          checkAll(g, seed);
          expectBiasBits(g, seed);
        }),
        { seed: 42, numRuns: 150 },
      );
    });
  }

  // A 1-channel input with at least 4 outputs and a kernel other than 3x3 at stride 1 runs its
  // forward as a GEMM (gathered from the raw planes), its gradients on the plane kernels: the demo's
  // first layer and random ones with every option.
  const oneChannelArb = fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      out: fc.integer({ min: 4, max: 19 }),
      kH: fc.integer({ min: 1, max: 7 }),
      kW: fc.integer({ min: 2, max: 7 }),
      s: fc.integer({ min: 1, max: 3 }),
      d: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 30 }),
      w: fc.integer({ min: 1, max: 30 }),
      pad: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    })
    .map((r) => {
      const [pt, pb, pl, pr] = r.pad;
      return conv2dGeometry({
        input: [
          r.batch,
          1,
          Math.max(r.h, (r.kH - 1) * r.d + 1 - pt - pb),
          Math.max(r.w, (r.kW - 1) * r.d + 1 - pl - pr),
        ],
        weight: [r.out, 1, r.kH, r.kW],
        stride: [r.s, r.s],
        dilation: [r.d, r.d],
        padding: [pt, pb, pl, pr],
        groups: 1,
      });
    });
  for (const threads of [1, 2]) {
    it(`1-channel inputs with several outputs as a GEMM (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      checkAll(
        conv2dGeometry({
          input: [64, 1, 28, 28],
          weight: [16, 1, 5, 5],
          stride: [1, 1],
          dilation: [1, 1],
          padding: [0, 0, 0, 0],
          groups: 1,
        }),
        11,
      );
      fc.assert(
        fc.property(oneChannelArb, fc.nat(1 << 30), (g, seed) => {
          checkAll(g, seed);
        }),
        { seed: 5, numRuns: 120 },
      );
    });
  }

  // A "wide" conv (equal strides, at most 10% garbage columns) runs its GEMM with B read in place
  // from the zero-bordered (phase) planes through a table of row offsets (block_direct): rows of
  // several channels, K past one 512-deep block (up to 70 x 9), output channels and pixels off the
  // 4 x 8 tile, groups, dilation, stride 2, batches; the input gradient at stride 1 takes the same
  // path on the flipped weights.
  const wideArb = fc
    .record({
      batch: fc.integer({ min: 1, max: 2 }),
      groups: fc.integer({ min: 1, max: 2 }),
      cg: fc.integer({ min: 1, max: 70 }),
      mg: fc.integer({ min: 1, max: 13 }),
      k: fc.integer({ min: 1, max: 3 }),
      s: fc.integer({ min: 1, max: 2 }),
      d: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 7 }),
      extraW: fc.nat(9),
      pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    })
    .map((r) => {
      const [pt, pb, pl, pr] = r.pad;
      const span = (r.k - 1) * r.d + 1;
      // an output at least 10 columns per garbage column, so the layout is wide
      const outW = Math.max(1, 10 * Math.floor((span - 1) / r.s)) + r.extraW;
      return conv2dGeometry({
        input: [r.batch, r.cg * r.groups, Math.max(r.h, span - pt - pb), (outW - 1) * r.s + span - pl - pr],
        weight: [r.mg * r.groups, r.cg, r.k, r.k],
        stride: [r.s, r.s],
        dilation: [r.d, r.d],
        padding: [pt, pb, pl, pr],
        groups: r.groups,
      });
    });
  for (const threads of [1, 2]) {
    it(`wide convs read in place, K over one block, tile edges (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      fc.assert(
        fc.property(wideArb, fc.nat(1 << 30), (g, seed) => {
          checkAll(g, seed);
        }),
        { seed: 23, numRuns: 40 },
      );
    });
  }

  // A wide conv with garbage columns stores its tiles straight into the dense output
  // (block_direct_dense: panels inside an output row from the tile, the others through the edge
  // buffer, K over several blocks accumulating there) and adds the bias with the last block: the
  // bits must be the conv's without bias plus the bias, rounded once to float32 (expectBiasBits,
  // also run on the random geometries, the depthwise planes and the large cases).
  for (const threads of [1, 2]) {
    it(`wide convs with a bias: the conv's bits plus the bias (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      fc.assert(
        fc.property(wideArb, fc.nat(1 << 30), (g, seed) => {
          expectBiasBits(g, seed);
        }),
        { seed: 29, numRuns: 40 },
      );
    });
  }

  // The 3x3 stride-1 single-channel kernel (dw3x3_plane) steps over 8, then 4 columns, then a masked
  // 4-column step ending at the row's end, and two rows at a time: every output width 1..21 and
  // odd heights, written (one source per plane) and accumulated (input gradient with multiplier > 1).
  const planeArb = fc
    .record({
      batch: fc.integer({ min: 1, max: 2 }),
      groups: fc.integer({ min: 1, max: 4 }),
      mult: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 9 }),
      w: fc.integer({ min: 1, max: 21 }),
      pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    })
    .map((r) => {
      const [pt, pb, pl, pr] = r.pad;
      return conv2dGeometry({
        input: [r.batch, r.groups, Math.max(r.h, 3 - pt - pb), Math.max(r.w, 3 - pl - pr)],
        weight: [r.groups * r.mult, 1, 3, 3],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [pt, pb, pl, pr],
        groups: r.groups,
      });
    });
  for (const threads of [1, 2]) {
    it(`3x3 stride-1 depthwise planes of every width (${threads} thread${threads > 1 ? "s" : ""})`, () => {
      setNumThreads(threads);
      fc.assert(
        fc.property(planeArb, fc.nat(1 << 30), (g, seed) => {
          checkAll(g, seed);
          expectBiasBits(g, seed);
        }),
        { seed: 7, numRuns: 200 },
      );
    });
  }

  // Enough channels that one dw_conv item takes several input planes (planeGroup in fast/conv.ts:
  // up to 16 while every thread keeps 8 items): the zero border of the item's padded plane is
  // written with its first plane only, so every later plane must still read zeros there, at any
  // padding and on the 3x3 stride-1 kernel as on the general one; the input gradient at stride 1
  // runs the same job. Items group differently on 1 and 2 threads: the bits must not change.
  const manyPlanesArb = fc
    .record({
      batch: fc.integer({ min: 1, max: 2 }),
      groups: fc.constantFrom(16, 24, 32, 48, 64),
      mult: fc.integer({ min: 1, max: 2 }),
      k: fc.constantFrom(3, 5),
      stride: fc.integer({ min: 1, max: 2 }),
      h: fc.integer({ min: 1, max: 12 }),
      w: fc.integer({ min: 1, max: 19 }),
      pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    })
    .map((r) => {
      const [pt, pb, pl, pr] = r.pad;
      return conv2dGeometry({
        input: [r.batch, r.groups, Math.max(r.h, r.k - pt - pb), Math.max(r.w, r.k - pl - pr)],
        weight: [r.groups * r.mult, 1, r.k, r.k],
        stride: [r.stride, r.stride],
        dilation: [1, 1],
        padding: [pt, pb, pl, pr],
        groups: r.groups,
      });
    });
  it("depthwise items of several planes: reference, and the same bits on 1 and 2 threads", () => {
    fc.assert(
      fc.property(manyPlanesArb, fc.nat(1 << 30), (g, seed) => {
        const s = sizes(g);
        const x = rand(s.x, seed),
          w = rand(s.w, seed + 1),
          gy = rand(s.y, seed + 2);
        const runs = [1, 2].map((threads) => {
          setNumThreads(threads);
          checkAll(g, seed);
          return [conv2dForwardF32(g, x, w), conv2dBackInputF32(g, gy, w), expectBiasBits(g, seed)];
        });
        for (let i = 0; i < 3; i++) expect(runs[1][i]).toEqual(runs[0][i]);
      }),
      { seed: 16, numRuns: 40 },
    );
  });

  // Depthwise weight gradients at stride 1, dilation 1 of kernels 3, 5 or 7 wide run one kernel row
  // at a time (dw_wgrad_1xK), each with a masked last step per row: every width, any kernel height.
  const rowWgradArb = fc
    .record({
      batch: fc.integer({ min: 1, max: 2 }),
      groups: fc.integer({ min: 1, max: 3 }),
      mult: fc.integer({ min: 1, max: 3 }),
      kH: fc.integer({ min: 1, max: 7 }),
      kW: fc.constantFrom(3, 5, 7),
      h: fc.integer({ min: 1, max: 9 }),
      w: fc.integer({ min: 1, max: 21 }),
      pad: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    })
    .map((r) => {
      const [pt, pb, pl, pr] = r.pad;
      return conv2dGeometry({
        input: [r.batch, r.groups, Math.max(r.h, r.kH - pt - pb), Math.max(r.w, r.kW - pl - pr)],
        weight: [r.groups * r.mult, 1, r.kH, r.kW],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [pt, pb, pl, pr],
        groups: r.groups,
      });
    });
  it("depthwise weight gradients of kernels 3, 5 and 7 wide, row by row, every width (1 and 2 threads)", () => {
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      fc.assert(
        fc.property(rowWgradArb, fc.nat(1 << 30), (g, seed) => {
          checkAll(g, seed);
        }),
        { seed: 8, numRuns: 150 },
      );
    }
  });

  // Shapes large enough to cross the blocks (K > 512, N > 512 pixels, > 256 output channels rows of
  // dW columns) and to be split across threads; odd sizes so every edge tile runs.
  const big: [string, Conv2dGeometry][] = [
    // K = 540 > KC = 512: two reduction blocks, on the wide and on the gathered im2col
    [
      "3x3 p1, K = 540, wide rows 12x40",
      conv2dGeometry({
        input: [1, 60, 12, 40],
        weight: [21, 60, 3, 3],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      }),
    ],
    [
      "3x3 p1, K = 540, 9x9 planes (gathered), stride 2",
      conv2dGeometry({
        input: [2, 60, 9, 9],
        weight: [13, 60, 3, 3],
        stride: [2, 2],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      }),
    ],
    [
      "3x3 p1, K = 300, N = 29x31",
      conv2dGeometry({
        input: [2, 33, 29, 31],
        weight: [37, 33, 3, 3],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      }),
    ],
    [
      "3x3 s2 p1 (col2im path)",
      conv2dGeometry({
        input: [1, 40, 27, 25],
        weight: [70, 40, 3, 3],
        stride: [2, 2],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      }),
    ],
    [
      "7x7 p3, dilation 2, strides (2, 3)",
      conv2dGeometry({
        input: [2, 5, 31, 29],
        weight: [12, 5, 7, 7],
        stride: [2, 3],
        dilation: [2, 2],
        padding: [3, 3, 3, 3],
        groups: 1,
      }),
    ],
    [
      "3x3 p1 stride 1 with weights larger than the columns (col2im path)",
      conv2dGeometry({
        input: [1, 64, 5, 6],
        weight: [96, 64, 3, 3],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      }),
    ],
    // wide rows (the stride-1 "wide GEMM" path needs Wp <= 1.1 outW): asymmetric padding, groups,
    // dilation; and a padded 1x1 whose input gradient has negative padding
    [
      "wide: grouped, dilated (2, 3), padding (2, 1, 0, 3), 9x70",
      conv2dGeometry({
        input: [2, 6, 9, 70],
        weight: [10, 3, 3, 2],
        stride: [1, 1],
        dilation: [2, 3],
        padding: [2, 1, 0, 3],
        groups: 2,
      }),
    ],
    [
      "wide: 1x1 with padding 1 (negative padding in the input gradient), 6x80",
      conv2dGeometry({
        input: [1, 5, 6, 80],
        weight: [7, 5, 1, 1],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      }),
    ],
    [
      "wide at stride 2: 7x7 p3 over 40x90 (phase planes)",
      conv2dGeometry({
        input: [1, 5, 40, 90],
        weight: [9, 5, 7, 7],
        stride: [2, 2],
        dilation: [1, 1],
        padding: [3, 3, 3, 3],
        groups: 1,
      }),
    ],
    [
      "wide at stride 3, dilation 2, grouped, padding (1, 2, 0, 1)",
      conv2dGeometry({
        input: [2, 4, 31, 101],
        weight: [6, 2, 3, 3],
        stride: [3, 3],
        dilation: [2, 2],
        padding: [1, 2, 0, 1],
        groups: 2,
      }),
    ],
    [
      "1x1, 130 -> 259 at 17x19",
      conv2dGeometry({
        input: [1, 130, 17, 19],
        weight: [259, 130, 1, 1],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [0, 0, 0, 0],
        groups: 1,
      }),
    ],
    [
      "7x7 s2 p3, 3 -> 21 at 45",
      conv2dGeometry({
        input: [2, 3, 45, 45],
        weight: [21, 3, 7, 7],
        stride: [2, 2],
        dilation: [1, 1],
        padding: [3, 3, 3, 3],
        groups: 1,
      }),
    ],
    [
      "dilated 2, grouped 2",
      conv2dGeometry({
        input: [1, 34, 30, 30],
        weight: [22, 17, 3, 3],
        stride: [1, 1],
        dilation: [2, 2],
        padding: [2, 2, 2, 2],
        groups: 2,
      }),
    ],
    // one image with items of 4+ MFLOP: the job ends with narrow blocks (narrowTail), of pixels
    // (here also prepacked for a channel split; and the weight gradient's narrow column blocks)
    // or, with a single pixel block, of channels
    [
      "narrow last pixel blocks, prepacked: 100 -> 70 at 30x33",
      conv2dGeometry({
        input: [1, 100, 30, 33],
        weight: [70, 100, 3, 3],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      }),
    ],
    [
      "narrow last channel blocks: 250 -> 258 at 7x7",
      conv2dGeometry({
        input: [1, 250, 7, 7],
        weight: [258, 250, 3, 3],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      }),
    ],
    [
      "depthwise 3x3, multiplier 2, 37x41",
      conv2dGeometry({
        input: [2, 9, 37, 41],
        weight: [18, 1, 3, 3],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 9,
      }),
    ],
    [
      "depthwise 5x5 s2",
      conv2dGeometry({
        input: [1, 12, 33, 35],
        weight: [12, 1, 5, 5],
        stride: [2, 2],
        dilation: [1, 1],
        padding: [2, 2, 2, 2],
        groups: 12,
      }),
    ],
  ];
  for (const [name, g] of big) {
    it(`${name}, 1 and 2 threads agree bit for bit and match the reference`, async () => {
      const s = sizes(g);
      const x = rand(s.x, 7),
        w = rand(s.w, 8),
        gy = rand(s.y, 9);
      setNumThreads(1);
      const one = [conv2dForwardF32(g, x, w), conv2dBackInputF32(g, gy, w), conv2dBackWeightF32(g, x, gy)];
      const oneBias = expectBiasBits(g, 10);
      setNumThreads(2);
      await fastRuntime().whenReady(); // so that the worker really takes items
      const two = [conv2dForwardF32(g, x, w), conv2dBackInputF32(g, gy, w), conv2dBackWeightF32(g, x, gy)];
      // items are fixed ranges of the output, each summed in the same order whichever thread runs it
      for (let i = 0; i < 3; i++) expect(two[i]).toEqual(one[i]);
      expect(expectBiasBits(g, 10)).toEqual(oneBias);
      checkAll(g, 11);
    });
  }
}

describe("non-finite inputs", () => {
  it("an infinity in x reaches dW exactly as in the reference (no 0 * inf from the wide layout's garbage pixels)", () => {
    const g = conv2dGeometry({
      input: [1, 3, 6, 40],
      weight: [4, 3, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const x = rand(3 * 240, 5),
      gy = rand(4 * 240, 6);
    // column 0: with the tap at kernel column 2 only the previous row's garbage pixels would read it
    x[1 * 240 + 2 * 40] = Infinity;
    const got = conv2dBackWeightF32(g, x, gy);
    const ref = conv2dBackWeight(g, f64(x), f64(gy));
    for (let i = 0; i < ref.length; i++) {
      if (Number.isFinite(ref[i])) expect(Math.abs(got[i] - ref[i])).toBeLessThan(1e-3 * (1 + Math.abs(ref[i])));
      else expect(got[i]).toBe(ref[i]);
    }
  });
});

describe("non-finite inputs, the last float", () => {
  it("a NaN in x's last float (past the vector steps of the finiteness check) sends dW down the general path", () => {
    const g = conv2dGeometry({
      input: [1, 3, 6, 41],
      weight: [4, 3, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const x = rand(3 * 6 * 41, 5),
      gy = rand(4 * 6 * 41, 6);
    x[x.length - 1] = NaN;
    const got = conv2dBackWeightF32(g, x, gy);
    const ref = conv2dBackWeight(g, f64(x), f64(gy));
    for (let i = 0; i < ref.length; i++) {
      if (Number.isNaN(ref[i])) expect(got[i]).toBeNaN();
      else expect(Math.abs(got[i] - ref[i])).toBeLessThan(1e-3 * (1 + Math.abs(ref[i])));
    }
  });
});

describe("non-finite inputs, depthwise", () => {
  it("an infinity in x next to a row's end reaches the 3x3 weight gradient as in the reference (masked last step)", () => {
    // 3 x 6 output rows: each row ends in a masked step whose dead lanes read x past the row
    const g = conv2dGeometry({
      input: [1, 2, 3, 6],
      weight: [2, 1, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 2,
    });
    const x = rand(36, 5),
      gy = rand(36, 6);
    x[5] = Infinity; // channel 0, row 0, last column
    const got = conv2dBackWeightF32(g, x, gy);
    const ref = conv2dBackWeight(g, f64(x), f64(gy));
    for (let i = 0; i < ref.length; i++) {
      if (Number.isFinite(ref[i])) expect(Math.abs(got[i] - ref[i])).toBeLessThan(1e-3 * (1 + Math.abs(ref[i])));
      else expect(got[i]).toBe(ref[i]);
    }
  });
});

function matmul64(a: Float64Array, b: Float64Array, batch: number, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let p = 0; p < k; p++) {
        const av = a[(t * m + i) * k + p];
        for (let j = 0; j < n; j++) c[(t * m + i) * n + j] += av * b[(t * k + p) * n + j];
      }
  return c;
}

function matmulSuite(kernels: Kernels): void {
  beforeAll(() => useKernels(kernels));
  it("random sizes (tile edges, blocks), 1 and 2 threads", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 2 }),
        fc.nat(1 << 30),
        (batch, m, k, n, threads, seed) => {
          setNumThreads(threads);
          const a = rand(batch * m * k, seed),
            b = rand(batch * k * n, seed + 1);
          expectClose(
            `matmul ${batch}x${m}x${k}x${n}`,
            matmulF32(a, b, batch, m, k, n),
            matmul64(f64(a), f64(b), batch, m, k, n),
            matmul64(abs64(a), abs64(b), batch, m, k, n),
          );
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });
  it("a large product split over threads equals the single-thread result", () => {
    const [m, k, n] = [301, 517, 389];
    const a = rand(m * k, 3),
      b = rand(k * n, 4);
    setNumThreads(1);
    const one = matmulF32(a, b, 1, m, k, n);
    setNumThreads(2);
    expect(matmulF32(a, b, 1, m, k, n)).toEqual(one);
    expectClose("matmul large", one, matmul64(f64(a), f64(b), 1, m, k, n), matmul64(abs64(a), abs64(b), 1, m, k, n));
  });
}
