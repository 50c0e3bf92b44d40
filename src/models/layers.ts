/**
 * Building blocks shared by the torchvision architectures, under torchvision's names so their
 * state-dict keys match: Conv2dNormActivation (`torchvision.ops.Conv2dNormActivation`, a
 * Sequential of conv, batch norm and an optional activation: keys `0.weight`, `1.running_mean`),
 * SqueezeExcitation (`torchvision.ops.SqueezeExcitation`: `fc1`, `fc2`) and StochasticDepth
 * (`torchvision.ops.StochasticDepth`, "row" mode), plus `makeDivisible`.
 */
import {
  mul,
  noGrad,
  ones,
  permute,
  type AnyTensor,
  type Tensor,
  type DType,
  type Device,
  type Shape,
} from "../index.js";
import type { Permute as PermuteShape } from "../../types/shape/reshape.js";
import { nnErrors } from "../../types/errors.js";
import * as nn from "../nn/index.js";

/**
 * A module over [N, C, H, W] that maps `Cin` channels to `Cout` at any spatial size: what a
 * block's forward needs to know of a body whose layers vary with the configuration (a Sequential
 * with or without its expansion conv). The compiler checks that each body assigned to a field of
 * this type maps Cin to Cout (its layers' channels chained).
 */
export interface ChannelMap<Cin extends number, Cout extends number> extends nn.Module {
  forward<N extends number, D extends DType, Dev extends Device>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ): Tensor<[N, Cout, number, number], D, Dev>;
}

/** An activation layer (keeps the shape). */
export type Activation = nn.ReLU | nn.ReLU6 | nn.SiLU | nn.Hardswish | nn.Hardsigmoid | nn.Sigmoid;

/** torchvision's `_make_divisible`: the nearest multiple of `divisor` to v, not below 90% of v. */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  const rounded = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

export interface ConvNormOptions {
  readonly stride?: number;
  readonly groups?: number;
  readonly dilation?: number;
  /** Batch norm's eps and momentum (torchvision's norm_layer partials). */
  readonly eps?: number;
  readonly momentum?: number;
}

/** The conv of a Conv2dNormActivation: no bias, padding (k - 1) / 2 * dilation. */
type ConvOf<Cin extends number, Cout extends number, K extends number> = nn.Conv2d<Cin, Cout, K, ConvNormConvOptions>;
interface ConvNormConvOptions {
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;
  readonly bias: false;
}

/** Conv2dNormActivation's rule: its conv's (batch norm and activation keep the shape). */
export interface Conv2dNormActivationFn<Cin extends number, Cout extends number, K extends number> extends nn.ShapeFn {
  readonly name: "Conv2dNormActivation";
  readonly channels?: readonly [Cin, Cout];
  readonly mapsChannels?: true;
  readonly output: nn.InputOf<this> extends infer S extends Shape
    ? nn.ApplyShape<nn.Conv2dFn<Cin, Cout, K, ConvNormConvOptions, false>, S>
    : never;
}

/**
 * torchvision.ops.Conv2dNormActivation: a conv without bias, batch norm and an optional activation,
 * under the keys `0`, `1` and `2` (a Sequential's). A Layer with its own rule (the conv's) and its
 * channels `[Cin, Cout]` stated, rather than an nn.Sequential: inside a block generic in its
 * channels, a Sequential nesting this one then still knows what it maps (nn.Sequential's channel
 * chain cannot see through a nested Sequential whose channels are generic).
 */
export class Conv2dNormActivation<
  const Cin extends number = number,
  const Cout extends number = number,
  const K extends number = number,
> extends nn.Layer<Conv2dNormActivationFn<Cin, Cout, K>> {
  readonly 0: ConvOf<Cin, Cout, K>;
  readonly 1: nn.BatchNorm2d<Cout>;
  readonly 2: Activation | null;

  constructor(
    inChannels: Cin,
    outChannels: Cout,
    kernelSize: K,
    activation: Activation | null,
    options: ConvNormOptions = {},
  ) {
    super();
    const dilation = options.dilation ?? 1;
    this[0] = nn.Conv2d(inChannels, outChannels, kernelSize, {
      stride: options.stride ?? 1,
      padding: ((kernelSize - 1) / 2) * dilation,
      dilation,
      groups: options.groups ?? 1,
      bias: false,
    });
    this[1] = nn.BatchNorm2d(outChannels, { eps: options.eps ?? 1e-5, momentum: options.momentum ?? 0.1 });
    this[2] = activation;
  }

  protected compute(x: AnyTensor): AnyTensor {
    const y = this[1].forward(this[0].forward(x));
    return this[2] ? this[2].forward(y) : y;
  }
}

/** torchvision's Conv2dNormActivation with `activation_layer=None`. */
export function convNorm<Cin extends number, Cout extends number, K extends number>(
  inChannels: Cin,
  outChannels: Cout,
  kernelSize: K,
  options: ConvNormOptions = {},
): Conv2dNormActivation<Cin, Cout, K> {
  return new Conv2dNormActivation(inChannels, outChannels, kernelSize, null, options);
}

/** torchvision's Conv2dNormActivation with an activation. */
export function convNormAct<Cin extends number, Cout extends number, K extends number>(
  inChannels: Cin,
  outChannels: Cout,
  kernelSize: K,
  activation: Activation,
  options: ConvNormOptions = {},
): Conv2dNormActivation<Cin, Cout, K> {
  return new Conv2dNormActivation(inChannels, outChannels, kernelSize, activation, options);
}

/** SqueezeExcitation's rule: an [N, C, H, W] input with the block's C channels, returned as it is. */
export interface SqueezeExcitationFn<C extends number> extends nn.ShapeFn {
  readonly name: "SqueezeExcitation";
  readonly channels?: readonly [C, C];
  readonly mapsChannels?: true;
  readonly keepsShape?: true;
  readonly output: nn.InputOf<this> extends infer S extends Shape ? nn.ChannelShape<"SqueezeExcitation", S, C> : never;
}

/**
 * torchvision.ops.SqueezeExcitation: x * scale(fc2(act(fc1(mean of x over H, W)))), a gate per
 * channel; fc1 and fc2 are 1x1 convolutions with bias. A Layer (with a channel rule) rather than a
 * module with a typed forward, so that a Sequential holding it inside a block generic in its
 * channels still knows it maps C channels to C.
 */
export class SqueezeExcitation<const C extends number = number, const Sq extends number = number> extends nn.Layer<
  SqueezeExcitationFn<C>
> {
  avgpool = nn.AdaptiveAvgPool2d(1);
  fc1: nn.Conv2d<C, Sq, 1>;
  fc2: nn.Conv2d<Sq, C, 1>;
  activation: nn.ReLU | nn.SiLU;
  scaleActivation: nn.Sigmoid | nn.Hardsigmoid;

  constructor(
    readonly inputChannels: C,
    squeezeChannels: Sq,
    activation: nn.ReLU | nn.SiLU = nn.ReLU(),
    scaleActivation: nn.Sigmoid | nn.Hardsigmoid = nn.Sigmoid(),
  ) {
    super();
    this.fc1 = nn.Conv2d(inputChannels, squeezeChannels, 1);
    this.fc2 = nn.Conv2d(squeezeChannels, inputChannels, 1);
    this.activation = activation;
    this.scaleActivation = scaleActivation;
  }

  protected compute(x: AnyTensor): AnyTensor {
    if (x.shape.length !== 4) throw new Error(nnErrors.layerInput("SqueezeExcitation", "input [N, C, ...]", x.shape));
    if (x.shape[1] !== this.inputChannels)
      throw new Error(nnErrors.layerChannels("SqueezeExcitation", x.shape[1], this.inputChannels, x.shape));
    const squeezed = this.fc1.forward(this.avgpool.forward(x));
    const scale = this.scaleActivation.forward(this.fc2.forward(this.activation.forward(squeezed)));
    return mul(scale, x);
  }
}

/**
 * torchvision.ops.StochasticDepth in "row" mode (EfficientNet's): in training, each sample's
 * residual branch is dropped with probability p and the kept ones scaled by 1 / (1 - p), so the
 * expectation is unchanged; the identity in eval mode or for p = 0. The per-sample mask is
 * dropout applied to ones of shape [N, 1, 1, 1]: Bernoulli(1 - p) / (1 - p), torchvision's noise.
 */
export class StochasticDepth extends nn.Layer<nn.IdentityFn<"StochasticDepth">> {
  constructor(readonly p: number) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(nnErrors.probability("StochasticDepth", p));
  }

  protected compute(x: AnyTensor): AnyTensor {
    if (!this.training || this.p === 0) return x;
    if (x.shape.length === 0) throw new Error(nnErrors.layerInput("StochasticDepth", "input [N, ...]", x.shape));
    const rows = [x.shape[0], ...x.shape.slice(1).map(() => 1)];
    const noise = noGrad(() =>
      nn.functional.dropout(
        ones(rows, { dtype: x.dtype === "float64" ? "float64" : "float32", device: x.device }),
        this.p,
      ),
    );
    return mul(x, noise);
  }

  protected override extraRepr(): string {
    return `p=${this.p}, mode=row`;
  }
}

// i22-dense
/** Permute's rule: permute's (types/shape/reshape.ts), with its message for a bad permutation. */
export interface PermuteFn<P extends Shape> extends nn.ShapeFn {
  readonly name: "Permute";
  readonly output: nn.InputOf<this> extends infer S extends Shape ? PermuteShape<S, P> : never;
}

/**
 * torchvision.ops.Permute: `x.permute(dims)` as a layer, so a Sequential can move the channels
 * last for a LayerNorm and back (ConvNeXt's blocks). No parameters: it only holds an index in a
 * Sequential, as in torchvision's state dict.
 */
export class Permute<const P extends readonly number[] = readonly number[]> extends nn.Layer<PermuteFn<P>> {
  constructor(readonly dims: P) {
    super();
  }

  protected compute(x: AnyTensor): AnyTensor {
    return permute(x, this.dims);
  }

  protected override extraRepr(): string {
    return `dims=[${this.dims.join(", ")}]`;
  }
}
