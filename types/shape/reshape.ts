/**
 * Element count, reshape, flatten, permute, transpose and reductions. Each returns the result
 * shape, or the runtime's message for the same mistake (types/errors.ts, shapeErrors). Negative dims
 * count from the end; `number` dims make the dims computed from them `number`.
 *
 *   Product<[2, 3, 4]>                  // 24 (number if any dim is number)
 *   Reshape<[2, 3, 4], [4, -1]>         // [4, 6]
 *   Reshape<[2, 3, 4], [5, -1]>         // "reshape: cannot reshape [2, 3, 4] (24 elements) into [5, -1]"
 *   Flatten<[2, 3, 4, 5], 1>            // [2, 60]       Flatten<S, Start = 0, End = -1>
 *   Permute<[2, 3, 4], [2, 0, 1]>       // [4, 2, 3]
 *   Transpose<[2, 3, 4], 0, -1>         // [4, 3, 2]
 *   Reduce<[2, 3, 4], 1, false>         // [2, 4]        Dims: a dim, a tuple of dims, or undefined (all)
 *   Reduce<[2, 3, 4], [0, -1], true>    // [1, 3, 1]
 */
import type { shapeErrors } from "../errors.js";
import type { Add, Div, Lt, Lte, Mod, Mul, Sub } from "../arith/index.js";
import type { Show } from "./show.js";

type Shape = readonly number[];

/** Element count; `number` when a dim is `number` or the rank is unknown. */
export type Product<S extends Shape, Acc extends number = 1> = number extends S["length"]
  ? number
  : S extends readonly [infer H extends number, ...infer R extends Shape]
    ? Mul<Acc, H> extends infer P
      ? P extends number
        ? number extends P
          ? number
          : Product<R, P>
        : P
      : never
    : Acc;

/** A dim index normalised to 0..rank-1, or "out". */
export type NormDim<D extends number, R extends number> = number extends D | R
  ? number
  : `${D}` extends `-${infer A extends number}`
    ? Lte<A, R> extends true
      ? Sub<R, A>
      : "out"
    : Lt<D, R> extends true
      ? D
      : "out";

export type RangeError<Op extends string, D extends number, R extends number> = ReturnType<
  typeof shapeErrors.dimOutOfRange<
    Op,
    D,
    R,
    R extends 0 ? -1 : `-${R}` extends `${infer N extends number}` ? N : never,
    R extends 0 ? 0 : Sub<R, 1> & number
  >
>;

type Count<T extends readonly unknown[], V, Acc extends unknown[] = []> = T extends readonly [infer H, ...infer R]
  ? Count<R, V, [H] extends [V] ? [...Acc, 1] : Acc>
  : Acc["length"];

/** reshape/view: at most one -1, inferred from the element count, which must match. */
export type Reshape<S extends Shape, Target extends Shape, Op extends string = "reshape"> =
  Count<Target, -1> extends infer C extends number
    ? C extends 0 | 1
      ? (C extends 1 ? Lead<S, Product<WithoutMinusOne<Target>>> : "no") extends [infer P extends number]
        ? Fill<Target, P>
        : Product<S> extends infer N
          ? N extends string
            ? N
            : Product<Exclude<Target[number], -1> extends never ? [] : WithoutMinusOne<Target>> extends infer K
              ? number extends N | K
                ? Fill<Target, number>
                : K extends number
                  ? N extends number
                    ? C extends 1
                      ? K extends 0
                        ? CountError<Op, S, N, Target>
                        : Mod<N, K> extends 0
                          ? Fill<Target, Div<N, K> & number>
                          : CountError<Op, S, N, Target>
                      : [N] extends [K]
                        ? [...Target]
                        : CountError<Op, S, N, Target>
                    : never
                  : K
              : never
          : never
      : ReturnType<typeof shapeErrors.reshapeInfer<Op, Show<Target>>>
    : never;
/**
 * [P] when S = [P, ...Rest] and Rest's product is K, the product of the target's other dims: the
 * -1 is then P itself (size-1 dims between them are absorbed). Found from the right, multiplying literal dims only, so a generic batch in
 * front is never inspected: `[B, 16, 8, 8]` into `[-1, 1024]` is `[B, 1024]`. "no" otherwise, and
 * the element counts are compared as usual.
 */
type Lead<S extends Shape, K, Acc extends number = 1> = K extends 0
  ? "no"
  : K extends number
    ? number extends K
      ? "no"
      : S extends readonly [...infer I extends Shape, infer L extends number]
        ? Mul<Acc, L> extends infer P extends number
          ? number extends P
            ? "no"
            : [P] extends [K]
              ? I extends readonly [infer H extends number]
                ? [H]
                : Lead<I, K, P>
              : Lt<P, K> extends true
                ? Lead<I, K, P>
                : "no"
          : "no"
        : "no"
    : "no";
type WithoutMinusOne<T extends Shape, Acc extends number[] = []> = T extends readonly [
  infer H extends number,
  ...infer R extends Shape,
]
  ? WithoutMinusOne<R, H extends -1 ? Acc : [...Acc, H]>
  : Acc;
/** Target with its -1 replaced (a `number` fill keeps the literal dims). */
type Fill<T extends Shape, V extends number, Acc extends number[] = []> = T extends readonly [
  infer H extends number,
  ...infer R extends Shape,
]
  ? Fill<R, V, [...Acc, H extends -1 ? V : H]>
  : Acc;
type CountError<Op extends string, S extends Shape, N extends number, T extends Shape> = ReturnType<
  typeof shapeErrors.reshapeCount<Op, Show<S>, N, Show<T>>
>;

/** Split S at index I: [S[0..I), S[I..]]. */
type SplitAt<S extends Shape, I extends number, Acc extends number[] = []> = Acc["length"] extends I
  ? [Acc, S]
  : S extends readonly [infer H extends number, ...infer R extends Shape]
    ? SplitAt<R, I, [...Acc, H]>
    : [Acc, S];

/**
 * The product of flatten's merged dims, trailing literal 1s left out first: a single dim left is
 * itself, untested, so `[C, 1, 1]` with a generic C (a model's `flatten(pool(x), 1)`) gives C.
 */
type Merged<S extends Shape> = S extends readonly [...infer I extends Shape, infer L extends number]
  ? I extends readonly []
    ? L
    : [L] extends [1]
      ? Merged<I>
      : Product<S>
  : 1;

/** torch.flatten(x, start, end): dims start..end (negative from the end) become their product. */
export type Flatten<S extends Shape, Start extends number = 0, End extends number = -1> = number extends S["length"]
  ? number[]
  : S extends readonly []
    ? [1]
    : [NormDim<Start, S["length"]>, NormDim<End, S["length"]>] extends [infer s, infer e]
      ? s extends "out"
        ? RangeError<"flatten", Start, S["length"]>
        : e extends "out"
          ? RangeError<"flatten", End, S["length"]>
          : [s, e] extends [infer a extends number, infer b extends number]
            ? Lte<a, b> extends true
              ? SplitAt<S, a> extends [infer Head extends number[], infer Rest extends Shape]
                ? Sub<b, a> extends infer L extends number
                  ? SplitAt<Rest, L & number> extends [infer Mid0 extends number[], infer Tail extends Shape]
                    ? Tail extends readonly [infer Last extends number, ...infer After extends number[]]
                      ? [...Head, Merged<[...Mid0, Last]>, ...After]
                      : never
                    : never
                  : never
                : never
              : ReturnType<typeof shapeErrors.flattenOrder<Start, End>>
            : never
      : never;

/**
 * The dims flatten merges (start..end of S), `[]` when the range is not valid (the exact rule then
 * gives its message). flatten's signature over generic dims (src/ops/movement.ts) is taken when one
 * of them is a type parameter: their product cannot be computed.
 */
export type FlattenRange<S extends Shape, Start extends number, End extends number> = number extends S["length"]
  ? []
  : [NormDim<Start, S["length"]>, NormDim<End, S["length"]>] extends [infer a extends number, infer b extends number]
    ? Lte<a, b> extends true
      ? SplitAt<S, a> extends [unknown, infer Rest extends Shape]
        ? SplitAt<Rest, Add<Sub<b, a>, 1> & number>[0]
        : []
      : []
    : [];

/** flatten's output when a merged dim is generic: one `number` dim for two or more, a single dim kept. */
export type FlattenKept<S extends Shape, Start extends number, End extends number> = [
  NormDim<Start, S["length"]>,
  NormDim<End, S["length"]>,
] extends [infer a extends number, infer b extends number]
  ? [a] extends [b]
    ? [...S]
    : SplitAt<S, a> extends [infer Head extends number[], infer Rest extends Shape]
      ? SplitAt<Rest, Add<Sub<b, a>, 1> & number> extends [unknown, infer After extends number[]]
        ? [...Head, number, ...After]
        : never
      : never
  : never;

/** S without its first dim: reshape's rule keeps a generic leading dim (Lead), not a later one. */
export type AfterFirst<S extends Shape> = S extends readonly [unknown, ...infer R extends Shape] ? R : [];

/** The result of picking S's dims in the order of P, or the index that is out of range / repeated. */
type Pick<
  S extends Shape,
  P extends Shape,
  Op extends string,
  Seen extends number = never,
  Acc extends number[] = [],
> = P extends readonly [infer D extends number, ...infer R extends Shape]
  ? NormDim<D, S["length"]> extends infer I
    ? I extends "out"
      ? RangeError<Op, D, S["length"]>
      : I extends number
        ? [I] extends [Seen]
          ? ReturnType<typeof shapeErrors.duplicateDim<Op, D>>
          : Pick<S, R, Op, Seen | I, [...Acc, S[I]]>
        : never
    : never
  : Acc;

/** x.permute(...P): P must name every dim once. */
export type Permute<S extends Shape, P extends Shape> = number extends S["length"] | P["length"]
  ? number[]
  : P["length"] extends S["length"]
    ? Pick<S, P, "permute"> extends infer R
      ? R extends string
        ? ReturnType<typeof shapeErrors.permutation<"permute", Show<P>, S["length"]>>
        : R
      : never
    : ReturnType<typeof shapeErrors.permutation<"permute", Show<P>, S["length"]>>;

type Indices<S extends Shape, Acc extends number[] = []> = Acc["length"] extends S["length"]
  ? Acc
  : Indices<S, [...Acc, Acc["length"]]>;

/** x.transpose(D0, D1): swaps two dims. */
export type Transpose<S extends Shape, D0 extends number, D1 extends number> = number extends S["length"]
  ? number[]
  : [NormDim<D0, S["length"]>, NormDim<D1, S["length"]>] extends [infer a, infer b]
    ? a extends "out"
      ? RangeError<"transpose", D0, S["length"]>
      : b extends "out"
        ? RangeError<"transpose", D1, S["length"]>
        : {
              [K in keyof S]: K extends `${a & number}`
                ? S[b & number]
                : K extends `${b & number}`
                  ? S[a & number]
                  : S[K];
            } extends infer R extends Shape
          ? [...R]
          : never
    : never;

/** A reduction (sum, mean, max...) over Dims (a dim, a tuple, or undefined for all), keeping size-1 dims if KeepDim. */
export type Reduce<
  S extends Shape,
  Dims extends number | Shape | undefined,
  KeepDim extends boolean = false,
  Op extends string = "reduce",
> = number extends S["length"]
  ? number[]
  : Dims extends undefined
    ? KeepDim extends true
      ? { [K in keyof S]: 1 } extends infer R extends Shape
        ? [...R]
        : never
      : []
    : (Dims extends number ? [Dims] : Dims) extends infer D extends Shape
      ? Pick<S, D, Op> extends infer P
        ? P extends string
          ? P
          : Normalised<S, D> extends infer Set
            ? Indices<S> extends infer Idx extends number[]
              ? DropOrKeep<S, Idx, Set, KeepDim>
              : never
            : never
        : never
      : never;
type Normalised<S extends Shape, D extends Shape> = D extends readonly [
  infer H extends number,
  ...infer R extends Shape,
]
  ? NormDim<H, S["length"]> | Normalised<S, R>
  : never;
type DropOrKeep<
  S extends Shape,
  Idx extends number[],
  Set,
  KeepDim extends boolean,
  Acc extends number[] = [],
> = Idx extends [infer I extends number, ...infer R extends number[]]
  ? DropOrKeep<S, R, Set, KeepDim, [I] extends [Set] ? (KeepDim extends true ? [...Acc, 1] : Acc) : [...Acc, S[I]]>
  : Acc;

/**
 * expand's result: the target shape, each -1 (which keeps a dim) replaced by the input dim it aligns
 * with from the right; `number` where the input's rank is unknown. (Before, the -1 itself was the
 * type's dim.) Whether the target can be reached is checked at run time.
 */
export type Expanded<S extends Shape, T extends Shape, Acc extends number[] = []> = number extends T["length"]
  ? number[]
  : T extends readonly [...infer TI extends Shape, infer t extends number]
    ? [t] extends [-1]
      ? number extends S["length"]
        ? Expanded<S, TI, [number, ...Acc]>
        : S extends readonly [...infer SI extends Shape, infer s extends number]
          ? Expanded<SI, TI, [s, ...Acc]>
          : Expanded<S, TI, [t, ...Acc]>
      : Expanded<S extends readonly [...infer SI extends Shape, number] ? SI : S, TI, [t, ...Acc]>
    : Acc;
