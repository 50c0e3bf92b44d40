/**
 * conv2d's shape rule at compile time (PyTorch semantics), used by types/ops/conv2d.ts.
 *
 *   Conv2dCheck<[8, 3, 32, 32], [16, 3, 3, 3], undefined, { stride: 2; padding: 1 }, ...>
 *     -> { ok: [8, 16, 16, 16] }
 *   ... with weight [16, 4, 3, 3]
 *     -> { at: "weight"; message: "conv2d: input has 3 channels but weight expects 4 (weight [16, 4, 3, 3], groups 1)" }
 *
 * H_out = floor((H + top + bottom - d (k - 1) - 1) / s) + 1, computed on little-endian digit
 * strings (types/arith/digits.ts). The checks run in the order resolveConv2d
 * (src/ops/conv2d-options.ts) runs them: input, weight, bias, options; a check that needs an option
 * value only runs when that value is valid (a bad value is reported at the options argument).
 * Dims that are `number` skip every check that needs them and make dependent output dims `number`;
 * the batch dim is never inspected, so a generic `N` passes through untouched.
 */
import type { conv2dErrors } from "../../src/errors.js";
import type { ToLE, FromLE } from "../arith/index.js";
import type { AddLE, CmpLE, DivModLE, MulLE, SubLE, Trim } from "../arith/digits.js";
import type { Show } from "./show.js";

/** A value only the run time knows (`number`, or a wide string for paddingMode). */
export type Wide = "wide";
export type Err<At extends "input" | "weight" | "bias" | "options", M extends string> = { at: At; message: M };
export type AnyErr = { at: string; message: string };

/** LE digits of a natural literal, Wide for `number`, "bad" otherwise. Positive additionally refuses 0. */
export type Nat<V> = V extends number ? (number extends V ? Wide : ToLE<V> extends infer L extends string ? L : "bad") : "bad";
export type Pos<V> = Nat<V> extends infer L ? (L extends "0" ? "bad" : L) : never;

/** Value of option K, undefined when absent (a declared optional option keeps its other types). */
export type Opt<O, K extends string> = K extends keyof O ? ([Exclude<O[K], undefined>] extends [never] ? undefined : Exclude<O[K], undefined>) : undefined;

// ---------------------------------------------------------------------------------------------
// Options, parsed once (the instantiation is cached and shared by every parameter check).

export type PairOf<V> =
  V extends undefined ? ["1", "1"]
  : V extends number ? Pos<V> extends infer L ? L extends "bad" ? "bad" : [L, L] : never
  : V extends readonly [infer A, infer B] ? [Pos<A>, Pos<B>] extends infer P ? P extends [infer _, "bad"] | ["bad", infer _] ? "bad" : P : never
  : V extends readonly number[] ? number extends V["length"] ? [Wide, Wide] : "bad"
  : "bad";

/** [top, bottom, left, right] as LE/Wide, "same", or "bad". */
export type PadOf<V> =
  V extends undefined | "valid" ? ["0", "0", "0", "0"]
  : V extends "same" ? "same"
  : V extends number ? Nat<V> extends infer L ? L extends "bad" ? "bad" : [L, L, L, L] : never
  : V extends readonly [infer H, infer W] ? [Nat<H>, Nat<W>] extends infer P ? P extends [infer _, "bad"] | ["bad", infer _] ? "bad" : P extends [infer h, infer w] ? [h, h, w, w] : never : never
  : V extends readonly [infer T, infer B, infer L, infer R] ? [Nat<T>, Nat<B>, Nat<L>, Nat<R>] extends infer P extends unknown[] ? "bad" extends P[number] ? "bad" : P : never
  : V extends readonly number[] ? number extends V["length"] ? [Wide, Wide, Wide, Wide] : "bad"
  : "bad";

export type GroupsOf<V> = V extends undefined ? "1" : Pos<V>;
export type ModeOf<V> = V extends undefined ? "zeros" : V extends "zeros" | "reflect" | "replicate" | "circular" ? (string extends V ? Wide : V) : V extends string ? (string extends V ? Wide : "bad") : "bad";

export type KnownKey = "stride" | "padding" | "dilation" | "groups" | "paddingMode";

export type Parsed = { unknown: unknown; groups: unknown; stride: unknown; dilation: unknown; padding: unknown; mode: unknown };
export type ParsedOptions<O> = {
  unknown: Exclude<keyof O, KnownKey>;
  groups: GroupsOf<Opt<O, "groups">>;
  stride: PairOf<Opt<O, "stride">>;
  dilation: PairOf<Opt<O, "dilation">>;
  padding: PadOf<Opt<O, "padding">>;
  mode: ModeOf<Opt<O, "paddingMode">>;
};

// ---------------------------------------------------------------------------------------------
// One output dim.

/** d (k - 1) + 1, the extent of the dilated kernel. */
export type Extent<K extends string, D extends string> =
  SubLE<K, "1"> extends [infer K1 extends string, infer _]
    ? (D extends "1" ? Trim<K1> : MulLE<Trim<K1>, D>) extends infer T extends string ? AddLE<T, "1"> : never
    : never;

/**
 * floor((H + lo + hi - E) / s) + 1 where E is the kernel extent, as { ok: LE } or, when the padded
 * input is shorter than E, { bad: out } with out = 1 - ceil((E - P) / s) = -floor((E - P - 1) / s).
 * Either way with the padded size P and E for the message.
 */
export type OutDim<H extends string, K extends string, S extends string, D extends string, Lo extends string, Hi extends string> =
  (Lo extends "0" ? H : AddLE<H, Lo>) extends infer P1 extends string
    ? (Hi extends "0" ? P1 : AddLE<P1, Hi>) extends infer P extends string
      ? Extent<K, D> extends infer E extends string
        ? SubLE<P, E> extends [infer Diff extends string, infer Br]
          ? Br extends "0"
            ? (S extends "1" ? Trim<Diff> : DivModLE<Trim<Diff>, S>[0]) extends infer Q extends string
              ? { ok: AddLE<Q, "1">; padded: P; extent: E }
              : never
            : SubLE<E, P> extends [infer M extends string, infer _]
              ? SubLE<Trim<M>, "1"> extends [infer M1 extends string, infer _]
                ? (S extends "1" ? Trim<M1> : DivModLE<Trim<M1>, S>[0]) extends infer C extends string
                  ? { bad: C extends "0" ? 0 : `-${FromLE<C>}` extends `${infer N extends number}` ? N : never; padded: P; extent: E }
                  : never
                : never
              : never
          : never
        : never
      : never
    : never;

/** The output size of one dim, or Wide when any ingredient is known only at run time. */
export type Dim<H, K, S, D, Lo, Hi> =
  Wide extends H | K | S | D | Lo | Hi ? Wide
  : [H, K, S, D, Lo, Hi] extends [infer h extends string, infer k extends string, infer s extends string, infer d extends string, infer lo extends string, infer hi extends string]
    ? OutDim<h, k, s, d, lo, hi>
    : never;

/** "same" padding: d (k - 1) split as lo = floor(total / 2), hi = total - lo (extra at the end). */
export type SameSplit<K, D> =
  Wide extends K | D ? [Wide, Wide]
  : [K, D] extends [infer k extends string, infer d extends string]
    ? Extent<k, d> extends infer E extends string
      ? SubLE<E, "1"> extends [infer T extends string, infer _]
        ? DivModLE<Trim<T>, "2">[0] extends infer Lo extends string
          ? SubLE<Trim<T>, Lo> extends [infer Hi extends string, infer _] ? [Lo, Trim<Hi>] : never
          : never
        : never
      : never
    : never;

export type Num<L> = L extends Wide ? number : L extends string ? (FromLE<L> extends infer N extends number ? N : number) : never;
export type NumOf<R> = R extends { ok: infer L } ? Num<L> : R extends { bad: infer N extends number } ? N : number;

// ---------------------------------------------------------------------------------------------
// The whole check, stage by stage.

export type Dims<S, Check extends "nat" | "pos", Acc extends unknown[] = []> =
  S extends readonly [infer H, ...infer R]
    ? (Check extends "nat" ? Nat<H> : Pos<H>) extends infer L
      ? L extends "bad" ? { badDim: H } : Dims<R, Check, [...Acc, L]>
      : never
    : Acc;

export type Disjoint<A, B> = [A & B] extends [never] ? true : false;

/** Input: [N, C, H, W] or [C, H, W]; the batch is carried as is, never inspected. */
export type InputStage<S> =
  number extends (S extends readonly unknown[] ? S["length"] : number) ? { wide: true }
  : S extends readonly [infer N, ...infer Rest extends [unknown, unknown, unknown]]
    ? Dims<Rest, "nat"> extends infer L ? L extends { badDim: infer V } ? Err<"input", ReturnType<typeof conv2dErrors.inputDim<Show<S>, Show<V>>>> : { batch: [N]; chw: Rest; le: L } : never
  : S extends readonly [unknown, unknown, unknown]
    ? Dims<S, "nat"> extends infer L ? L extends { badDim: infer V } ? Err<"input", ReturnType<typeof conv2dErrors.inputDim<Show<S>, Show<V>>>> : { batch: []; chw: S; le: L } : never
  : S extends readonly unknown[] ? Err<"input", ReturnType<typeof conv2dErrors.inputRank<S["length"], Show<S>>>>
  : never;

export type WeightStage<WS, WD, WDev, XD, XDev> =
  WS extends readonly [unknown, unknown, unknown, unknown]
    ? Dims<WS, "pos"> extends infer L
      ? L extends { badDim: infer V } ? Err<"weight", ReturnType<typeof conv2dErrors.weightDim<Show<WS>, Show<V>>>>
      : Disjoint<WD, XD> extends true ? Err<"weight", ReturnType<typeof conv2dErrors.dtypeMismatch<"weight", WD & string, XD & string>>>
      : Disjoint<WDev, XDev> extends true ? Err<"weight", ReturnType<typeof conv2dErrors.deviceMismatch<"weight", WDev & string, XDev & string>>>
      : L
      : never
    : number extends (WS extends readonly unknown[] ? WS["length"] : number) ? [Wide, Wide, Wide, Wide]
    : WS extends readonly unknown[] ? Err<"weight", ReturnType<typeof conv2dErrors.weightRank<WS["length"], Show<WS>>>>
    : never;

/** C_in == (C_in / groups) * groups, when the three are literal and groups is valid. */
export type ChannelStage<C, Ci, G, XC, WS> =
  Wide extends C | Ci | G ? "ok"
  : G extends "bad" ? "ok"
  : [C, Ci, G] extends [infer c extends string, infer ci extends string, infer g extends string]
    ? (g extends "1" ? ci : MulLE<ci, g>) extends infer E extends string
      ? CmpLE<c, E> extends "=" ? "ok"
      : Err<"weight", ReturnType<typeof conv2dErrors.channelMismatch<XC & number, Num<E>, Show<WS>, Num<g>>>>
      : never
    : never;

export type BiasStage<B, Co, WCo, BD, BDev, XD, XDev> =
  B extends undefined | null ? "ok"
  : B extends { shape: infer BS }
    ? (BS extends readonly [infer b] ? (Wide extends Co | Nat<b> ? true : Nat<b> extends Co ? true : false) : number extends (BS extends readonly unknown[] ? BS["length"] : 0) ? true : false) extends false
      ? Err<"bias", ReturnType<typeof conv2dErrors.biasShape<WCo & number, Show<BS>>>>
      : Disjoint<BD, XD> extends true ? Err<"bias", ReturnType<typeof conv2dErrors.dtypeMismatch<"bias", BD & string, XD & string>>>
      : Disjoint<BDev, XDev> extends true ? Err<"bias", ReturnType<typeof conv2dErrors.deviceMismatch<"bias", BDev & string, XDev & string>>>
      : "ok"
    : "ok";

export type PadMsgList<P> = P extends [infer T, infer B, infer L, infer R] ? `[${Num<T>}, ${Num<B>}, ${Num<L>}, ${Num<R>}]` : never;

/** reflect: every pad < its input size; circular: every pad <= its input size (PyTorch's limits). */
export type LimitStage<Mode, P, H, W, XS> =
  Mode extends "reflect" | "circular"
    ? P extends [infer T, infer B, infer L, infer R]
      ? [[T, H], [B, H], [L, W], [R, W]][number] extends infer Pair
        ? (Pair extends [Wide, unknown] | [unknown, Wide] ? "<" : Pair extends [infer p extends string, infer s extends string] ? CmpLE<p, s> : "<") extends infer Ords
          ? (Mode extends "reflect" ? ">" | "=" : ">") extends infer Bad
            ? [Extract<Ords, Bad>] extends [never] ? "ok"
            : XS extends readonly [...unknown[], infer h, infer w]
              ? Err<"options", Mode extends "reflect"
                ? ReturnType<typeof conv2dErrors.reflectLimit<PadMsgList<P>, Show<[h, w]>>>
                : ReturnType<typeof conv2dErrors.circularLimit<PadMsgList<P>, Show<[h, w]>>>>
              : never
            : never
          : never
        : never
      : "ok"
    : "ok";

/** The pads of both dims, "same" resolved against the kernel; null while an option is bad. */
export type Pads<P, K, D> =
  P extends "same"
    ? D extends [infer dh, infer dw] ? K extends [infer _, infer _, infer kh, infer kw]
      ? [SameSplit<kh, dh>, SameSplit<kw, dw>] extends [[infer t, infer b], [infer l, infer r]] ? [t, b, l, r] : never
      : never : never
    : P;

export type IsOne<S> = S extends ["1", "1"] ? true : S extends [infer a, infer b] ? (Exclude<a | b, "1" | Wide> extends never ? "maybe" : false) : false;

export type Conv2dCheck<XS, WS, B, O, XD, XDev, WD, WDev, BD, BDev> =
  InputStage<XS> extends infer In
    ? In extends AnyErr ? In
    : In extends { wide: true } ? { ok: number[] }
    : In extends { batch: infer Batch extends unknown[]; chw: [infer XC, infer _, infer _]; le: [infer C, infer H, infer W] }
      ? ParsedOptions<O> extends infer PO extends Parsed
        ? WeightStage<WS, WD, WDev, XD, XDev> extends infer Wt
          ? Wt extends AnyErr ? Wt
          : Wt extends [infer Co, infer Ci, infer Kh, infer Kw]
            ? ChannelStage<C, Ci, PO["groups"], XC, WS> extends infer Ch
              ? Ch extends AnyErr ? Ch
              // Output size: needs valid stride, dilation and padding, and "same" only with stride 1.
              : ("bad" extends PO["stride"] | PO["dilation"] | PO["padding"] ? "skip"
                : PO["padding"] extends "same" ? (IsOne<PO["stride"]> extends false ? "skip" : "go") : "go") extends infer Go
                ? (Go extends "go" ? Pads<PO["padding"], Wt, PO["dilation"]> : null) extends infer P
                  ? (P extends [infer T, infer Bo, infer L, infer R]
                      ? PO["stride"] extends [infer Sh, infer Sw] ? PO["dilation"] extends [infer Dh, infer Dw]
                        ? [Dim<H, Kh, Sh, Dh, T, Bo>, Dim<W, Kw, Sw, Dw, L, R>]
                        : never : never
                      : null) extends infer Out
                    ? Out extends [{ bad: unknown }, unknown] | [unknown, { bad: unknown }]
                      ? Out extends [infer OH, infer OW]
                        ? Err<"weight", ReturnType<typeof conv2dErrors.outputSize<
                            `[${NumOf<OH>}, ${NumOf<OW>}]`,
                            `[${OH extends { padded: infer p } ? Num<p> : number}, ${OW extends { padded: infer p } ? Num<p> : number}]`,
                            `[${OH extends { extent: infer e } ? Num<e> : number}, ${OW extends { extent: infer e } ? Num<e> : number}]`,
                            PO["stride"] extends [infer a, infer b] ? `[${Num<a>}, ${Num<b>}]` : never>>>
                        : never
                      : BiasStage<B, Co, WS extends readonly [infer co, ...unknown[]] ? co : never, BD, BDev, XD, XDev> extends infer Bi
                        ? Bi extends AnyErr ? Bi
                        : OptionsStage<O, PO, Co, WS, P, H, W, XS> extends infer Op
                          ? Op extends AnyErr ? Op
                          : Out extends [infer OH, infer OW]
                            ? { ok: [...Batch, WS extends readonly [infer co, ...unknown[]] ? co : number, NumOf<OH>, NumOf<OW>] }
                            : { ok: [...Batch, WS extends readonly [infer co, ...unknown[]] ? co : number, number, number] }
                          : never
                        : never
                    : never
                  : never
                : never
              : never
            : never
          : never
        : never
      : never
    : never;

export type OptionsStage<O, PO extends Parsed, Co, WS, P, H, W, XS> =
  [PO["unknown"]] extends [never] ? (
    PO["groups"] extends "bad" ? Err<"options", ReturnType<typeof conv2dErrors.groups<Show<Opt<O, "groups">>>>>
    : PO["stride"] extends "bad" ? Err<"options", ReturnType<typeof conv2dErrors.pairOption<"stride", Show<Opt<O, "stride">>>>>
    : PO["dilation"] extends "bad" ? Err<"options", ReturnType<typeof conv2dErrors.pairOption<"dilation", Show<Opt<O, "dilation">>>>>
    : PO["padding"] extends "bad" ? Err<"options", ReturnType<typeof conv2dErrors.padding<Show<Opt<O, "padding">>>>>
    : PO["mode"] extends "bad" ? Err<"options", ReturnType<typeof conv2dErrors.paddingMode<Show<Opt<O, "paddingMode">>>>>
    : (Wide extends Co | PO["groups"] ? "0"
      : [Co, PO["groups"]] extends [infer co extends string, infer g extends string] ? DivModLE<co, g>[1] : "0") extends infer Rem
      ? Rem extends "0"
        ? PO["padding"] extends "same"
          ? IsOne<PO["stride"]> extends false ? Err<"options", ReturnType<typeof conv2dErrors.sameStride<Show<Opt<O, "stride">>>>>
          : LimitStage<PO["mode"], P, H, W, XS>
          : LimitStage<PO["mode"], P, H, W, XS>
        : Err<"options", ReturnType<typeof conv2dErrors.groupsDivide<WS extends readonly [infer co, ...unknown[]] ? co & number : never, Num<PO["groups"]>>>>
      : never
  ) : Err<"options", ReturnType<typeof conv2dErrors.unknownOption<Show<`${PO["unknown"] & (string | number)}`>>>>;
