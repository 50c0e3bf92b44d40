/**
 * layerNorm / groupNorm (and nn.LayerNorm, nn.GroupNorm) at compile time: the output is the input's
 * shape (generic dims kept); what is checked is whether the call can work, with the runtime's
 * message (types/errors.ts, normErrors) where it cannot.
 *
 *   LayerNorm<[8, 14, 14, 96], 96>                 // [8, 14, 14, 96]
 *   LayerNorm<[B, 196, 768], [768]>                // [B, 196, 768]
 *   LayerNorm<[2, 3, 4], [3]>                      // "layerNorm: normalizedShape [3] does not match the last dims of input [2, 3, 4]"
 *   GroupNorm<[B, 32, H, W], 8>                    // [B, 32, H, W]
 *   GroupNorm<[2, 5, 3, 3], 2>                     // "groupNorm: numGroups 2 does not divide the 5 channels of input [2, 5, 3, 3]"
 *   NormParam<"groupNorm", "weight", [2], [4]>     // "groupNorm: weight must have shape [4], got [2]"
 *
 * Dims are compared as pairs `{ a; b }` (types/shape/broadcast.ts says why): the same generic dim
 * on both sides, or `number` on either, passes; a generic against a different literal stays
 * undecided, as everywhere else.
 */
import type { normErrors } from "../errors.js";
import type { IsNatural, Mod } from "../arith/index.js";
import type { Show } from "./show.js";

type Shape = readonly number[];
type Pair<A, B> = { a: A; b: B };

/** normalizedShape as a shape: `5` is `[5]`; a list that is not a tuple stays `number[]`. */
export type NormalizedShapeOf<N> = N extends number ? [N] : N extends readonly number[] ? [...N] : number[];

/** Two dims that can be equal at run time (the run time checks what this lets through). */
type DimFits<A extends number, B extends number> =
  Pair<A, B> extends Pair<B, A> ? true : number extends A ? true : number extends B ? true : false;

/** S ends with N, walked from the right; "short" when N is longer than S, "bad" on a mismatch. */
type Trailing<S extends Shape, N extends Shape> = N extends readonly [...infer NI extends Shape, infer b extends number]
  ? S extends readonly [...infer SI extends Shape, infer a extends number]
    ? DimFits<a, b> extends true
      ? Trailing<SI, NI>
      : "bad"
    : "bad"
  : "ok";

/** F.layer_norm: the input's last dims must equal normalizedShape. */
export type LayerNorm<S extends Shape, N> =
  NormalizedShapeOf<N> extends infer NS extends Shape
    ? number extends S["length"] | NS["length"]
      ? S
      : NS extends readonly []
        ? ReturnType<typeof normErrors.normalizedShape<"layerNorm", Show<N>>>
        : Trailing<S, NS> extends "ok"
          ? S
          : ReturnType<typeof normErrors.trailingDims<Show<N>, Show<S>>>
    : never;

/**
 * The last dims of S that normalizedShape N is compared with: layerNorm's signature for generic dims
 * (src/ops/normalization.ts) is taken when one of them is a type parameter.
 */
export type TrailingOf<S extends Shape, N, NS = NormalizedShapeOf<N>, Acc extends number[] = []> = NS extends readonly [
  ...infer NI extends Shape,
  number,
]
  ? S extends readonly [...infer SI extends Shape, infer a extends number]
    ? TrailingOf<SI, N, NI, [a, ...Acc]>
    : Acc
  : Acc;

/** A numGroups literal that cannot be one (0, negative, fractional). */
type BadGroups<G extends number> = number extends G
  ? false
  : IsNatural<G> extends true
    ? G extends 0
      ? true
      : false
    : true;

/** F.group_norm: [N, C, ...] with numGroups dividing C. */
export type GroupNorm<S extends Shape, G extends number> =
  BadGroups<G> extends true
    ? ReturnType<typeof normErrors.numGroups<"groupNorm", Show<G>>>
    : number extends S["length"]
      ? S
      : S extends readonly [infer _N extends number, infer C extends number, ...infer _R extends number[]]
        ? number extends C | G
          ? S
          : { c: C } extends { c: infer L extends number }
            ? IsNatural<L> extends true
              ? Mod<L, G> extends 0
                ? S
                : ReturnType<typeof normErrors.groupsDivide<G, L, Show<S>>>
              : S
            : S
        : ReturnType<typeof normErrors.rank<Show<S>>>;

/** The channels of a groupNorm input, `number` when unknown. */
export type ChannelsOf<S extends Shape> = S extends readonly [
  infer _N extends number,
  infer C extends number,
  ...infer _R extends number[],
]
  ? C
  : number;

/** A weight or bias P that must have shape E: "ok" or the message. */
export type NormParam<Op extends string, Which extends string, P extends Shape, E extends Shape> = number extends
  P["length"] | E["length"]
  ? "ok"
  : P["length"] extends E["length"]
    ? Trailing<P, E> extends "ok"
      ? "ok"
      : ReturnType<typeof normErrors.paramShape<Op, Which, Show<E>, Show<P>>>
    : ReturnType<typeof normErrors.paramShape<Op, Which, Show<E>, Show<P>>>;

/** nn.GroupNorm(numGroups, numChannels): numChannels as given, or the message when numGroups does not divide it. */
export type GroupNormChannels<G extends number, C extends number> = number extends G | C
  ? C
  : IsNatural<G> extends true
    ? IsNatural<C> extends true
      ? G extends 0
        ? C
        : Mod<C, G> extends 0
          ? C
          : ReturnType<typeof normErrors.layerGroupsDivide<G, C>>
      : C
    : C;
