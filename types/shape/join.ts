/**
 * Joining and slicing (torch.cat, stack, split, chunk, narrow) and squeeze / unsqueeze. Each rule
 * returns the result shape (a tuple of shapes for split and chunk), or the runtime's message for the
 * same mistake (types/errors.ts, joinErrors and shapeErrors), with the argument it blames.
 *
 *   Cat<[[2, 16, 8, 8], [2, 32, 8, 8]], 1>      // [2, 48, 8, 8]
 *   Cat<[[B, 16], [B, 32]], -1>                  // [B, 48]   (a generic dim off the cat dim is kept)
 *   Cat<[[2, 3], [4, 4]], 0>                     // "cat: tensor 1 [4, 4] does not match tensor 0 [2, 3] in dim 1 (...)"
 *   Stack<[[2, 3], [2, 3], [2, 3]], 1>           // [2, 3, 3]
 *   Split<[7, 2], 3, 0>                          // [[3, 2], [3, 2], [1, 2]]
 *   Split<[2, 6], [1, 5], -1>                    // [[2, 1], [2, 5]]
 *   Chunk<[5, 2], 4, 0>                          // [[2, 2], [2, 2], [1, 2]]   (ceil(5 / 4) = 2 per piece)
 *   Chunk<[0, 2], 3, 0>                          // [[0, 2], [0, 2], [0, 2]]   (an empty dim: `chunks` pieces)
 *   Narrow<[6, 2], 0, -3, 2>                     // [2, 2]
 *   Squeeze<[2, 1, 3], 1>                        // [2, 3]    (a dim that is not 1 is kept, as PyTorch)
 *   Unsqueeze<[2, 3], -1>                        // [2, 3, 1]
 *
 * A `number` dim compares equal to anything (the runtime checks it) and makes the sums and pieces
 * computed from it `number`; a list or a dim argument typed `number` gives `number[]` shapes. More
 * than MAX_PIECES pieces are typed as an array, not a tuple.
 */
import type { joinErrors } from "../errors.js";
import type { Add, Div, Gt, IsNatural, Lte, Sub } from "../arith/index.js";
import type { NormDim, RangeError } from "./reshape.js";
import type { GenericDims } from "./generic.js";
import type { Show } from "./show.js";

type Shape = readonly number[];

/** What a check gives: the shape(s), or the message and the argument it blames. */
type Fail<At extends string, M> = { at: At; message: M };

/**
 * Two dims that must be equal: the common dim, a `number` taking the other's literal; [] when they
 * differ. Compared as pairs so that a generic dim against itself is decided (types/shape/broadcast.ts).
 */
type Pair<A, B> = { a: A; b: B };
type Same<A extends number, B extends number> =
  Pair<A, B> extends Pair<B, A> ? [A] : number extends A ? [B] : number extends B ? [A] : [];

/** S with V inserted before index I. */
export type InsertAt<
  S extends Shape,
  I extends number,
  V extends number,
  Acc extends number[] = [],
> = Acc["length"] extends I
  ? [...Acc, V, ...S]
  : S extends readonly [infer H extends number, ...infer R extends Shape]
    ? InsertAt<R, I, V, [...Acc, H]>
    : [...Acc, V];
/** S with index I replaced by V (V = never: removed). */
type ReplaceAt<S extends Shape, I extends number, V extends number, Acc extends number[] = []> = S extends readonly [
  infer H extends number,
  ...infer R extends Shape,
]
  ? Acc["length"] extends I
    ? [V] extends [never]
      ? [...Acc, ...R]
      : [...Acc, V, ...R]
    : ReplaceAt<R, I, V, [...Acc, H]>
  : Acc;

/** The index of the first 0-d shape in the list, or "none". */
type ZeroDimAt<T extends readonly Shape[], I extends unknown[] = []> = T extends readonly [
  infer H extends Shape,
  ...infer R extends readonly Shape[],
]
  ? H extends readonly []
    ? I["length"]
    : ZeroDimAt<R, [...I, 1]>
  : "none";

// --- cat -----------------------------------------------------------------------------------------

/** cat's check: in the runtime's order, 0-d tensors, the dim, then each tensor against tensor 0. */
export type CatCheck<Shapes extends readonly Shape[], Dim extends number> = number extends Shapes["length"]
  ? { ok: number[] }
  : Shapes extends readonly [infer F extends Shape, ...infer Rest extends readonly Shape[]]
    ? ZeroDimAt<Shapes> extends infer Z extends number
      ? Fail<"tensors", ReturnType<typeof joinErrors.zeroDim<Z>>>
      : number extends F["length"]
        ? { ok: number[] }
        : NormDim<Dim, F["length"]> extends infer d
          ? d extends "out"
            ? Fail<"dim", RangeError<"cat", Dim, F["length"]>>
            : d extends number
              ? number extends d
                ? { ok: number[] }
                : CatWalk<F, Rest, d, [1], F>
              : never
          : never
    : Fail<"tensors", ReturnType<typeof joinErrors.empty<"cat">>>;

type CatWalk<
  F extends Shape,
  Rest extends readonly Shape[],
  D extends number,
  I extends unknown[],
  Acc extends Shape,
> = Rest extends readonly [infer H extends Shape, ...infer R extends readonly Shape[]]
  ? number extends H["length"]
    ? { ok: number[] }
    : H["length"] extends F["length"]
      ? CatDims<Acc, H, D> extends infer M
        ? M extends { ok: infer N extends Shape }
          ? CatWalk<F, R, D, [...I, 1], N>
          : M extends [infer K extends number]
            ? Fail<"tensors", ReturnType<typeof joinErrors.size<I["length"], Show<H>, Show<F>, K, D>>>
            : never
        : never
      : Fail<"tensors", ReturnType<typeof joinErrors.rank<I["length"], Show<H>, Show<F>>>>
  : { ok: [...Acc] };

/** The dims of two shapes of one rank: summed at D, equal elsewhere; [k] names the first mismatch. */
type CatDims<A extends Shape, H extends Shape, D extends number, Out extends number[] = []> = A extends readonly [
  infer a extends number,
  ...infer AR extends Shape,
]
  ? H extends readonly [infer h extends number, ...infer HR extends Shape]
    ? Out["length"] extends D
      ? CatDims<AR, HR, D, [...Out, Add<a, h>]>
      : Same<a, h> extends [infer m extends number]
        ? CatDims<AR, HR, D, [...Out, m]>
        : [Out["length"]]
    : never
  : { ok: Out };

/** cat's result shape, or its message. */
export type Cat<Shapes extends readonly Shape[], Dim extends number = 0> = Result<CatCheck<Shapes, Dim>>;

// --- stack ---------------------------------------------------------------------------------------

/** stack's check: the dim (in [-(rank + 1), rank]), then every shape equal to tensor 0's. */
export type StackCheck<Shapes extends readonly Shape[], Dim extends number> = number extends Shapes["length"]
  ? { ok: number[] }
  : Shapes extends readonly [infer F extends Shape, ...infer Rest extends readonly Shape[]]
    ? number extends F["length"]
      ? { ok: number[] }
      : Add<F["length"], 1> extends infer R1 extends number
        ? NormDim<Dim, R1> extends infer d
          ? d extends "out"
            ? Fail<"dim", RangeError<"stack", Dim, R1>>
            : d extends number
              ? number extends d
                ? { ok: number[] }
                : StackWalk<F, Rest, [1], F> extends infer W
                  ? W extends { ok: infer S extends Shape }
                    ? { ok: InsertAt<S, d, Shapes["length"]> }
                    : W
                  : never
              : never
          : never
        : never
    : Fail<"tensors", ReturnType<typeof joinErrors.empty<"stack">>>;

type StackWalk<
  F extends Shape,
  Rest extends readonly Shape[],
  I extends unknown[],
  Acc extends Shape,
> = Rest extends readonly [infer H extends Shape, ...infer R extends readonly Shape[]]
  ? number extends H["length"]
    ? { ok: number[] }
    : SameDims<Acc, H> extends infer M
      ? M extends { ok: infer N extends Shape }
        ? StackWalk<F, R, [...I, 1], N>
        : Fail<"tensors", ReturnType<typeof joinErrors.stackShape<I["length"], Show<H>, Show<F>>>>
      : never
  : { ok: [...Acc] };

/** Two shapes that must be equal, dim by dim (a `number` takes the other's literal); "bad" otherwise. */
type SameDims<A extends Shape, H extends Shape, Out extends number[] = []> = A extends readonly [
  infer a extends number,
  ...infer AR extends Shape,
]
  ? H extends readonly [infer h extends number, ...infer HR extends Shape]
    ? Same<a, h> extends [infer m extends number]
      ? SameDims<AR, HR, [...Out, m]>
      : "bad"
    : "bad"
  : H extends readonly []
    ? { ok: Out }
    : "bad";

/** stack's result shape, or its message. */
export type Stack<Shapes extends readonly Shape[], Dim extends number = 0> = Result<StackCheck<Shapes, Dim>>;

// --- split, chunk, narrow ------------------------------------------------------------------------

/** Tuples of more pieces than this are typed as arrays (each piece's shape is then number at the dim). */
export type MAX_PIECES = 64;
/**
 * The most pieces split or chunk may make (src/ops/join.ts holds the same value, typed by this). Each
 * piece is a tensor object (~30 us, ~0.5 kB), and the pieces of an empty dim cost no memory, so
 * nothing else bounds `chunk(zeros([0]), 2 ** 53 - 1)`; PyTorch itself takes seconds for 10^6.
 */
export type MAX_CUT_PIECES = 1048576;

/** A literal that is not a natural number (number itself passes: the runtime checks it). */
type NotNatural<V extends number> = number extends V ? false : IsNatural<V> extends true ? false : true;
type PositiveOrNumber<V extends number> = number extends V ? true : IsNatural<V> extends true ? Gt<V, 0> : false;

/** The dim of a cut (split, chunk, narrow): normalised, or its message; 0-d tensors have none. */
type CutDim<Op extends string, S extends Shape, Dim extends number, At extends string> = S extends readonly []
  ? Fail<At, ReturnType<typeof joinErrors.zeroDimInput<Op>>>
  : NormDim<Dim, S["length"]> extends infer d
    ? d extends "out"
      ? Fail<At, RangeError<Op, Dim, S["length"]>>
      : d
    : never;

/** Pieces of Size along D (the last one smaller; at least one piece). */
type BySize<S extends Shape, D extends number, N extends number, Size extends number, Acc extends Shape[] = []> =
  Lte<N, Size> extends true
    ? [...Acc, ReplaceAt<S, D, N>]
    : BySize<S, D, Sub<N, Size> & number, Size, [...Acc, ReplaceAt<S, D, Size>]>;
type PiecesOfSize<S extends Shape, D extends number, N extends number, Size extends number> = number extends N | Size
  ? ReplaceAt<S, D, number>[]
  : Gt<Div<N, Size>, MAX_PIECES> extends true
    ? ReplaceAt<S, D, number>[]
    : BySize<S, D, N, Size>;
/** The pieces of Size cut from dim D (size N): ceil(N / Size) of them, one for an empty dim; at most MAX_CUT_PIECES. */
type CutBySize<
  Op extends string,
  At extends string,
  S extends Shape,
  D extends number,
  N extends number,
  Size extends number,
> = number extends N | Size
  ? { ok: ReplaceAt<S, D, number>[] }
  : (N extends 0 ? 1 : Div<Add<N, Sub<Size, 1> & number> & number, Size>) extends infer Count extends number
    ? Gt<Count, MAX_CUT_PIECES> extends true
      ? Fail<At, ReturnType<typeof joinErrors.pieces<Op, Count, D, N, MAX_CUT_PIECES>>>
      : { ok: PiecesOfSize<S, D, N, Size> }
    : never;
/** N copies of S (N <= MAX_PIECES), else an array of S. */
type Copies<S extends Shape, N extends number, Acc extends Shape[] = []> =
  Gt<N, MAX_PIECES> extends true ? [...S][] : Acc["length"] extends N ? Acc : Copies<S, N, [...Acc, [...S]]>;

type Sum<T extends readonly number[], Acc extends number = 0> = T extends readonly [
  infer H extends number,
  ...infer R extends readonly number[],
]
  ? Sum<R, Add<Acc, H> & number>
  : Acc;
type Sections<S extends Shape, D extends number, T extends readonly number[]> = {
  -readonly [K in keyof T]: ReplaceAt<S, D, T[K]>;
};

/** split's check: sizeOrSections, the dim, then the sections' sum. */
export type SplitCheck<S extends Shape, Size, Dim extends number> =
  ValidSize<Size> extends false
    ? Fail<"sizeOrSections", ReturnType<typeof joinErrors.splitSize<Show<Size>>>>
    : number extends S["length"]
      ? { ok: number[][] }
      : CutDim<"split", S, Dim, S extends readonly [] ? "sizeOrSections" : "dim"> extends infer d
        ? d extends number
          ? number extends d
            ? { ok: number[][] }
            : Size extends number
              ? CutBySize<"split", "sizeOrSections", S, d, S[d], Size>
              : Size extends readonly number[]
                ? number extends Size["length"]
                  ? { ok: ReplaceAt<S, d, number>[] }
                  : Sum<Size> extends infer T extends number
                    ? number extends T | S[d]
                      ? { ok: Sections<S, d, Size> }
                      : [T] extends [S[d]]
                        ? { ok: Sections<S, d, Size> }
                        : Fail<"sizeOrSections", ReturnType<typeof joinErrors.splitSum<Show<Size>, T, d, S[d]>>>
                    : never
                : never
          : d
        : never;
type ValidSize<Size> = Size extends number
  ? PositiveOrNumber<Size>
  : Size extends readonly number[]
    ? true extends { [K in keyof Size]: NotNatural<Size[K] & number> }[number]
      ? false
      : true
    : false;

/** split's pieces' shapes, or its message. */
export type Split<S extends Shape, Size, Dim extends number = 0> = Result<SplitCheck<S, Size, Dim>>;

/**
 * chunk's check: chunks, the dim; pieces of ceil(n / chunks), or `chunks` empty pieces of an empty
 * dim (torch.chunk); at most MAX_CUT_PIECES pieces.
 */
export type ChunkCheck<S extends Shape, N extends number, Dim extends number> =
  PositiveOrNumber<N> extends false
    ? Fail<"chunks", ReturnType<typeof joinErrors.chunks<Show<N>>>>
    : number extends S["length"]
      ? { ok: number[][] }
      : CutDim<"chunk", S, Dim, S extends readonly [] ? "chunks" : "dim"> extends infer d
        ? d extends number
          ? number extends d
            ? { ok: number[][] }
            : number extends N | S[d]
              ? { ok: ReplaceAt<S, d, number>[] }
              : S[d] extends 0
                ? Gt<N, MAX_CUT_PIECES> extends true
                  ? Fail<"chunks", ReturnType<typeof joinErrors.pieces<"chunk", N, d, 0, MAX_CUT_PIECES>>>
                  : { ok: Copies<S, N> }
                : Div<Add<S[d], Sub<N, 1> & number> & number, N> extends infer Size extends number
                  ? CutBySize<"chunk", "chunks", S, d, S[d], Size>
                  : never
          : d
        : never;

/** chunk's pieces' shapes, or its message. */
export type Chunk<S extends Shape, N extends number, Dim extends number = 0> = Result<ChunkCheck<S, N, Dim>>;

/** narrow's check: the dim, start (an integer in [-n, n]), length (>= 0), then start + length <= n. */
export type NarrowCheck<
  S extends Shape,
  Dim extends number,
  Start extends number,
  Length extends number,
> = number extends S["length"]
  ? { ok: number[] }
  : CutDim<"narrow", S, Dim, "dim"> extends infer d
    ? d extends number
      ? number extends d
        ? { ok: number[] }
        : NarrowFrom<Start, S[d]> extends infer From
          ? From extends "integer"
            ? Fail<"start", ReturnType<typeof joinErrors.integer<"narrow", "start", Show<Start>>>>
            : From extends "range"
              ? Fail<"start", ReturnType<typeof joinErrors.narrowStart<Start, d, S[d]>>>
              : NotNatural<Length> extends true
                ? Fail<"length", ReturnType<typeof joinErrors.narrowLength<Show<Length>>>>
                : From extends number
                  ? number extends From | Length | S[d]
                    ? { ok: ReplaceAt<S, d, Length> }
                    : Lte<Add<From, Length> & number, S[d]> extends true
                      ? { ok: ReplaceAt<S, d, Length> }
                      : Fail<"length", ReturnType<typeof joinErrors.narrowEnd<From, Length, d, S[d]>>>
                  : never
          : never
      : d
    : never;
/** The first index taken: start, or n + start for a negative start; "integer" / "range" when refused. */
type NarrowFrom<Start extends number, N extends number> = number extends Start
  ? number
  : `${Start}` extends `-${infer A extends number}`
    ? IsNatural<A> extends true
      ? number extends N
        ? number
        : Lte<A, N> extends true
          ? Sub<N, A>
          : "range"
      : "integer"
    : IsNatural<Start> extends true
      ? number extends N
        ? Start
        : Lte<Start, N> extends true
          ? Start
          : "range"
      : "integer";

/** narrow's result shape, or its message. */
export type Narrow<S extends Shape, Dim extends number, Start extends number, Length extends number> = Result<
  NarrowCheck<S, Dim, Start, Length>
>;

// --- cuts along a generic dim (issue 19, item 2) --------------------------------------------------

/**
 * The size of S's dim Dim, for the gate of the cuts' and squeeze's generic signatures (GenericDims in
 * types/shape/generic.ts): 0 when the rank is unknown or Dim out of range, so that those calls keep
 * the exact rule and its message.
 */
export type DimSize<S extends Shape, Dim extends number> = number extends S["length"]
  ? 0
  : NormDim<Dim, S["length"]> extends infer d extends number
    ? number extends d
      ? 0
      : S[d]
    : 0;
/**
 * S with dim Dim typed `number`: the cut rules run on it when that dim is a type parameter, so the
 * options are checked and every other dim is kept (a generic B or H beside the cut stays itself),
 * while the cut dim's own checks (sections summing to it, start + length within it) move to run time.
 * A narrow's length and split's sections stay exact; pieces of a size, and chunks, are counted at run
 * time (an array).
 */
export type CutAtRunTime<S extends Shape, Dim extends number> =
  NormDim<Dim, S["length"]> extends infer d extends number ? ReplaceAt<S, d, number> : S;

// --- squeeze, unsqueeze --------------------------------------------------------------------------

/** unsqueeze: a size-1 dim inserted at Dim, in [-(rank + 1), rank]. */
export type Unsqueeze<S extends Shape, Dim extends number> = number extends S["length"]
  ? number[]
  : Add<S["length"], 1> extends infer R1 extends number
    ? NormDim<Dim, R1> extends infer d
      ? d extends "out"
        ? RangeError<"unsqueeze", Dim, R1>
        : d extends number
          ? number extends d
            ? number[]
            : InsertAt<S, d, 1>
          : never
      : never
    : never;

/**
 * squeeze: without Dim, every size-1 dim removed; with Dim, that dim removed if it is 1 (else S, as
 * PyTorch). A `number` dim that may be 1 makes the rank unknown: number[].
 */
export type Squeeze<S extends Shape, Dim extends number | undefined = undefined> = number extends S["length"]
  ? number[]
  : Dim extends number
    ? S extends readonly []
      ? NormDim<Dim, 1> extends "out"
        ? RangeError<"squeeze", Dim, 0>
        : []
      : NormDim<Dim, S["length"]> extends infer d
        ? d extends "out"
          ? RangeError<"squeeze", Dim, S["length"]>
          : d extends number
            ? number extends d | S[d]
              ? number[]
              : [S[d]] extends [1]
                ? ReplaceAt<S, d, never>
                : [...S]
            : never
        : never
    : SqueezeAll<S>;
/**
 * The gate of squeeze's generic signature (GenericDims): `[]` when a dim squeeze would test is a type
 * parameter (the dim given, or any dim without one). Such a dim may or may not be 1, so the rank is
 * unknown and the result is `number[]`, as for a `number` dim: no shape is claimed that a call of the
 * helper at B = 1 (or B = 2) would not have.
 */
export type SqueezeGenericDims<S extends Shape, Dim extends number | undefined> = Dim extends number
  ? GenericDims<[DimSize<S, Dim>]>
  : GenericDims<S>;
type SqueezeAll<S extends Shape, Acc extends number[] = []> = S extends readonly [
  infer H extends number,
  ...infer R extends Shape,
]
  ? number extends H
    ? number[]
    : SqueezeAll<R, [H] extends [1] ? Acc : [...Acc, H]>
  : Acc;

/** The shape of a check's success, or its message. */
type Result<C> = C extends { ok: unknown } ? C["ok"] : C extends { message: unknown } ? C["message"] : never;
