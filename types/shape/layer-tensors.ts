/**
 * A layer built from given tensors (nn.Conv2d, nn.ConvTranspose2d, nn.Linear with `weight` and
 * `bias` in their options), checked at compile time in the order the constructor checks them
 * (src/nn/layers.ts, layerParameters): the weight (float dtype, the declared shape), the bias (float
 * dtype, [C_out], the weight's dtype and device), then the `dtype` and `device` options against the
 * tensors. "ok", or the message of types/errors.ts's layerErrors.
 *
 *   GivenTensorsCheck<"Conv2d", { weight: Tensor<[16, 3, 5, 5]> }, [16, 3, 3, 3], 16>
 *     -> "Conv2d: weight has shape [16, 3, 5, 5] but the layer expects [16, 3, 3, 3]"
 *
 * A dim that is `number` on either side is the run time's to check.
 */
import type { layerErrors } from "../errors.js";
import type { Show } from "./show.js";

interface TensorLike {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly device: string;
}

/** The value of option K, undefined when absent. */
type Given<O, K extends string> = K extends keyof O ? Exclude<O[K], undefined> : undefined;

/** The given weight, or a given bias tensor (not `true` / `false`); undefined when absent. */
export type GivenWeight<O> = Given<O, "weight"> extends infer W extends TensorLike ? W : undefined;
export type GivenBias<O> = Given<O, "bias"> extends infer B extends TensorLike ? B : undefined;

/** Equal shapes, where a dim (or a rank) that is `number` on either side matches anything. */
type ShapeFits<S extends readonly number[], E extends readonly number[]> = number extends S["length"] | E["length"]
  ? true
  : S["length"] extends E["length"]
    ? false extends { [I in keyof S]: I extends keyof E ? DimFits<S[I], E[I]> : false }[number]
      ? false
      : true
    : false;
type DimFits<A, B> = number extends A ? true : number extends B ? true : [A] extends [B] ? true : false;

type TensorError<
  L extends string,
  N extends "weight" | "bias",
  T extends TensorLike,
  E extends readonly number[],
> = T["dtype"] extends "int32"
  ? ReturnType<typeof layerErrors.dtype<L, N, T["dtype"]>>
  : ShapeFits<T["shape"], E> extends true
    ? "ok"
    : ReturnType<typeof layerErrors.shape<L, N, Show<T["shape"]>, Show<E>>>;

type Literal<V> = V extends string ? (string extends V ? never : V) : never;
/** "ok" when the two are the same literal or either is not a literal, else the message M. */
type Same<A, B, M> = [Literal<A>, Literal<B>] extends [infer a, infer b]
  ? [a] extends [never]
    ? "ok"
    : [b] extends [never]
      ? "ok"
      : [a] extends [b]
        ? "ok"
        : M
  : never;

/** bias against the weight: dtype, then device. */
type BiasPlacement<L extends string, W, B extends TensorLike> = W extends TensorLike
  ? Same<
      B["dtype"],
      W["dtype"],
      ReturnType<typeof layerErrors.biasPlacement<L, "dtype", B["dtype"], W["dtype"]>>
    > extends infer D
    ? D extends "ok"
      ? Same<
          B["device"],
          W["device"],
          ReturnType<typeof layerErrors.biasPlacement<L, "device", B["device"], W["device"]>>
        >
      : D
    : never
  : "ok";

/** The `dtype` and `device` options against the first given tensor (the weight, else the bias). */
type OptionPlacement<L extends string, O, T, N extends "weight" | "bias"> = T extends TensorLike
  ? OptionKey<L, "dtype", Given<O, "dtype">, N, T["dtype"]> extends infer D
    ? D extends "ok"
      ? OptionKey<L, "device", Given<O, "device">, N, T["device"]>
      : D
    : never
  : "ok";
type OptionKey<L extends string, K extends "dtype" | "device", V, N extends "weight" | "bias", T> = Same<
  V,
  T,
  ReturnType<typeof layerErrors.optionPlacement<L, K, V & string, N, T & string>>
>;

export type GivenTensorsCheck<L extends string, O, WeightShape extends readonly number[], Out extends number> =
  GivenWeight<O> extends infer W
    ? (W extends TensorLike ? TensorError<L, "weight", W, WeightShape> : "ok") extends infer WE
      ? WE extends "ok"
        ? GivenBias<O> extends infer B
          ? (
              B extends TensorLike
                ? TensorError<L, "bias", B, [Out]> extends infer BE
                  ? BE extends "ok"
                    ? BiasPlacement<L, W, B>
                    : BE
                  : never
                : "ok"
            ) extends infer BE
            ? BE extends "ok"
              ? W extends TensorLike
                ? OptionPlacement<L, O, W, "weight">
                : OptionPlacement<L, O, B, "bias">
              : BE
            : never
          : never
        : WE
      : never
    : never;

/** Where a layer's parameters live in its type: the given weight's (else bias's) dtype and device. */
export type GivenPlacement<O> =
  GivenWeight<O> extends infer W extends TensorLike
    ? { readonly dtype: W["dtype"]; readonly device: W["device"] }
    : GivenBias<O> extends infer B extends TensorLike
      ? { readonly dtype: B["dtype"]; readonly device: B["device"] }
      : null;
