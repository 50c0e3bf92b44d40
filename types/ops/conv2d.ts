/**
 * The typed public signature of conv2d. `src/ops/conv2d.ts` declares
 * `export const conv2d: Conv2dSignature = (input, weight, bias, options) => ...`, so this type is
 * the whole of conv2d's compile-time contract:
 *
 *   const x = randn([8, 3, 32, 32]);             // Tensor<[8, 3, 32, 32]>
 *   const w = randn([16, 3, 3, 3]);
 *   conv2d(x, w, null, { stride: 2, padding: 1 }) // Tensor<[8, 16, 16, 16]>
 *   conv2d(x, randn([16, 4, 3, 3]))              // error at the weight argument:
 *     // "conv2d: input has 3 channels but weight expects 4 (weight [16, 4, 3, 3], groups 1)"
 *
 * How: every parameter's type is "the argument's own type, unless the check (types/shape/conv.ts)
 * blames this argument, then the message literal". TypeScript infers X, W, B, O from the branches
 * of those conditional types, then checks each argument against its resolved parameter type, so
 * a bad call prints `Argument of type 'Tensor<...>' is not assignable to parameter of type
 * '"conv2d: ..."'` at the offending argument, with the runtime's exact text.
 */
import type { Tensor } from "../../src/tensor.js";
import type { PaddingMode } from "../core.js";
import type { DType, Device, Shape } from "../core.js";
import type { Conv2dCheck, OptionValues } from "../shape/conv.js";

export type AnyTensor = Tensor<Shape, DType, Device>;

/** PyTorch's conv2d options (DESIGN.md section 1). */
export interface Conv2dOptions {
  /** A positive integer, or [h, w]. Default 1. */
  stride?: number | readonly [number, number];
  /**
   * Non-negative integers: one for all sides, [h, w], or [top, bottom, left, right]; or "valid"
   * (no padding) or "same" (stride 1 only; d (k - 1) split with the extra row/column at the
   * bottom/right, as PyTorch does). Default 0.
   */
  padding?: number | readonly [number, number] | readonly [number, number, number, number] | "same" | "valid";
  /** A positive integer, or [h, w]. Default 1. */
  dilation?: number | readonly [number, number];
  /** Splits channels into independent groups; must divide both channel counts. Default 1. */
  groups?: number;
  /** How padded cells are filled. Default "zeros". */
  paddingMode?: PaddingMode;
}

type BiasDType<B> = B extends { dtype: infer D } ? D : never;
type BiasDevice<B> = B extends { device: infer D } ? D : never;
/**
 * The bias as checked: a bias typed `Tensor<...> | null` may be a tensor at run time, so its tensor
 * part is what must fit (run time refuses the same shape); undefined when it is only ever absent.
 */
type BiasOf<B> = [NonNullable<B>] extends [never] ? undefined : NonNullable<B>;

/** The check of one call; cached by TypeScript, so the four parameters share one evaluation. */
export type Conv2dResultOf<X extends AnyTensor, W extends AnyTensor, B, O> =
  Conv2dCheckOf<X, W, B, OptionValues<O>>;
type Conv2dCheckOf<X extends AnyTensor, W extends AnyTensor, B, O extends readonly unknown[]> =
  Conv2dCheck<X["shape"], W["shape"], BiasOf<B>, O, X["dtype"], X["device"], W["dtype"], W["device"], BiasDType<B>, BiasDevice<B>>;

/** Self when the check passes this argument, else the message blaming it. */
type Arg<At extends string, X extends AnyTensor, W extends AnyTensor, B, O, Self> =
  Conv2dResultOf<X, W, B, O> extends { at: At; message: infer M extends string } ? M : Self;

/** The output tensor type of a call (a mutable tuple of computed literals). */
export type Conv2dOutput<X extends AnyTensor, W extends AnyTensor, B, O> =
  Conv2dResultOf<X, W, B, O> extends { ok: infer S extends Shape } ? Tensor<S, X["dtype"], X["device"]> : Tensor<number[], X["dtype"], X["device"]>;

/**
 * Each option is its own type parameter: a literal's values are interned types, so two calls with
 * the same options share every cached step, where a whole options object (a new type per literal)
 * would make each call start over.
 */
export type Conv2dSignature = <
  X extends AnyTensor,
  W extends AnyTensor,
  B extends AnyTensor | null | undefined = undefined,
  const S extends Conv2dOptions["stride"] = undefined,
  const P extends Conv2dOptions["padding"] = undefined,
  const D extends Conv2dOptions["dilation"] = undefined,
  const G extends Conv2dOptions["groups"] = undefined,
  // Any string, so that a misspelt mode ("mirror") is inferred and the check reports the
  // catalogue's message at the options argument; `string & {}` keeps the four modes as completions.
  const M extends Conv2dOptions["paddingMode"] | (string & {}) = undefined,
>(
  input: ArgV<"input", X, W, B, [S, P, D, G, M, never], X>,
  weight: ArgV<"weight", X, W, B, [S, P, D, G, M, never], W>,
  bias?: ArgV<"bias", X, W, B, [S, P, D, G, M, never], B>,
  options?: ArgV<"options", X, W, B, [S, P, D, G, M, never], { stride?: S; padding?: P; dilation?: D; groups?: G; paddingMode?: M }>,
) => NoInfer<Conv2dOutputV<X, W, B, [S, P, D, G, M, never]>>;

type ArgV<At extends string, X extends AnyTensor, W extends AnyTensor, B, V extends readonly unknown[], Self> =
  Conv2dCheckOf<X, W, B, V> extends { at: At; message: infer M extends string } ? M : Self;
type Conv2dOutputV<X extends AnyTensor, W extends AnyTensor, B, V extends readonly unknown[]> =
  Conv2dCheckOf<X, W, B, V> extends { ok: infer S extends Shape } ? Tensor<S, X["dtype"], X["device"]> : Tensor<number[], X["dtype"], X["device"]>;
