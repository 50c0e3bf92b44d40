/**
 * 2-D max/avg pooling output shape (PyTorch): floor (or ceil) of (H + 2p - d (k - 1) - 1) / s,
 * plus 1; with ceil mode the last window must start inside the input or the left padding, else it
 * is dropped. Kernel, Stride, Padding, Dilation are a number or [h, w]; Stride undefined means the
 * kernel. Returns the shape or the runtime's message (types/errors.ts, shapeErrors).
 *
 *   Pool2d<[8, 16, 32, 32], 2>                           // [8, 16, 16, 16]
 *   Pool2d<[1, 1, 5, 5], 2, 2, 0, 1, true>               // [1, 1, 3, 3]
 *   Pool2d<[1, 1, 5, 5], 2, 2, 1, 1, true>               // [1, 1, 3, 3] (a 4th window would start in the right padding)
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
> = number extends H | K | S | P | D
  ? number
  : Sub<
        Add<H, Mul<2, P> & number> & number,
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
      ? [PairOf<Kernel, 1>, PairOf<Stride, Kernel>, PairOf<Padding, 0>, PairOf<Dilation, 1>] extends [
          [infer kh extends number, infer kw extends number],
          [infer sh extends number, infer sw extends number],
          [infer ph extends number, infer pw extends number],
          [infer dh extends number, infer dw extends number],
        ]
        ? HalfKernel<ph, kh> extends false
          ? ReturnType<typeof shapeErrors.poolPadding<Op, Show<[ph, pw]>, Show<[kh, kw]>>>
          : HalfKernel<pw, kw> extends false
            ? ReturnType<typeof shapeErrors.poolPadding<Op, Show<[ph, pw]>, Show<[kh, kw]>>>
            : [PoolDim<H, kh, sh, ph, dh, CeilMode>, PoolDim<W, kw, sw, pw, dw, CeilMode>] extends [
                  infer oh extends number,
                  infer ow extends number,
                ]
              ? Positive<oh> extends true
                ? Positive<ow> extends true
                  ? [...Lead, oh, ow]
                  : PoolError<Op, oh, ow, kh, kw, dh, dw, H, W, ph, pw>
                : PoolError<Op, oh, ow, kh, kw, dh, dw, H, W, ph, pw>
              : never
        : never
      : ReturnType<typeof shapeErrors.poolRank<Op, Show<S>>>
    : ReturnType<typeof shapeErrors.poolRank<Op, Show<S>>>;

/** 2 p <= k (PyTorch: padding at most half the kernel). */
type HalfKernel<P extends number, K extends number> = number extends P | K
  ? true
  : Lt<K, Mul<2, P> & number> extends true
    ? false
    : true;
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
  PH extends number,
  PW extends number,
> = ReturnType<
  typeof shapeErrors.poolOutput<
    Op,
    OH,
    OW,
    Add<Mul<DH, Sub<KH, 1> & number> & number, 1> & number,
    Add<Mul<DW, Sub<KW, 1> & number> & number, 1> & number,
    Show<[KH, KW]>,
    Show<[DH, DW]>,
    H,
    W,
    Show<[PH, PW]>
  >
>;
