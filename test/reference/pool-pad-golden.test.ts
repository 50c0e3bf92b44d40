/**
 * Reference max pooling (forward, argmax, backward, select) and pad (all four modes, and its
 * adjoint) against PyTorch goldens (test/fixtures/maxpool2d-torch.json, pad2d-torch.json, made by
 * scripts/golden/gen_pool_pad.py). Max pooling only copies values, so y, the argmax indices and
 * select must match exactly (ties, NaN and -Infinity included); the gradients are sums of copies and
 * are held to the same error measure as conv2d (helpers.ts: relError).
 */
import { describe, expect, it } from "vitest";
import type { PaddingMode } from "../../types/core.js";
import {
  maxPool2d,
  maxPool2dArgmax,
  maxPool2dBackward,
  maxPool2dSelect,
  pad,
  padAdjoint,
} from "../../src/backends/cpu/reference/index.js";
import { type Pool2dGeometry, padGeometry, padOutShape } from "../../src/primitives/index.js";
import { type FixtureTensor, decode, poolOutSize, readFixture, relError } from "./helpers.js";

interface PoolCase {
  id: string;
  x: FixtureTensor;
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
  flavour: string;
  y: FixtureTensor;
  indices: { shape: number[]; data: number[] };
  gy: FixtureTensor;
  gx: FixtureTensor;
  g: FixtureTensor;
  sel: FixtureTensor;
}
interface PadCase {
  id: string;
  x: FixtureTensor;
  pads: [number, number, number, number];
  mode: PaddingMode;
  y: FixtureTensor;
  gy: FixtureTensor;
  gx: FixtureTensor;
}

function poolGeometry(c: PoolCase): Pool2dGeometry {
  const [batch, channels, inHeight, inWidth] = c.x.shape;
  return {
    batch,
    channels,
    inHeight,
    inWidth,
    outHeight: poolOutSize(inHeight, c.kernel[0], c.stride[0], c.padding[0], c.dilation[0], c.ceilMode),
    outWidth: poolOutSize(inWidth, c.kernel[1], c.stride[1], c.padding[1], c.dilation[1], c.ceilMode),
    kernelHeight: c.kernel[0],
    kernelWidth: c.kernel[1],
    strideH: c.stride[0],
    strideW: c.stride[1],
    dilationH: c.dilation[0],
    dilationW: c.dilation[1],
    padTop: c.padding[0],
    padLeft: c.padding[1],
  };
}

const dtypes = [
  { name: "float64", of: (a: Float64Array) => a, tol: 1e-12 },
  { name: "float32", of: (a: Float64Array): Float32Array | Float64Array => Float32Array.from(a), tol: 2e-6 },
] as const;

describe("reference max pooling vs PyTorch", () => {
  const { cases } = readFixture<{ cases: PoolCase[] }>("maxpool2d-torch.json");
  it("covers ceil_mode, ties, NaN and -Infinity", () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((c) => c.flavour))).toEqual(new Set(["randn", "ties", "nan", "neginf"]));
    expect(cases.some((c) => c.ceilMode) && cases.some((c) => !c.ceilMode)).toBe(true);
  });
  for (const dt of dtypes) {
    it(`${dt.name}: output size, y, argmax, backward and select`, () => {
      for (const c of cases) {
        const p = poolGeometry(c);
        expect([p.batch, p.channels, p.outHeight, p.outWidth], c.id).toEqual(c.y.shape);
        const x = dt.of(decode(c.x));
        const plane = p.inHeight * p.inWidth;
        expect(
          Array.from(maxPool2dArgmax(p, x), (i) => i % plane),
          c.id,
        ).toEqual(c.indices.data);
        // Rounding to float32 is monotone, so the max of the rounded window is the rounded max.
        expect(relError(maxPool2d(p, x), dt.of(decode(c.y))), `${c.id} y`).toBe(0);
        expect(relError(maxPool2dBackward(p, x, dt.of(decode(c.gy))), decode(c.gx)), `${c.id} gx`).toBeLessThanOrEqual(
          dt.tol,
        );
        expect(relError(maxPool2dSelect(p, x, dt.of(decode(c.g))), dt.of(decode(c.sel))), `${c.id} sel`).toBe(0);
      }
    });
  }
});

describe("reference pad vs PyTorch (the 2-D cases)", () => {
  const { cases } = readFixture<{ cases: PadCase[] }>("pad2d-torch.json");
  it("covers every mode", () => {
    expect(new Set(cases.map((c) => c.mode))).toEqual(new Set(["zeros", "reflect", "replicate", "circular"]));
  });
  for (const dt of dtypes) {
    it(`${dt.name}: pad and padAdjoint`, () => {
      for (const c of cases) {
        const [top, bottom, left, right] = c.pads;
        const p = padGeometry(c.x.shape, [left, right, top, bottom], c.mode === "zeros" ? "constant" : c.mode);
        expect(padOutShape(p), c.id).toEqual(c.y.shape);
        expect(relError(pad(p, dt.of(decode(c.x))), dt.of(decode(c.y))), `${c.id} y`).toBe(0);
        expect(relError(padAdjoint(p, dt.of(decode(c.gy))), decode(c.gx)), `${c.id} gx`).toBeLessThanOrEqual(dt.tol);
      }
    });
  }
});
