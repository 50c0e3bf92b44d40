/**
 * 2-D max/avg pooling output shape (PyTorch): floor (or ceil) of (H + top + bottom - d (k - 1) - 1)
 * / s, plus 1; with ceil mode the last window must start inside the input or the top (left)
 * padding, else it is dropped. Kernel, Stride, Dilation are a number or [h, w]; Padding a number,
 * [h, w] or [top, bottom, left, right], per axis before + after at most the window d (k - 1) + 1
 * and each side less (PyTorch's 2 p <= k for equal sides);
 * Stride undefined means the kernel. Returns the shape or the runtime's message (types/errors.ts,
 * shapeErrors).
 *
 *   Pool2d<[8, 16, 32, 32], 2>                           // [8, 16, 16, 16]
 *   Pool2d<[1, 1, 5, 5], 2, 2, 0, 1, true>               // [1, 1, 3, 3]
 *   Pool2d<[1, 1, 5, 5], 2, 2, 1, 1, true>               // [1, 1, 3, 3] (a 4th window would start in the right padding)
 *   Pool2d<[1, 2, 5, 5], 2, 2, [0, 1, 0, 1]>             // [1, 2, 3, 3] (ONNX SAME_UPPER)
 *   Pool2d<[1, 1, 2, 2], 5>                              // "maxPool2d: output size would be 0x0: the 5x5 window (...) does not fit the input 2x2 ..."
 */
import type { shapeErrors } from "../errors.js";
import type { Add, Div, Gte, Lt, Mul, Sub } from "../arith/index.js";
import type { Show } from "./show.js";

type Shape = readonly number[];
type PairOf<V, Default> = V extends undefined
  ? PairOf<Default, Default>
  : V extends readonly [infer A extends number, infer B extends number]
    ? [A, B]
    : V extends number
      ? [V, V]
      : [number, number];

/** |N| and its sign for a signed literal. */
type Abs<N extends number> = `${N}` extends `-${infer A extends number}` ? [A, true] : [N, false];

/** floor(N / S) for a signed N and S >= 1: a negative N rounds towards -infinity. */
type FloorDiv<N extends number, S extends number> =
  Abs<N> extends [infer A extends number, infer Neg]
    ? Neg extends true
      ? Div<Sub<Add<A, S> & number, 1> & number, S> extends infer Q extends number
        ? Q extends 0
          ? 0
          : Sub<0, Q>
        : never
      : Div<N, S>
    : never;

/** N + M for a signed N and natural M. */
type AddSigned<N extends number, M extends number> =
  Abs<N> extends [infer A extends number, infer Neg] ? (Neg extends true ? Sub<M, A> : Add<N, M>) : never;

export type PoolDim<
  H extends number,
  K extends number,
  S extends number,
  P extends number,
  D extends number,
  Ceil extends boolean,
  PAfter extends number = P,
> = number extends H | K | S | P | D | PAfter
  ? number
  : Sub<
        Add<H, Add<P, PAfter> & number> & number,
        Add<Mul<D, Sub<K, 1> & number> & number, 1> & number
      > extends infer Span extends number
    ? (Ceil extends true ? AddSigned<Span, Sub<S, 1> & number> : Span) extends infer Num extends number
      ? AddSigned<FloorDiv<Num, S> & number, 1> extends infer Out extends number
        ? Ceil extends true
          ? Gte<Out, 1> extends true
            ? Gte<Mul<Sub<Out, 1> & number, S> & number, Add<H, P> & number> extends true
              ? Sub<Out, 1>
              : Out
            : Out
          : Out
        : never
      : never
    : never;

/** [top, bottom, left, right] of a padding option: p, [h, w] or the four sides. */
type PadsOf<V> = V extends readonly [
  infer T extends number,
  infer B extends number,
  infer L extends number,
  infer R extends number,
]
  ? [T, B, L, R]
  : V extends readonly [infer A extends number, infer B extends number]
    ? [A, A, B, B]
    : V extends number
      ? [V, V, V, V]
      : [number, number, number, number];
/** The padding as messages show it: as written when four sides, else [h, w]. */
type ShownPads<V, P extends number[]> = V extends readonly [number, number, number, number]
  ? Show<P>
  : Show<[P[0], P[2]]>;

export type Pool2d<
  S extends Shape,
  Kernel,
  Stride = undefined,
  Padding = 0,
  Dilation = 1,
  CeilMode extends boolean = false,
  Op extends string = "maxPool2d",
> = number extends S["length"]
  ? number[]
  : S extends readonly [...infer Lead extends number[], infer H extends number, infer W extends number]
    ? Lead["length"] extends 1 | 2
      ? [PairOf<Kernel, 1>, PairOf<Stride, Kernel>, PadsOf<Padding>, PairOf<Dilation, 1>] extends [
          [infer kh extends number, infer kw extends number],
          [infer sh extends number, infer sw extends number],
          [infer pt extends number, infer pb extends number, infer pl extends number, infer pr extends number],
          [infer dh extends number, infer dw extends number],
        ]
        ? [PadsFit<pt, pb, kh, dh>, PadsFit<pl, pr, kw, dw>] extends [true, true]
          ? [PoolDim<H, kh, sh, pt, dh, CeilMode, pb>, PoolDim<W, kw, sw, pl, dw, CeilMode, pr>] extends [
              infer oh extends number,
              infer ow extends number,
            ]
            ? Positive<oh> extends true
              ? Positive<ow> extends true
                ? [...Lead, oh, ow]
                : PoolError<Op, oh, ow, kh, kw, dh, dw, H, W, ShownPads<Padding, [pt, pb, pl, pr]>>
              : PoolError<Op, oh, ow, kh, kw, dh, dw, H, W, ShownPads<Padding, [pt, pb, pl, pr]>>
            : never
          : PaddingError<Op, Padding, ShownPads<Padding, [pt, pb, pl, pr]>, kh, kw, dh, dw>
        : never
      : ReturnType<typeof shapeErrors.poolRank<Op, Show<S>>>
    : ReturnType<typeof shapeErrors.poolRank<Op, Show<S>>>;

/** Written as four sides: the sides' rule; else PyTorch's message, naming the dilated kernel when dilated. */
type PaddingError<
  Op extends string,
  Written,
  P extends string,
  KH extends number,
  KW extends number,
  DH extends number,
  DW extends number,
> = [Window<KH, DH>, Window<KW, DW>, Show<[KH, KW]>, Show<[DH, DW]>] extends [
  infer EH extends number,
  infer EW extends number,
  infer K extends string,
  infer D extends string,
]
  ? Written extends readonly [number, number, number, number]
    ? ReturnType<typeof shapeErrors.poolPaddingSides<Op, P, EH, EW, K, D>>
    : [DH, DW] extends [1, 1]
      ? ReturnType<typeof shapeErrors.poolPadding<Op, P, K>>
      : ReturnType<typeof shapeErrors.poolPaddingDilated<Op, P, EH, EW, K, D>>
  : never;

/** The dilated window d (k - 1) + 1. */
type Window<K extends number, D extends number> = Add<Mul<D, Sub<K, 1> & number> & number, 1> & number;

/** before + after <= w and each side < w, for the window w = d (k - 1) + 1 (src/ops/pool.ts, padsFit). */
type PadsFit<B extends number, A extends number, K extends number, D extends number> = number extends B | A | K | D
  ? true
  : Window<K, D> extends infer W extends number
    ? [Lt<W, Add<B, A> & number>, Lt<B, W>, Lt<A, W>] extends [false, true, true]
      ? true
      : false
    : never;
type Positive<N extends number> = number extends N ? true : `${N}` extends `-${string}` | "0" ? false : true;
type PoolError<
  Op extends string,
  OH extends number,
  OW extends number,
  KH extends number,
  KW extends number,
  DH extends number,
  DW extends number,
  H extends number,
  W extends number,
  P extends string,
> = ReturnType<
  typeof shapeErrors.poolOutput<Op, OH, OW, Window<KH, DH>, Window<KW, DW>, Show<[KH, KW]>, Show<[DH, DW]>, H, W, P>
>;

/**
 * Which output sizes equal the input's for every input size (types/shape/generic.ts): stride 1 and
 * top + bottom = d (k - 1) (3x3 padding 1), ceil mode or not. [keeps H, keeps W].
 */
export type Pool2dKeeps<Kernel, Stride = undefined, Padding = 0, Dilation = 1> = [
  PairOf<Kernel, 1>,
  PairOf<Stride, Kernel>,
  PadsOf<Padding>,
  PairOf<Dilation, 1>,
] extends [
  [infer kh extends number, infer kw extends number],
  [infer sh extends number, infer sw extends number],
  [infer pt extends number, infer pb extends number, infer pl extends number, infer pr extends number],
  [infer dh extends number, infer dw extends number],
]
  ? [KeepsSize<kh, sh, pt, pb, dh>, KeepsSize<kw, sw, pl, pr, dw>]
  : [false, false];
type KeepsSize<
  K extends number,
  S extends number,
  Lo extends number,
  Hi extends number,
  D extends number,
> = number extends K | S | Lo | Hi | D
  ? false
  : S extends 1
    ? [Add<Lo, Hi>] extends [Mul<D, Sub<K, 1> & number>]
      ? true
      : false
    : false;
