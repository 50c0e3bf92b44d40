/**
 * conv2d's shape rule at compile time (PyTorch semantics), used by conv2d's signature in src/ops/conv2d.ts.
 *
 *   Conv2dCheck<[8, 3, 32, 32], [16, 3, 3, 3], undefined, { stride: 2; padding: 1 }, ...>
 *     -> { ok: [8, 16, 16, 16] }
 *   ... with weight [16, 4, 3, 3]
 *     -> { at: "weight"; message: "conv2d: input has 3 channels but weight expects 4 (weight [16, 4, 3, 3], groups 1)" }
 *
 * H_out = floor((H + top + bottom - d (k - 1) - 1) / s) + 1, computed on little-endian digit
 * strings (types/arith/digits.ts). The checks run in the order resolveConv2d (src/ops/conv2d.ts)
 * runs them: input, weight, bias, options; a check that needs an option value only runs when
 * that value is valid (a bad value is reported at the options argument).
 * Dims that are `number` skip every check that needs them and make dependent output dims `number`;
 * the batch dim is never inspected, so a generic `N` passes through untouched.
 */
import type { conv2dErrors } from "../errors.js";
import type { ToLE, FromLE, FromDigits, FromSafeDigits, SafeDigits } from "../arith/index.js";
import type {
  AddLE,
  CmpLE,
  DivDigitN,
  DivFactorsN,
  DivLong,
  DivModLE,
  MulLE,
  Reverse,
  SubLE,
  Trim,
} from "../arith/digits.js";
import type { DigitFactors, DivTable, SmallToLE, Units } from "../arith/tables.js";
import type { Show } from "./show.js";

/** A value only the run time knows (`number`, or a wide string for paddingMode). */
export type Wide = "wide";
export type Err<At extends "input" | "weight" | "bias" | "options", M extends string> = { at: At; message: M };
export type AnyErr = { at: string; message: string };

/** LE digits of a natural literal, Wide for `number`, "bad" otherwise. Positive additionally refuses 0. */
export type Nat<V> = V extends number
  ? number extends V
    ? Wide
    : ToLE<V> extends infer L extends string
      ? L
      : "bad"
  : "bad";
export /** `${V}` for a safe natural literal V (normal order), Wide for `number`, "bad" otherwise. */
type Valid<V> = V extends number
  ? number extends V
    ? Wide
    : SmallToLE[V] extends string
      ? `${V}`
      : `${V}` extends infer S extends string
        ? S extends `${bigint}`
          ? S extends `-${string}`
            ? "bad"
            : SafeDigits<S> extends true
              ? S
              : "bad"
          : "bad"
        : never
  : "bad";
type Pos<V> = Nat<V> extends infer L ? (L extends "0" ? "bad" : L) : never;

/** Value of option K, undefined when absent (a declared optional option keeps its other types). */
export type Opt<O, K extends string> = K extends keyof O
  ? [Exclude<O[K], undefined>] extends [never]
    ? undefined
    : Exclude<O[K], undefined>
  : undefined;

// ---------------------------------------------------------------------------------------------
// Options, parsed once (the instantiation is cached and shared by every parameter check).

/**
 * A number or [h, w] as a pair of LE digits (Wide for `number`), "bad" when invalid. Min "1":
 * positive values, default 1 (stride, dilation); Min "0": naturals, default 0 (convTranspose2d's
 * padding and outputPadding).
 */
export type PairOf<V, Min extends "0" | "1" = "1"> = V extends undefined
  ? [Min, Min]
  : V extends number
    ? AtLeast<V, Min> extends infer L
      ? L extends "bad"
        ? "bad"
        : [L, L]
      : never
    : V extends readonly [infer A, infer B]
      ? "bad" extends AtLeast<A, Min> | AtLeast<B, Min>
        ? "bad"
        : [AtLeast<A, Min>, AtLeast<B, Min>]
      : V extends readonly number[]
        ? number extends V["length"]
          ? [Wide, Wide]
          : "bad"
        : "bad";
type AtLeast<V, Min extends "0" | "1"> = Min extends "1" ? Pos<V> : Nat<V>;

/** [top, bottom, left, right] as LE/Wide, "same", or "bad". */
export type PadOf<V> = V extends undefined | "valid"
  ? ["0", "0", "0", "0"]
  : V extends "same"
    ? "same"
    : V extends number
      ? Nat<V> extends infer L
        ? L extends "bad"
          ? "bad"
          : [L, L, L, L]
        : never
      : V extends readonly [infer H, infer W]
        ? [Nat<H>, Nat<W>] extends infer P
          ? P extends [infer _, "bad"] | ["bad", infer _]
            ? "bad"
            : P extends [infer h, infer w]
              ? [h, h, w, w]
              : never
          : never
        : V extends readonly [infer T, infer B, infer L, infer R]
          ? [Nat<T>, Nat<B>, Nat<L>, Nat<R>] extends infer P extends unknown[]
            ? "bad" extends P[number]
              ? "bad"
              : P
            : never
          : V extends readonly number[]
            ? number extends V["length"]
              ? [Wide, Wide, Wide, Wide]
              : "bad"
            : "bad";

export type GroupsOf<V> = V extends undefined ? "1" : Pos<V>;
export type ModeOf<V> = V extends undefined
  ? "zeros"
  : V extends "zeros" | "reflect" | "replicate" | "circular"
    ? string extends V
      ? Wide
      : V
    : V extends string
      ? string extends V
        ? Wide
        : "bad"
      : "bad";

export type KnownKey = "stride" | "padding" | "dilation" | "groups" | "paddingMode";

export type Parsed = {
  unknown: unknown;
  groups: unknown;
  stride: unknown;
  dilation: unknown;
  padding: unknown;
  mode: unknown;
};
/**
 * The option values as a tuple [stride, padding, dilation, groups, paddingMode, unknown keys].
 * Every call's options object literal is a fresh type, so nothing keyed on it is ever reused;
 * tuples of literals are interned, so everything keyed on this one is computed once per distinct
 * set of option values (a ResNet repeats a handful).
 */
export type OptionValues<O, Skip = never> =
  // One pattern match binds all five (an absent option infers as unknown). The tuple is written
  // from infer variables only: one written with alias references would be a deferred, per-use type.
  // Skip: keys that are not conv options but not unknown either (a layer's weight, bias, dtype,
  // device); those four are in the pattern so that options holding only them still match it (an
  // object sharing no key with a type whose keys are all optional is not assignable to it).
  O extends {
    stride?: infer S;
    padding?: infer P;
    dilation?: infer D;
    groups?: infer G;
    paddingMode?: infer M;
    weight?: unknown;
    bias?: unknown;
    dtype?: unknown;
    device?: unknown;
  }
    ? Exclude<keyof O, KnownKey | Skip> extends infer U
      ? [Present<S>, Present<P>, Present<D>, Present<G>, Present<M>] extends [
          infer s,
          infer p,
          infer d,
          infer g,
          infer m,
        ]
        ? [s, p, d, g, m, U]
        : never
      : never
    : never;
export type Present<V> = unknown extends V
  ? undefined
  : [Exclude<V, undefined>] extends [never]
    ? undefined
    : Exclude<V, undefined>;

export type ParsedOptions<O extends readonly unknown[]> = {
  unknown: O[5];
  groups: GroupsOf<O[3]>;
  stride: PairOf<O[0]>;
  dilation: PairOf<O[2]>;
  padding: PadOf<O[1]>;
  mode: ModeOf<O[4]>;
};

// ---------------------------------------------------------------------------------------------
// One output dim.

/** d (k - 1) + 1, the extent of the dilated kernel. */
export type Extent<K extends string, D extends string> =
  SubLE<K, "1"> extends [infer K1 extends string, infer _]
    ? (D extends "1" ? Trim<K1> : MulLE<Trim<K1>, D>) extends infer T extends string
      ? AddLE<T, "1">
      : never
    : never;

/**
 * G = lo + hi + s - E as [digits LE, negative], so that H_out = floor((H + G) / s). It depends only
 * on the small values (kernel, stride, dilation, padding), which repeat across a network, so
 * TypeScript's cache of alias instantiations computes it once per distinct layer geometry; the
 * per-call work on H is then one add or subtract and at most one division. When lo, hi, s and E
 * are all below 100 (nearly always) the sum and difference are tuple spreads (tables.ts Units),
 * a few steps instead of three digit-by-digit additions and a subtraction.
 */
export type Shift<K extends string, S extends string, D extends string, Lo extends string, Hi extends string> =
  Extent<K, D> extends infer E extends string
    ? [Units[Lo], Units[Hi], Units[S], Units[E]] extends [
        infer lo extends 0[],
        infer hi extends 0[],
        infer s extends 0[],
        infer e extends 0[],
      ]
      ? UnitsShift<[...lo, ...hi, ...s], e>
      : DigitsShift<E, S, Lo, Hi>
    : never;
/** T - E for tuples, as [digits LE, negative]. */
type UnitsShift<T extends 0[], E extends 0[]> = T extends [...E, ...infer R]
  ? [SmallToLE[R["length"]], false]
  : E extends [...T, ...infer R]
    ? [SmallToLE[R["length"]], true]
    : never;
type DigitsShift<E extends string, S extends string, Lo extends string, Hi extends string> = (
  Lo extends "0" ? S : AddLE<Lo, S>
) extends infer T1 extends string
  ? (Hi extends "0" ? T1 : AddLE<T1, Hi>) extends infer T extends string
    ? SubLE<T, E> extends [infer G extends string, infer Br]
      ? Br extends "0"
        ? [Trim<G>, false]
        : SubLE<E, T> extends [infer G2 extends string, infer _]
          ? [Trim<G2>, true]
          : never
      : never
    : never
  : never;

/**
 * floor(N / S) for N in normal order, as a number literal. A single-digit S divides two digits per
 * step with a normal-order quotient (no reversal); Safe says N is known to be below 2^53.
 */
type Quotient<N extends string, S extends string, Safe extends boolean> = S extends "1"
  ? Safe extends true
    ? FromSafeDigits<N>
    : FromDigits<N>
  : S extends keyof DivTable
    ? FromSafeDigits<DivDigitN<N, S>[0]>
    : DigitFactors[S] extends infer F extends string
      ? FromSafeDigits<DivFactorsN<N, F>>
      : DivLong<N, S>[0] extends infer Q extends string
        ? FromLE<Q>
        : never;

/**
 * The output size floor((H + lo + hi - E) / s) + 1 = floor((H + G) / s) as a number literal, or for a
 * non-positive size { bad: n; padded; extent } with the numbers the message shows. HN is H in
 * normal order (`${H}`), used as is when G = 0 (the common "same-size" geometries).
 */
export type OutDim<
  HN extends string,
  K extends string,
  S extends string,
  D extends string,
  Lo extends string,
  Hi extends string,
> =
  Shift<K, S, D, Lo, Hi> extends [infer G extends string, infer Neg]
    ? (
        G extends "0"
          ? [HN, "0", true]
          : Neg extends false
            ? [Reverse<AddLE<Reverse<HN>, G>>, "0", S extends "1" ? false : true]
            : SubLE<Reverse<HN>, G> extends [infer N extends string, infer Br]
              ? [Reverse<Trim<N>>, Br, true]
              : never
      ) extends [infer N extends string, infer Br, infer Safe extends boolean]
      ? Br extends "1"
        ? BadDim<Reverse<HN>, K, S, D, Lo, Hi, SubLE<G, Reverse<HN>>[0]>
        : Quotient<N, S, Safe> extends infer Q
          ? Q extends 0
            ? BadDim<Reverse<HN>, K, S, D, Lo, Hi, "0">
            : Q extends number
              ? Q
              : number
          : never
      : never
    : never;

/**
 * The error path: H + G = -m < 0 gives floor(-m / s) = -floor((m + s - 1) / s); H + G >= 0 with a
 * zero quotient gives 0. Computed only for a call that is already wrong.
 */
export type BadDim<
  H extends string,
  K extends string,
  S extends string,
  D extends string,
  Lo extends string,
  Hi extends string,
  M extends string,
> = {
  bad: Trim<M> extends "0"
    ? 0
    : SubLE<AddLE<Trim<M>, S>, "1">[0] extends infer T extends string
      ? DivModLE<Trim<T>, S>[0] extends infer C extends string
        ? `-${FromLE<C> & number}` extends `${infer N extends number}`
          ? N
          : never
        : never
      : never;
  padded: FromLE<AddLE<AddLE<H, Lo>, Hi>>;
  extent: FromLE<Extent<K, D>>;
};

/** The output size of one dim: a number literal, `number` when any ingredient is known only at run time, or BadDim. */
export type Dim<
  H extends string,
  K extends string,
  S extends string,
  D extends string,
  Lo extends string,
  Hi extends string,
> = Wide extends H | K | S | D | Lo | Hi ? number : OutDim<H, K, S, D, Lo, Hi>;

/** "same" padding: d (k - 1) split as lo = floor(total / 2), hi = total - lo (extra at the end). */
export type SameSplit<K, D> = Wide extends K | D
  ? [Wide, Wide]
  : [K, D] extends [infer k extends string, infer d extends string]
    ? Extent<k, d> extends infer E extends string
      ? SubLE<E, "1"> extends [infer T extends string, infer _]
        ? DivModLE<Trim<T>, "2">[0] extends infer Lo extends string
          ? SubLE<Trim<T>, Lo> extends [infer Hi extends string, infer _]
            ? [Lo, Trim<Hi>]
            : never
          : never
        : never
      : never
    : never;

export type Num<L> = L extends Wide
  ? number
  : L extends string
    ? FromLE<L> extends infer N extends number
      ? N
      : number
    : never;
export type NumOf<R> = R extends number ? R : R extends { bad: infer N extends number } ? N : number;

// ---------------------------------------------------------------------------------------------
// The whole check, stage by stage.
//
// Cost discipline: a stage's values travel as flat tuples read by index (In[5]) rather than as
// objects matched against patterns (a pattern with `infer` is instantiated twice and inferred
// into); a sub-result is tested with `X extends "ok" ? next : X` (a cached alias reference costs
// its arguments only) rather than bound with `extends infer`; and every piece that depends on
// fewer inputs than the whole call is an alias of just those inputs, so TypeScript's cache shares
// it: the options' own errors per options, the geometry per options and kernel, one output size
// per (size, kernel, stride, dilation, pads).

export type Disjoint<A, B> = [A & B] extends [never] ? true : false;

/** A valid input: [batch, C, H, W, c, h, w] with the batch ([N] or []) and C, H, W as written, c LE, h and w in normal order (or Wide). */
export type InputOk = [unknown[], unknown, unknown, unknown, string, string, string];
/** A valid weight: [co, ci, kh, kw] as LE digits (or Wide), then C_out as written. */
export type WeightOk = [string, string, string, string, unknown];
/** Valid geometry options: [top, bottom, left, right, sh, sw, dh, dw], LE digits or Wide. */
export type GeometryOk = [string, string, string, string, string, string, string, string];

/** Which op's catalogue entries the stages shared by conv2d and convTranspose2d quote. */
export type ConvOp = "conv2d" | "convTranspose2d";

/** Input: [N, C, H, W] or [C, H, W]; the batch is carried as is, never inspected. */
export type InputStage<S, Op extends ConvOp = "conv2d"> = S extends readonly [infer N, infer C, infer H, infer W]
  ? InputDims<[N], C, H, W, S, Op>
  : S extends readonly [infer C, infer H, infer W]
    ? InputDims<[], C, H, W, S, Op>
    : S extends readonly unknown[]
      ? number extends S["length"]
        ? { wide: true }
        : Err<
            "input",
            Op extends "conv2d"
              ? ReturnType<typeof conv2dErrors.inputRank<S["length"], Show<S>>>
              : ReturnType<typeof conv2dErrors.transposeInputRank<S["length"], Show<S>>>
          >
      : never;

/**
 * H and W stay in normal order (validated, not reversed): a layer whose G is 0 (most "same-size"
 * layers) divides them as they are, and only the others pay for a reversal (OutDim).
 */
type InputDims<Batch, C, H, W, S, Op extends ConvOp> = "bad" extends Nat<C> | Valid<H> | Valid<W>
  ? Err<
      "input",
      Show<"bad" extends Nat<C> ? C : "bad" extends Valid<H> ? H : W> extends infer V extends string
        ? Op extends "conv2d"
          ? ReturnType<typeof conv2dErrors.inputDim<Show<S>, V>>
          : ReturnType<typeof conv2dErrors.transposeInputDim<Show<S>, V>>
        : never
    >
  : [Batch, C, H, W, Nat<C>, Valid<H>, Valid<W>];

/** The dtype and device messages of a weight or bias, in the catalogue of Op (only built for a call that is wrong). */
type DtypeMessage<Op extends ConvOp, Which extends "weight" | "bias", D, XD> = Op extends "conv2d"
  ? ReturnType<typeof conv2dErrors.dtypeMismatch<Which, D & string, XD & string>>
  : ReturnType<typeof conv2dErrors.transposeDtypeMismatch<Which, D & string, XD & string>>;
type DeviceMessage<Op extends ConvOp, Which extends "weight" | "bias", Dev, XDev> = Op extends "conv2d"
  ? ReturnType<typeof conv2dErrors.deviceMismatch<Which, Dev & string, XDev & string>>
  : ReturnType<typeof conv2dErrors.transposeDeviceMismatch<Which, Dev & string, XDev & string>>;

/**
 * Weight: four positive dims, the input's dtype and device. For conv2d [C_out, C_in / groups, kH, kW];
 * convTranspose2d reads the same four slots as [C_in, C_out / groups, kH, kW].
 */
export type WeightStage<WS, WD, WDev, XD, XDev, Op extends ConvOp = "conv2d"> = WS extends readonly [
  infer Co,
  infer Ci,
  infer Kh,
  infer Kw,
]
  ? "bad" extends Pos<Co> | Pos<Ci> | Pos<Kh> | Pos<Kw>
    ? Err<
        "weight",
        Show<
          "bad" extends Pos<Co> ? Co : "bad" extends Pos<Ci> ? Ci : "bad" extends Pos<Kh> ? Kh : Kw
        > extends infer V extends string
          ? Op extends "conv2d"
            ? ReturnType<typeof conv2dErrors.weightDim<Show<WS>, V>>
            : ReturnType<typeof conv2dErrors.transposeWeightDim<Show<WS>, V>>
          : never
      >
    : Disjoint<WD, XD> extends true
      ? Err<"weight", DtypeMessage<Op, "weight", WD, XD>>
      : Disjoint<WDev, XDev> extends true
        ? Err<"weight", DeviceMessage<Op, "weight", WDev, XDev>>
        : [Pos<Co>, Pos<Ci>, Pos<Kh>, Pos<Kw>, Co]
  : WS extends readonly unknown[]
    ? number extends WS["length"]
      ? [Wide, Wide, Wide, Wide, number]
      : Err<
          "weight",
          Op extends "conv2d"
            ? ReturnType<typeof conv2dErrors.weightRank<WS["length"], Show<WS>>>
            : ReturnType<typeof conv2dErrors.transposeWeightRank<WS["length"], Show<WS>>>
        >
    : never;

/** C_in == (C_in / groups) * groups, when the three are literal and groups is valid. */
export type ChannelStage<C, Ci, G, XC, WS> = Wide extends C | Ci | G
  ? "ok"
  : G extends "bad"
    ? "ok"
    : // groups 1: the digit strings are canonical, so equal channel counts are equal strings.
      G extends "1"
      ? C extends Ci
        ? "ok"
        : ChannelError<XC, Ci, WS, "1">
      : [C, Ci, G] extends [infer c extends string, infer ci extends string, infer g extends string]
        ? MulLE<ci, g> extends infer E extends string
          ? c extends E
            ? "ok"
            : ChannelError<XC, E, WS, g>
          : never
        : never;
type ChannelError<XC, E, WS, G> = Err<
  "weight",
  ReturnType<typeof conv2dErrors.channelMismatch<XC & number, Num<E>, Show<WS>, Num<G>>>
>;

export type BiasStage<B, Co, WCo, BD, BDev, XD, XDev, Op extends ConvOp = "conv2d"> = B extends undefined | null
  ? "ok"
  : B extends { shape: infer BS }
    ? (
        BS extends readonly [infer b]
          ? Wide extends Co | Nat<b>
            ? true
            : Nat<b> extends Co
              ? true
              : false
          : number extends (BS extends readonly unknown[] ? BS["length"] : 0)
            ? true
            : false
      ) extends false
      ? Err<
          "bias",
          Op extends "conv2d"
            ? ReturnType<typeof conv2dErrors.biasShape<WCo & number, Show<BS>>>
            : ReturnType<typeof conv2dErrors.transposeBiasShape<WCo & number, Show<BS>>>
        >
      : Disjoint<BD, XD> extends true
        ? Err<"bias", DtypeMessage<Op, "bias", BD, XD>>
        : Disjoint<BDev, XDev> extends true
          ? Err<"bias", DeviceMessage<Op, "bias", BDev, XDev>>
          : "ok"
    : "ok";

export type PadMsgList<P> = P extends [infer T, infer B, infer L, infer R, ...unknown[]]
  ? `[${Num<T>}, ${Num<B>}, ${Num<L>}, ${Num<R>}]`
  : never;

/** reflect: every pad < its input size; circular: every pad <= its input size (PyTorch's limits). HW is [H, W] as written. */
export type LimitStage<Mode, P, H, W, HW> = Mode extends "reflect" | "circular"
  ? P extends [infer T, infer B, infer L, infer R, ...unknown[]]
    ? [[T, H], [B, H], [L, W], [R, W]][number] extends infer Pair
      ? (
          Pair extends [Wide, unknown] | [unknown, Wide]
            ? "<"
            : Pair extends [infer p extends string, infer s extends string]
              ? CmpLE<p, Reverse<s>>
              : "<"
        ) extends infer Ords
        ? (Mode extends "reflect" ? ">" | "=" : ">") extends infer Bad
          ? [Extract<Ords, Bad>] extends [never]
            ? "ok"
            : Err<
                "options",
                Mode extends "reflect"
                  ? ReturnType<typeof conv2dErrors.reflectLimit<PadMsgList<P>, Show<HW>>>
                  : ReturnType<typeof conv2dErrors.circularLimit<PadMsgList<P>, Show<HW>>>
              >
          : never
        : never
      : never
    : "ok"
  : "ok";

export type IsOne<S> = S extends ["1", "1"]
  ? true
  : S extends [infer a, infer b]
    ? Exclude<a | b, "1" | Wide> extends never
      ? "maybe"
      : false
    : false;

/**
 * The geometry once stride, dilation and padding are valid ("same" only with stride 1, resolved
 * against the kernel) as a GeometryOk tuple, else null. Cached per options and weight.
 */
export type Geometry<PO extends Parsed, Wt extends WeightOk> = "bad" extends
  PO["stride"] | PO["dilation"] | PO["padding"]
  ? null
  : PO["padding"] extends "same"
    ? IsOne<PO["stride"]> extends false
      ? null
      : GeometryOf<SamePads<Wt[2], Wt[3], PO["dilation"]>, PO["stride"], PO["dilation"]>
    : GeometryOf<PO["padding"], PO["stride"], PO["dilation"]>;
type GeometryOf<P, S, D> = P extends unknown[]
  ? S extends unknown[]
    ? D extends unknown[]
      ? [...P, ...S, ...D]
      : null
    : null
  : null;
/** "same" padding of both dims: [top, bottom, left, right]. */
type SamePads<Kh, Kw, D> = D extends [infer dh, infer dw]
  ? [SameSplit<Kh, dh>, SameSplit<Kw, dw>] extends [[infer t, infer b], [infer l, infer r]]
    ? [t, b, l, r]
    : never
  : never;

/** Both output sizes (a number, or BadDim for a non-positive one), or null while the geometry is invalid. */
export type OutDims<
  H extends string,
  W extends string,
  Kh extends string,
  Kw extends string,
  Geo,
> = Geo extends GeometryOk
  ? [Dim<H, Kh, Geo[4], Geo[6], Geo[0], Geo[1]>, Dim<W, Kw, Geo[5], Geo[7], Geo[2], Geo[3]>]
  : null;

/** The options' own errors, in resolveConv2d's order (they depend on the options alone): "ok" or the error. */
export type OptionsError<O extends readonly unknown[], PO extends Parsed> = [PO["unknown"]] extends [never]
  ? PO["groups"] extends "bad"
    ? Err<"options", ReturnType<typeof conv2dErrors.groups<Show<O[3]>>>>
    : PO["stride"] extends "bad"
      ? Err<"options", ReturnType<typeof conv2dErrors.pairOption<"stride", Show<O[0]>>>>
      : PO["dilation"] extends "bad"
        ? Err<"options", ReturnType<typeof conv2dErrors.pairOption<"dilation", Show<O[2]>>>>
        : PO["padding"] extends "bad"
          ? Err<"options", ReturnType<typeof conv2dErrors.padding<Show<O[1]>>>>
          : PO["mode"] extends "bad"
            ? Err<"options", ReturnType<typeof conv2dErrors.paddingMode<Show<O[4]>>>>
            : "ok"
  : Err<"options", ReturnType<typeof conv2dErrors.unknownOption<Show<`${PO["unknown"] & (string | number)}`>>>>;

/** C_out divisible by groups (co LE, WCo as written, g LE). */
export type GroupsDivide<Co, WCo, G> = G extends "1"
  ? "ok"
  : Wide extends Co | G
    ? "ok"
    : [Co, G] extends [infer co extends string, infer g extends string]
      ? DivModLE<co, g>[1] extends "0"
        ? "ok"
        : Err<"options", ReturnType<typeof conv2dErrors.groupsDivide<WCo & number, Num<G>>>>
      : "ok";

/** Padding "same" with a stride other than 1. */
export type SameStride<O extends readonly unknown[], PO extends Parsed> = PO["padding"] extends "same"
  ? IsOne<PO["stride"]> extends false
    ? Err<"options", ReturnType<typeof conv2dErrors.sameStride<Show<O[0]>>>>
    : "ok"
  : "ok";

/**
 * The check: the fast path when the call is one of the common shapes it recognises, else the chain
 * of small stages (see the cost note above), which gives the same result for those calls.
 */
export type Conv2dCheck<XS, WS, B, O extends readonly unknown[], XD, XDev, WD, WDev, BD, BDev> =
  FastConv2d<XS, WS, B, O, XD, XDev, WD, WDev, BD, BDev> extends infer F
    ? F extends "slow"
      ? Conv2dChainCheck<XS, WS, B, O, XD, XDev, WD, WDev, BD, BDev>
      : F
    : never;
/** The chain alone (test/types/conv-fast-path.test.ts checks the fast path against it). */
export type Conv2dChainCheck<XS, WS, B, O extends readonly unknown[], XD, XDev, WD, WDev, BD, BDev> = CheckInput<
  InputStage<XS>,
  WS,
  B,
  O,
  XD,
  XDev,
  WD,
  WDev,
  BD,
  BDev
>;

// ---------------------------------------------------------------------------------------------
// The fast path. Nearly every conv of a real network is a batched [N, C, H, W] input with literal
// sizes below 4096, a weight [C_out, C, k, k] with k a digit, stride 1 or 2, dilation 1, groups 1,
// zero padding of one digit (or "same" / "valid") and a bias of the weight's dtype or none. For
// those, every stage of the chain but the output sizes is a test that passes, and each stage is
// an alias of this call's own shapes, so each costs its instantiations again at every call (a
// model's convs rarely share a channel pair). The fast path replaces them by one pattern match
// and one tuple test: sizes below 4096 are exactly the numbers with a SmallToLE entry, and a
// one-digit kernel, stride or padding is its own little-endian digit string, so the geometry
// needs no arithmetic. The output sizes are the chain's own OutDims (cached per size and
// geometry); anything else (a wide or generic dim, another option, a size that is not positive, a
// message to give) returns "slow" and the chain decides, so the results cannot differ.

type OneDigit = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
type FastPad = undefined | "valid" | "same" | 0 | OneDigit;

/** The fast path's result, or "slow" for a call it leaves to the chain. */
export type FastConv2d<XS, WS, B, O extends readonly unknown[], XD, XDev, WD, WDev, BD, BDev> =
  // The tests run in the chain's order (input, weight, channels, bias, options), so that a call
  // the chain decides early (a bad input, under generic options) is not deferred here on a later
  // part. Mutable tuples: the pattern instantiated with what it infers is then XS itself (a
  // readonly pattern would build a new tuple type per call); a readonly shape takes the chain.
  XS extends [infer N, infer C extends number, infer H extends number, infer W extends number]
    ? // Sizes below 4096 are exactly the numbers with a SmallToLE entry.
      SmallToLE[C | H | W] extends string
      ? WS extends [infer Co extends number, infer Ci extends C, infer Kh extends OneDigit, infer Kw extends OneDigit]
        ? SmallToLE[Co] extends string
          ? 0 extends Co | Ci
            ? "slow"
            : // C_in within C (the pattern) and C within C_in; placements those of the input.
              [C] extends [Ci]
              ? Disjoint<WD, XD> | Disjoint<WDev, XDev> | FastBias<B, Co, BD, BDev, XD, XDev> extends false
                ? O extends [
                    infer S extends undefined | 1 | 2,
                    infer P extends FastPad,
                    undefined | 1,
                    undefined | 1,
                    undefined | "zeros",
                    never,
                  ]
                  ? FastOut<N, Co, OutDims<`${H}`, `${W}`, `${Kh}`, `${Kw}`, FastGeometry<S, P, Kh, Kw>>>
                  : "slow"
                : "slow"
              : "slow"
          : "slow"
        : "slow"
      : "slow"
    : "slow";

/** false for no bias, or a [C_out] bias of the input's dtype and device (what BiasStage passes); else true. */
type FastBias<B, Co, BD, BDev, XD, XDev> = [B] extends [undefined]
  ? false
  : B extends { shape: [infer b] }
    ? [b] extends [Co]
      ? Disjoint<BD, XD> | Disjoint<BDev, XDev>
      : true
    : true;

/**
 * The GeometryOk tuple for the fast path's options, distributing over a union of strides or
 * paddings as Geometry does; "slow" (which OutDims turns into null) for "same" with stride 2 and for
 * "same" in a union (both errors or quirks the chain decides).
 */
type FastGeometry<S, P, Kh extends OneDigit, Kw extends OneDigit> = "same" extends P
  ? [P] extends ["same"]
    ? FastSame<S, Kh, Kw>
    : "slow"
  : FastPads<S, P>;
type FastSame<S, Kh extends OneDigit, Kw extends OneDigit> = S extends 2
  ? "slow"
  : [...SameSplit<`${Kh}`, "1">, ...SameSplit<`${Kw}`, "1">, "1", "1", "1", "1"];
type FastPads<S, P> = S extends undefined | 1 | 2
  ? (S extends 2 ? "2" : "1") extends infer s extends string
    ? P extends number
      ? [`${P}`, `${P}`, `${P}`, `${P}`, s, s, "1", "1"]
      : ["0", "0", "0", "0", s, s, "1", "1"]
    : never
  : never;

/** The result when every output size is positive, else "slow". */
type FastOut<N, Co, Out> = [Out] extends [[number, number]] ? FastOk<N, Co, Out> : "slow";
/** A union of geometries gives a union of results, as the chain's (an alias of its own: a conditional nested in another's branch does not distribute). */
type FastOk<N, Co, Out> = Out extends [number, number] ? { ok: [N, Co, ...Out] } : never;

export type CheckInput<In, WS, B, O extends readonly unknown[], XD, XDev, WD, WDev, BD, BDev> = In extends InputOk
  ? CheckWeight<In, WeightStage<WS, WD, WDev, XD, XDev>, ParsedOptions<O>, WS, B, O, XD, XDev, BD, BDev>
  : In extends AnyErr
    ? In
    : { ok: number[] };

export type CheckWeight<
  In extends InputOk,
  Wt,
  PO extends Parsed,
  WS,
  B,
  O extends readonly unknown[],
  XD,
  XDev,
  BD,
  BDev,
> = Wt extends WeightOk
  ? ChannelStage<In[4], Wt[1], PO["groups"], In[1], WS> extends "ok"
    ? CheckBias<
        In,
        Wt,
        OutDims<In[5], In[6], Wt[2], Wt[3], Geometry<PO, Wt>>,
        Geometry<PO, Wt>,
        PO,
        B,
        O,
        XD,
        XDev,
        BD,
        BDev
      >
    : ChannelStage<In[4], Wt[1], PO["groups"], In[1], WS>
  : Wt;

/** A non-positive output size is reported before the bias and the options (resolveConv2d's order). */
export type CheckBias<
  In extends InputOk,
  Wt extends WeightOk,
  Out,
  Geo,
  PO extends Parsed,
  B,
  O extends readonly unknown[],
  XD,
  XDev,
  BD,
  BDev,
> = Out extends [number, number] | null
  ? [B] extends [undefined | null]
    ? CheckOptions<In, Wt, Out, Geo, PO, O>
    : BiasStage<B, Wt[0], Wt[4], BD, BDev, XD, XDev> extends infer Bi
      ? Bi extends "ok"
        ? CheckOptions<In, Wt, Out, Geo, PO, O>
        : Bi
      : never
  : OutputSizeError<Out, In[5], In[6], Wt, Geo>;

export type CheckOptions<
  In extends InputOk,
  Wt extends WeightOk,
  Out,
  Geo,
  PO extends Parsed,
  O extends readonly unknown[],
> =
  OptionsError<O, PO> extends "ok"
    ? GroupsDivide<Wt[0], Wt[4], PO["groups"]> extends "ok"
      ? SameStride<O, PO> extends "ok"
        ? (
            PO["mode"] extends "reflect" | "circular" ? LimitStage<PO["mode"], Geo, In[5], In[6], [In[2], In[3]]> : "ok"
          ) extends "ok"
          ? Out extends [number, number]
            ? { ok: [...In[0], Wt[4], ...Out] }
            : never
          : LimitStage<PO["mode"], Geo, In[5], In[6], [In[2], In[3]]>
        : SameStride<O, PO>
      : GroupsDivide<Wt[0], Wt[4], PO["groups"]>
    : OptionsError<O, PO>;

/** The message for a non-positive output size, with the padded sizes and kernel extents of both dims. */
export type OutputSizeError<Out, H, W, Wt extends WeightOk, Geo> = [Out, Geo] extends [
  [infer OH, infer OW],
  [infer T, infer Bo, infer L, infer R, infer Sh, infer Sw, infer Dh, infer Dw],
]
  ? Err<
      "weight",
      ReturnType<
        typeof conv2dErrors.outputSize<
          `[${NumOf<OH>}, ${NumOf<OW>}]`,
          `[${Padded<H, T, Bo>}, ${Padded<W, L, R>}]`,
          `[${ExtentNum<Wt[2], Dh>}, ${ExtentNum<Wt[3], Dw>}]`,
          `[${Num<Sh>}, ${Num<Sw>}]`
        >
      >
    >
  : never;
export type Padded<H, Lo, Hi> = [H, Lo, Hi] extends [
  infer h extends string,
  infer lo extends string,
  infer hi extends string,
]
  ? Wide extends h | lo | hi
    ? number
    : FromLE<AddLE<AddLE<Reverse<h>, lo>, hi>>
  : never;
export type ExtentNum<K, D> = [K, D] extends [infer k extends string, infer d extends string]
  ? Wide extends k | d
    ? number
    : FromLE<Extent<k, d>>
  : never;

// ---------------------------------------------------------------------------------------------
// convTranspose2d: conv2d's input gradient, so its rule is conv2d's read backwards (the run time's
// resolveConvTranspose2d in src/ops/conv2d.ts, whose order the stages follow: input, weight,
// channels, output size, bias, options). Weight [C_in, C_out / groups, kH, kW];
//   H_out = (H - 1) s - 2 p + d (k - 1) + outputPadding + 1,
// computed as (H s + E + outputPadding) - (s + 2 p) with E = d (k - 1) + 1, so that no intermediate
// is negative (H = 0 is a legal size) and everything but H s depends on the layer's geometry only.

export type TransposeKnownKey = "stride" | "padding" | "outputPadding" | "groups" | "dilation";

/** The options as [stride, padding, outputPadding, groups, dilation, unknown keys] (see OptionValues). */
export type TransposeOptionValues<O, Skip = never> = O extends {
  stride?: infer S;
  padding?: infer P;
  outputPadding?: infer OP;
  groups?: infer G;
  dilation?: infer D;
  weight?: unknown;
  bias?: unknown;
  dtype?: unknown;
  device?: unknown;
}
  ? Exclude<keyof O, TransposeKnownKey | Skip> extends infer U
    ? [Present<S>, Present<P>, Present<OP>, Present<G>, Present<D>] extends [
        infer s,
        infer p,
        infer op,
        infer g,
        infer d,
      ]
      ? [s, p, op, g, d, U]
      : never
    : never
  : never;

export type TransposeParsed = {
  unknown: unknown;
  stride: unknown;
  padding: unknown;
  outputPadding: unknown;
  groups: unknown;
  dilation: unknown;
};
export type TransposeParsedOptions<O extends readonly unknown[]> = {
  unknown: O[5];
  stride: PairOf<O[0]>;
  padding: PairOf<O[1], "0">;
  outputPadding: PairOf<O[2], "0">;
  groups: GroupsOf<O[3]>;
  dilation: PairOf<O[4]>;
};

/** Input channels against the weight's dim 0 (c and wi LE, XC as written). */
export type TransposeChannelStage<C, Wi, XC, WS> = Wide extends C | Wi
  ? "ok"
  : C extends Wi
    ? "ok"
    : Err<"weight", ReturnType<typeof conv2dErrors.transposeChannelMismatch<XC & number, Num<Wi>, Show<WS>>>>;

/**
 * One output size: a number literal, `number` when an ingredient is known only at run time,
 * { bad: n } for a size n <= 0, or { large: digits } for a size above 2^53 - 1 (both refused, with
 * the exact value: the run time computes them in BigInt). H is in normal order, the rest LE.
 */
export type TransposeDim<
  H extends string,
  K extends string,
  S extends string,
  D extends string,
  P extends string,
  OP extends string,
> = Wide extends H | K | S | D | P | OP
  ? number
  : TransposeOut<Reverse<H>, S, TransposeGain<K, D, OP>, TransposeLoss<S, P>>;
/** E + outputPadding: the geometry's part of the positive side. */
type TransposeGain<K extends string, D extends string, OP extends string> = OP extends "0"
  ? Extent<K, D>
  : AddLE<Extent<K, D>, OP>;
/** s + 2 p: the geometry's part of the negative side. */
type TransposeLoss<S extends string, P extends string> = P extends "0" ? S : AddLE<AddLE<S, P>, P>;
type TransposeOut<H extends string, S extends string, Gain extends string, Loss extends string> =
  AddLE<S extends "1" ? H : MulLE<H, S>, Gain> extends infer Pos extends string
    ? SubLE<Trim<Pos>, Loss> extends [infer R extends string, infer Br]
      ? Br extends "0"
        ? Trim<R> extends "0"
          ? { bad: 0 }
          : Reverse<Trim<R>> extends infer N extends string
            ? SafeDigits<N> extends true
              ? FromSafeDigits<N>
              : { large: N }
            : never
        : SubLE<Loss, Trim<Pos>> extends [infer M extends string, infer _]
          ? `-${Reverse<Trim<M>>}` extends `${infer N extends number}`
            ? { bad: N }
            : never
          : never
      : never
    : never;
/** A size as the messages print it: the number, or the exact digits of one above 2^53 - 1. */
type SizeText<V> = V extends number
  ? `${V}`
  : V extends { bad: infer N extends number }
    ? `${N}`
    : V extends { large: infer N extends string }
      ? N
      : never;

/** Both output sizes, or null while stride, dilation, padding or outputPadding is invalid. */
export type TransposeOutDims<
  H extends string,
  W extends string,
  Kh extends string,
  Kw extends string,
  PO,
> = PO extends {
  stride: [infer Sh extends string, infer Sw extends string];
  dilation: [infer Dh extends string, infer Dw extends string];
  padding: [infer Ph extends string, infer Pw extends string];
  outputPadding: [infer Oh extends string, infer Ow extends string];
}
  ? [TransposeDim<H, Kh, Sh, Dh, Ph, Oh>, TransposeDim<W, Kw, Sw, Dw, Pw, Ow>]
  : null;

/** C_out = (C_out / groups) * groups, LE (Wide when unknown); the weight's dim 1 while groups is invalid. */
export type TransposeOutChannels<Wo, G> = G extends "1" | "bad"
  ? Wo
  : Wide extends Wo | G
    ? Wide
    : [Wo, G] extends [infer wo extends string, infer g extends string]
      ? MulLE<wo, g>
      : never;

/** The options' own errors, in resolveConvTranspose2d's order: "ok" or the error. */
export type TransposeOptionsError<O extends readonly unknown[], PO extends TransposeParsed> = [PO["unknown"]] extends [
  never,
]
  ? PO["groups"] extends "bad"
    ? Err<"options", ReturnType<typeof conv2dErrors.transposeGroups<Show<O[3]>>>>
    : PO["stride"] extends "bad"
      ? Err<"options", ReturnType<typeof conv2dErrors.transposePairOption<"stride", Show<O[0]>>>>
      : PO["dilation"] extends "bad"
        ? Err<"options", ReturnType<typeof conv2dErrors.transposePairOption<"dilation", Show<O[4]>>>>
        : PO["padding"] extends "bad"
          ? Err<"options", ReturnType<typeof conv2dErrors.transposePadOption<"padding", Show<O[1]>>>>
          : PO["outputPadding"] extends "bad"
            ? Err<"options", ReturnType<typeof conv2dErrors.transposePadOption<"outputPadding", Show<O[2]>>>>
            : "ok"
  : Err<
      "options",
      ReturnType<typeof conv2dErrors.transposeUnknownOption<Show<`${PO["unknown"] & (string | number)}`>>>
    >;

/** outputPadding below the stride or the dilation, in each dim (PyTorch's rule); needs valid options. */
export type OutputPaddingStage<PO> = PO extends {
  stride: [infer Sh, infer Sw];
  dilation: [infer Dh, infer Dw];
  outputPadding: [infer Oh, infer Ow];
}
  ? true extends OutputPaddingTooLarge<Oh, Sh, Dh> | OutputPaddingTooLarge<Ow, Sw, Dw>
    ? Err<
        "options",
        ReturnType<
          typeof conv2dErrors.transposeOutputPadding<
            `[${Num<Oh>}, ${Num<Ow>}]`,
            `[${Num<Sh>}, ${Num<Sw>}]`,
            `[${Num<Dh>}, ${Num<Dw>}]`
          >
        >
      >
    : "ok"
  : "ok";
type OutputPaddingTooLarge<O, S, D> = Wide extends O | S | D
  ? false
  : [O, S, D] extends [infer o extends string, infer s extends string, infer d extends string]
    ? CmpLE<o, s> extends "<"
      ? false
      : CmpLE<o, d> extends "<"
        ? false
        : true
    : false;

/** groups divides C_in (wi LE). */
export type TransposeGroupsDivide<Wi, G> = G extends "1"
  ? "ok"
  : Wide extends Wi | G
    ? "ok"
    : [Wi, G] extends [infer wi extends string, infer g extends string]
      ? DivModLE<wi, g>[1] extends "0"
        ? "ok"
        : Err<"options", ReturnType<typeof conv2dErrors.transposeGroupsDivide<Num<Wi>, Num<G>>>>
      : "ok";

/** The whole check: { ok: shape } or { at, message }, as Conv2dCheck. */
export type ConvTranspose2dCheck<
  XS,
  WS,
  B,
  O extends readonly unknown[],
  XD,
  XDev,
  WD,
  WDev,
  BD,
  BDev,
> = TransposeCheckInput<InputStage<XS, "convTranspose2d">, WS, B, O, XD, XDev, WD, WDev, BD, BDev>;

type TransposeCheckInput<In, WS, B, O extends readonly unknown[], XD, XDev, WD, WDev, BD, BDev> = In extends InputOk
  ? TransposeCheckWeight<
      In,
      WeightStage<WS, WD, WDev, XD, XDev, "convTranspose2d">,
      TransposeParsedOptions<O>,
      WS,
      B,
      O,
      XD,
      XDev,
      BD,
      BDev
    >
  : In extends AnyErr
    ? In
    : { ok: number[] };

type TransposeCheckWeight<
  In extends InputOk,
  Wt,
  PO extends TransposeParsed,
  WS,
  B,
  O extends readonly unknown[],
  XD,
  XDev,
  BD,
  BDev,
> = Wt extends WeightOk
  ? TransposeChannelStage<In[4], Wt[0], In[1], WS> extends "ok"
    ? TransposeCheckBias<
        In,
        Wt,
        TransposeOutDims<In[5], In[6], Wt[2], Wt[3], PO>,
        TransposeOutChannels<Wt[1], PO["groups"]>,
        PO,
        B,
        O,
        XD,
        XDev,
        BD,
        BDev
      >
    : TransposeChannelStage<In[4], Wt[0], In[1], WS>
  : Wt;

type TransposeCheckBias<
  In extends InputOk,
  Wt extends WeightOk,
  Out,
  Co,
  PO extends TransposeParsed,
  B,
  O extends readonly unknown[],
  XD,
  XDev,
  BD,
  BDev,
> = Out extends [number, number] | null
  ? (
      [B] extends [undefined | null] ? "ok" : BiasStage<B, Co, Num<Co>, BD, BDev, XD, XDev, "convTranspose2d">
    ) extends infer Bi
    ? Bi extends "ok"
      ? TransposeCheckOptions<In, Wt, Out, Co, PO, O>
      : Bi
    : never
  : TransposeOutputSizeError<Out, In, Wt, PO>;

/** A non-positive size is reported first, then one above 2^53 - 1 (resolveConvTranspose2d's order). */
type TransposeOutputSizeError<Out, In extends InputOk, Wt extends WeightOk, PO> = Out extends [infer OH, infer OW]
  ? [Extract<OH | OW, { bad: number }>] extends [never]
    ? Err<"weight", ReturnType<typeof conv2dErrors.transposeOutputLarge<`[${SizeText<OH>}, ${SizeText<OW>}]`>>>
    : TransposeOutputSizeMessage<Out, In, Wt, PO>
  : never;

type TransposeCheckOptions<
  In extends InputOk,
  Wt extends WeightOk,
  Out,
  Co,
  PO extends TransposeParsed,
  O extends readonly unknown[],
> =
  TransposeOptionsError<O, PO> extends "ok"
    ? TransposeGroupsDivide<Wt[0], PO["groups"]> extends "ok"
      ? OutputPaddingStage<PO> extends "ok"
        ? Out extends [number, number]
          ? { ok: [...In[0], Num<Co>, ...Out] }
          : never
        : OutputPaddingStage<PO>
      : TransposeGroupsDivide<Wt[0], PO["groups"]>
    : TransposeOptionsError<O, PO>;

/** The message for a non-positive output size: both sizes, the input's, the padding and the dilated kernels. */
type TransposeOutputSizeMessage<Out, In extends InputOk, Wt extends WeightOk, PO> = [Out, PO] extends [
  [infer OH, infer OW],
  { padding: [infer Ph, infer Pw]; dilation: [infer Dh, infer Dw] },
]
  ? Err<
      "weight",
      ReturnType<
        typeof conv2dErrors.transposeOutputSize<
          `[${SizeText<OH>}, ${SizeText<OW>}]`,
          `[${In[2] & number}, ${In[3] & number}]`,
          `[${Num<Ph>}, ${Num<Pw>}]`,
          `[${ExtentNum<Wt[2], Dh>}, ${ExtentNum<Wt[3], Dw>}]`
        >
      >
    >
  : never;

// ---------------------------------------------------------------------------------------------
// Generic spatial sizes (types/shape/generic.ts): which output sizes equal the input's for every
// input size, decided from the layer's geometry alone.

/**
 * conv2d keeps a size when floor((H + G) / s) = H for every H: stride 1 and G = lo + hi + 1 - E = 0
 * (3x3 padding 1, 5x5 padding 2, any "same"). [keeps H, keeps W]; [false, false] while the options
 * or the kernel are invalid or known only at run time.
 */
export type Conv2dKeeps<WS, O extends readonly unknown[]> = WS extends readonly [unknown, unknown, infer Kh, infer Kw]
  ? [Pos<Kh>, Pos<Kw>] extends [infer kh extends string, infer kw extends string]
    ? Geometry<ParsedOptions<O>, ["1", "1", kh, kw, unknown]> extends infer Geo extends GeometryOk
      ? [Keeps<kh, Geo[4], Geo[6], Geo[0], Geo[1]>, Keeps<kw, Geo[5], Geo[7], Geo[2], Geo[3]>]
      : [false, false]
    : [false, false]
  : [false, false];
type Keeps<K, S, D, Lo, Hi> = [K, S, D, Lo, Hi] extends [
  infer k extends string,
  "1",
  infer d extends string,
  infer lo extends string,
  infer hi extends string,
]
  ? [Extract<k | d | lo | hi, Wide | "bad">] extends [never]
    ? Shift<k, "1", d, lo, hi> extends ["0", boolean]
      ? true
      : false
    : false
  : false;

/**
 * convTranspose2d keeps a size when (H - 1) s - 2 p + E + outputPadding = H for every H: stride 1
 * and E + outputPadding = 1 + 2 p (3x3 padding 1).
 */
export type ConvTranspose2dKeeps<WS, O extends readonly unknown[]> = WS extends readonly [
  unknown,
  unknown,
  infer Kh,
  infer Kw,
]
  ? TransposeParsedOptions<O> extends {
      stride: [infer Sh, infer Sw];
      dilation: [infer Dh, infer Dw];
      padding: [infer Ph, infer Pw];
      outputPadding: [infer Oh, infer Ow];
    }
    ? [TransposeKeeps<Pos<Kh>, Sh, Dh, Ph, Oh>, TransposeKeeps<Pos<Kw>, Sw, Dw, Pw, Ow>]
    : [false, false]
  : [false, false];
type TransposeKeeps<K, S, D, P, OP> = [K, S, D, P, OP] extends [
  infer k extends string,
  "1",
  infer d extends string,
  infer p extends string,
  infer op extends string,
]
  ? [Extract<k | d | p | op, Wide | "bad">] extends [never]
    ? Trim<TransposeGain<k, d, op>> extends Trim<TransposeLoss<"1", p>>
      ? true
      : false
    : false
  : false;
