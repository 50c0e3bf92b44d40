/**
 * interpolate (torch.nn.functional.interpolate, 4-D input, modes "nearest" and "bilinear"): its
 * typed signature (the shape rule of types/shape/interpolate.ts), option resolution and
 * implementation. nn.Upsample calls it.
 *
 * Both modes are separable linear maps: each output row is a fixed combination of at most two
 * input rows, and likewise for columns. So the op is `y = A_h · x · A_wᵀ`, two matmuls over the
 * last two dims with small constant matrices ([outH, H] and [W, outW]) built here on the host, in
 * the input's dtype, with PyTorch's exact source indices and weights. No new primitive: gradients
 * (matmul's), second derivatives, WebGPU and the fast CPU path come from matmul.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Interpolate } from "../../types/shape/interpolate.js";
import type { IsMessage, OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import { fromHost } from "../autograd/engine.js";
import { allocate } from "../backends/cpu/arrays.js";
import { argumentErrors, formatShape, interpolateErrors, show } from "../../types/errors.js";
import { isArray } from "../runtime/shape.js";
import { assertFloat, assertTensor } from "./arguments.js";
import { anyShape as matrix } from "./matmul.js";

export type InterpolateMode = "nearest" | "bilinear";

export interface InterpolateOptions {
  /** the output [h, w] (a number: both); exactly one of size and scaleFactor */
  size?: number | readonly [number, number];
  /** the output is floor(in * scaleFactor) per axis; exactly one of size and scaleFactor */
  scaleFactor?: number | readonly [number, number];
  /** default "nearest" (PyTorch's legacy nearest, not "nearest-exact") */
  mode?: InterpolateMode;
  /** bilinear only; default false */
  alignCorners?: boolean;
}

/** interpolate's rule for an input shape and an options object. */
export type InterpolateShape<S extends Shape, O> = Interpolate<S, O>;
type InterpolateInput<S extends Shape, D extends DType, Dev extends Device, O> =
  Interpolate<S, O> extends infer R ? (IsMessage<R> extends true ? R : Tensor<S, D, Dev>) : never;
type InterpolateSignature = <S extends Shape, D extends DType, Dev extends Device, const O extends InterpolateOptions>(
  input: InterpolateInput<S, D, Dev, O>,
  options: O,
) => Tensor<OkShape<Interpolate<S, O>>, D, Dev>;

/** One axis of a resolved interpolation: sizes and, when a scaleFactor was given, that factor. */
export interface InterpolateAxis {
  in: number;
  out: number;
  scaleFactor: number | undefined;
}
export interface InterpolateGeometry {
  mode: InterpolateMode;
  alignCorners: boolean;
  height: InterpolateAxis;
  width: InterpolateAxis;
}

const KNOWN = ["size", "scaleFactor", "mode", "alignCorners"];

function parseScale(value: unknown): [number, number] | null {
  const p = typeof value === "number" ? [value, value] : value;
  if (!isArray(p) || p.length !== 2) return null;
  const ok = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;
  return ok(p[0]) && ok(p[1]) ? [p[0], p[1]] : null;
}

/** Checks the options and the input shape in PyTorch's order, and gives the output size of each axis. */
export function resolveInterpolate(shape: readonly number[], o: InterpolateOptions): InterpolateGeometry {
  if (o === null || typeof o !== "object" || isArray(o))
    throw new Error(argumentErrors.options("interpolate", show(o)));
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key)) throw new Error(argumentErrors.unknownOption("interpolate", show(key), KNOWN.join(", ")));
  }
  const mode = o.mode ?? "nearest";
  if (mode !== "nearest" && mode !== "bilinear") throw new Error(interpolateErrors.mode(show(mode)));
  if (o.alignCorners !== undefined) {
    if (typeof o.alignCorners !== "boolean") {
      throw new Error(argumentErrors.booleanOption("interpolate", "alignCorners", show(o.alignCorners)));
    }
    if (mode === "nearest") throw new Error(interpolateErrors.alignCornersNearest(show(o.alignCorners)));
  }
  const hasSize = o.size !== undefined,
    hasScale = o.scaleFactor !== undefined;
  if (hasSize && hasScale) throw new Error(interpolateErrors.sizeAndScale());
  if (!hasSize && !hasScale) throw new Error(interpolateErrors.noSizeNorScale());
  let size: [number, number] | null = null,
    scale: [number, number] | null = null;
  if (hasSize) {
    const p = typeof o.size === "number" ? [o.size, o.size] : o.size;
    const ok = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;
    if (!isArray(p) || p.length !== 2 || !ok(p[0]) || !ok(p[1])) throw new Error(interpolateErrors.size(show(o.size)));
    size = [p[0], p[1]];
  } else {
    scale = parseScale(o.scaleFactor);
    if (!scale) throw new Error(interpolateErrors.scaleFactor(show(o.scaleFactor)));
  }
  if (shape.length !== 4) throw new Error(interpolateErrors.rank(formatShape(shape)));
  const [h, w] = shape.slice(2);
  // PyTorch: floor(in * scale) in double, per axis.
  const [oh, ow] = size ?? [Math.floor(h * scale![0]), Math.floor(w * scale![1])];
  if (oh < 1 || ow < 1) throw new Error(interpolateErrors.outputSize(oh, ow, h, w, show(o.scaleFactor)));
  return {
    mode,
    alignCorners: o.alignCorners ?? false,
    height: { in: h, out: oh, scaleFactor: scale?.[0] },
    width: { in: w, out: ow, scaleFactor: scale?.[1] },
  };
}

/**
 * The [out, in] interpolation matrix of one axis, row-major, in double: row `dst` holds the
 * weights of the input rows output row `dst` reads (PyTorch's upsample_nearest2d and
 * upsample_bilinear2d CPU kernels, 1.13).
 */
export function interpolationMatrix(axis: InterpolateAxis, mode: InterpolateMode, alignCorners: boolean): Float64Array {
  const { in: n, out, scaleFactor } = axis;
  const m = new Float64Array(out * n);
  if (mode === "nearest") {
    // nearest_idx: exact for out == in and out == 2 in; else floorf(dst * scale) in float32, with
    // scale = (float)(1 / scaleFactor) when given, else (float)in / out. The product of two
    // float32 values is exact in double, so fround(dst * s) is float32's own product.
    const s = Math.fround(scaleFactor !== undefined ? 1 / scaleFactor : n / out);
    for (let dst = 0; dst < out; dst++) {
      const src = out === n ? dst : out === 2 * n ? dst >> 1 : Math.min(Math.floor(Math.fround(dst * s)), n - 1);
      m[dst * n + src] = 1;
    }
    return m;
  }
  // area_pixel_compute_scale and area_pixel_compute_source_index, then
  // compute_source_index_and_lambda: i0 = trunc(src), i1 = i0 + (i0 < in - 1), w1 = clamp(src - i0, 0, 1).
  const scale = alignCorners
    ? out > 1
      ? (n - 1) / (out - 1)
      : 0
    : scaleFactor !== undefined && scaleFactor > 0
      ? 1 / scaleFactor
      : n / out;
  for (let dst = 0; dst < out; dst++) {
    const src = alignCorners ? scale * dst : Math.max(scale * (dst + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.trunc(src), n - 1);
    const i1 = i0 + (i0 < n - 1 ? 1 : 0);
    const w1 = Math.min(Math.max(src - i0, 0), 1);
    m[dst * n + i0] += 1 - w1;
    m[dst * n + i1] += w1;
  }
  return m;
}

function constant(values: Float64Array, shape: readonly number[], like: AnyTensor): AnyTensor {
  const data = allocate(like.dtype, values.length);
  data.set(values);
  return fromHost(data, shape, like.dtype, like.device);
}

function interpolateAnyShape(input: AnyTensor, options: InterpolateOptions): AnyTensor {
  assertTensor("interpolate", input);
  assertFloat("interpolate", input);
  const g = resolveInterpolate(input.shape, options);
  const ah = interpolationMatrix(g.height, g.mode, g.alignCorners);
  const aw = interpolationMatrix(g.width, g.mode, g.alignCorners);
  // A_wᵀ: [W, outW].
  const { in: w, out: ow } = g.width;
  const awT = new Float64Array(w * ow);
  for (let i = 0; i < ow; i++) for (let j = 0; j < w; j++) awT[j * ow + i] = aw[i * w + j];
  const rows = matrix.matmul(input, constant(awT, [w, ow], input));
  return matrix.matmul(constant(ah, [g.height.out, g.height.in], input), rows);
}

/** The implementation, on tensors of any shape (nn.Upsample calls it). */
export const anyShape = { interpolate: interpolateAnyShape };

/**
 * Resizes an [N, C, H, W] input to `size`, or by `scaleFactor` (torch.nn.functional.interpolate),
 * with mode "nearest" (PyTorch's legacy rule) or "bilinear".
 * @function
 */
export const interpolate = interpolateAnyShape as unknown as InterpolateSignature;
