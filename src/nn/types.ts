/**
 * Type-level shape functions of the layers, and how nn.Sequential chains them.
 *
 * TypeScript has no higher-kinded types, so a layer carries its shape rule as an interface whose
 * `output` reads `this["input"]` (the "HKT through `this`" encoding): applying the rule to a shape
 * S is `(F & { input: S })["output"]`, where `this` becomes the intersection and `this["input"]`
 * becomes S. A rule returns the output shape, or a message string that is exactly the text the
 * layer throws at run time for the same input.
 *
 *   interface ReLUFn extends ShapeFn { name: "ReLU"; output: this["input"] }
 *   ApplyShape<LinearFn<512, 10>, [8, 512]>   // [8, 10]
 *   ApplyShape<LinearFn<512, 10>, [8, 500]>   // "linear: input [8, 500] has 500 features but the layer expects 512 (weight [10, 512])"
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Div } from "../../types/arith/index.js";
import type { NextIndex } from "../../types/arith/tables.js";
import type { Linear, SameShape } from "../../types/shape/broadcast.js";
import type { Flatten, FlattenRange, Product } from "../../types/shape/reshape.js";
import type {
  DimRoute,
  GenericProduct,
  GenericRoute,
  KeptSizes,
  LiteralRoute,
  PairRoute,
} from "../../types/shape/generic.js";
import type { Pool2d, Pool2dKeeps } from "../../types/shape/pool.js";
import type { Interpolate } from "../../types/shape/interpolate.js";
import type { GroupNorm, LayerNorm } from "../../types/shape/normalization.js";
import type { ConvLayerResultOf, ConvLayerSpec } from "../ops/conv2d.js";
import type { Conv2dKeeps, ConvTranspose2dKeeps } from "../../types/shape/conv.js";
import type { GivenTensorsCheck } from "../../types/shape/layer-tensors.js";
import type { IsMessage, Show } from "../../types/shape/show.js";
import type { moduleErrors } from "../../types/errors.js";
import type { Tensor } from "../tensor.js";
import type { ModuleName } from "./module.js";

export interface ShapeFn {
  /** `unknown` rather than `Shape`: `this["input"]` is then exactly the applied shape, not `Shape & S` (an intersection that breaks tuple inference). */
  readonly input: unknown;
  readonly output: unknown;
  /** The layer's class name, as messages show it. */
  readonly name: string;
  /**
   * [in, out] channels of a layer over [N, C, H, W] (Conv2d, BatchNorm2d, a Sequential of them):
   * what the compiler can still check inside a class generic in its channel counts, where the
   * rule itself cannot run (see Layer's third `forward` signature).
   */
  readonly channels?: readonly [number, number];
  /**
   * `true` for layers that keep [N, C, ...]'s N and C as they are (activations, pooling, dropout).
   * `boolean` here: a rule that does not declare it (every rule inherits `channels`) keeps nothing.
   */
  readonly keepsChannels?: boolean;
  /** `true` for layers whose output shape is their input's (activations, normalisation, dropout). */
  readonly keepsShape?: boolean;
  /** `true` for layers whose `channels` map the channel dim (convs, BatchNorm2d, GroupNorm, a Sequential of them). */
  readonly mapsChannels?: boolean;
}

/** Whether a layer keeps [N, C, ...]'s N and C (declares `keepsChannels?: true`). */
export type KeepsChannels<F> = F extends { readonly keepsChannels?: true } ? true : false;

/**
 * The exact signature's gate (Layer.forward), intersected with its input tensor: unknown, except
 * for a rule that multiplies dims (`merges`: Flatten's start and end) when a merged dim is a type
 * parameter, whose product the compiler cannot finish: never sends that call to the signature
 * over run-time sizes (`[B, 8, H, H]` flattened from 1 is `[B, number]`).
 */
export type ExactDims<F extends ShapeFn, S extends Shape> = F extends {
  readonly merges?: readonly [infer A extends number, infer B extends number];
}
  ? GenericProduct<FlattenRange<S, A, B>, unknown, never>
  : unknown;

/**
 * A layer's [in, out] channels: [number, number] for a layer declaring none; a chain's followed
 * through its layers (FollowedChannels), never when they do not follow.
 */
export type LayerChannels<F extends ShapeFn> = F extends { readonly layers?: infer Ls extends readonly unknown[] }
  ? FollowedChannels<Ls>
  : NonNullable<F["channels"]>;

export type KeepsShape<F> = F extends { readonly keepsShape?: true } ? true : false;

/**
 * Rank -> index of the channel dim ([N, C], [C, H, W], [N, C, H, W], [N, C, D, H, W]) and of the
 * two spatial sizes; a rank without such a dim gives its pad index, the rank itself, which
 * `[...S, 0]` reads as the literal 0 (a literal route). RouteChannelIndex, the dim whose type
 * parameter sends a call to the channel route, leaves rank 3 out: its dim 0 is [C, H, W]'s
 * channels or [B, T, F]'s batch, which a Linear must pass on.
 */
interface ChannelIndex {
  readonly [rank: number]: number;
  0: 0;
  1: 1;
  2: 1;
  3: 0;
  4: 1;
  5: 1;
  6: 6;
  7: 7;
  8: 8;
}
interface RouteChannelIndex {
  readonly [rank: number]: number;
  0: 0;
  1: 1;
  2: 1;
  3: 3;
  4: 1;
  5: 1;
  6: 6;
  7: 7;
  8: 8;
}
interface HeightIndex {
  readonly [rank: number]: number;
  0: 0;
  1: 1;
  2: 2;
  3: 1;
  4: 2;
  5: 3;
  6: 6;
  7: 7;
  8: 8;
}
interface WidthIndex {
  readonly [rank: number]: number;
  0: 0;
  1: 1;
  2: 2;
  3: 2;
  4: 3;
  5: 4;
  6: 6;
  7: 7;
  8: 8;
}
/** The dims Layer.forward's routes test: S's channel dim, H and W (0 where S has none). */
export type ChannelDim<S extends Shape> = [...S, 0][RouteChannelIndex[S["length"]]];
export type HeightDim<S extends Shape> = [...S, 0][HeightIndex[S["length"]]];
export type WidthDim<S extends Shape> = [...S, 0][WidthIndex[S["length"]]];

/**
 * S with each dim whose route is generic `number` (channel RC, sizes RH / RW) and, when `Batch`
 * is number, its batch too (rank 4 and 5): a message built from a generic batch would be a
 * template (`${B}`) the checker cannot resolve, so the rule checks with the batch as number and
 * computes the output with the batch itself (`Batch` unknown).
 */
type RouteDims<S extends Shape, RC, RH, RW, Batch> = {
  -readonly [K in keyof S]: K extends `${HeightIndex[S["length"]]}`
    ? RH extends GenericRoute
      ? number
      : S[K]
    : K extends `${WidthIndex[S["length"]]}`
      ? RW extends GenericRoute
        ? number
        : S[K]
      : K extends `${RouteChannelIndex[S["length"]]}`
        ? RC extends GenericRoute
          ? number
          : S[K]
        : K extends "0"
          ? S["length"] extends 4 | 5
            ? Batch extends number
              ? Batch
              : S[K]
            : S[K]
          : S[K];
};
/** S on the channel route: the channel dim `Channel`, the sizes `number`, every other dim kept. */
type ChannelDims<S extends Shape, Channel> = {
  -readonly [K in keyof S]: K extends `${ChannelIndex[S["length"]]}`
    ? Channel
    : K extends `${HeightIndex[S["length"]]}` | `${WidthIndex[S["length"]]}`
      ? number
      : S[K];
};

/** The argument's shape as Layer.forward infers it: a caller's `S extends [number, 16, number, number]` at its constraint. */
export type InferredShape<S extends Shape> = { readonly [K in keyof S]: S[K] } & Shape;

/**
 * How a layer treats the channel dim when it is a type parameter: "keeps" it (pooling,
 * activations, a chain of them), "maps" it by its [in, out] pair (convs, BatchNorm2d, GroupNorm, a
 * chain of them), or "none" (the rule runs with that dim `number`: Flatten, Linear, LayerNorm).
 */
type ChannelMode<F extends ShapeFn> =
  KeepsChannels<F> extends true
    ? "keeps"
    : F extends { readonly layers?: infer Ls extends readonly unknown[] }
      ? ChainKeeps<Ls> extends true
        ? "keeps"
        : "maps"
      : F extends { readonly mapsChannels?: true }
        ? "maps"
        : "none";
/** Whether every layer of a chain of known length keeps channels. */
type ChainKeeps<Ls extends readonly unknown[], K extends number = 0> = number extends Ls["length"]
  ? false
  : K extends Ls["length"]
    ? true
    : KeepsChannels<ShapeFnOf<Ls[K]>> extends true
      ? ChainKeeps<Ls, NextIndex[K] & number>
      : false;
/** Whether a call takes the channel route: a type parameter among the channels of a layer that keeps or maps them. */
type OnChannelRoute<F extends ShapeFn, RC, RL> = [RC | RL] extends [LiteralRoute]
  ? false
  : ChannelMode<F> extends "none"
    ? false
    : true;

/**
 * Layer.forward's parameter on each route:
 * - literal (every tested dim a literal or `number`): the rule on S, its message at the argument;
 * - generic dims (sizes, batch, or the channels of a layer that does not keep or map them): the
 *   rule on S with those dims `number`, the same messages;
 * - the channel route (the input's channel dim or the layer's own a type parameter, a block's
 *   `C`): the rule cannot run (a rule matching the dims with `infer N extends number` stays
 *   deferred); the input's channel dim must be the layer's `in` (read by index, so a generic
 *   `Cin` on both sides is accepted and another is not), a layer keeping channels takes any, and a
 *   chain whose channels do not follow takes none. The output keeps N and C (the layer's `out`),
 *   sizes `number` except an adaptive pool's, whose rule reads no dim but the rank.
 */
export type LayerArg<F extends ShapeFn, S extends Shape, D extends DType, Dev extends Device, RC, RL, RH, RW> =
  OnChannelRoute<F, RC, RL> extends true
    ? Tensor<InferredShape<S>, D, Dev> & ChannelGate<S, LayerChannels<F>[0], RC>
    : [RC | RH | RW] extends [LiteralRoute]
      ? LayerInput<F, S, S, D, Dev, ExactDims<F, S>>
      : LayerInput<F, RouteDims<S, RC, RH, RW, number>, S, D, Dev>;
/**
 * The channel route's check of the input's channel dim against the layer's `in`: assignability, so
 * the same generic passes and another fails. A channel dim that is `number` (the run time's, tested
 * where RC resolved it as no type parameter) passes, as it does a literal layer's rule.
 */
type ChannelGate<S extends Shape, In, RC> = number extends S["length"]
  ? unknown
  : RC extends LiteralRoute
    ? number extends S[ChannelIndex[S["length"]]]
      ? unknown
      : { readonly shape: ChannelPosition<S, In> }
    : { readonly shape: ChannelPosition<S, In> };
type ChannelPosition<S extends Shape, In> = S["length"] extends 3
  ? readonly [In, ...unknown[]]
  : readonly [unknown, In, ...unknown[]];

/**
 * The parameter type of `m.forward` for an input of shape S, on the route a call with that input
 * takes. An instantiation expression (`typeof m.forward<S, D, Dev>`) leaves the routes at their
 * default, GenericRoute (which only a call resolves): `nn.ForwardArg<typeof m, S>` is its form.
 */
export type ForwardArg<M, S extends Shape, D extends DType = "float32", Dev extends Device = "cpu"> = M extends {
  readonly __shape?: infer F extends ShapeFn;
}
  ? LayerArg<
      F,
      S,
      D,
      Dev,
      DimRoute<ChannelDim<S>>,
      PairRoute<LayerChannels<F>[0], LayerChannels<F>[1]>,
      DimRoute<HeightDim<S>>,
      DimRoute<WidthDim<S>>
    >
  : never;

/** Layer.forward's result shape on each route (see LayerArg). */
export type LayerResult<F extends ShapeFn, S extends Shape, RC, RL, RH, RW> =
  OnChannelRoute<F, RC, RL> extends true
    ? KeepsShape<F> extends true
      ? Mutable<S>
      : ChannelMode<F> extends "keeps"
        ? F extends AdaptiveAvgPool2dFn<infer O>
          ? AdaptiveShape<S, O>
          : ChannelDims<S, S[ChannelIndex[S["length"]]]>
        : ChannelDims<S, LayerChannels<F>[1]>
    : [RC | RH | RW] extends [LiteralRoute]
      ? LayerOutput<F, S>
      : KeepsShape<F> extends true
        ? Mutable<S>
        : SizesOutput<F, S, LayerOutput<F, RouteDims<S, RC, RH, RW, unknown>>>;
/**
 * A conv's or a pool's output under generic sizes: each size the input's where its geometry keeps
 * it (types/shape/conv.ts Conv2dKeeps, pool.ts Pool2dKeeps: kernel and options only), else
 * number. Matched on the rule rather than declared on it: a Conv2dFn member computed from Cin
 * would make the compiler compare two convs' channels invariantly (a block's Conv2d<C, C> is then
 * no Conv2d<number, number>).
 */
type SizesOutput<F extends ShapeFn, S extends Shape, O> = O extends readonly [unknown, unknown, unknown, ...unknown[]]
  ? (
      F extends Conv2dFn<infer _Ci, infer _Co, infer K, infer Opt, infer _B>
        ? Conv2dKeeps<[0, 0, Pair<K>[0], Pair<K>[1]], ConvLayerSpec<"conv2d", 0, unknown, false, Opt>[3]>
        : F extends ConvTranspose2dFn<infer _Ci, infer _Co, infer K, infer Opt, infer _B>
          ? ConvTranspose2dKeeps<
              [0, 0, Pair<K>[0], Pair<K>[1]],
              ConvLayerSpec<"convTranspose2d", 0, unknown, false, Opt>[3]
            >
          : F extends MaxPool2dFn<infer K, infer St, infer P, infer Dl, infer _C>
            ? Pool2dKeeps<K, St, P extends undefined ? 0 : P, Dl extends undefined ? 1 : Dl>
            : F extends AvgPool2dFn<infer K, infer St, infer P, infer _C>
              ? Pool2dKeeps<K, St, P extends undefined ? 0 : P>
              : never
    ) extends infer Keeps extends [boolean, boolean]
    ? KeptSizes<O, Keeps, S> extends infer K extends Shape
      ? [K] extends [never]
        ? O
        : K
      : O
    : O
  : O;

export type ApplyShape<F extends ShapeFn, S extends Shape> = (F & { readonly input: S })["output"];

/** The input shape a rule is applied to (`this["input"]` inside a rule). */
export type InputOf<This extends ShapeFn> = This["input"];

type Mutable<S extends Shape> = { -readonly [K in keyof S]: S[K] };

/** The parameter type of a layer's forward: the tensor when the rule accepts its shape, else the rule's message. */
export type LayerInput<
  F extends ShapeFn,
  Checked extends Shape,
  S extends Shape,
  D extends DType,
  Dev extends Device,
  Gate = unknown,
> =
  ApplyShape<F, Checked> extends infer O
    ? IsMessage<O> extends true
      ? O
      : Tensor<InferredShape<S>, D, Dev> & Gate
    : never;

export type LayerOutput<F extends ShapeFn, S extends Shape> =
  ApplyShape<F, S> extends infer O ? (O extends infer X extends Shape ? Mutable<X> : number[]) : never;

/** Element count of a shape (`number` when any dim is): types/shape/reshape.ts's. */
export type { Product };

type Pair<V> = V extends readonly [infer A extends number, infer B extends number]
  ? [A, B]
  : V extends number
    ? [V, V]
    : [number, number];

// ----------------------------------------------------------------------------- simple layers

export interface IdentityFn<Name extends string> extends ShapeFn {
  readonly name: Name;
  readonly keepsChannels?: true;
  readonly keepsShape?: true;
  readonly output: this["input"];
}

/** linear: the last dim must equal In; it becomes Out (the rule of types/shape/broadcast.ts). */
export type LinearShape<S extends Shape, In extends number, Out extends number> = Linear<S, In, Out>;

export interface LinearFn<In extends number, Out extends number> extends ShapeFn {
  readonly name: "Linear";
  readonly output: InputOf<this> extends infer S extends Shape ? LinearShape<S, In, Out> : never;
}

/** torch.flatten(x, Start, End): the rule of types/shape/reshape.ts. */
export type FlattenShape<S extends Shape, Start extends number, End extends number> = Flatten<S, Start, End>;

export interface FlattenFn<Start extends number, End extends number> extends ShapeFn {
  readonly name: "Flatten";
  readonly merges?: readonly [Start, End];
  readonly output: InputOf<this> extends infer S extends Shape ? FlattenShape<S, Start, End> : never;
}

// ----------------------------------------------------------------------------- conv and pooling

/** The conv options of a conv layer's options (without weight, bias, dtype and device). A mapped type rather than Omit, which TS 5.9 resolves differently here. */
export type ConvOptions<O> = { [K in keyof O as K extends "weight" | "bias" | "dtype" | "device" ? never : K]: O[K] };

/** An op check's result as a layer rule returns it: the output shape, or the message. */
type OkOrMessage<R> = R extends { ok: infer Out } ? Out : R extends { message: infer M } ? M : never;
/** C / groups, or C itself without a groups option. */
type PerGroup<C extends number, O> = O extends { groups: infer G extends number } ? Div<C, G> : C;

export interface Conv2dFn<Cin extends number, Cout extends number, K, O, Bias extends boolean> extends ShapeFn {
  readonly name: "Conv2d";
  readonly channels?: readonly [Cin, Cout];
  readonly mapsChannels?: true;
  readonly output: InputOf<this> extends infer S extends Shape
    ? OkOrMessage<
        ConvLayerResultOf<S, ConvLayerSpec<"conv2d", Cout, [Cout, PerGroup<Cin, O>, Pair<K>[0], Pair<K>[1]], Bias, O>>
      >
    : never;
}

/** ConvTranspose2d: convTranspose2d's rule (types/shape/conv.ts) with the layer's weight [Cin, Cout / groups, kH, kW]. */
export interface ConvTranspose2dFn<
  Cin extends number,
  Cout extends number,
  K,
  O,
  Bias extends boolean,
> extends ShapeFn {
  readonly name: "ConvTranspose2d";
  readonly channels?: readonly [Cin, Cout];
  readonly mapsChannels?: true;
  readonly output: InputOf<this> extends infer S extends Shape
    ? OkOrMessage<
        ConvLayerResultOf<
          S,
          ConvLayerSpec<"convTranspose2d", Cout, [Cin, PerGroup<Cout, O>, Pair<K>[0], Pair<K>[1]], Bias, O>
        >
      >
    : never;
}

/**
 * The constructors' compile-time check (issue 21): the given weight and bias against the declared
 * shapes (types/shape/layer-tensors.ts). It reads only `weight`, `bias`, `dtype` and `device`, so a
 * block generic in its stride (`{ stride: S }`) still resolves it. The options' own rules (padding
 * "same" with a stride, paddingMode, outputPadding) are checked at construction at run time, and
 * at compile time by the layer's shape rule at its forward: a check of them here would be deferred
 * for such a block, and TypeScript refuses an argument against a deferred conditional parameter.
 */
export type Conv2dLayerCheck<Cin extends number, Cout extends number, K, O> = GivenTensorsCheck<
  "Conv2d",
  O,
  [Cout, PerGroup<Cin, O>, Pair<K>[0], Pair<K>[1]],
  Cout
>;
export type ConvTranspose2dLayerCheck<Cin extends number, Cout extends number, K, O> = GivenTensorsCheck<
  "ConvTranspose2d",
  O,
  [Cin, PerGroup<Cout, O>, Pair<K>[0], Pair<K>[1]],
  Cout
>;
export type LinearLayerCheck<In extends number, Out extends number, O> = GivenTensorsCheck<"Linear", O, [Out, In], Out>;
/**
 * A constructor's options parameter: the options as written, or the message of the check. `Base`
 * (the options interface) is there for an argument checked without its literals.
 */
export type LayerOptionsArg<Check, O, Base> = Check extends "ok" ? O | Base : Check;

/** max/avg pooling: the rule of types/shape/pool.ts (undefined options take their defaults). */
export type Pool2dShape<Op extends string, S extends Shape, K, St, P, D, Ceil extends boolean> = Pool2d<
  S,
  K,
  St,
  P extends undefined ? 0 : P,
  D extends undefined ? 1 : D,
  Ceil,
  Op
>;

export interface MaxPool2dFn<K, St, P, D, Ceil extends boolean> extends ShapeFn {
  readonly name: "MaxPool2d";
  readonly keepsChannels?: true;
  readonly output: InputOf<this> extends infer S extends Shape ? Pool2dShape<"maxPool2d", S, K, St, P, D, Ceil> : never;
}

export interface AvgPool2dFn<K, St, P, Ceil extends boolean> extends ShapeFn {
  readonly name: "AvgPool2d";
  readonly keepsChannels?: true;
  readonly output: InputOf<this> extends infer S extends Shape ? Pool2dShape<"avgPool2d", S, K, St, P, 1, Ceil> : never;
}

export type AdaptiveShape<S extends Shape, O> = number extends S["length"]
  ? number[]
  : // `infer`, not `number`, for the sizes: a generic H matched against `number` would defer the rule.
    S extends readonly [...infer Lead extends unknown[], infer _H extends number, infer _W extends number]
    ? Lead["length"] extends 1 | 2
      ? [...Lead, Pair<O>[0], Pair<O>[1]]
      : AdaptiveRank<S>
    : AdaptiveRank<S>;
type AdaptiveRank<S> = ReturnType<
  typeof moduleErrors.rank<"adaptiveAvgPool2d", "input [N, C, H, W] or [C, H, W]", Show<S>>
>;

export interface AdaptiveAvgPool2dFn<O> extends ShapeFn {
  readonly name: "AdaptiveAvgPool2d";
  readonly keepsChannels?: true;
  readonly output: InputOf<this> extends infer S extends Shape ? AdaptiveShape<S, O> : never;
}

/** A layer over channel dim 1 of [N, C, ...]: C must equal the layer's channel count. */
export type ChannelShape<Name extends string, S extends Shape, C extends number> = number extends S["length"]
  ? S
  : S extends readonly [unknown, infer Got extends number, ...unknown[]]
    ? number extends Got | C
      ? S
      : [Got] extends [C]
        ? S
        : ReturnType<typeof moduleErrors.channels<Name, Got, C, Show<S>>>
    : ReturnType<typeof moduleErrors.rank<Name, "input [N, C, ...]", Show<S>>>;

export interface BatchNorm2dFn<C extends number> extends ShapeFn {
  readonly name: "BatchNorm2d";
  readonly channels?: readonly [C, C];
  readonly mapsChannels?: true;
  readonly keepsShape?: true;
  readonly output: InputOf<this> extends infer S extends Shape ? ChannelShape<"BatchNorm2d", S, C> : never;
}

/** Dropout2d: one mask value per channel plane, so a [C, H, W] or [N, C, H, W] input, kept as it is. */
export interface Dropout2dFn extends ShapeFn {
  readonly name: "Dropout2d";
  readonly keepsChannels?: true;
  readonly keepsShape?: true;
  readonly output: InputOf<this> extends infer S extends Shape
    ? number extends S["length"]
      ? S
      : S["length"] extends 3 | 4
        ? S
        : ReturnType<typeof moduleErrors.rank<"dropout2d", "input [C, H, W] or [N, C, H, W]", Show<S>>>
    : never;
}

// ----------------------------------------------------------------------------- composition

/** The shape rule of any module: its declared `__shape` (a layer's), else read off its `forward`. */
export type ShapeFnOf<M> = M extends { readonly __shape?: infer F extends ShapeFn } ? F : ForwardFn<M>;

/**
 * A module written as in PyTorch, fields and a `forward`: its rule is its forward's signature.
 *
 * A conditional type can read a generic forward only at its constraints (`infer` takes the
 * signature with every type parameter at its constraint), which turns each generic dim into
 * `number`; what the forward does for the actual input is seen only through assignability, where
 * the checker instantiates the forward for a given argument. So each output dim that is `number`
 * at the constraints is probed: is it the input's dim at the same position (a batch `N` passed
 * through, a spatial size kept)? What no probe pins down stays `number`.
 *
 * The probes never see the actual input S: S may hold the caller's own generic dims (`B` of a
 * `forward<B extends number>`), and a test on them is deferred (the checker decides it with B's
 * constraint dropped), which would leave the whole chain unresolved. They see a stand-in with a
 * distinct marker at every position the forward accepts any number (`Marker<"0">`, ...) and the
 * forward's own literals elsewhere; a marker found at position k of the output is then replaced
 * by S[k], which is copied and never tested. Acceptance is `infer A extends I`, which checks S
 * against the forward's input with B's constraint kept.
 */
export interface ForwardFn<M> extends ShapeFn {
  readonly name: ModuleName<M>;
  readonly output: InputOf<this> extends infer S extends Shape ? ForwardShape<M, S> : never;
}

/** ForwardFn's rule applied to S (what a chain calls directly: no `this` encoding to go through). */
export type ForwardShape<M, S extends Shape> = M extends {
  forward(x: Tensor<infer I extends Shape, DType, Device>): Tensor<infer O extends Shape, DType, Device>;
}
  ? [S] extends [infer _ extends I]
    ? Refine<M, S, Stand<S, I>, O>
    : ReturnType<typeof moduleErrors.forwardInput<Show<I>, Show<S>>>
  : number[];

/** A module's rule applied to S: a layer's declared rule, else its forward's. */
export type ShapeOf<M, S extends Shape> = M extends { readonly __shape?: infer F extends ShapeFn }
  ? ApplyShape<F, S>
  : ForwardShape<M, S>;

/** Phantom key of the probes' markers. */
declare const probeDim: unique symbol;
/** A number that is none of the caller's: the stand-in for the input dim at position K. */
type Marker<K extends string> = number & { readonly [probeDim]: K };

/** The probes' input: the forward's literal where it requires one, else a marker of the position. */
type Stand<S extends Shape, I extends Shape> = {
  [K in keyof S]: number extends I[K & keyof I] ? Marker<K & string> : I[K & keyof I];
};

/**
 * Two probes per module, whatever its rank: the batch (dim 0), then every other `number` dim at
 * once (all of them the input's, as a shape-keeping module gives; else they stay `number`). One
 * probe per dim cost 4,700 more instantiations on bench/types/models.ts (TS 7, one checker), for
 * the rare module that keeps some of its spatial sizes and not the others.
 */
type Refine<M, S extends Shape, P extends Shape, O extends Shape> = number extends O["length"]
  ? Passes<M, P, P> extends true
    ? [...S]
    : [...O]
  : O extends readonly [infer H extends number, ...infer R extends Shape]
    ? [
        number extends H ? (Passes<M, P, readonly [P[0], ...unknown[]]> extends true ? S[0] : number) : H,
        ...(P extends readonly [unknown, ...infer PT extends Shape]
          ? S extends readonly [unknown, ...infer ST extends Shape]
            ? number extends R[number]
              ? R["length"] extends PT["length"]
                ? Passes<
                    M,
                    P,
                    readonly [unknown, ...{ [K in keyof R]: number extends R[K] ? PT[K & keyof PT] : unknown }]
                  > extends true
                  ? { [K in keyof R]: number extends R[K] ? ST[K & keyof ST] : R[K] }
                  : R
                : R
              : R
            : R
          : R),
      ]
    : [...O];
/** Whether M's forward, given the stand-in P, returns a shape matching `Out`. */
type Passes<M, P extends Shape, Out> = M extends { forward(x: Tensor<P, any, any>): { readonly shape: Out } }
  ? true
  : false;

/**
 * The channels of a chain: the first layer's input channels and the last one's output channels,
 * each layer's input being its predecessor's output (the same literal, or the same generic).
 * Layers that keep channels (activations, pooling) pass them on, tested first: every rule inherits
 * ShapeFn's `channels`. Any other layer (Linear, Flatten, a user's module) or a mismatch gives
 * `never`, and the chain has no channel signature of its own. The layers are read by index, as in
 * ChainShapes.
 */
type ChainChannels<
  Ls extends readonly unknown[],
  K extends number = 0,
  Acc extends [] | [number, number] = [],
> = K extends Ls["length"]
  ? Acc extends [infer I extends number, infer O extends number]
    ? readonly [I, O]
    : never
  : ShapeFnOf<Ls[K]> extends infer F
    ? KeepsChannels<F> extends true
      ? ChainChannels<Ls, NextIndex[K] & number, Acc>
      : F extends { readonly channels?: readonly [infer I extends number, infer O extends number] }
        ? Acc extends [infer First extends number, infer Prev extends number]
          ? { a: Prev; b: I } extends { a: I; b: Prev }
            ? ChainChannels<Ls, NextIndex[K] & number, [First, O]>
            : never
          : ChainChannels<Ls, NextIndex[K] & number, [I, O]>
        : never
    : never;

/**
 * The channels of a chain as Layer.forward reads them (LayerChannels): the first channel layer's
 * input channels and the last one's output channels, each one's input being its predecessor's
 * output (the same literal, or the same generic); [number, number] for a chain without one.
 * Layers that keep channels (activations, pooling) pass them on, tested first: every rule
 * inherits ShapeFn's `channels` ([number, number] for a layer declaring none). A mismatch gives
 * `never`: such a chain takes no input on the channel route. The layers, and each layer's pair,
 * are read by index, never matched with `infer I extends number`: such a match on a block's
 * generic channels (`[Cin, Cout]`) is deferred, as the checker tests Cin without its constraint.
 * SequentialFn's own `channels` member stays ChainChannels: a member computed this way makes the
 * compiler compare two chains' layers both ways (a Sequential<[Linear<4096, 1000>]> would no longer
 * be a Sequential<[Linear<4096, number>]>).
 */
type FollowedChannels<
  Ls extends readonly unknown[],
  K extends number = 0,
  Started extends boolean = false,
  First extends number = number,
  Prev extends number = number,
> = K extends Ls["length"]
  ? readonly [First, Prev]
  : ShapeFnOf<Ls[K]> extends infer F extends ShapeFn
    ? KeepsChannels<F> extends true
      ? FollowedChannels<Ls, NextIndex[K] & number, Started, First, Prev>
      : F extends { readonly channels?: readonly [unknown, unknown] }
        ? ChainStep<Ls, K, Started, First, Prev, LayerChannels<F>>
        : never
    : never;
/** One step of FollowedChannels over a layer with the channel pair P. */
type ChainStep<
  Ls extends readonly unknown[],
  K extends number,
  Started extends boolean,
  First extends number,
  Prev extends number,
  P extends readonly [number, number],
> = Started extends true
  ? { a: Prev; b: P[0] } extends { a: P[0]; b: Prev }
    ? FollowedChannels<Ls, NextIndex[K] & number, true, First, P[1]>
    : never
  : FollowedChannels<Ls, NextIndex[K] & number, true, P[0], P[1]>;

/**
 * Chains the rules of `Ls` from input shape S. The first rule that refuses names its 0-based
 * position (as in the state dict: `3.weight`) and its class, then its own message.
 *
 * The layers are read by index (`Ls[I]`), not split off as `[infer L, ...infer Rest]`: each
 * split builds the rest of the list as a new tuple type (50 + 49 + ... elements for a 50-layer
 * chain, each tuple with its own array instantiations), which cost bench/types/model50.ts 28% of
 * its instantiations (TS 6, 34,871 -> 25,148). The index is a number literal stepped by a table
 * (NextIndex), not a tuple's length: `[...I, 0]` built one more tuple per step, with its array
 * members (50 nn.ReLU() in a chain: 5,055 -> 3,358 with ChainChannels counting the same way,
 * TS 6). The table ends at 1,000 layers, where TypeScript stops a tail-recursive conditional type
 * anyway. A list of unknown length (`readonly Module[]`) gives S, as the split did.
 */
export type ChainShapes<S extends Shape, Ls extends readonly unknown[], I extends number = 0> = I extends Ls["length"]
  ? S
  : { o: ShapeOf<Ls[I], S> } extends { o: infer O }
    ? IsMessage<O> extends true
      ? ReturnType<typeof moduleErrors.sequentialLayer<I, NameOf<Ls[I]>, O & string>>
      : O extends infer X extends Shape
        ? ChainShapes<X, Ls, NextIndex[I] & number>
        : number[]
    : never;

/**
 * The class name messages give a module: a layer's, else the literal `typeName` a user's class
 * declares, else "Module" (a class name is not part of its type).
 */
type NameOf<M> = M extends { readonly __shape?: infer F extends ShapeFn } ? F["name"] : ModuleName<M>;

export interface SequentialFn<Ls extends readonly unknown[]> extends ShapeFn {
  readonly name: "Sequential";
  readonly layers?: Ls;
  readonly channels?: ChainChannels<Ls>;
  readonly mapsChannels?: true;
  readonly output: InputOf<this> extends infer S extends Shape
    ? number extends Ls["length"]
      ? UnknownChain<S>
      : ChainShapes<S, Ls>
    : never;
}

/**
 * A chain of unknown length (`nn.Sequential(...units)` of an array): its first dim (the batch) is
 * the input's, the others the run time's. The layers are not known one by one: S itself (what
 * ChainShapes gives such a list) would claim that the input's channels come out, where the units
 * may change them (ShuffleNet's stages, 24 channels in, 48 out).
 */
type UnknownChain<S extends Shape> = { [K in keyof S]: K extends "0" ? S[K] : number };

/**
 * The residual pattern: relu-free `body(x) + shortcut(x)` (shortcut the identity when absent).
 * Both must give the same shape.
 */
export interface ResidualFn<Body, Shortcut> extends ShapeFn {
  readonly name: "Residual";
  readonly output: InputOf<this> extends infer S extends Shape ? ResidualShape<S, Body, Shortcut> : never;
}

export type ResidualShape<S extends Shape, Body, Shortcut> =
  ShapeOf<Body, S> extends infer B
    ? B extends string
      ? B
      : (Shortcut extends null | undefined ? S : ShapeOf<Shortcut, S>) extends infer C
        ? C extends string
          ? C
          : [B, C] extends [infer b extends Shape, infer c extends Shape]
            ? SameShape<b, c> extends infer R
              ? R extends "bad"
                ? ResidualMismatch<B, C>
                : R
              : never
            : ResidualMismatch<B, C>
        : never
    : never;

type ResidualMismatch<B, C> = ReturnType<typeof moduleErrors.residual<Show<B>, Show<C>>>;

/** nn.Upsample: interpolate's rule (types/shape/interpolate.ts) for the layer's options; N and C kept. */
export interface UpsampleFn<O> extends ShapeFn {
  readonly name: "Upsample";
  readonly keepsChannels?: true;
  readonly output: InputOf<this> extends infer S extends Shape ? Interpolate<S, O> : never;
}

// Issue 21: layer and group normalisation.
/** nn.LayerNorm: layerNorm's rule (types/shape/normalization.ts); the shape is kept. */
export interface LayerNormFn<N> extends ShapeFn {
  readonly name: "LayerNorm";
  readonly keepsShape?: true;
  readonly output: InputOf<this> extends infer S extends Shape ? LayerNorm<S, N> : never;
}
/** nn.GroupNorm: [N, C, ...] with the layer's C channels (BatchNorm2d's check), which numGroups divides. */
export interface GroupNormFn<G extends number, C extends number> extends ShapeFn {
  readonly name: "GroupNorm";
  readonly channels?: readonly [C, C];
  readonly mapsChannels?: true;
  readonly keepsShape?: true;
  readonly output: InputOf<this> extends infer S extends Shape
    ? ChannelShape<"GroupNorm", S, C> extends infer R
      ? IsMessage<R> extends true
        ? R
        : GroupNorm<S, G>
      : never
    : never;
}
