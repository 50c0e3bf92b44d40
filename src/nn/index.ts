/**
 * The `nn` namespace: modules, layers, losses (in `nn.functional`) and initialisers. Layer classes
 * can be constructed with or without `new` (`nn.Conv2d(3, 16, 3)` as in PyTorch, or
 * `new nn.Conv2d(3, 16, 3)`); `instanceof` and `extends` work either way.
 */
import * as L from "./layers.js";
import type { Module } from "./module.js";

/**
 * The class, also callable without `new`. Passing a generic class through this generic function
 * keeps its type parameters on the call signature (TypeScript's higher-order inference).
 */
function callable<A extends readonly unknown[], R>(c: new (...args: A) => R): (...args: A) => R {
  return new Proxy(c, { apply: (target, _this, args) => new target(...(args as unknown as A)) }) as unknown as (...args: A) => R;
}

/** Each entry's call signature joined with its class (for `new`, statics, `instanceof`, `extends`). */
type WithClasses<T> = { [K in keyof T]: T[K] & (typeof L)[K & keyof typeof L] };

export {
  Module, Layer, Parameter, isParameter,
  type StateDict, type IncompatibleKeys, type Placement, type PlacementOf, type DTypeOf, type DeviceOf, type Moved,
} from "./module.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export type * from "./types.js";
export type { Conv2dLayerOptions, MaxPool2dLayerOptions, AvgPool2dLayerOptions, BatchNormOptions, Pair, Features } from "./layers.js";
export type { FactoryOptions } from "./init.js";
export { saveSafetensors, loadSafetensors, stateDictToSafetensors, safetensorsToStateDict } from "./state.js";

/** The layers, one entry each: the value is the class, callable without `new`. */
const layers = {
  Conv2d: callable(L.Conv2d),
  Linear: callable(L.Linear),
  ReLU: callable(L.ReLU),
  Sigmoid: callable(L.Sigmoid),
  Tanh: callable(L.Tanh),
  Identity: callable(L.Identity),
  LeakyReLU: callable(L.LeakyReLU),
  GELU: callable(L.GELU),
  Softmax: callable(L.Softmax),
  LogSoftmax: callable(L.LogSoftmax),
  Dropout: callable(L.Dropout),
  Flatten: callable(L.Flatten),
  MaxPool2d: callable(L.MaxPool2d),
  AvgPool2d: callable(L.AvgPool2d),
  AdaptiveAvgPool2d: callable(L.AdaptiveAvgPool2d),
  BatchNorm2d: callable(L.BatchNorm2d),
  Sequential: callable(L.Sequential),
  Residual: callable(L.Residual),
};
export const {
  Conv2d, Linear, ReLU, Sigmoid, Tanh, Identity, LeakyReLU, GELU, Softmax, LogSoftmax, Dropout, Flatten,
  MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm2d, Sequential, Residual,
} = layers as WithClasses<typeof layers>;

// The instance types under the same names, with the classes' type parameters and defaults.
export type Conv2d<Cin extends number = number, Cout extends number = number, K extends L.Pair = L.Pair, O extends L.Conv2dLayerOptions = {}> = L.Conv2d<Cin, Cout, K, O>;
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
export type Flatten<Start extends number = 1, End extends number = -1> = L.Flatten<Start, End>;
export type MaxPool2d<K extends L.Pair = L.Pair, O extends L.MaxPool2dLayerOptions = {}> = L.MaxPool2d<K, O>;
export type AvgPool2d<K extends L.Pair = L.Pair, O extends L.AvgPool2dLayerOptions = {}> = L.AvgPool2d<K, O>;
export type AdaptiveAvgPool2d<O extends L.Pair = L.Pair> = L.AdaptiveAvgPool2d<O>;
export type BatchNorm2d<C extends number = number> = L.BatchNorm2d<C>;
export type Sequential<Ls extends readonly Module[] = readonly Module[]> = L.Sequential<Ls>;
export type Residual<Body extends Module = Module, Shortcut extends Module | null = null> = L.Residual<Body, Shortcut>;
