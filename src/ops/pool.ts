/**
 * Max pooling (torch.nn.functional.max_pool2d): its typed signature (the shape rule of
 * types/shape/pool.ts), validation, PyTorch's output size, dispatch. avgPool2d (nn.functional)
 * shares the option resolution.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Pool2d } from "../../types/shape/pool.js";
import type { IsMessage, OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import type { Pool2dGeometry } from "../primitives/index.js";
import { apply } from "../autograd/engine.js";
import { opErrors } from "../../types/errors.js";
import { assertFloat, assertTensor, parsePair } from "./arguments.js";
import { anyShape as movement } from "./movement.js";

export interface Pool2dOptions {
  kernelSize: number | readonly [number, number];
  /** default: kernelSize */
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  ceilMode?: boolean;
}

/** The option O[K], or undefined when absent. */
type OptionOf<O, K extends string> = O extends { readonly [P in K]?: infer V }
  ? Exclude<V, undefined> | ([V] extends [undefined] ? undefined : never)
  : undefined;
/** max/avg pooling's rule (types/shape/pool.ts) for an options object. */
export type PoolShape<S extends Shape, O, Op extends string> = Pool2d<
  S,
  OptionOf<O, "kernelSize">,
  OptionOf<O, "stride">,
  OptionOf<O, "padding"> extends infer P ? ([P] extends [undefined] ? 0 : P) : never,
  OptionOf<O, "dilation"> extends infer Dl ? ([Dl] extends [undefined] ? 1 : Dl) : never,
  O extends { readonly ceilMode: true } ? true : false,
  Op
>;
/** The input, or the pooling rule's message for it. */
type PoolInput<S extends Shape, D extends DType, Dev extends Device, O, Op extends string> =
  PoolShape<S, O, Op> extends infer R ? (IsMessage<R> extends true ? R : Tensor<S, D, Dev>) : never;
type MaxPool2dSignature = <S extends Shape, D extends DType, Dev extends Device, const O extends Pool2dOptions>(
  x: PoolInput<S, D, Dev, O, "maxPool2d">,
  options: O,
) => Tensor<OkShape<PoolShape<S, O, "maxPool2d">>, D, Dev>;

function pair(op: string, name: string, value: unknown, min: number): [number, number] {
  const p = parsePair(value, min);
  if (!p) throw new Error(opErrors.poolPair(op, name, min, value));
  return p;
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
  const oh = poolOutSize(h, kh, sh, ph, dh, ceil),
    ow = poolOutSize(w, kw, sw, pw, dw, ceil);
  if (oh <= 0 || ow <= 0) {
    throw new Error(opErrors.poolOutput(op, [oh, ow], [kh, kw], [dh, dw], [h, w], [ph, pw]));
  }
  // With dilation a window can fall wholly in the padding (e.g. H 1, kernel 2, dilation 2, padding 1):
  // it would have no element to take the max of. PyTorch accepts some of these and then corrupts
  // memory in backward; refuse them.
  for (const [axis, size, out, k, s, p, d] of [
    ["height", h, oh, kh, sh, ph, dh],
    ["width", w, ow, kw, sw, pw, dw],
  ] as const) {
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
    batch: n,
    channels: c,
    inHeight: h,
    inWidth: w,
    outHeight: oh,
    outWidth: ow,
    kernelHeight: kh,
    kernelWidth: kw,
    strideH: sh,
    strideW: sw,
    dilationH: dh,
    dilationW: dw,
    padTop: ph,
    padLeft: pw,
  };
}

function maxPool2dAnyShape(x: AnyTensor, options: Pool2dOptions): AnyTensor {
  assertTensor("maxPool2d", x);
  assertFloat("maxPool2d", x);
  const g = resolvePool2d("maxPool2d", x.shape, options);
  if (x.shape.length === 3) {
    const y = apply("maxPool2d", [movement.reshape(x, [1, ...x.shape])], g);
    return movement.reshape(y, y.shape.slice(1));
  }
  return apply("maxPool2d", [x], g);
}

/** The implementation, on tensors of any shape (nn's layers call it). */
export const anyShape = { maxPool2d: maxPool2dAnyShape };

/**
 * 2-D max pooling over an [N, C, H, W] or [C, H, W] input (torch.nn.functional.max_pool2d).
 * @function
 */
export const maxPool2d = maxPool2dAnyShape as MaxPool2dSignature;
