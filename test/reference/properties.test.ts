/**
 * fast-check properties of the reference kernels in float64, with fixed seeds:
 * - conv2dForward equals the naive 7-deep loop (n, o, oh, ow, c, ki, kj) over random geometries
 *   with every option (stride, dilation, asymmetric padding, groups, depthwise);
 * - adjoint identities: <conv(x, w), gy> = <x, backInput(gy, w)> = <w, backWeight(x, gy)>,
 *   <pad(x), gy> = <x, padAdjoint(gy)>, <maxPool2dBackward(x, gy), g> = <gy, maxPool2dSelect(x, g)>;
 * - every gradient equals central finite differences of sum(f(...) * gy).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Conv2dGeometry, type PadMode, padGeometry as padOf } from "../../src/primitives/index.js";
import type { PaddingMode } from "../../types/core.js";
import {
  conv2dBackInput,
  conv2dBackWeight,
  conv2dForward,
  maxPool2d,
  maxPool2dBackward,
  maxPool2dSelect,
  pad as padNd,
  padAdjoint as padAdjointNd,
} from "../../src/backends/cpu/reference/index.js";
import type { Pool2dGeometry } from "../../src/primitives/index.js";
import { type ConvPlanForTest, convCall, dot, planConv, randomArray, relError, rng, runConv } from "./helpers.js";

const SEED = 42;

/** The textbook definition, one output element at a time; shares no code with the kernels. */
function naiveConv(g: Conv2dGeometry, x: Float64Array, w: Float64Array): Float64Array {
  const cg = g.inChannels / g.groups;
  const og = g.outChannels / g.groups;
  const y = new Float64Array(g.batch * g.outChannels * g.outHeight * g.outWidth);
  for (let n = 0; n < g.batch; n++) {
    for (let o = 0; o < g.outChannels; o++) {
      const group = Math.floor(o / og);
      for (let oh = 0; oh < g.outHeight; oh++) {
        for (let ow = 0; ow < g.outWidth; ow++) {
          let acc = 0;
          for (let c = 0; c < cg; c++) {
            for (let ki = 0; ki < g.kernelHeight; ki++) {
              for (let kj = 0; kj < g.kernelWidth; kj++) {
                const ih = oh * g.strideH - g.padTop + ki * g.dilationH;
                const iw = ow * g.strideW - g.padLeft + kj * g.dilationW;
                if (ih < 0 || ih >= g.inHeight || iw < 0 || iw >= g.inWidth) continue;
                const xv = x[((n * g.inChannels + group * cg + c) * g.inHeight + ih) * g.inWidth + iw];
                const wv = w[((o * cg + c) * g.kernelHeight + ki) * g.kernelWidth + kj];
                acc += xv * wv;
              }
            }
          }
          y[((n * g.outChannels + o) * g.outHeight + oh) * g.outWidth + ow] = acc;
        }
      }
    }
  }
  return y;
}

interface ConvConfig {
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: [number, number];
  dilation: [number, number];
  padding: [number, number, number, number];
  groups: number;
  paddingMode: PaddingMode;
  bias: boolean;
  seed: number;
}

/**
 * Random conv configurations with every option. The input size is drawn as the least size that
 * gives an output of at least one, plus extra rows/columns, so no draw is wasted; the padding is
 * clamped to the mode's PyTorch limit (reflect < size, circular <= size).
 */
function convConfig(maxExtra: number): fc.Arbitrary<ConvConfig> {
  return fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      groups: fc.integer({ min: 1, max: 3 }),
      cg: fc.integer({ min: 1, max: 3 }),
      og: fc.integer({ min: 1, max: 3 }),
      depthwise: fc.boolean(),
      k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      dilation: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
      extra: fc.tuple(fc.nat(maxExtra), fc.nat(maxExtra)),
      paddingMode: fc.constantFrom<PaddingMode>("zeros", "zeros", "reflect", "replicate", "circular"),
      bias: fc.boolean(),
      seed: fc.nat(),
    })
    .map((r): ConvConfig => {
      const cg = r.depthwise ? 1 : r.cg;
      const groups = r.depthwise ? r.groups * r.cg : r.groups;
      const size = (axis: 0 | 1): number => {
        const span = r.dilation[axis] * (r.k[axis] - 1) + 1;
        return Math.max(1, span - r.pads[2 * axis] - r.pads[2 * axis + 1]) + r.extra[axis];
      };
      const h = size(0);
      const w = size(1);
      const limit = (p: number, s: number): number =>
        r.paddingMode === "reflect" ? Math.min(p, s - 1) : r.paddingMode === "circular" ? Math.min(p, s) : p;
      const padding: [number, number, number, number] = [
        limit(r.pads[0], h),
        limit(r.pads[1], h),
        limit(r.pads[2], w),
        limit(r.pads[3], w),
      ];
      return {
        x: [r.n, groups * cg, h, w],
        w: [groups * r.og, cg, r.k[0], r.k[1]],
        stride: r.stride,
        dilation: r.dilation,
        padding,
        groups,
        paddingMode: r.paddingMode,
        bias: r.bias,
        seed: r.seed,
      };
    })
    .filter((c) => {
      // clamping a reflect/circular pad can leave the padded input shorter than the kernel
      const plan = planOf(c);
      return plan.conv.outHeight > 0 && plan.conv.outWidth > 0;
    });
}

function planOf(c: ConvConfig): ConvPlanForTest {
  return planConv(c.x, c.w, c);
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

interface ConvData {
  plan: ConvPlanForTest;
  x: Float64Array;
  w: Float64Array;
  b: Float64Array | null;
  gy: Float64Array;
}
function convData(c: ConvConfig): ConvData {
  const plan = planOf(c);
  const g = plan.conv;
  return {
    plan,
    x: randomArray(size(c.x), c.seed),
    w: randomArray(size(c.w), c.seed + 1),
    b: c.bias ? randomArray(c.w[0], c.seed + 2) : null,
    gy: randomArray(g.batch * g.outChannels * g.outHeight * g.outWidth, c.seed + 3),
  };
}

/**
 * |<a, b> - <c, d>| relative to the sum of |products| on each side: rounding bounds the
 * difference by a small multiple of that sum, whatever the cancellation.
 */
function innerProductGap(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  c: ArrayLike<number>,
  d: ArrayLike<number>,
): number {
  let mag = 0;
  for (let i = 0; i < a.length; i++) mag += Math.abs(a[i] * b[i]);
  for (let i = 0; i < c.length; i++) mag += Math.abs(c[i] * d[i]);
  return Math.abs(dot(a, b) - dot(c, d)) / Math.max(mag, Number.MIN_VALUE);
}

/**
 * Central finite differences of L(v) = <f(v), gy> at `count` coordinates chosen by `seed`. For the
 * linear maps here the central difference is exact up to rounding, so eps can be large.
 */
function finiteDiffError(
  v: Float64Array,
  f: (v: Float64Array) => Float64Array,
  gy: Float64Array,
  grad: Float64Array,
  count: number,
  seed: number,
  eps = 1e-3,
): number {
  const pick = rng(seed);
  let worst = 0;
  for (let t = 0; t < Math.min(count, v.length); t++) {
    const i = count >= v.length ? t : Math.floor(pick() * v.length);
    const plus = Float64Array.from(v);
    const minus = Float64Array.from(v);
    plus[i] += eps;
    minus[i] -= eps;
    const fd = (dot(f(plus), gy) - dot(f(minus), gy)) / (2 * eps);
    worst = Math.max(worst, Math.abs(fd - grad[i]) / Math.max(1, Math.abs(grad[i])));
  }
  return worst;
}

describe("reference conv2d properties (float64)", () => {
  it("conv2dForward equals the naive 7-deep loop", () => {
    fc.assert(
      fc.property(convConfig(6), (c) => {
        const { plan, x, w } = convData({ ...c, paddingMode: "zeros" });
        expect(plan.pad).toBeNull();
        expect(relError(conv2dForward(plan.conv, x, w), naiveConv(plan.conv, x, w))).toBeLessThanOrEqual(1e-13);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("<conv(x, w), gy> = <x, backInput(gy, w)> = <w, backWeight(x, gy)>", () => {
    fc.assert(
      fc.property(convConfig(6), (c) => {
        const { plan, w, gy } = convData(c);
        const g = plan.conv;
        const x = randomArray(g.batch * g.inChannels * g.inHeight * g.inWidth, c.seed + 9);
        const y = conv2dForward(g, x, w);
        expect(innerProductGap(y, gy, x, conv2dBackInput(g, gy, w))).toBeLessThanOrEqual(1e-13);
        expect(innerProductGap(y, gy, w, conv2dBackWeight(g, x, gy))).toBeLessThanOrEqual(1e-13);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("gx, gw and gb of the whole call (every padding mode, bias) equal central finite differences", () => {
    fc.assert(
      fc.property(convConfig(3), fc.nat(), (c, pickSeed) => {
        const { plan, x, w, b, gy } = convData(c);
        const got = runConv(plan, x, w, b, gy);
        expect(finiteDiffError(x, (v) => convCall(plan, v, w, b), gy, got.gx, 12, pickSeed)).toBeLessThanOrEqual(1e-8);
        expect(finiteDiffError(w, (v) => convCall(plan, x, v, b), gy, got.gw, 12, pickSeed + 1)).toBeLessThanOrEqual(
          1e-8,
        );
        if (b && got.gb)
          expect(finiteDiffError(b, (v) => convCall(plan, x, w, v), gy, got.gb, 12, pickSeed + 2)).toBeLessThanOrEqual(
            1e-8,
          );
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it("input rows and columns no window reaches get exactly zero gradient", () => {
    fc.assert(
      fc.property(convConfig(6), (c) => {
        const { plan, gy, w } = convData({ ...c, paddingMode: "zeros" });
        const g = plan.conv;
        const reached = (size: number, out: number, k: number, s: number, d: number, lo: number): boolean[] => {
          const hit = new Array<boolean>(size).fill(false);
          for (let o = 0; o < out; o++)
            for (let j = 0; j < k; j++) {
              const i = o * s - lo + j * d;
              if (i >= 0 && i < size) hit[i] = true;
            }
          return hit;
        };
        const rows = reached(g.inHeight, g.outHeight, g.kernelHeight, g.strideH, g.dilationH, g.padTop);
        const cols = reached(g.inWidth, g.outWidth, g.kernelWidth, g.strideW, g.dilationW, g.padLeft);
        const gx = conv2dBackInput(g, gy, w);
        for (let i = 0; i < gx.length; i++) {
          const col = i % g.inWidth;
          const row = Math.floor(i / g.inWidth) % g.inHeight;
          if (!rows[row] || !cols[col]) expect(Object.is(gx[i], 0), `gx[${i}]`).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

/** A padding of the last two dims of [batch, channels, inHeight, inWidth]. */
interface PlanePad {
  batch: number;
  channels: number;
  inHeight: number;
  inWidth: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  mode: PadMode;
}
const nd = (p: PlanePad) =>
  padOf([p.batch, p.channels, p.inHeight, p.inWidth], [p.left, p.right, p.top, p.bottom], p.mode);
const pad2d = <F extends Float32Array | Float64Array>(p: PlanePad, x: F): F => padNd(nd(p), x);
const pad2dAdjoint = <F extends Float32Array | Float64Array>(p: PlanePad, x: F): F => padAdjointNd(nd(p), x);
const pad2dOutSize = (p: PlanePad): [number, number] => [p.inHeight + p.top + p.bottom, p.inWidth + p.left + p.right];

const padGeometry: fc.Arbitrary<PlanePad> = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    inHeight: fc.integer({ min: 1, max: 7 }),
    inWidth: fc.integer({ min: 1, max: 7 }),
    pads: fc.tuple(fc.nat(7), fc.nat(7), fc.nat(7), fc.nat(7)),
    mode: fc.constantFrom<PadMode>("constant", "reflect", "replicate", "circular"),
  })
  .map(({ pads, ...r }) => {
    const lim = (p: number, s: number): number =>
      r.mode === "reflect" ? Math.min(p, s - 1) : r.mode === "circular" ? Math.min(p, s) : p;
    return {
      ...r,
      top: lim(pads[0], r.inHeight),
      bottom: lim(pads[1], r.inHeight),
      left: lim(pads[2], r.inWidth),
      right: lim(pads[3], r.inWidth),
    };
  });

describe("reference pad2d properties (float64)", () => {
  it("<pad2d(x), gy> = <x, pad2dAdjoint(gy)> and the adjoint equals finite differences", () => {
    fc.assert(
      fc.property(padGeometry, fc.nat(), (p, seed) => {
        const x = randomArray(p.batch * p.channels * p.inHeight * p.inWidth, seed);
        const [ho, wo] = pad2dOutSize(p);
        const gy = randomArray(p.batch * p.channels * ho * wo, seed + 1);
        const gx = pad2dAdjoint(p, gy);
        expect(innerProductGap(pad2d(p, x), gy, x, gx)).toBeLessThanOrEqual(1e-13);
        expect(finiteDiffError(x, (v) => pad2d(p, v), gy, gx, 12, seed + 2)).toBeLessThanOrEqual(1e-8);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("the interior of the output is the input and every cell copies some input cell", () => {
    fc.assert(
      fc.property(padGeometry, fc.nat(), (p, seed) => {
        const x = randomArray(p.batch * p.channels * p.inHeight * p.inWidth, seed);
        const y = pad2d(p, x);
        const [ho, wo] = pad2dOutSize(p);
        const values = new Set(x);
        const wrong: number[] = [];
        for (let nc = 0; nc < p.batch * p.channels; nc++) {
          for (let i = 0; i < ho; i++)
            for (let j = 0; j < wo; j++) {
              const at = (nc * ho + i) * wo + j;
              const inside = i >= p.top && i < p.top + p.inHeight && j >= p.left && j < p.left + p.inWidth;
              const ok = inside
                ? y[at] === x[(nc * p.inHeight + i - p.top) * p.inWidth + j - p.left]
                : p.mode === "constant"
                  ? y[at] === 0
                  : values.has(y[at]);
              if (!ok) wrong.push(at);
            }
        }
        expect(wrong).toEqual([]);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

/** Pool geometries whose every window reads at least one input cell (PyTorch's valid domain). */
const poolGeometry: fc.Arbitrary<Pool2dGeometry> = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    pad: fc.tuple(fc.nat(2), fc.nat(2)),
    extra: fc.tuple(fc.nat(6), fc.nat(6)),
  })
  .map((r) => {
    const axis = (a: 0 | 1): { size: number; out: number; pad: number } => {
      const pad = Math.min(r.pad[a], Math.floor(r.k[a] / 2));
      const size = Math.max(1, r.d[a] * (r.k[a] - 1) + 1 - 2 * pad) + r.extra[a];
      return { size, pad, out: Math.floor((size + 2 * pad - r.d[a] * (r.k[a] - 1) - 1) / r.s[a]) + 1 };
    };
    const h = axis(0);
    const w = axis(1);
    return {
      batch: r.batch,
      channels: r.channels,
      inHeight: h.size,
      inWidth: w.size,
      outHeight: h.out,
      outWidth: w.out,
      kernelHeight: r.k[0],
      kernelWidth: r.k[1],
      strideH: r.s[0],
      strideW: r.s[1],
      dilationH: r.d[0],
      dilationW: r.d[1],
      padTop: h.pad,
      padLeft: w.pad,
    };
  })
  .filter((p) => {
    const covers = (size: number, out: number, k: number, s: number, d: number, lo: number): boolean =>
      Array.from({ length: out }, (_, o) => o).every((o) =>
        Array.from({ length: k }, (_, j) => o * s - lo + j * d).some((i) => i >= 0 && i < size),
      );
    return (
      covers(p.inHeight, p.outHeight, p.kernelHeight, p.strideH, p.dilationH, p.padTop) &&
      covers(p.inWidth, p.outWidth, p.kernelWidth, p.strideW, p.dilationW, p.padLeft)
    );
  });

/** Distinct values at least 1/64 apart in shuffled order: no window ties, and no nudge of eps reorders a window. */
function distinctValues(n: number, seed: number): Float64Array {
  const next = rng(seed);
  const v = Float64Array.from({ length: n }, (_, i) => i / 64 - n / 128);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}

describe("reference max pooling properties (float64)", () => {
  it("<maxPool2dBackward(x, gy), g> = <gy, maxPool2dSelect(x, g)>, even with ties", () => {
    fc.assert(
      fc.property(poolGeometry, fc.nat(), (p, seed) => {
        // rounding to a few levels makes ties common
        const x = randomArray(p.batch * p.channels * p.inHeight * p.inWidth, seed).map((v) => Math.round(v * 2));
        const gy = randomArray(p.batch * p.channels * p.outHeight * p.outWidth, seed + 1);
        const g = randomArray(x.length, seed + 2);
        expect(innerProductGap(maxPool2dBackward(p, x, gy), g, gy, maxPool2dSelect(p, x, g))).toBeLessThanOrEqual(
          1e-13,
        );
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("maxPool2dBackward equals finite differences and maxPool2d equals select(x, x)", () => {
    fc.assert(
      fc.property(poolGeometry, fc.nat(), (p, seed) => {
        const x = distinctValues(p.batch * p.channels * p.inHeight * p.inWidth, seed);
        const gy = randomArray(p.batch * p.channels * p.outHeight * p.outWidth, seed + 1);
        const gx = maxPool2dBackward(p, x, gy);
        expect(finiteDiffError(x, (v) => maxPool2d(p, v), gy, gx, 16, seed + 2, 1e-4)).toBeLessThanOrEqual(1e-8);
        // select is linear in g; its gradient is the backward scatter
        const g = randomArray(x.length, seed + 3);
        expect(finiteDiffError(g, (v) => maxPool2dSelect(p, x, v), gy, gx, 16, seed + 4)).toBeLessThanOrEqual(1e-8);
        expect(Array.from(maxPool2dSelect(p, x, x))).toEqual(Array.from(maxPool2d(p, x)));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

/**
 * The kernels accumulate in float64 and round once on output, so on float32 inputs (exact in
 * float64) the float32 result is exactly Math.fround of the float64 result of the same values.
 */
describe("reference kernels in float32 round once", () => {
  const f32 = (a: Float64Array): Float32Array => Float32Array.from(a);
  const widen = (a: Float32Array): Float64Array => Float64Array.from(a);
  const sameAfterRounding = (a: Float32Array, b: Float64Array): boolean =>
    a.length === b.length && a.every((v, i) => Object.is(v, Math.fround(b[i])));
  it("conv2dForward, conv2dBackInput, conv2dBackWeight", () => {
    fc.assert(
      fc.property(convConfig(6), (c) => {
        const { plan, x, w, gy } = convData({ ...c, paddingMode: "zeros" });
        const g = plan.conv;
        const [x32, w32, gy32] = [f32(x), f32(w), f32(gy)];
        expect(sameAfterRounding(conv2dForward(g, x32, w32), conv2dForward(g, widen(x32), widen(w32)))).toBe(true);
        expect(sameAfterRounding(conv2dBackInput(g, gy32, w32), conv2dBackInput(g, widen(gy32), widen(w32)))).toBe(
          true,
        );
        expect(sameAfterRounding(conv2dBackWeight(g, x32, gy32), conv2dBackWeight(g, widen(x32), widen(gy32)))).toBe(
          true,
        );
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
  it("pad2dAdjoint and maxPool2dBackward", () => {
    fc.assert(
      fc.property(padGeometry, poolGeometry, fc.nat(), (pg, pool, seed) => {
        const [ho, wo] = pad2dOutSize(pg);
        const gy = f32(randomArray(pg.batch * pg.channels * ho * wo, seed));
        expect(sameAfterRounding(pad2dAdjoint(pg, gy), pad2dAdjoint(pg, widen(gy)))).toBe(true);
        const x = f32(randomArray(pool.batch * pool.channels * pool.inHeight * pool.inWidth, seed + 1));
        const gp = f32(randomArray(pool.batch * pool.channels * pool.outHeight * pool.outWidth, seed + 2));
        expect(sameAfterRounding(maxPool2dBackward(pool, x, gp), maxPool2dBackward(pool, widen(x), widen(gp)))).toBe(
          true,
        );
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
