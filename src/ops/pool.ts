/**
 * Max pooling (torch.nn.functional.max_pool2d): its typed signature (the shape rule of
 * types/shape/pool.ts), validation, PyTorch's output size, dispatch. avgPool2d (nn.functional)
 * shares the option resolution.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Pool2d, Pool2dKeeps } from "../../types/shape/pool.js";
import type { GenericRoute, KeptSizes, RunTimeSizes, SizesRoute } from "../../types/shape/generic.js";
import type { IsMessage, OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import type { Pool2dGeometry } from "../primitives/index.js";
import { apply } from "../autograd/engine.js";
import { formatShape, opErrors } from "../../types/errors.js";
import { assertFloat, assertTensor, parsePads, parsePair } from "./arguments.js";
import { isArray } from "../runtime/shape.js";
import { anyShape as movement } from "./movement.js";

export interface Pool2dOptions {
  kernelSize: number | readonly [number, number];
  /** default: kernelSize */
  stride?: number | readonly [number, number];
  /** p, [h, w] or [top, bottom, left, right] (ONNX's SAME_UPPER / SAME_LOWER pads are asymmetric) */
  padding?: number | readonly [number, number] | readonly [number, number, number, number];
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
/** The input, or the pooling rule's message for the shape it checks (S itself, or RunTimeSizes<S> under a generic size). */
type PoolInput<Checked extends Shape, S extends Shape, D extends DType, Dev extends Device, O, Op extends string> =
  PoolShape<Checked, O, Op> extends infer R ? (IsMessage<R> extends true ? R : Tensor<S, D, Dev>) : never;
/** The window's [keeps H, keeps W] for every input size (stride 1, top + bottom = d (k - 1)). */
type PoolKeeps<O> = Pool2dKeeps<
  OptionOf<O, "kernelSize">,
  OptionOf<O, "stride">,
  OptionOf<O, "padding"> extends infer P ? ([P] extends [undefined] ? 0 : P) : never,
  OptionOf<O, "dilation"> extends infer Dl ? ([Dl] extends [undefined] ? 1 : Dl) : never
>;
/**
 * maxPool2d's and avgPool2d's typed form, one signature for literal, `number` and generic sizes
 * (issue 19): its last type parameter R is the call's route (types/shape/generic.ts SizesRoute),
 * which no argument infers. On the literal route the exact rule runs, a bad call refused at the
 * input with the runtime's message; under a generic H or W the rule runs on the input with those
 * sizes `number` (options checked, the same messages), and an output size is H itself when the
 * window keeps sizes, else number.
 */
export type PoolSignature<Op extends string, Options> = <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const O extends Options,
  R extends SizesRoute<S> = GenericRoute,
>(
  x: PoolInput<R extends GenericRoute ? RunTimeSizes<S> : S, S, D, Dev, O, Op>,
  options: O,
) => (
  R extends GenericRoute
    ? KeptSizes<OkShape<PoolShape<RunTimeSizes<S>, O, Op>>, PoolKeeps<O>, S>
    : OkShape<PoolShape<S, O, Op>>
) extends infer Out extends Shape
  ? Tensor<Out, D, Dev>
  : never;

function pair(op: string, name: string, value: unknown, min: number): [number, number] {
  const p = parsePair(value, min);
  if (!p) throw new Error(opErrors.poolPair(op, name, min, value));
  return p;
}

/**
 * PyTorch's pooling output size: floor (or ceil) of (H + before + after - d(k-1) - 1)/s, plus 1;
 * in ceil mode the last window must start inside the input or the before padding, else it is
 * dropped (PyTorch's rule with its one pad as `before`; ONNX's MaxPool and AveragePool, whose pads
 * may differ, drop the same window).
 */
export function poolOutSize(
  size: number,
  k: number,
  s: number,
  p: number,
  d: number,
  ceil: boolean,
  pAfter: number = p,
): number {
  const span = size + p + pAfter - d * (k - 1) - 1;
  let out = Math.floor((ceil ? span + s - 1 : span) / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out--;
  return out;
}

/** A pooling geometry with its bottom and right pads, which avgPool2d's divisor and ONNX's pads need. */
export interface ResolvedPool2d extends Pool2dGeometry {
  readonly padBottom: number;
  readonly padRight: number;
}

/**
 * The padding rule, per axis with the window w = d (k - 1) + 1: before + after <= w, and each side
 * < w. For equal sides and no dilation this is PyTorch's "padding at most half the kernel"
 * (2 p <= k). With unequal sides (which PyTorch lacks) it accepts every ONNX SAME_UPPER /
 * SAME_LOWER padding (their total is at most d (k - 1)) and the explicit pads of the goldens
 * (kernel 3 with 2 on one side and 0 on the other); "each side < w" keeps the first and last
 * windows over the input (w = k without dilation: a side of k would make a window all padding).
 * With dilation PyTorch still measures the undilated kernel (it refuses kernel 3, dilation 2,
 * padding 2, which ONNX's SAME padding produces); here the dilated window counts, and the dilated
 * windows whose taps all miss the input are refused one by one in resolvePool2d. BigInt: d (k - 1)
 * may pass 2^53.
 */
function padsFit(before: number, after: number, k: number, d: number): boolean {
  const w = BigInt(d) * BigInt(k - 1) + 1n;
  return BigInt(before) + BigInt(after) <= w && BigInt(before) < w && BigInt(after) < w;
}

export function resolvePool2d(op: string, shape: readonly number[], o: Pool2dOptions): ResolvedPool2d {
  if (o === null || typeof o !== "object") throw new Error(opErrors.poolOptions(op));
  const [kh, kw] = pair(op, "kernelSize", o.kernelSize, 1);
  const [sh, sw] = o.stride === undefined ? [kh, kw] : pair(op, "stride", o.stride, 1);
  const pads = parsePads(o.padding ?? 0);
  if (!pads) throw new Error(opErrors.poolPads(op, o.padding));
  const [pt, pb, pl, pr] = pads;
  // Messages show the padding as it was written: [h, w] for a number or a pair, else all four.
  const shown = isArray(o.padding) && o.padding.length === 4 ? pads : [pt, pl];
  const [dh, dw] = pair(op, "dilation", o.dilation ?? 1, 1);
  const ceil = o.ceilMode ?? false;
  if (shape.length !== 4 && shape.length !== 3) throw new Error(opErrors.poolRank(op, shape));
  const [n, c, h, w] = shape.length === 4 ? shape : [1, ...shape];
  if (!padsFit(pt, pb, kh, dh) || !padsFit(pl, pr, kw, dw)) {
    throw new Error(opErrors.poolPaddingRule(op, shown, [kh, kw], [dh, dw]));
  }
  const oh = poolOutSize(h, kh, sh, pt, dh, ceil, pb),
    ow = poolOutSize(w, kw, sw, pl, dw, ceil, pr);
  if (oh <= 0 || ow <= 0) {
    throw new Error(opErrors.poolOutput(op, [oh, ow], [kh, kw], [dh, dw], [h, w], shown));
  }
  // With dilation a window can fall wholly in the padding (e.g. H 1, kernel 2, dilation 2, padding 1):
  // it would have no element to take the max of. PyTorch accepts some of these and then corrupts
  // memory in backward; refuse them.
  for (const [axis, size, out, k, s, p, pAfter, d] of [
    ["height", h, oh, kh, sh, pt, pb, dh],
    ["width", w, ow, kw, sw, pl, pr, dw],
  ] as const) {
    for (let o = 0; o < out; o++) {
      // The first tap at or past row 0 is t0 = ceil(-start / d); the window reaches the input iff
      // that tap exists and lands before the end. O(1) per position, so a kernel of 2^31 taps
      // with a padding of 2^30 cannot stall here.
      const start = o * s - p;
      const t0 = start >= 0 ? 0 : Math.ceil(-start / d);
      const reaches = t0 < k && start + t0 * d < size;
      if (!reaches) {
        const padding = p === pAfter ? p : formatShape([p, pAfter]);
        throw new Error(opErrors.poolWindowInPadding(op, axis, o, size, k, s, padding, d));
      }
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
    padTop: pt,
    padLeft: pl,
    padBottom: pb,
    padRight: pr,
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
export const maxPool2d = maxPool2dAnyShape as PoolSignature<"maxPool2d", Pool2dOptions>;
