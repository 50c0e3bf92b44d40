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

export { Module, Layer, Parameter, isParameter, type StateDict, type IncompatibleKeys, type Placement, type PlacementOf, type DTypeOf, type DeviceOf, type Moved } from "./module.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export type * from "./types.js";
export type { Conv2dLayerOptions, MaxPool2dLayerOptions, AvgPool2dLayerOptions, BatchNormOptions, Pair, Features } from "./layers.js";
export type { FactoryOptions } from "./init.js";
export { saveSafetensors, loadSafetensors, stateDictToSafetensors, safetensorsToStateDict } from "./state.js";

const Conv2dCall = callable(L.Conv2d);
export const Conv2d = Conv2dCall as typeof Conv2dCall & typeof L.Conv2d;
export type Conv2d<Cin extends number = number, Cout extends number = number, K extends L.Pair = L.Pair, O extends L.Conv2dLayerOptions = {}> = L.Conv2d<Cin, Cout, K, O>;
const LinearCall = callable(L.Linear);
export const Linear = LinearCall as typeof LinearCall & typeof L.Linear;
export type Linear<In extends L.Features = number, Out extends number = number> = L.Linear<In, Out>;
const ReLUCall = callable(L.ReLU);
export const ReLU = ReLUCall as typeof ReLUCall & typeof L.ReLU;
export type ReLU = L.ReLU;
const SigmoidCall = callable(L.Sigmoid);
export const Sigmoid = SigmoidCall as typeof SigmoidCall & typeof L.Sigmoid;
export type Sigmoid = L.Sigmoid;
const TanhCall = callable(L.Tanh);
export const Tanh = TanhCall as typeof TanhCall & typeof L.Tanh;
export type Tanh = L.Tanh;
const IdentityCall = callable(L.Identity);
export const Identity = IdentityCall as typeof IdentityCall & typeof L.Identity;
export type Identity = L.Identity;
const LeakyReLUCall = callable(L.LeakyReLU);
export const LeakyReLU = LeakyReLUCall as typeof LeakyReLUCall & typeof L.LeakyReLU;
export type LeakyReLU = L.LeakyReLU;
const GELUCall = callable(L.GELU);
export const GELU = GELUCall as typeof GELUCall & typeof L.GELU;
export type GELU = L.GELU;
const SoftmaxCall = callable(L.Softmax);
export const Softmax = SoftmaxCall as typeof SoftmaxCall & typeof L.Softmax;
export type Softmax = L.Softmax;
const LogSoftmaxCall = callable(L.LogSoftmax);
export const LogSoftmax = LogSoftmaxCall as typeof LogSoftmaxCall & typeof L.LogSoftmax;
export type LogSoftmax = L.LogSoftmax;
const DropoutCall = callable(L.Dropout);
export const Dropout = DropoutCall as typeof DropoutCall & typeof L.Dropout;
export type Dropout = L.Dropout;
const FlattenCall = callable(L.Flatten);
export const Flatten = FlattenCall as typeof FlattenCall & typeof L.Flatten;
export type Flatten<Start extends number = 1, End extends number = -1> = L.Flatten<Start, End>;
const MaxPool2dCall = callable(L.MaxPool2d);
export const MaxPool2d = MaxPool2dCall as typeof MaxPool2dCall & typeof L.MaxPool2d;
export type MaxPool2d<K extends L.Pair = L.Pair, O extends L.MaxPool2dLayerOptions = {}> = L.MaxPool2d<K, O>;
const AvgPool2dCall = callable(L.AvgPool2d);
export const AvgPool2d = AvgPool2dCall as typeof AvgPool2dCall & typeof L.AvgPool2d;
export type AvgPool2d<K extends L.Pair = L.Pair, O extends L.AvgPool2dLayerOptions = {}> = L.AvgPool2d<K, O>;
const AdaptiveAvgPool2dCall = callable(L.AdaptiveAvgPool2d);
export const AdaptiveAvgPool2d = AdaptiveAvgPool2dCall as typeof AdaptiveAvgPool2dCall & typeof L.AdaptiveAvgPool2d;
export type AdaptiveAvgPool2d<O extends L.Pair = L.Pair> = L.AdaptiveAvgPool2d<O>;
const BatchNorm2dCall = callable(L.BatchNorm2d);
export const BatchNorm2d = BatchNorm2dCall as typeof BatchNorm2dCall & typeof L.BatchNorm2d;
export type BatchNorm2d<C extends number = number> = L.BatchNorm2d<C>;
const SequentialCall = callable(L.Sequential);
export const Sequential = SequentialCall as typeof SequentialCall & typeof L.Sequential;
export type Sequential<Ls extends readonly Module[] = readonly Module[]> = L.Sequential<Ls>;
const ResidualCall = callable(L.Residual);
export const Residual = ResidualCall as typeof ResidualCall & typeof L.Residual;
export type Residual<Body extends Module = Module, Shortcut extends Module | null = null> = L.Residual<Body, Shortcut>;
