/**
 * interpolate / nn.Upsample output shape (torch.nn.functional.interpolate on [N, C, H, W]): the
 * `size` given (a number for both axes or [h, w]), or floor(in * scaleFactor) per axis. N and C
 * pass through, generic or not; N may be 0 (an empty result, as PyTorch), C may not. Returns the shape or the runtime's message (types/errors.ts,
 * interpolateErrors).
 *
 *   Interpolate<[8, 16, 32, 32], { size: [64, 48] }>        // [8, 16, 64, 48]
 *   Interpolate<[number, 3, 32, 32], { scaleFactor: 2 }>    // [number, 3, 64, 64]
 *   Interpolate<[1, 1, 5, 5], { scaleFactor: 1.5 }>         // [1, 1, number, number]
 *   Interpolate<[1, 1, 3, 3], { size: 4; scaleFactor: 2 }>  // "interpolate: give exactly one of size and scaleFactor, got both"
 *
 * A non-integer scaleFactor gives `number`: the runtime computes floor(in * scale) in double, as
 * PyTorch does, and that product can fall below the exact one (100 * 0.29 is 28.999999999999996,
 * so 28 rows, not 29): exact decimal arithmetic here would disagree with the runtime.
 */
import type { interpolateErrors } from "../errors.js";
import type { IsNatural, Lt, Mul } from "../arith/index.js";
import type { Show } from "./show.js";

type Shape = readonly number[];

/** The option O[K] when given (not undefined), else never. */
type Given<O, K extends string> = O extends { readonly [P in K]?: infer V } ? Exclude<V, undefined> : never;
type Has<O, K extends string> = [Given<O, K>] extends [never] ? false : true;

type PairOf<V> = V extends readonly [infer A extends number, infer B extends number]
  ? [A, B]
  : V extends number
    ? [V, V]
    : [number, number];

/**
 * The decimal text of a literal below 1 (an impossible size). A test on a size's text is decided
 * also for a generic size (a type parameter) when it is the outermost conditional of a parameter's
 * type: the compiler then skips the branch that no instantiation can take for certain, where
 * `number extends V` or an arithmetic comparison would stay deferred and refuse every input (a
 * segmentation model's `size: [x.shape[2], x.shape[3]]` inside its generic forward).
 */
export type BelowOneText = "0" | `0.${string}` | `-${string}`;
type BelowOne<V extends number> = `${V}` extends BelowOneText ? true : false;

/** The size option as [h, w] ([1, 1] when there is none: nothing to check). */
export type SizePair<O> = Has<O, "size"> extends true ? PairOf<Given<O, "size">> : [1, 1];
/** interpolate's message for an impossible size. */
export type SizeMessage<O> = ReturnType<typeof interpolateErrors.size<Show<Given<O, "size">>>>;

/** floor(in * scale): exact for a natural input size and a natural scale, else number. */
type Scaled<In extends number, F extends number> =
  IsNatural<In> extends true
    ? IsNatural<F> extends true
      ? Lt<F, 1> extends true
        ? number
        : Mul<In, F> extends infer R extends number
          ? R
          : number
      : number
    : number;

type OutSize<H extends number, W extends number, O, CheckSize extends boolean> =
  Has<O, "size"> extends true
    ? PairOf<Given<O, "size">> extends [infer A extends number, infer B extends number]
      ? CheckSize extends false
        ? [A, B]
        : BelowOne<A> extends true
          ? SizeMessage<O>
          : BelowOne<B> extends true
            ? SizeMessage<O>
            : [A, B]
      : never
    : PairOf<Given<O, "scaleFactor">> extends [infer A extends number, infer B extends number]
      ? [Scaled<H, A>, Scaled<W, B>]
      : never;

/**
 * `CheckSize` false leaves out the size's test, `CheckChannels` false the channels' (interpolate's
 * parameter type makes them in conditionals of their own, decided also for a generic size or C).
 */
export type Interpolate<S extends Shape, O, CheckSize extends boolean = true, CheckChannels extends boolean = true> =
  Has<O, "size"> extends true
    ? Has<O, "scaleFactor"> extends true
      ? ReturnType<typeof interpolateErrors.sizeAndScale>
      : InterpolateChecked<S, O, CheckSize, CheckChannels>
    : Has<O, "scaleFactor"> extends true
      ? InterpolateChecked<S, O, CheckSize, CheckChannels>
      : ReturnType<typeof interpolateErrors.noSizeNorScale>;

/**
 * The output of interpolate's signature for a generic H or W (src/ops/interpolate.ts): the given
 * size, else each input size under a scale factor of exactly 1 (floor(H * 1) = H), else number.
 */
export type InterpolateKept<N extends number, C extends number, H extends number, W extends number, O> =
  Has<O, "size"> extends true
    ? PairOf<Given<O, "size">> extends [infer A extends number, infer B extends number]
      ? [N, C, A, B]
      : never
    : PairOf<Given<O, "scaleFactor">> extends [infer A extends number, infer B extends number]
      ? [N, C, A extends 1 ? H : number, B extends 1 ? W : number]
      : never;

type InterpolateChecked<S extends Shape, O, CheckSize extends boolean, CheckChannels extends boolean> =
  Has<O, "alignCorners"> extends true
    ? Has<O, "mode"> extends true
      ? "bilinear" extends Given<O, "mode">
        ? InterpolateShape<S, O, CheckSize, CheckChannels>
        : ReturnType<typeof interpolateErrors.alignCornersNearest<Show<Given<O, "alignCorners">>>>
      : ReturnType<typeof interpolateErrors.alignCornersNearest<Show<Given<O, "alignCorners">>>>
    : InterpolateShape<S, O, CheckSize, CheckChannels>;

type InterpolateShape<
  S extends Shape,
  O,
  CheckSize extends boolean,
  CheckChannels extends boolean,
> = number extends S["length"]
  ? number[]
  : S extends readonly [infer N extends number, infer C extends number, infer H extends number, infer W extends number]
    ? H extends 0
      ? ReturnType<typeof interpolateErrors.emptyInput<H, W>>
      : W extends 0
        ? ReturnType<typeof interpolateErrors.emptyInput<H, W>>
        : CheckChannels extends true
          ? C extends 0
            ? ReturnType<typeof interpolateErrors.channels<Show<S>>>
            : InterpolateSized<N, C, H, W, O, CheckSize>
          : InterpolateSized<N, C, H, W, O, CheckSize>
    : ReturnType<typeof interpolateErrors.rank<Show<S>>>;

type InterpolateSized<
  N extends number,
  C extends number,
  H extends number,
  W extends number,
  O,
  CheckSize extends boolean,
> =
  OutSize<H, W, O, CheckSize> extends infer R
    ? R extends readonly [infer OH extends number, infer OW extends number]
      ? [N, C, OH, OW]
      : R
    : never;
