/** Max pooling (torch.nn.functional.max_pool2d): validation, PyTorch's output size, dispatch. */
import type { AnyTensor } from "../tensor.js";
import type { Pool2dGeometry } from "../primitives/index.js";
import { apply } from "../autograd/engine.js";
import { assertFloat, assertTensor, reshape } from "./basic.js";
import { opErrors } from "../../types/errors.js";

export interface Pool2dOptions {
  kernelSize: number | readonly [number, number];
  /** default: kernelSize */
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  ceilMode?: boolean;
}

function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  const p = typeof v === "number" ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= min)) {
    throw new Error(opErrors.poolPair(op, name, min, v));
  }
  return p as [number, number];
}

/**
 * PyTorch's pooling output size: floor (or ceil) of (H + 2p - d(k-1) - 1)/s, plus 1; in ceil mode
 * the last window must start inside the input or the left padding, else it is dropped.
 */
export function poolOutSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = Math.floor((ceil ? span + s - 1 : span) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

export function resolvePool2d(op: string, shape: readonly number[], o: Pool2dOptions): Pool2dGeometry {
  if (o === null || typeof o !== "object") throw new Error(opErrors.poolOptions(op));
  const [kh, kw] = pair(op, "kernelSize", o.kernelSize, 1);
  const [sh, sw] = o.stride === undefined ? [kh, kw] : pair(op, "stride", o.stride, 1);
  const [ph, pw] = pair(op, "padding", o.padding ?? 0, 0);
  const [dh, dw] = pair(op, "dilation", o.dilation ?? 1, 1);
  const ceil = o.ceilMode ?? false;
  if (shape.length !== 4 && shape.length !== 3) throw new Error(opErrors.poolRank(op, shape));
  const [n, c, h, w] = shape.length === 4 ? shape : [1, ...shape];
  if (2 * ph > kh || 2 * pw > kw) throw new Error(opErrors.poolPadding(op, [ph, pw], [kh, kw]));
  const oh = poolOutSize(h, kh, sh, ph, dh, ceil), ow = poolOutSize(w, kw, sw, pw, dw, ceil);
  if (oh <= 0 || ow <= 0) {
    throw new Error(opErrors.poolOutput(op, [oh, ow], [kh, kw], [dh, dw], [h, w], [ph, pw]));
  }
  // With dilation a window can fall wholly in the padding (e.g. H 1, kernel 2, dilation 2, padding 1):
  // it would have no element to take the max of. PyTorch accepts some of these and then corrupts
  // memory in backward; refuse them.
  for (const [axis, size, out, k, s, p, d] of [["height", h, oh, kh, sh, ph, dh], ["width", w, ow, kw, sw, pw, dw]] as const) {
    for (let o = 0; o < out; o++) {
      // The first tap at or past row 0 is t0 = ceil(-start / d); the window reaches the input iff
      // that tap exists and lands before the end. O(1) per position, so a kernel of 2^31 taps
      // with a padding of 2^30 cannot stall here.
      const start = o * s - p;
      const t0 = start >= 0 ? 0 : Math.ceil(-start / d);
      const reaches = t0 < k && start + t0 * d < size;
      if (!reaches) throw new Error(opErrors.poolWindowInPadding(op, axis, o, size, k, s, p, d));
    }
  }
  return {
    batch: n, channels: c, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow,
    kernelHeight: kh, kernelWidth: kw, strideH: sh, strideW: sw, dilationH: dh, dilationW: dw, padTop: ph, padLeft: pw,
  };
}

export function maxPool2d(x: AnyTensor, options: Pool2dOptions): AnyTensor {
  assertTensor("maxPool2d", x);
  assertFloat("maxPool2d", x);
  const g = resolvePool2d("maxPool2d", x.shape, options);
  if (x.shape.length === 3) {
    const y = apply("maxPool2d", [reshape(x, [1, ...x.shape])], g);
    return reshape(y, y.shape.slice(1));
  }
  return apply("maxPool2d", [x], g);
}
