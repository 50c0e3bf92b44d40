/**
 * Shared pieces of the reference-kernel tests: reading the PyTorch golden fixtures, turning a
 * golden case's conv2d options into the kernels' geometry, and the error measure.
 */
import { readFileSync } from "node:fs";
import { rng } from "../helpers/random.js";
import { type Conv2dGeometry, type PadGeometry, conv2dGeometry, padGeometry } from "../../src/primitives/index.js";
import type { PaddingMode } from "../../types/core.js";
import {
  type FloatArray,
  conv2dBackInput,
  conv2dBackWeight,
  conv2dBiasGrad,
  conv2dForward,
  pad,
  padAdjoint,
} from "../../src/backends/cpu/reference/index.js";

/**
 * A tensor in a fixture: either plain JSON numbers (`data`, the original conv2d-torch.json) or the
 * little-endian float64 bytes in base64 (`f64`, the generated fixtures: exact and half the size).
 * NaN and ±Infinity are spelled as strings in `data` only where JSON cannot hold them.
 */
export interface FixtureTensor {
  readonly shape: number[];
  readonly data?: (number | string)[];
  readonly f64?: string;
}

export function decode(t: FixtureTensor): Float64Array {
  if (t.f64 !== undefined) {
    const bytes = Buffer.from(t.f64, "base64");
    const out = new Float64Array(bytes.length / 8);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readDoubleLE(i * 8);
    return out;
  }
  if (t.data === undefined) throw new Error("fixture tensor without data");
  return Float64Array.from(t.data, (v) => Number(v));
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")) as T;
}

export type ConvPadding = number | [number, number] | [number, number, number, number] | "same" | "valid";

export interface ConvCase {
  readonly id: string;
  readonly x: FixtureTensor;
  readonly w: FixtureTensor;
  readonly b?: FixtureTensor;
  readonly stride: [number, number];
  readonly padding: ConvPadding;
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  readonly y: FixtureTensor;
  readonly gy: FixtureTensor;
  readonly gx: FixtureTensor;
  readonly gw: FixtureTensor;
  readonly gb?: FixtureTensor;
}

export interface ConvFixture {
  readonly generator: string;
  readonly cases: ConvCase[];
}

/**
 * [top, bottom, left, right] from any padding form. "same" pads d*(k-1) in total per axis with
 * floor(total/2) before and the rest (one more when odd) after, as PyTorch does.
 */
export function resolvePadding(
  padding: ConvPadding,
  kernel: [number, number],
  dilation: [number, number],
): [number, number, number, number] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    const th = dilation[0] * (kernel[0] - 1);
    const tw = dilation[1] * (kernel[1] - 1);
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  if (typeof padding === "number") return [padding, padding, padding, padding];
  if (padding.length === 2) return [padding[0], padding[0], padding[1], padding[1]];
  return [padding[0], padding[1], padding[2], padding[3]];
}

/**
 * The kernels' view of a conv2d call: with zero padding the conv pads itself; any other mode is an
 * explicit pad followed by an unpadded conv (PyTorch's own decomposition).
 */
export interface ConvPlanForTest {
  readonly conv: Conv2dGeometry;
  readonly pad: PadGeometry | null;
}

export function planConv(
  xShape: readonly number[],
  wShape: readonly number[],
  opts: {
    stride: [number, number];
    padding: ConvPadding;
    dilation: [number, number];
    groups: number;
    paddingMode: PaddingMode;
  },
): ConvPlanForTest {
  const [n, c, h, w] = xShape;
  const weight = [wShape[0], wShape[1], wShape[2], wShape[3]] as const;
  const pads = resolvePadding(opts.padding, [wShape[2], wShape[3]], opts.dilation);
  const common = { weight, stride: opts.stride, dilation: opts.dilation, groups: opts.groups };
  if (opts.paddingMode === "zeros" || pads.every((v) => v === 0)) {
    return { conv: conv2dGeometry({ ...common, input: [n, c, h, w], padding: pads }), pad: null };
  }
  const [top, bottom, left, right] = pads;
  const pad = padGeometry([n, c, h, w], [left, right, top, bottom], opts.paddingMode);
  const conv = conv2dGeometry({ ...common, input: [n, c, h + top + bottom, w + left + right], padding: [0, 0, 0, 0] });
  return { conv, pad };
}

export interface ConvResult<F extends FloatArray> {
  y: F;
  gx: F;
  gw: F;
  gb: F | null;
}

/** The whole conv2d call (padding mode, conv, bias) through the reference kernels. */
export function convCall<F extends FloatArray>(plan: ConvPlanForTest, x: F, w: F, b: F | null): F {
  const y = conv2dForward(plan.conv, plan.pad ? pad(plan.pad, x) : x, w);
  if (b) {
    const plane = plan.conv.outHeight * plan.conv.outWidth;
    for (let i = 0; i < y.length; i++) y[i] += b[Math.floor(i / plane) % plan.conv.outChannels];
  }
  return y;
}

/** Runs a conv2d call and the gradients of sum(y * gy) through the reference kernels. */
export function runConv<F extends FloatArray>(plan: ConvPlanForTest, x: F, w: F, b: F | null, gy: F): ConvResult<F> {
  const xp = plan.pad ? pad(plan.pad, x) : x;
  const gxp = conv2dBackInput(plan.conv, gy, w);
  return {
    y: convCall(plan, x, w, b),
    gx: plan.pad ? padAdjoint(plan.pad, gxp) : gxp,
    gw: conv2dBackWeight(plan.conv, xp, gy),
    gb: b ? conv2dBiasGrad(plan.conv, gy) : null,
  };
}

/**
 * The error measure used throughout: max |actual - ref| / max(1, max |ref|). Relative to the
 * largest reference magnitude (so one small entry next to large ones is not held to a relative
 * bound it cannot meet in float32), and absolute below 1. NaN must match NaN and infinities must
 * match exactly; any mismatch there is reported as Infinity. Shapes (lengths) must agree.
 */
export function relError(actual: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (actual.length !== ref.length) return Infinity;
  let scale = 1;
  for (let i = 0; i < ref.length; i++) if (Number.isFinite(ref[i])) scale = Math.max(scale, Math.abs(ref[i]));
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = actual[i];
    const r = ref[i];
    if (!Number.isFinite(r) || !Number.isFinite(a)) {
      if (!Object.is(a, r) && !(Number.isNaN(a) && Number.isNaN(r))) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(a - r) / scale);
  }
  return worst;
}

/**
 * PyTorch's pooling output size: floor (or ceil) of (H + 2p - d(k-1) - 1)/s, plus 1; with ceil_mode
 * the last window must start inside the input or the left padding, else it is dropped.
 */
export function poolOutSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= size + p) out -= 1;
  return out;
}

/** `size` uniform values in [-1, 1) from `seed`. */
export function randomArray(size: number, seed: number): Float64Array {
  const next = rng(seed);
  return Float64Array.from({ length: size }, () => 2 * next() - 1);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export { rng };
