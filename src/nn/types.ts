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
import type { Add, Div, Mul, Sub } from "../../types/arith/index.js";
import type { Conv2dResultOf } from "../../types/ops/conv2d.js";
import type { Show } from "../../types/shape/show.js";
import type { Tensor } from "../tensor.js";

export interface ShapeFn {
  /** `unknown` rather than `Shape`: `this["input"]` is then exactly the applied shape, not `Shape & S` (an intersection that breaks tuple inference). */
  readonly input: unknown;
  readonly output: unknown;
  /** The layer's class name, as messages show it. */
  readonly name: string;
}

export type ApplyShape<F extends ShapeFn, S extends Shape> = (F & { readonly input: S })["output"];

/** The input shape a rule is applied to (`this["input"]` inside a rule). */
export type InputOf<This extends ShapeFn> = This["input"];

type Mutable<S extends Shape> = { -readonly [K in keyof S]: S[K] };

/** The parameter type of a layer's forward: the tensor when the rule accepts its shape, else the rule's message. */
export type LayerInput<F extends ShapeFn, S extends Shape, D extends DType, Dev extends Device> =
  ApplyShape<F, S> extends infer O ? (O extends string ? O : Tensor<S, D, Dev>) : never;

export type LayerOutput<F extends ShapeFn, S extends Shape> =
  ApplyShape<F, S> extends infer O ? (O extends infer X extends Shape ? Mutable<X> : number[]) : never;

/** Element count of a shape (`number` when any dim is). */
export type Product<S extends Shape, Acc extends number = 1> =
  S extends readonly [infer H extends number, ...infer R extends Shape]
    ? Mul<Acc, H> extends infer P extends number ? Product<R, P> : never
    : number extends S["length"] ? number : Acc;

type Pair<V> = V extends readonly [infer A extends number, infer B extends number] ? [A, B] : V extends number ? [V, V] : [number, number];

// ----------------------------------------------------------------------------- simple layers

export interface IdentityFn<Name extends string> extends ShapeFn {
  readonly name: Name;
  readonly output: this["input"];
}

/** linear: the last dim must equal In; it becomes Out. */
export type LinearShape<S extends Shape, In extends number, Out extends number> =
  S extends readonly [...infer Init, infer Last extends number]
    ? number extends Last ? [...Init, Out]
      : number extends In ? [...Init, Out]
      : [Last] extends [In] ? [...Init, Out]
      : `linear: input ${Show<S>} has ${Last} features but the layer expects ${In} (weight [${Out}, ${In}])`
    : number extends S["length"] ? number[]
    : `linear: input ${Show<S>} has no features but the layer expects ${In} (weight [${Out}, ${In}])`;

export interface LinearFn<In extends number, Out extends number> extends ShapeFn {
  readonly name: "Linear";
  readonly output: InputOf<this> extends infer S extends Shape ? LinearShape<S, In, Out> : never;
}

type Take<S extends Shape, N extends number, Acc extends unknown[] = []> =
  Acc["length"] extends N ? [Acc, S] : S extends readonly [infer H, ...infer R extends Shape] ? Take<R, N, [...Acc, H]> : [Acc, S];

/** torch.flatten(x, Start, End) for non-negative Start and End = -1 or a non-negative dim. */
export type FlattenShape<S extends Shape, Start extends number, End extends number> =
  number extends S["length"] ? number[]
  : Take<S, Start> extends [infer Head extends unknown[], infer Rest extends Shape]
    ? End extends -1
      ? [...Head, Product<Rest>]
      : Sub<End, Start> extends infer Span extends number
        ? `${Span}` extends `-${string}` ? `flatten: startDim ${Start} comes after endDim ${End}`
        : Add<Span, 1> extends infer L extends number
          ? Take<Rest, L> extends [infer Mid extends Shape, infer Tail extends unknown[]]
            ? Mid["length"] extends L ? [...Head, Product<Mid>, ...Tail] : `flatten: dim ${End} is out of range for shape ${Show<S>}`
            : never
          : never
        : never
    : never;

export interface FlattenFn<Start extends number, End extends number> extends ShapeFn {
  readonly name: "Flatten";
  readonly output: InputOf<this> extends infer S extends Shape ? FlattenShape<S, Start, End> : never;
}

// ----------------------------------------------------------------------------- conv and pooling

/** The conv2d options of a Conv2d layer's options (without bias, dtype and device). A mapped type rather than Omit, which TS 5.9 resolves differently here. */
export type ConvOptions<O> = { [K in keyof O as K extends "bias" | "dtype" | "device" ? never : K]: O[K] };

export interface Conv2dFn<Cin extends number, Cout extends number, K, O, Bias extends boolean> extends ShapeFn {
  readonly name: "Conv2d";
  readonly output: InputOf<this> extends infer S extends Shape
    ? Conv2dResultOf<
        Tensor<S>,
        Tensor<[Cout, O extends { groups: infer G extends number } ? Div<Cin, G> : Cin, Pair<K>[0], Pair<K>[1]]>,
        Bias extends true ? Tensor<[Cout]> : null,
        ConvOptions<O>
      > extends infer R ? R extends { ok: infer Out } ? Out : R extends { message: infer M } ? M : never : never
    : never;
}

/**
 * PyTorch's pooled length: floor(n / s) + 1 with n = L + 2p - d(k-1) - 1 (+ s - 1 with ceil), and
 * with ceil the last window must start inside the input or the left padding. n may be negative
 * (the window does not fit): then floor(n / s) = -floor((-n + s - 1) / s), as the runtime's
 * Math.floor gives, so the message shows the same (zero or negative) size.
 */
type PoolDim<L extends number, K extends number, S extends number, P extends number, D extends number, Ceil extends boolean> =
  number extends L | K | S | P | D ? number
  : Sub<Add<L, Mul<2, P>>, Add<Mul<D, Sub<K, 1>>, 1>> extends infer Span extends number
    ? (Ceil extends true ? SignedAdd<Span, Sub<S, 1>> : Span) extends infer Num extends number
      ? `${Num}` extends `-${infer M extends number}`
        ? Sub<1, Div<Add<M, Sub<S, 1>>, S>>
        : Add<Div<Num, S>, 1> extends infer Out extends number
          ? Ceil extends true
            ? `${Sub<Mul<Sub<Out, 1>, S>, Add<L, P>>}` extends `-${string}` ? Out : Sub<Out, 1>
            : Out
          : never
      : never
    : never;

/** A + B for a possibly negative A and a natural B. */
type SignedAdd<A extends number, B extends number> = `${A}` extends `-${infer M extends number}` ? Sub<B, M> : Add<A, B>;

type Extent<K extends number, D extends number> = number extends K | D ? number : Add<Mul<D, Sub<K, 1>>, 1>;

/** max/avg pooling: PyTorch's output size, its "padding at most half the kernel" rule, and a window that must fit. */
export type Pool2dShape<Op extends string, S extends Shape, K, St, P, D, Ceil extends boolean> =
  number extends S["length"] ? number[]
  : S extends readonly [...infer Lead extends unknown[], infer H extends number, infer W extends number]
    ? Lead["length"] extends 1 | 2
      ? [Pair<K>, Pair<St extends undefined ? K : St>, Pair<P extends undefined ? 0 : P>, Pair<D extends undefined ? 1 : D>] extends
        [[infer kh extends number, infer kw extends number], [infer sh extends number, infer sw extends number], [infer ph extends number, infer pw extends number], [infer dh extends number, infer dw extends number]]
        ? Mul<2, ph> extends infer ph2 extends number ? Mul<2, pw> extends infer pw2 extends number
          ? [ph2, pw2] extends [infer a extends number, infer b extends number]
            ? `${Sub<kh, a>}` extends `-${string}` ? `${Op}: padding [${ph}, ${pw}] must be at most half the kernel size [${kh}, ${kw}]`
            : `${Sub<kw, b>}` extends `-${string}` ? `${Op}: padding [${ph}, ${pw}] must be at most half the kernel size [${kh}, ${kw}]`
            : [PoolDim<H, kh, sh, ph, dh, Ceil>, PoolDim<W, kw, sw, pw, dw, Ceil>] extends [infer oh extends number, infer ow extends number]
              ? `${oh}` extends `-${string}` | "0" ? PoolTooSmall<Op, oh, ow, kh, kw, dh, dw, H, W, ph, pw>
              : `${ow}` extends `-${string}` | "0" ? PoolTooSmall<Op, oh, ow, kh, kw, dh, dw, H, W, ph, pw>
              : [...Lead, oh, ow]
              : never
            : never
          : never : never
        : never
      : `${Op}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ${Show<S>}`
    : `${Op}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ${Show<S>}`;

/** The output size is floor(span/s) + 1 with a negative span: shown as the runtime computes it. */
type PoolTooSmall<Op extends string, OH extends number, OW extends number, KH extends number, KW extends number, DH extends number, DW extends number, H extends number, W extends number, PH extends number, PW extends number> =
  `${Op}: output size would be ${OH}x${OW}: the ${Extent<KH, DH>}x${Extent<KW, DW>} window (kernel [${KH}, ${KW}], dilation [${DH}, ${DW}]) does not fit the input ${H}x${W} with padding [${PH}, ${PW}]`;

export interface MaxPool2dFn<K, St, P, D, Ceil extends boolean> extends ShapeFn {
  readonly name: "MaxPool2d";
  readonly output: InputOf<this> extends infer S extends Shape ? Pool2dShape<"maxPool2d", S, K, St, P, D, Ceil> : never;
}

export interface AvgPool2dFn<K, St, P, Ceil extends boolean> extends ShapeFn {
  readonly name: "AvgPool2d";
  readonly output: InputOf<this> extends infer S extends Shape ? Pool2dShape<"avgPool2d", S, K, St, P, 1, Ceil> : never;
}

export type AdaptiveShape<S extends Shape, O> =
  number extends S["length"] ? number[]
  : S extends readonly [...infer Lead extends unknown[], number, number]
    ? Lead["length"] extends 1 | 2 ? [...Lead, Pair<O>[0], Pair<O>[1]] : AdaptiveRank<S>
    : AdaptiveRank<S>;
type AdaptiveRank<S> = `adaptiveAvgPool2d: expected input [N, C, H, W] or [C, H, W], got shape ${Show<S>}`;

export interface AdaptiveAvgPool2dFn<O> extends ShapeFn {
  readonly name: "AdaptiveAvgPool2d";
  readonly output: InputOf<this> extends infer S extends Shape ? AdaptiveShape<S, O> : never;
}

/** A layer over channel dim 1 of [N, C, ...]: C must equal the layer's channel count. */
export type ChannelShape<Name extends string, S extends Shape, C extends number> =
  number extends S["length"] ? S
  : S extends readonly [unknown, infer Got extends number, ...unknown[]]
    ? number extends Got | C ? S : [Got] extends [C] ? S : `${Name}: input has ${Got} channels but the layer expects ${C} (input ${Show<S>})`
    : `${Name}: expected input [N, C, ...], got shape ${Show<S>}`;

export interface BatchNorm2dFn<C extends number> extends ShapeFn {
  readonly name: "BatchNorm2d";
  readonly output: InputOf<this> extends infer S extends Shape ? ChannelShape<"BatchNorm2d", S, C> : never;
}

// ----------------------------------------------------------------------------- composition

/** The shape rule of any module: its declared `__shape`, else read off a non-generic forward. */
export type ShapeFnOf<M> = M extends { readonly __shape?: infer F extends ShapeFn } ? F : ForwardFn<M>;

export interface ForwardFn<M> extends ShapeFn {
  readonly name: "Module";
  readonly output: M extends { forward(x: Tensor<infer I extends Shape, DType, Device>): Tensor<infer O extends Shape, DType, Device> }
    ? [InputOf<this>] extends [I] ? O : `expected input ${Show<I>}, got ${Show<InputOf<this>>}`
    : number[];
}

/**
 * Chains the rules of `Ls` from input shape S. The first rule that refuses names its 0-based
 * position (as in the state dict: `3.weight`) and its class, then its own message.
 */
export type ChainShapes<S extends Shape, Ls extends readonly unknown[], I extends unknown[] = []> =
  Ls extends readonly [infer L, ...infer Rest]
    ? ShapeFnOf<L> extends infer F extends ShapeFn
      ? ApplyShape<F, S> extends infer O
        ? O extends string ? `nn.Sequential: layer ${I["length"]} (${F["name"]}): ${O}`
        : O extends infer X extends Shape ? ChainShapes<X, Rest, [...I, 0]>
        : number[]
        : never
      : never
    : S;

export interface SequentialFn<Ls extends readonly unknown[]> extends ShapeFn {
  readonly name: "Sequential";
  readonly output: InputOf<this> extends infer S extends Shape ? ChainShapes<S, Ls> : never;
}

/**
 * The residual pattern: relu-free `body(x) + shortcut(x)` (shortcut the identity when absent).
 * Both must give the same shape.
 */
export interface ResidualFn<Body, Shortcut> extends ShapeFn {
  readonly name: "Residual";
  readonly output: InputOf<this> extends infer S extends Shape ? ResidualShape<S, Body, Shortcut> : never;
}

export type ResidualShape<S extends Shape, Body, Shortcut> =
  ApplyShape<ShapeFnOf<Body>, S> extends infer B
    ? B extends string ? B
    : (Shortcut extends null | undefined ? S : ApplyShape<ShapeFnOf<Shortcut>, S>) extends infer C
      ? C extends string ? C
      : [B] extends [C] ? ([C] extends [B] ? B : ResidualMismatch<B, C>) : ResidualMismatch<B, C>
      : never
    : never;

type ResidualMismatch<B, C> = `nn.Residual: the body gives ${Show<B>} but the shortcut gives ${Show<C>}`;
