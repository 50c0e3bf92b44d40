/**
 * ConvNeXt-T (Liu et al. 2022) in torchvision's layout (torchvision.models.convnext): the same
 * modules under the same names, so torchvision's state dicts load unchanged.
 *
 * A stem (4x4 conv, stride 4, and LayerNorm2d), four stages of CNBlocks (3, 3, 9, 3 blocks of 96,
 * 192, 384, 768 channels) with a LayerNorm2d and a 2x2 conv of stride 2 between them, global
 * average pooling, and a classifier (LayerNorm2d, flatten, linear). A CNBlock is a depthwise 7x7
 * conv, then channels-last LayerNorm, Linear to 4C, GELU, Linear back to C, a learnt per-channel
 * scale (`layer_scale`, 1e-6 at init), stochastic depth (row mode, probability rising linearly from
 * 0 to 0.1 over the 18 blocks, torchvision's `0.1 * id / 17`) and the residual connection.
 */
import { add, mul, full, permute, type AnyTensor, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import { nnErrors } from "../../types/errors.js";
import type { Shape } from "../../types/core.js";
import type { Show } from "../../types/shape/show.js";
import { resolveEps, resolveNormalizedShape } from "../ops/normalization.js";
import { Permute, StochasticDepth } from "./layers.js";
import type { ClassifierOptions } from "./options.js";

/**
 * The rule of a layer over [N, C, H, W] that keeps the shape (LayerNorm2d, a CNBlock's body): a
 * 4-d input with the layer's C channels, returned as it is.
 */
export interface ChannelKeeping2dFn<Name extends string, C extends number> extends nn.ShapeFn {
  readonly name: Name;
  readonly channels?: readonly [C, C];
  readonly mapsChannels?: true;
  readonly keepsShape?: true;
  readonly output: nn.InputOf<this> extends infer S extends Shape
    ? number extends S["length"]
      ? S
      : S["length"] extends 4
        ? nn.ChannelShape<Name, S, C>
        : `${Name}: expected input [N, C, H, W], got shape ${Show<S>}`
    : never;
}

/** The run-time checks of ChannelKeeping2dFn, with its messages. */
function checkChannels2d(name: string, x: AnyTensor, channels: number): void {
  if (x.shape.length !== 4) throw new Error(nnErrors.layerInput(name, "input [N, C, H, W]", x.shape));
  if (x.shape[1] !== channels) throw new Error(nnErrors.layerChannels(name, x.shape[1], channels, x.shape));
}

/**
 * torchvision's LayerNorm2d (a LayerNorm over the channels of an [N, C, H, W] input): permuted to
 * channels-last, normalised over C with a per-channel weight and bias, permuted back. Its keys
 * are `weight` and `bias`, as nn.LayerNorm's.
 */
export class LayerNorm2d<const C extends number = number> extends nn.Layer<ChannelKeeping2dFn<"LayerNorm2d", C>> {
  weight: nn.Parameter;
  bias: nn.Parameter;

  constructor(
    readonly numChannels: C,
    readonly eps = 1e-6,
  ) {
    super();
    // nn.LayerNorm's constructor checks (torchvision's LayerNorm2d is an nn.LayerNorm).
    resolveNormalizedShape("LayerNorm2d", numChannels);
    resolveEps("LayerNorm2d", eps);
    this.weight = nn.Parameter(full([numChannels], 1));
    this.bias = nn.Parameter(full([numChannels], 0));
  }

  protected compute(x: AnyTensor): AnyTensor {
    const channels: number = this.numChannels;
    checkChannels2d("LayerNorm2d", x, channels);
    const last = nn.functional.layerNorm(permute(x, [0, 2, 3, 1]), [channels], this.weight, this.bias, this.eps);
    return permute(last, [0, 3, 1, 2]);
  }

  protected override extraRepr(): string {
    return `${this.numChannels}, eps=${this.eps}`;
  }
}

/**
 * torchvision's CNBlock over C channels: `x + stochastic_depth(layer_scale * block(x))`, where
 * `block` is depthwise 7x7 conv, channels last, LayerNorm over C, Linear to 4C, GELU, Linear back
 * to C, channels first (keys `block.0`, `block.2`, `block.3`, `block.5`: the Permutes hold their
 * indices). A Layer with its channels `[C, C]` stated (as SqueezeExcitation) rather than a module
 * typed by its forward, so that a stage's nn.Sequential of blocks, and ConvNeXt's `features`
 * around it, still chain their channels inside a forward generic in the batch.
 */
export class CNBlock<const C extends number = number> extends nn.Layer<ChannelKeeping2dFn<"CNBlock", C>> {
  layer_scale: nn.Parameter<[C, 1, 1]>;
  // Typed by their sizes at run time: the block's rule (its channels) is the type.
  block: nn.Sequential<
    readonly [
      nn.Conv2d<number, number, 7, { readonly padding: number; readonly groups: number }>,
      Permute<readonly [0, 2, 3, 1]>,
      nn.LayerNorm,
      nn.Linear,
      nn.GELU,
      nn.Linear,
      Permute<readonly [0, 3, 1, 2]>,
    ]
  >;
  stochastic_depth: StochasticDepth;

  constructor(
    readonly channels: C,
    stochasticDepthProb: number,
    layerScale = 1e-6,
  ) {
    super();
    this.layer_scale = nn.Parameter(full([channels, 1, 1], layerScale));
    this.block = nn.Sequential(
      nn.Conv2d(channels, channels, 7, { padding: 3, groups: channels }),
      new Permute([0, 2, 3, 1]),
      nn.LayerNorm(channels, { eps: 1e-6 }),
      nn.Linear(channels, 4 * channels),
      nn.GELU(),
      nn.Linear(4 * channels, channels),
      new Permute([0, 3, 1, 2]),
    );
    this.stochastic_depth = new StochasticDepth(stochasticDepthProb);
  }

  protected compute(x: AnyTensor): AnyTensor {
    checkChannels2d("CNBlock", x, this.channels);
    const branch = mul(this.layer_scale, this.block.forward(x));
    return add(this.stochastic_depth.forward(branch), x);
  }
}

/** Stochastic depth probability of block `id` of 18 (torchvision's default 0.1). */
const sd = (id: number) => (0.1 * id) / 17;

/** torchvision's downsampling between stages: LayerNorm2d, then a 2x2 conv of stride 2. */
const downsample = <Cin extends number, Cout extends number>(inChannels: Cin, outChannels: Cout) =>
  nn.Sequential(new LayerNorm2d(inChannels), nn.Conv2d(inChannels, outChannels, 2, { stride: 2 }));

/** torchvision's ConvNeXt-T: stages of 3, 3, 9, 3 CNBlocks over 96, 192, 384, 768 channels. */
export class ConvNeXtTiny<const Classes extends number> extends nn.Module {
  features = nn.Sequential(
    nn.Sequential(nn.Conv2d(3, 96, 4, { stride: 4 }), new LayerNorm2d(96)),
    nn.Sequential(new CNBlock(96, sd(0)), new CNBlock(96, sd(1)), new CNBlock(96, sd(2))),
    downsample(96, 192),
    nn.Sequential(new CNBlock(192, sd(3)), new CNBlock(192, sd(4)), new CNBlock(192, sd(5))),
    downsample(192, 384),
    nn.Sequential(
      new CNBlock(384, sd(6)),
      new CNBlock(384, sd(7)),
      new CNBlock(384, sd(8)),
      new CNBlock(384, sd(9)),
      new CNBlock(384, sd(10)),
      new CNBlock(384, sd(11)),
      new CNBlock(384, sd(12)),
      new CNBlock(384, sd(13)),
      new CNBlock(384, sd(14)),
    ),
    downsample(384, 768),
    nn.Sequential(new CNBlock(768, sd(15)), new CNBlock(768, sd(16)), new CNBlock(768, sd(17))),
  );
  avgpool = nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential<readonly [LayerNorm2d<768>, nn.Flatten, nn.Linear<768, Classes>]>;

  constructor(numClasses: Classes) {
    super();
    this.classifier = nn.Sequential(new LayerNorm2d(768), nn.Flatten(1), nn.Linear(768, numClasses));
  }

  override get typeName(): string {
    return "ConvNeXt";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return this.classifier.forward(this.avgpool.forward(this.features.forward(x)));
  }
}

/** ConvNeXt-T: 28,589,128 parameters with 1000 classes. */
export function convnextTiny(options?: ClassifierOptions<undefined>): ConvNeXtTiny<1000>;
export function convnextTiny<const Classes extends number>(options: ClassifierOptions<Classes>): ConvNeXtTiny<Classes>;
export function convnextTiny(options: ClassifierOptions = {}): ConvNeXtTiny<number> {
  return new ConvNeXtTiny(options.numClasses ?? 1000);
}
