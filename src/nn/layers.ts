/**
 * The layers. Each is a `Layer<F>` whose type-level rule F (./types.ts) computes its output shape
 * from its input's, and whose `compute` checks the same at run time with the same message.
 * Initialisation follows PyTorch: Conv2d and Linear draw weight and bias from
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform_ with a = sqrt(5) for the weight), from the
 * seeded stream (`manualSeed`).
 */
import { Layer, Module, Parameter, recordCall, type ModuleLike } from "./module.js";
import { add, conv2d, convTranspose2d, full, maxPool2d, noGrad, sigmoid, tanh, zeros, type AnyTensor } from "./ops.js";
import { kaimingUniform, uniform, type FactoryOptions } from "./init.js";
import * as F from "./functional-impl.js";
import { argumentErrors, layerErrors, moduleErrors, nnErrors, normErrors, show } from "../../types/errors.js";
import { Tensor } from "../tensor.js";
import { conv2dOptionsError, convTranspose2dOptionsError } from "../ops/conv2d.js";
import type { GivenPlacement } from "../../types/shape/layer-tensors.js";
import type {
  AdaptiveAvgPool2dFn,
  AvgPool2dFn,
  BatchNorm2dFn,
  Conv2dFn,
  ConvTranspose2dFn,
  FlattenFn,
  IdentityFn,
  Dropout2dFn,
  LinearFn,
  MaxPool2dFn,
  ResidualFn,
  ConvOptions,
  Conv2dLayerCheck,
  ConvTranspose2dLayerCheck,
  LinearLayerCheck,
  LayerOptionsArg,
  Product,
  SequentialFn,
  ShapeFn,
  UpsampleFn,
} from "./types.js";
import { anyShape as resample, type InterpolateOptions } from "../ops/interpolate.js";
import { anyShape as norm, resolveEps, resolveNormalizedShape, resolveNumGroups } from "../ops/normalization.js";
import type { GroupNormChannels } from "../../types/shape/normalization.js";
import type { GroupNormFn, LayerNormFn } from "./types.js";
import { isArray } from "../runtime/shape.js";

export type Pair = number | readonly [number, number];

function positiveInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1)
    throw new Error(moduleErrors.positiveInt(layer, name, String(v)));
  return v;
}

// ----------------------------------------------------------------------------- Conv2d

/** The channel counts, kernel size and groups of a conv layer, checked as PyTorch's constructor does. */
function convSizes(layer: string, inChannels: number, outChannels: number, kernelSize: Pair, groupsArg?: number) {
  positiveInt(layer, "inChannels", inChannels);
  positiveInt(layer, "outChannels", outChannels);
  const [kh, kw] = F.pair(layer, "kernelSize", kernelSize, 1);
  const groups = groupsArg ?? 1;
  positiveInt(layer, "groups", groups);
  if (inChannels % groups !== 0) throw new Error(moduleErrors.groupsDivide(layer, "inChannels", inChannels, groups));
  if (outChannels % groups !== 0) throw new Error(moduleErrors.groupsDivide(layer, "outChannels", outChannels, groups));
  return { kh, kw, groups };
}

/**
 * What Conv2d, ConvTranspose2d and Linear take besides their own options: `dtype` and `device`, or
 * pre-built tensors (as simplegrad's Conv2d does). A given `weight` (and a `bias` tensor) must have
 * the declared shape and a float dtype, and becomes the layer's parameter itself, as
 * `nn.Parameter(t)` would make it: requiresGrad is set to true whatever it was (PyTorch's
 * default), a tensor that is part of a graph is detached first (sharing its data), so training
 * updates the given tensor. The layer's dtype and device are the given tensors' (in its type too);
 * what is not given is drawn as PyTorch initialises it, there.
 */
export interface GivenTensorOptions extends FactoryOptions {
  /** The weight, of the layer's weight shape. */
  weight?: AnyTensor;
  /** Whether to learn an additive bias (default true), or the bias itself: a tensor [C_out]. */
  bias?: boolean | AnyTensor;
}

export interface Conv2dLayerOptions extends GivenTensorOptions {
  stride?: Pair;
  padding?: Pair | readonly [number, number, number, number] | "same" | "valid";
  dilation?: Pair;
  groups?: number;
  // Any string, so that a misspelt mode is inferred and refused with conv2d's text (at compile
  // time, and at construction).
  paddingMode?: "zeros" | "reflect" | "replicate" | "circular" | (string & {});
}

type HasBias<O> = O extends { bias: false } ? false : true;

/**
 * What Conv2d and ConvTranspose2d share: PyTorch's constructor checks (channels, kernel, groups,
 * then the op's own option rule), the weight and bias, and the printed form. They differ in the
 * option rule and in the weight's layout: [out, in / groups, kH, kW] for a convolution,
 * [in, out / groups, kH, kW] for its transpose.
 */
abstract class ConvLayer<F extends ShapeFn, P> extends Layer<F, P> {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly options: Omit<Conv2dLayerOptions | ConvTranspose2dLayerOptions, keyof GivenTensorOptions>;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    layer: "Conv2d" | "ConvTranspose2d",
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    options: Conv2dLayerOptions | ConvTranspose2dLayerOptions,
    optionsError: (options: Record<string, unknown>) => string | null,
  ) {
    super();
    const { bias = true, weight, dtype, device, ...conv } = options;
    const { kh, kw, groups } = convSizes(this.typeName, inChannels, outChannels, kernelSize, conv.groups);
    const error = optionsError(conv);
    if (error !== null) throw new Error(error);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = [kh, kw];
    this.options = conv;
    const weightShape =
      layer === "Conv2d" ? [outChannels, inChannels / groups, kh, kw] : [inChannels, outChannels / groups, kh, kw];
    // PyTorch's fan_in of a conv weight: its dim 1 times the kernel.
    const fanIn = weightShape[1] * kh * kw;
    [this.weight, this.bias] = layerParameters(layer, weightShape, outChannels, fanIn, { weight, bias, dtype, device });
  }

  /** `3, 16, kernelSize=[3, 3], stride=2`. */
  protected override extraRepr(): string {
    const o = Object.entries(this.options)
      .map(([k, v]) => `, ${k}=${JSON.stringify(v)}`)
      .join("");
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize.join(", ")}]${o}${this.bias ? "" : ", bias=false"}`;
  }
}

export class Conv2d<
  const Cin extends number = number,
  const Cout extends number = number,
  const K extends Pair = Pair,
  const O extends Conv2dLayerOptions = {},
> extends ConvLayer<Conv2dFn<Cin, Cout, K, O, HasBias<O>>, GivenPlacement<O>> {
  declare readonly inChannels: Cin;
  declare readonly outChannels: Cout;
  declare readonly options: ConvOptions<O>;

  /**
   * Checks what PyTorch's constructor checks (channels, kernel, groups, then conv2d's own option
   * errors, "same" with a stride), then the given tensors; a literal call that fails does not compile.
   */
  constructor(
    inChannels: Cin,
    outChannels: Cout,
    kernelSize: K,
    options?: LayerOptionsArg<Conv2dLayerCheck<Cin, Cout, K, O>, O, Conv2dLayerOptions>,
  ) {
    super("Conv2d", inChannels, outChannels, kernelSize, options ?? {}, conv2dOptionsError);
  }

  protected compute(x: AnyTensor): AnyTensor {
    return conv2d(x, this.weight, this.bias, this.options);
  }
}

/**
 * A layer's weight and bias (GivenTensorOptions): the given tensors, checked in the order of the
 * type-level rule (types/shape/layer-tensors.ts), or drawn as PyTorch initialises them:
 * kaiming_uniform_ with a = sqrt(5) for the weight and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the
 * bias, on the given tensors' dtype and device when there are some.
 */
function layerParameters(
  layer: string,
  weightShape: readonly number[],
  biasSize: number,
  fanIn: number,
  given: GivenTensorOptions,
): [Parameter, Parameter | null] {
  const E = layerErrors;
  const check = (name: "weight" | "bias", t: AnyTensor, expected: readonly number[]) => {
    if (t.dtype !== "float32" && t.dtype !== "float64") throw new Error(E.dtype(layer, name, t.dtype));
    if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i]))
      throw new Error(E.shape(layer, name, show(t.shape), show(expected)));
  };
  const { weight, bias = true } = given;
  if (weight !== undefined) {
    if (!(weight instanceof Tensor)) throw new Error(E.tensor(layer, "weight", "a tensor", show(weight)));
    check("weight", weight, weightShape);
  }
  if (typeof bias !== "boolean") {
    if (!(bias instanceof Tensor)) throw new Error(E.tensor(layer, "bias", "true, false or a tensor", show(bias)));
    check("bias", bias, [biasSize]);
    if (weight && bias.dtype !== weight.dtype)
      throw new Error(E.biasPlacement(layer, "dtype", bias.dtype, weight.dtype));
    if (weight && bias.device !== weight.device)
      throw new Error(E.biasPlacement(layer, "device", bias.device, weight.device));
  }
  const first = weight ?? (typeof bias === "boolean" ? undefined : bias);
  if (first) {
    const name = weight ? "weight" : "bias";
    if (given.dtype !== undefined && given.dtype !== first.dtype)
      throw new Error(E.optionPlacement(layer, "dtype", given.dtype, name, first.dtype));
    if (given.device !== undefined && given.device !== first.device)
      throw new Error(E.optionPlacement(layer, "device", given.device, name, first.device));
  }
  const factory: FactoryOptions = first
    ? { dtype: first.dtype as "float32" | "float64", device: first.device }
    : { dtype: given.dtype, device: given.device };
  const w = Parameter(weight ?? kaimingUniform(weightShape, fanIn, Math.sqrt(5), factory));
  const b =
    typeof bias === "boolean"
      ? bias
        ? Parameter(uniform([biasSize], 1 / Math.sqrt(fanIn), factory))
        : null
      : Parameter(bias);
  return [w, b];
}

// ----------------------------------------------------------------------------- ConvTranspose2d

export interface ConvTranspose2dLayerOptions extends GivenTensorOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  groups?: number;
  dilation?: Pair;
}

/**
 * PyTorch's nn.ConvTranspose2d: weight [inChannels, outChannels / groups, kH, kW], initialised as
 * PyTorch does (kaiming_uniform_ with a = sqrt(5); its fan_in is the weight's dim 1 times the
 * kernel, (outChannels / groups) kH kW, and the bias is U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
 */
export class ConvTranspose2d<
  const Cin extends number = number,
  const Cout extends number = number,
  const K extends Pair = Pair,
  const O extends ConvTranspose2dLayerOptions = {},
> extends ConvLayer<ConvTranspose2dFn<Cin, Cout, K, O, HasBias<O>>, GivenPlacement<O>> {
  declare readonly inChannels: Cin;
  declare readonly outChannels: Cout;
  declare readonly options: Omit<ConvTranspose2dLayerOptions, keyof GivenTensorOptions>;

  /** Checks as Conv2d's constructor does, with convTranspose2d's option rules (outputPadding's limit). */
  constructor(
    inChannels: Cin,
    outChannels: Cout,
    kernelSize: K,
    options?: LayerOptionsArg<ConvTranspose2dLayerCheck<Cin, Cout, K, O>, O, ConvTranspose2dLayerOptions>,
  ) {
    super("ConvTranspose2d", inChannels, outChannels, kernelSize, options ?? {}, convTranspose2dOptionsError);
  }

  protected compute(x: AnyTensor): AnyTensor {
    return convTranspose2d(x, this.weight, this.bias, this.options);
  }
}

// ----------------------------------------------------------------------------- Linear

/** inFeatures as a number, or as the factors whose product it is (`[32, 16, 16]`). */
export type Features = number | readonly number[];
type FeatureCount<In extends Features> = In extends readonly number[] ? Product<In> : In;

/**
 * y = x W^T + b over the last dim. `inFeatures` may be given as its factors, `[32, 16, 16]`: an
 * arithmetic expression such as `32 * 16 * 16` has type `number` in TypeScript, so only a literal
 * (8192) or the factor tuple lets the compiler check it against the incoming shape.
 */
export class Linear<
  const In extends Features = number,
  const Out extends number = number,
  const O extends GivenTensorOptions = {},
> extends Layer<LinearFn<FeatureCount<In>, Out>, GivenPlacement<O>> {
  readonly inFeatures: number;
  readonly outFeatures: Out;
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    inFeatures: In,
    outFeatures: Out,
    options?: LayerOptionsArg<LinearLayerCheck<FeatureCount<In>, Out, O>, O, GivenTensorOptions>,
  ) {
    super();
    const inCount =
      typeof inFeatures === "number"
        ? inFeatures
        : isArray(inFeatures)
          ? inFeatures.reduce((a: number, b: number) => a * b, 1)
          : NaN;
    positiveInt(this.typeName, "inFeatures", inCount);
    positiveInt(this.typeName, "outFeatures", outFeatures);
    this.inFeatures = inCount;
    this.outFeatures = outFeatures;
    [this.weight, this.bias] = layerParameters("Linear", [outFeatures, inCount], outFeatures, inCount, options ?? {});
  }

  protected compute(x: AnyTensor): AnyTensor {
    return F.linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}${this.bias ? "" : ", bias=false"}`;
  }
}

// ----------------------------------------------------------------------------- activations

export class ReLU extends Layer<IdentityFn<"ReLU">> {
  protected compute(x: AnyTensor): AnyTensor {
    // on a BatchNorm2d's training output: fused with it (issue 23), as Sequential's pairs are
    return F.relu(x);
  }
}
export class Sigmoid extends Layer<IdentityFn<"Sigmoid">> {
  protected compute(x: AnyTensor): AnyTensor {
    return sigmoid(x);
  }
}
export class Tanh extends Layer<IdentityFn<"Tanh">> {
  protected compute(x: AnyTensor): AnyTensor {
    return tanh(x);
  }
}
export class Identity extends Layer<IdentityFn<"Identity">> {
  protected compute(x: AnyTensor): AnyTensor {
    return x;
  }
}
export class LeakyReLU extends Layer<IdentityFn<"LeakyReLU">> {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  protected compute(x: AnyTensor): AnyTensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
  protected override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}
export class GELU extends Layer<IdentityFn<"GELU">> {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }
  protected compute(x: AnyTensor): AnyTensor {
    return F.gelu(x, this.approximate);
  }
}
export class Softmax extends Layer<IdentityFn<"Softmax">> {
  constructor(readonly dim = -1) {
    super();
  }
  protected compute(x: AnyTensor): AnyTensor {
    return F.softmax(x, this.dim);
  }
}
export class LogSoftmax extends Layer<IdentityFn<"LogSoftmax">> {
  constructor(readonly dim = -1) {
    super();
  }
  protected compute(x: AnyTensor): AnyTensor {
    return F.logSoftmax(x, this.dim);
  }
}

export class Dropout extends Layer<IdentityFn<"Dropout">> {
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(nnErrors.probability("Dropout", p));
  }
  protected compute(x: AnyTensor): AnyTensor {
    return F.dropout(x, this.p, this.training);
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}

// Issue 21: modern activations and channel dropout.
export class SiLU extends Layer<IdentityFn<"SiLU">> {
  protected compute(x: AnyTensor): AnyTensor {
    return F.silu(x);
  }
}
export class Hardswish extends Layer<IdentityFn<"Hardswish">> {
  protected compute(x: AnyTensor): AnyTensor {
    return F.hardswish(x);
  }
}
export class Hardsigmoid extends Layer<IdentityFn<"Hardsigmoid">> {
  protected compute(x: AnyTensor): AnyTensor {
    return F.hardsigmoid(x);
  }
}
export class ReLU6 extends Layer<IdentityFn<"ReLU6">> {
  protected compute(x: AnyTensor): AnyTensor {
    return F.relu6(x);
  }
}
export class Dropout2d extends Layer<Dropout2dFn> {
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(nnErrors.probability("Dropout2d", p));
  }
  protected compute(x: AnyTensor): AnyTensor {
    return F.dropout2d(x, this.p, this.training);
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}

// ----------------------------------------------------------------------------- shape layers

export class Flatten<const Start extends number = 1, const End extends number = -1> extends Layer<
  FlattenFn<Start, End>
> {
  readonly startDim: Start;
  readonly endDim: End;
  constructor(startDim?: Start, endDim?: End) {
    super();
    this.startDim = (startDim ?? 1) as Start;
    this.endDim = (endDim ?? -1) as End;
  }
  protected compute(x: AnyTensor): AnyTensor {
    return F.flatten(x, this.startDim, this.endDim);
  }
}

export interface MaxPool2dLayerOptions {
  stride?: Pair;
  /** p, [h, w] or [top, bottom, left, right] */
  padding?: Pair | readonly [number, number, number, number];
  dilation?: Pair;
  ceilMode?: boolean;
}

type Get<O, K extends string> = O extends { [P in K]: infer V } ? V : undefined;
type CeilOf<O> = O extends { ceilMode: true } ? true : false;

export class MaxPool2d<const K extends Pair = Pair, const O extends MaxPool2dLayerOptions = {}> extends Layer<
  MaxPool2dFn<K, Get<O, "stride">, Get<O, "padding">, Get<O, "dilation">, CeilOf<O>>
> {
  constructor(
    readonly kernelSize: K,
    readonly options: O = {} as O,
  ) {
    super();
  }
  protected compute(x: AnyTensor): AnyTensor {
    return maxPool2d(x, { kernelSize: this.kernelSize, ...this.options });
  }
  protected override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.options)}`;
  }
}

export interface AvgPool2dLayerOptions {
  stride?: Pair;
  /** p, [h, w] or [top, bottom, left, right] */
  padding?: Pair | readonly [number, number, number, number];
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

export class AvgPool2d<const K extends Pair = Pair, const O extends AvgPool2dLayerOptions = {}> extends Layer<
  AvgPool2dFn<K, Get<O, "stride">, Get<O, "padding">, CeilOf<O>>
> {
  constructor(
    readonly kernelSize: K,
    readonly options: O = {} as O,
  ) {
    super();
  }
  protected compute(x: AnyTensor): AnyTensor {
    return F.avgPool2d(x, { kernelSize: this.kernelSize, ...this.options });
  }
}

export class AdaptiveAvgPool2d<const O extends Pair = Pair> extends Layer<AdaptiveAvgPool2dFn<O>> {
  constructor(readonly outputSize: O) {
    super();
  }
  protected compute(x: AnyTensor): AnyTensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
}

// ----------------------------------------------------------------------------- Upsample

/**
 * torch.nn.Upsample: `interpolate(x, options)` (exactly one of size and scaleFactor; mode
 * "nearest" by default, or "bilinear" with alignCorners). The options are checked at each call,
 * against the input, as PyTorch does.
 */
export class Upsample<const O extends InterpolateOptions = InterpolateOptions> extends Layer<UpsampleFn<O>> {
  constructor(readonly options: O) {
    super();
  }
  protected compute(x: AnyTensor): AnyTensor {
    return resample.interpolate(x, this.options);
  }
  protected override extraRepr(): string {
    return JSON.stringify(this.options);
  }
}

// ----------------------------------------------------------------------------- BatchNorm2d

export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics; null for a cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true). */
  trackRunningStats?: boolean;
}

export class BatchNorm2d<const C extends number = number> extends Layer<BatchNorm2dFn<C>> {
  readonly numFeatures: C;
  readonly eps: number;
  readonly momentum: number | null;
  weight: Parameter | null;
  bias: Parameter | null;
  declare runningMean: AnyTensor | null;
  declare runningVar: AnyTensor | null;
  declare numBatchesTracked: AnyTensor | null;

  constructor(numFeatures: C, options: BatchNormOptions = {}) {
    super();
    positiveInt(this.typeName, "numFeatures", numFeatures);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    const factory = { dtype: options.dtype ?? "float32", device: options.device ?? "cpu" } as const;
    const affine = options.affine ?? true;
    this.weight = affine ? Parameter(full([numFeatures], 1, factory)) : null;
    this.bias = affine ? Parameter(zeros([numFeatures], factory)) : null;
    const track = options.trackRunningStats ?? true;
    this.registerBuffer("runningMean", track ? zeros([numFeatures], factory) : null, "running_mean");
    this.registerBuffer("runningVar", track ? full([numFeatures], 1, factory) : null, "running_var");
    this.registerBuffer(
      "numBatchesTracked",
      track ? zeros([], { dtype: "int32", device: factory.device }) : null,
      "num_batches_tracked",
    );
  }

  protected compute(x: AnyTensor): AnyTensor {
    return this.normalize(x, false);
  }

  /**
   * relu(this.forward(x)) in one fused pass where training can take it (nn.Sequential calls this
   * for a BatchNorm2d followed by a ReLU, whose normalised output nothing else can read).
   */
  forwardRelu(x: AnyTensor): AnyTensor {
    const y = this.normalize(x, true);
    recordCall(this, y);
    return y;
  }

  private normalize(x: AnyTensor, withRelu: boolean): AnyTensor {
    if (x.shape.length < 2) throw new Error(nnErrors.layerInput(this.typeName, "input [N, C, ...]", x.shape));
    if (x.shape[1] !== this.numFeatures)
      throw new Error(nnErrors.layerChannels(this.typeName, x.shape[1], this.numFeatures, x.shape));
    const useBatchStats = this.training || !this.runningMean;
    let tracked = 0;
    if (this.training && this.numBatchesTracked) {
      this.numBatchesTracked.assign(noGrad(() => add(this.numBatchesTracked!, 1)));
      if (this.momentum === null) {
        if (this.numBatchesTracked.device !== "cpu") {
          throw new Error(
            "BatchNorm2d: momentum null (cumulative average) needs the step count on the CPU; use a numeric momentum on other devices",
          );
        }
        tracked = this.numBatchesTracked.item();
      }
    }
    const r = (withRelu ? F.batchNormRelu : F.batchNorm)(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: this.momentum,
      eps: this.eps,
      numBatchesTracked: tracked,
    });
    // In place (assign swaps the storage), so a tidy() scope around the step does not free them
    // and earlier stateDict() snapshots keep their values.
    if (this.training && this.runningMean && r.runningMean && r.runningVar) {
      this.runningMean.assign(r.runningMean);
      this.runningVar!.assign(r.runningVar);
    }
    return r.output;
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}`;
  }
}

// ----------------------------------------------------------------------------- LayerNorm, GroupNorm (issue 21)

export interface LayerNormLayerOptions extends FactoryOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learn a weight (ones) and a bias (zeros) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
}

/** torch.nn.LayerNorm: layerNorm over the last dims, `normalizedShape` (a number is one dim). */
export class LayerNorm<const N extends number | readonly number[] = number | readonly number[]> extends Layer<
  LayerNormFn<N>
> {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalizedShape: N, options: LayerNormLayerOptions = {}) {
    super();
    this.normalizedShape = resolveNormalizedShape("LayerNorm", normalizedShape);
    this.eps = resolveEps("LayerNorm", options.eps ?? 1e-5);
    this.elementwiseAffine = booleanOption("LayerNorm", "elementwiseAffine", options.elementwiseAffine ?? true);
    const factory = { dtype: options.dtype ?? "float32", device: options.device ?? "cpu" } as const;
    const shape = [...this.normalizedShape];
    this.weight = this.elementwiseAffine ? Parameter(full(shape, 1, factory)) : null;
    this.bias = this.elementwiseAffine ? Parameter(zeros(shape, factory)) : null;
  }
  protected compute(x: AnyTensor): AnyTensor {
    return norm.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  protected override extraRepr(): string {
    return `[${this.normalizedShape.join(", ")}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

export interface GroupNormLayerOptions extends FactoryOptions {
  /** Default 1e-5. */
  eps?: number;
  /** Learn a per-channel weight (ones) and bias (zeros) (default true). */
  affine?: boolean;
}

/**
 * torch.nn.GroupNorm: groupNorm of an [N, numChannels, ...] input in numGroups groups. The input's
 * channels must be numChannels, with or without affine parameters (PyTorch checks them only
 * through the parameters' shapes).
 */
export class GroupNorm<const G extends number = number, const C extends number = number> extends Layer<
  GroupNormFn<G, C>
> {
  readonly numGroups: G;
  readonly numChannels: C;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(numGroups: G, numChannels: GroupNormChannels<G, C>, options: GroupNormLayerOptions = {}) {
    super();
    this.numGroups = resolveNumGroups("GroupNorm", numGroups) as G;
    this.numChannels = positiveInt(this.typeName, "numChannels", numChannels) as C;
    if (this.numChannels % this.numGroups !== 0) {
      throw new Error(normErrors.layerGroupsDivide(this.numGroups, this.numChannels));
    }
    this.eps = resolveEps("GroupNorm", options.eps ?? 1e-5);
    this.affine = booleanOption("GroupNorm", "affine", options.affine ?? true);
    const factory = { dtype: options.dtype ?? "float32", device: options.device ?? "cpu" } as const;
    this.weight = this.affine ? Parameter(full([this.numChannels], 1, factory)) : null;
    this.bias = this.affine ? Parameter(zeros([this.numChannels], factory)) : null;
  }
  protected compute(x: AnyTensor): AnyTensor {
    if (x.shape.length < 2) throw new Error(nnErrors.layerInput(this.typeName, "input [N, C, ...]", x.shape));
    if (x.shape[1] !== this.numChannels)
      throw new Error(nnErrors.layerChannels(this.typeName, x.shape[1], this.numChannels, x.shape));
    return norm.groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
  protected override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}

function booleanOption(layer: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw new Error(argumentErrors.booleanOption(layer, name, show(v)));
  return v;
}

// ----------------------------------------------------------------------------- composition

/** The name under which a composite reports a failing child; the same at compile time. */
/** The class name (a user's module's own, as PyTorch's repr shows it). */
function nameOf(m: Module): string {
  return m.typeName;
}

/**
 * Layers applied in order. Its output type is computed from its input type layer by layer; a
 * layer whose rule refuses the incoming shape makes `forward`'s argument a message naming the
 * layer's position and class and the numbers, and the run time throws the same text.
 */
export class Sequential<const Ls extends readonly ModuleLike[] = readonly Module[]> extends Layer<SequentialFn<Ls>> {
  readonly layers: Ls;

  constructor(...layers: Ls) {
    super();
    layers.forEach((l, i) => {
      if (!(l instanceof Module)) throw new Error(moduleErrors.sequentialArgument(i));
    });
    this.layers = layers;
  }

  /** The layers as the Modules the constructor checked they are (`Ls` is typed by ModuleLike). */
  get #modules(): readonly Module[] {
    return this.layers as readonly ModuleLike[] as readonly Module[];
  }

  override namedChildren(): [string, Module][] {
    return this.#modules.map((m, i) => [String(i), m]);
  }

  get length(): number {
    return this.layers.length;
  }

  protected compute(x: AnyTensor): AnyTensor {
    const layers = this.#modules;
    let y = x;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      try {
        const next = layers[i + 1];
        if (fusesWithRelu(layer, next)) {
          y = layer.forwardRelu(y);
          recordCall(next, y);
          i++;
        } else y = (layer.forward as (t: AnyTensor) => AnyTensor).call(layer, y);
      } catch (e) {
        // Nested Sequentials prefix again, as the type-level message does.
        if (e instanceof Error) throw new Error(nnErrors.sequentialLayer(i, nameOf(layer), e.message), { cause: e });
        throw e;
      }
    }
    return y;
  }
}

/**
 * A BatchNorm2d followed by a ReLU, both the library's own (no subclass, no forward replaced on
 * the instance), run as one batchNormReluTrain: inside a Sequential the normalised output goes to
 * the ReLU only, so it need not exist (issue 23; the layer-by-layer path is the tests' reference).
 */
function fusesWithRelu(layer: Module, next: Module | undefined): layer is BatchNorm2d {
  return (
    next !== undefined &&
    layer.constructor === BatchNorm2d &&
    next.constructor === ReLU &&
    !Object.hasOwn(layer, "forward") &&
    !Object.hasOwn(next, "forward")
  );
}

/** `body(x) + shortcut(x)`, with the identity as the default shortcut: the residual pattern. */
export class Residual<
  const Body extends ModuleLike = Module,
  const Shortcut extends ModuleLike | null = null,
> extends Layer<ResidualFn<Body, Shortcut>> {
  constructor(
    readonly body: Body,
    readonly shortcut: Shortcut = null as Shortcut,
  ) {
    super();
  }

  protected compute(x: AnyTensor): AnyTensor {
    // Every ModuleLike is a Module (its phantom is Module's alone).
    const run = (m: ModuleLike, t: AnyTensor) => ((m as Module).forward as (t: AnyTensor) => AnyTensor).call(m, t);
    const b = run(this.body, x);
    const s = this.shortcut ? run(this.shortcut, x) : x;
    if (b.shape.length !== s.shape.length || b.shape.some((d, i) => d !== s.shape[i])) {
      throw new Error(nnErrors.residualShape(b.shape, s.shape));
    }
    return add(b, s);
  }
}
