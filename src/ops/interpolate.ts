/**
 * interpolate (torch.nn.functional.interpolate, 4-D input, modes "nearest" and "bilinear"): its
 * typed signature (the shape rule of types/shape/interpolate.ts), option resolution and
 * implementation. nn.Upsample calls it.
 *
 * The op is the `interpolate` primitive (src/primitives/interpolate.ts: PyTorch's source indices
 * and weights, the gather and its adjoint, why a primitive rather than two matmuls).
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type {
  BelowOneText,
  Interpolate,
  InterpolateKept,
  SizeMessage,
  SizePair,
} from "../../types/shape/interpolate.js";
import type { GenericRoute, RunTimeSizes, SizesRoute } from "../../types/shape/generic.js";
import type { IsMessage, OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import { apply } from "../autograd/engine.js";
import type { InterpolateGeometry, InterpolateMode } from "../primitives/index.js";
import { argumentErrors, formatShape, interpolateErrors, show } from "../../types/errors.js";
import { isArray } from "../runtime/shape.js";
import { assertFloat, assertTensor } from "./arguments.js";

export type { InterpolateMode };

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
/**
 * The option errors (PyTorch checks them first), then the size's value, then the input's shape.
 * The size is tested in a conditional of its own, on its text: for a generic size (a model's
 * `size: [x.shape[2], x.shape[3]]`) the compiler can rule the error out without knowing it, which a
 * test inside Interpolate's rule (behind `infer`) would leave undecided, refusing every input. The
 * channel count likewise, outermost: a 4-D input with a literal C of 0 takes the rule with the
 * channels' test (whose first failing rule gives the message), any other (a generic C) the rule without.
 */
type InterpolateInput<
  S extends Shape,
  D extends DType,
  Dev extends Device,
  O,
  In = Tensor<S, D, Dev>,
> = `${S["length"]}:${S[1]}` extends "4:0" ? CheckedInput<S, O, true, In> : CheckedInput<S, O, false, In>;
type CheckedInput<S extends Shape, O, Channels extends boolean, In> =
  Interpolate<[1, 1, 1, 1], O, false> extends infer R
    ? IsMessage<R> extends true
      ? R
      : SizeChecked<
          O,
          Interpolate<S, O, false, Channels> extends infer Q ? (IsMessage<Q> extends true ? Q : In) : never
        >
    : never;
type SizeChecked<O, Then> = `${SizePair<O>[0]}` extends BelowOneText
  ? SizeMessage<O>
  : `${SizePair<O>[1]}` extends BelowOneText
    ? SizeMessage<O>
    : Then;
/**
 * One signature for literal, `number` and generic sizes (issue 19): its last type parameter R is the
 * call's route (types/shape/generic.ts SizesRoute), which no argument infers. On the literal route
 * the exact rule runs; under a generic H or W it runs on the input with those sizes `number`
 * (options, size and channels checked, the same messages), and an output size is the given size, H
 * itself under a scale factor of 1, else number.
 */
type InterpolateSignature = <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const O extends InterpolateOptions,
  R extends SizesRoute<S> = GenericRoute,
>(
  input: R extends GenericRoute
    ? InterpolateInput<RunTimeSizes<S>, D, Dev, O, Tensor<S, D, Dev>>
    : InterpolateInput<S, D, Dev, O>,
  options: O,
) => (
  R extends GenericRoute
    ? S["length"] extends 4
      ? InterpolateKept<S[0], S[1], S[2], S[3], O>
      : OkShape<Interpolate<RunTimeSizes<S>, O, true, false>>
    : OkShape<Interpolate<S, O, true, false>>
) extends infer Out extends Shape
  ? Tensor<Out, D, Dev>
  : never;

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
  if (h < 1 || w < 1) throw new Error(interpolateErrors.emptyInput(h, w));
  // PyTorch accepts an empty batch (an empty result) but no other empty dim. Checked before the
  // output size (PyTorch checks it after) so that a literal C of 0 has one message at compile time,
  // whatever a non-integer scaleFactor gives.
  if (shape[1] < 1) throw new Error(interpolateErrors.channels(formatShape(shape)));
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

function interpolateAnyShape(input: AnyTensor, options: InterpolateOptions): AnyTensor {
  assertTensor("interpolate", input);
  assertFloat("interpolate", input);
  return apply("interpolate", [input], resolveInterpolate(input.shape, options));
}

/** The implementation, on tensors of any shape (nn.Upsample calls it). */
export const anyShape = { interpolate: interpolateAnyShape };

/**
 * Resizes an [N, C, H, W] input to `size`, or by `scaleFactor` (torch.nn.functional.interpolate),
 * with mode "nearest" (PyTorch's legacy rule) or "bilinear".
 * @function
 */
export const interpolate = interpolateAnyShape as unknown as InterpolateSignature;
