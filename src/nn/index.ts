/**
 * The `nn` namespace: modules, layers, losses (in `nn.functional`) and initialisers. Layer classes
 * can be constructed with or without `new` (`nn.Conv2d(3, 16, 3)` as in PyTorch, or
 * `new nn.Conv2d(3, 16, 3)`); `instanceof` and `extends` work either way.
 */
import * as L from "./layers.js";
import type { Module, ModuleLike } from "./module.js";
import type { InterpolateOptions } from "../ops/interpolate.js";

/**
 * The class, also callable without `new`. Passing a generic class through this generic function
 * keeps its type parameters on the call signature (TypeScript's higher-order inference).
 */
function callable<A extends readonly unknown[], R>(c: new (...args: A) => R): (...args: A) => R {
  return new Proxy(c, { apply: (target, _this, args) => new target(...(args as unknown as A)) }) as unknown as (
    ...args: A
  ) => R;
}

/** The class joined with its call signature (for `new`, statics, `instanceof`, `extends`). */
function withCall<C, F>(_class: C, call: F): C & F {
  return call as C & F;
}

export {
  Module,
  Layer,
  Parameter,
  isParameter,
  type StateDict,
  type IncompatibleKeys,
  type Placement,
  type PlacementOf,
  type DTypeOf,
  type DeviceOf,
  type Moved,
} from "./module.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export type * from "./types.js";
export type {
  Conv2dLayerOptions,
  ConvTranspose2dLayerOptions,
  MaxPool2dLayerOptions,
  AvgPool2dLayerOptions,
  BatchNormOptions,
  Pair,
  Features,
  LayerNormLayerOptions,
  GroupNormLayerOptions,
} from "./layers.js";
export type { FactoryOptions } from "./init.js";
export { saveSafetensors, loadSafetensors, stateDictToSafetensors, safetensorsToStateDict } from "./state.js";

// One line per layer. Not an object destructured into exports: TypeScript 7 then pays about 9,000
// more instantiations for each model file that uses the layers (bench/types/editor.mjs).
export const Conv2d = withCall(L.Conv2d, callable(L.Conv2d));
export const ConvTranspose2d = withCall(L.ConvTranspose2d, callable(L.ConvTranspose2d));
export const Linear = withCall(L.Linear, callable(L.Linear));
export const ReLU = withCall(L.ReLU, callable(L.ReLU));
export const Sigmoid = withCall(L.Sigmoid, callable(L.Sigmoid));
export const Tanh = withCall(L.Tanh, callable(L.Tanh));
export const Identity = withCall(L.Identity, callable(L.Identity));
export const LeakyReLU = withCall(L.LeakyReLU, callable(L.LeakyReLU));
export const GELU = withCall(L.GELU, callable(L.GELU));
export const Softmax = withCall(L.Softmax, callable(L.Softmax));
export const LogSoftmax = withCall(L.LogSoftmax, callable(L.LogSoftmax));
export const Dropout = withCall(L.Dropout, callable(L.Dropout));
// Issue 21: modern activations and channel dropout.
export const SiLU = withCall(L.SiLU, callable(L.SiLU));
export const Hardswish = withCall(L.Hardswish, callable(L.Hardswish));
export const Hardsigmoid = withCall(L.Hardsigmoid, callable(L.Hardsigmoid));
export const ReLU6 = withCall(L.ReLU6, callable(L.ReLU6));
export const Dropout2d = withCall(L.Dropout2d, callable(L.Dropout2d));
export const Flatten = withCall(L.Flatten, callable(L.Flatten));
export const MaxPool2d = withCall(L.MaxPool2d, callable(L.MaxPool2d));
export const AvgPool2d = withCall(L.AvgPool2d, callable(L.AvgPool2d));
export const AdaptiveAvgPool2d = withCall(L.AdaptiveAvgPool2d, callable(L.AdaptiveAvgPool2d));
export const BatchNorm2d = withCall(L.BatchNorm2d, callable(L.BatchNorm2d));
export const Sequential = withCall(L.Sequential, callable(L.Sequential));
export const Residual = withCall(L.Residual, callable(L.Residual));
export const Upsample = withCall(L.Upsample, callable(L.Upsample));
// Issue 21: layer and group normalisation.
export const LayerNorm = withCall(L.LayerNorm, callable(L.LayerNorm));
export const GroupNorm = withCall(L.GroupNorm, callable(L.GroupNorm));

// The instance types under the same names, with the classes' type parameters and defaults.
export type Conv2d<
  Cin extends number = number,
  Cout extends number = number,
  K extends L.Pair = L.Pair,
  O extends L.Conv2dLayerOptions = {},
> = L.Conv2d<Cin, Cout, K, O>;
export type ConvTranspose2d<
  Cin extends number = number,
  Cout extends number = number,
  K extends L.Pair = L.Pair,
  O extends L.ConvTranspose2dLayerOptions = {},
> = L.ConvTranspose2d<Cin, Cout, K, O>;
export type Linear<In extends L.Features = number, Out extends number = number> = L.Linear<In, Out>;
export type ReLU = L.ReLU;
export type Sigmoid = L.Sigmoid;
export type Tanh = L.Tanh;
export type Identity = L.Identity;
export type LeakyReLU = L.LeakyReLU;
export type GELU = L.GELU;
export type Softmax = L.Softmax;
export type LogSoftmax = L.LogSoftmax;
export type Dropout = L.Dropout;
// Issue 21: modern activations and channel dropout.
export type SiLU = L.SiLU;
export type Hardswish = L.Hardswish;
export type Hardsigmoid = L.Hardsigmoid;
export type ReLU6 = L.ReLU6;
export type Dropout2d = L.Dropout2d;
export type Flatten<Start extends number = 1, End extends number = -1> = L.Flatten<Start, End>;
export type MaxPool2d<K extends L.Pair = L.Pair, O extends L.MaxPool2dLayerOptions = {}> = L.MaxPool2d<K, O>;
export type AvgPool2d<K extends L.Pair = L.Pair, O extends L.AvgPool2dLayerOptions = {}> = L.AvgPool2d<K, O>;
export type AdaptiveAvgPool2d<O extends L.Pair = L.Pair> = L.AdaptiveAvgPool2d<O>;
export type BatchNorm2d<C extends number = number> = L.BatchNorm2d<C>;
export type Sequential<Ls extends readonly ModuleLike[] = readonly Module[]> = L.Sequential<Ls>;
export type Residual<Body extends ModuleLike = Module, Shortcut extends ModuleLike | null = null> = L.Residual<
  Body,
  Shortcut
>;
export type Upsample<O extends InterpolateOptions = InterpolateOptions> = L.Upsample<O>;
// Issue 21: layer and group normalisation.
export type LayerNorm<N extends number | readonly number[] = number | readonly number[]> = L.LayerNorm<N>;
export type GroupNorm<G extends number = number, C extends number = number> = L.GroupNorm<G, C>;
