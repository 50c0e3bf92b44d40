/**
 * pad's output shape (torch.nn.functional.pad): `pads` lists (before, after) of the last dim
 * first, then outwards; each dim reached becomes dim + before + after (negative pads crop), the
 * others pass through, generic or not. Returns the shape or the runtime's message (types/errors.ts,
 * padErrors), checked in the runtime's order (src/ops/pad.ts, resolvePad):
 *
 *   Pad<[8, 3, 32, 32], [1, 1, 2, 2]>                          // [8, 3, 36, 34]
 *   Pad<[B, 3, 5], [2, -1], { mode: "reflect" }>               // [B, 3, 6]
 *   Pad<[1, 1, 3, 4], [4, 0], { mode: "reflect" }>             // "pad: reflect padding (4, 0) of dim 3 must be less than its size 4 (input [1, 1, 3, 4])"
 *
 * A dim reached by a pad that is not a literal (or a literal pad on a `number` dim) becomes
 * `number`, and its checks are left to the runtime; so are all checks when `pads` is not a tuple.
 */
import type { padErrors } from "../errors.js";
import type { Add, Gt, Gte, IsNatural, Lt, Mod, Sub } from "../arith/index.js";
import type { Show } from "./show.js";

type Shape = readonly number[];

export interface PadOptions {
  /** default "constant" */
  mode?: "constant" | "reflect" | "replicate" | "circular";
  /** constant mode's fill; default 0 (the other modes take none) */
  value?: number;
}

type ModeOf<O> = O extends { readonly mode?: infer M }
  ? [Exclude<M, undefined>] extends [never]
    ? "constant"
    : Exclude<M, undefined>
  : "constant";
type ValueOf<O> = O extends { readonly value?: infer V } ? Exclude<V, undefined> : never;

/** |v| split by sign: [positive part, negative part], both natural; [number, number] for a wide v. */
type Parts<V extends number> = number extends V
  ? [number, number]
  : `${V}` extends `-${infer U extends number}`
    ? [0, U]
    : [V, 0];

type Lit<V extends number> = number extends V ? false : true;

/** The padded size of a dim of size N, or the message of the first rule it breaks. */
type PadDim<N extends number, B extends number, A extends number, M, D extends number, X extends Shape> = [
  B,
  A,
] extends [0, 0]
  ? N
  : Lit<B> extends false
    ? number
    : Lit<A> extends false
      ? number
      : IsNatural<N> extends false
        ? number
        : Parts<B> extends [infer BP extends number, infer BN extends number]
          ? Parts<A> extends [infer AP extends number, infer AN extends number]
            ? [M] extends ["reflect"]
              ? Gte<B, N> extends true
                ? ReturnType<typeof padErrors.reflectLimit<B, A, D, N, Show<X>>>
                : Gte<A, N> extends true
                  ? ReturnType<typeof padErrors.reflectLimit<B, A, D, N, Show<X>>>
                  : Sized<N, B, A, BP, BN, AP, AN, D, X>
              : [M] extends ["circular"]
                ? CircularDim<N, B, A, BP, BN, AP, AN, D, X>
                : Sized<N, B, A, BP, BN, AP, AN, D, X>
            : never
          : never;

/** kept = N - BN - AN must be >= 0 and >= each positive pad. */
type CircularDim<
  N extends number,
  B extends number,
  A extends number,
  BP extends number,
  BN extends number,
  AP extends number,
  AN extends number,
  D extends number,
  X extends Shape,
> =
  Add<BN, AN> extends infer Crop extends number
    ? Sub<N, Crop> extends infer K extends number
      ? Gt<Crop, N> extends true
        ? ReturnType<typeof padErrors.circularLimit<B, A, D, K, Show<X>>>
        : Gt<BP, K> extends true
          ? ReturnType<typeof padErrors.circularLimit<B, A, D, K, Show<X>>>
          : Gt<AP, K> extends true
            ? ReturnType<typeof padErrors.circularLimit<B, A, D, K, Show<X>>>
            : Sized<N, B, A, BP, BN, AP, AN, D, X>
      : never
    : never;

/** N + B + A, or the message when it is below 0. */
type Sized<
  N extends number,
  B extends number,
  A extends number,
  BP extends number,
  BN extends number,
  AP extends number,
  AN extends number,
  D extends number,
  X extends Shape,
> =
  Add<N, Add<BP, AP>> extends infer Grown extends number
    ? Add<BN, AN> extends infer Crop extends number
      ? Sub<Grown, Crop> extends infer Out extends number
        ? Lt<Grown, Crop> extends true
          ? ReturnType<typeof padErrors.outputSize<B, A, D, N, Out, Show<X>>>
          : Out
        : never
      : never
    : never;

/** reflect and replicate need every dim but the batch dim non-empty (PyTorch's kernels). */
type Empty<N extends number, M> = [M] extends ["reflect" | "replicate"] ? (N extends 0 ? true : false) : false;

/**
 * Walks the dims from the last, one (before, after) pair each; Init holds the dims not yet
 * reached (its length is the current dim's index), Acc the padded dims after it. After the pads,
 * the dim before them (the channel dim of the non-constant modes) is checked for emptiness.
 */
type Walk<
  Init extends Shape,
  P extends readonly number[],
  M,
  X extends Shape,
  Acc extends number[] = [],
> = P extends readonly [infer B extends number, infer A extends number, ...infer Rest extends readonly number[]]
  ? Init extends readonly [...infer I2 extends Shape, infer N extends number]
    ? Empty<N, M> extends true
      ? ReturnType<typeof padErrors.emptyDim<Show<M>, Show<X>>>
      : PadDim<N, B, A, M, I2["length"], X> extends infer R
        ? { r: R } extends { r: infer Q extends number }
          ? Walk<I2, Rest, M, X, [Q, ...Acc]>
          : R
        : never
    : never
  : [M] extends ["reflect" | "replicate"]
    ? Init extends readonly [...infer _ extends Shape, infer N extends number]
      ? Empty<N, M> extends true
        ? ReturnType<typeof padErrors.emptyDim<Show<M>, Show<X>>>
        : [...Init, ...Acc]
      : [...Init, ...Acc]
    : [...Init, ...Acc];

/** Whether the non-constant modes accept L pads on a rank-R input (PyTorch's dispatch). */
type ModeRankOk<L extends number, R extends number> = L extends 2
  ? R extends 2 | 3
    ? true
    : false
  : L extends 4
    ? R extends 3 | 4
      ? true
      : false
    : L extends 6
      ? R extends 4 | 5
        ? true
        : false
      : false;

type NonConstant<S extends Shape, P extends readonly number[], O, M> =
  ValueOf<O> extends infer V
    ? [V] extends [never]
      ? NonConstantRank<S, P, M>
      : V extends number
        ? Lit<V> extends true
          ? V extends 0
            ? NonConstantRank<S, P, M>
            : ReturnType<typeof padErrors.valueWithMode<Show<M>, Show<V>>>
          : NonConstantRank<S, P, M>
        : NonConstantRank<S, P, M>
    : never;

type NonConstantRank<S extends Shape, P extends readonly number[], M> =
  ModeRankOk<P["length"], S["length"]> extends false
    ? ReturnType<typeof padErrors.modeRank<Show<M>, P["length"], Show<S>>>
    : [M] extends ["circular"]
      ? Walk<S, P, M, S>
      : Walk<S, P, M, S>;

export type Pad<S extends Shape, P extends readonly number[], O = object> = number extends S["length"]
  ? number[]
  : number extends P["length"]
    ? number[]
    : Mod<P["length"], 2> extends 1
      ? ReturnType<typeof padErrors.oddLength<P["length"]>>
      : Gt<P["length"], Add<S["length"], S["length"]>> extends true
        ? ReturnType<typeof padErrors.tooLong<P["length"], Show<S>>>
        : "constant" extends ModeOf<O>
          ? Walk<S, P, "constant", S>
          : NonConstant<S, P, O, ModeOf<O>>;

/**
 * The dims pad's rule reads: those the pads reach (the last P.length / 2) and, for the modes other
 * than "constant", the one before them (whose emptiness they check). pad's signature for generic
 * dims (src/ops/pad.ts) is taken when one of these is a type parameter.
 */
export type PadReached<
  S extends Shape,
  P extends readonly number[],
  O,
  Acc extends number[] = [],
> = P extends readonly [number, number, ...infer R extends readonly number[]]
  ? S extends readonly [...infer I extends Shape, infer N extends number]
    ? PadReached<I, R, O, [N, ...Acc]>
    : Acc
  : "constant" extends ModeOf<O>
    ? Acc
    : S extends readonly [...infer _ extends Shape, infer N extends number]
      ? [N, ...Acc]
      : Acc;

/** pad's output under generic dims: a dim whose pads are (0, 0) is kept, any other reached dim is number. */
export type PadKept<S extends Shape, P extends readonly number[], Acc extends number[] = []> = P extends readonly [
  infer B extends number,
  infer A extends number,
  ...infer R extends readonly number[],
]
  ? S extends readonly [...infer I extends Shape, infer N extends number]
    ? PadKept<I, R, [[B, A] extends [0, 0] ? N : number, ...Acc]>
    : Acc
  : [...S, ...Acc];
