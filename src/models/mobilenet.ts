/**
 * MobileNetV2 (Sandler et al. 2018) and MobileNetV3-Small and -Large (Howard et al. 2019) in torchvision's
 * layout (torchvision.models.mobilenetv2 / mobilenetv3): the same modules under the same names.
 *
 * An inverted residual's body (`conv` in V2, `block` in V3) is a Sequential whose layers depend on
 * the configuration (an expansion conv or not, squeeze-excitation or not); the block's field is
 * typed by what every variant does, `ChannelMap<Cin, Cout>`, which the compiler checks against the
 * Sequential's chained channels. Blocks with the residual connection (stride 1, as many channels
 * out as in) are their own class, generic in one channel count.
 */
import { add, flatten, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import { argumentErrors, show } from "../../types/errors.js";
import {
  convNorm,
  convNormAct,
  makeDivisible,
  SqueezeExcitation,
  type ChannelMap,
  type ConvNormOptions,
} from "./layers.js";
import type { ClassifierOptions } from "./options.js";

// ----------------------------------------------------------------------------- MobileNetV2

/** torchvision's mobilenetv2.InvertedResidual without the residual connection. */
export class InvertedResidual<const Cin extends number, const Cout extends number> extends nn.Module {
  conv: ChannelMap<Cin, Cout>;

  constructor(inChannels: Cin, outChannels: Cout, stride: number, expandRatio: number) {
    super();
    const hidden = Math.round(inChannels * expandRatio);
    const depthwise = convNormAct(hidden, hidden, 3, nn.ReLU6(), { stride, groups: hidden });
    const project = convNorm(hidden, outChannels, 1);
    // torchvision: the pointwise-linear projection is a bare conv and batch norm (conv.1, conv.2
    // after the depthwise conv), not a Conv2dNormActivation.
    this.conv =
      expandRatio === 1
        ? nn.Sequential(depthwise, project[0], project[1])
        : nn.Sequential(convNormAct(inChannels, hidden, 1, nn.ReLU6()), depthwise, project[0], project[1]);
  }

  override get typeName(): string {
    return "InvertedResidual";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.conv.forward(x);
  }
}

/** torchvision's mobilenetv2.InvertedResidual with the residual connection (`x + conv(x)`). */
export class ResidualInvertedResidual<const C extends number> extends InvertedResidual<C, C> {
  constructor(channels: C, expandRatio: number) {
    super(channels, channels, 1, expandRatio);
  }

  override forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, C, number, number], D, Dev>,
  ) {
    return add(x, this.conv.forward(x));
  }
}

/** torchvision's MobileNetV2 (width 1.0): 19 feature stages, then dropout and a linear layer. */
export class MobileNetV2<const Classes extends number> extends nn.Module {
  features = nn.Sequential(
    convNormAct(3, 32, 3, nn.ReLU6(), { stride: 2 }),
    new InvertedResidual(32, 16, 1, 1),
    new InvertedResidual(16, 24, 2, 6),
    new ResidualInvertedResidual(24, 6),
    new InvertedResidual(24, 32, 2, 6),
    new ResidualInvertedResidual(32, 6),
    new ResidualInvertedResidual(32, 6),
    new InvertedResidual(32, 64, 2, 6),
    new ResidualInvertedResidual(64, 6),
    new ResidualInvertedResidual(64, 6),
    new ResidualInvertedResidual(64, 6),
    new InvertedResidual(64, 96, 1, 6),
    new ResidualInvertedResidual(96, 6),
    new ResidualInvertedResidual(96, 6),
    new InvertedResidual(96, 160, 2, 6),
    new ResidualInvertedResidual(160, 6),
    new ResidualInvertedResidual(160, 6),
    new InvertedResidual(160, 320, 1, 6),
    convNormAct(320, 1280, 1, nn.ReLU6()),
  );
  classifier: nn.Sequential<readonly [nn.Dropout, nn.Linear<1280, Classes>]>;

  constructor(numClasses: Classes) {
    super();
    this.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, numClasses));
  }

  override get typeName(): string {
    return "MobileNetV2";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const pooled = nn.functional.adaptiveAvgPool2d(this.features.forward(x), [1, 1]);
    return this.classifier.forward(flatten(pooled, 1));
  }
}

// ----------------------------------------------------------------------------- MobileNetV3

type V3Activation = "RE" | "HS";

/** One row of torchvision's MobileNetV3 configuration (`InvertedResidualConfig`, width 1.0). */
interface V3Config {
  readonly kernel: number;
  readonly expanded: number;
  readonly se: boolean;
  readonly activation: V3Activation;
  readonly stride: number;
  /** The depthwise conv's dilation (MobileNetV3-Large's last stage with `dilated`); it then keeps stride 1. */
  readonly dilation?: number;
}

/** MobileNetV3's batch norm: torchvision's `partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)`. */
const v3Norm: ConvNormOptions = { eps: 0.001, momentum: 0.01 };

function v3Act(kind: V3Activation): nn.ReLU | nn.Hardswish {
  return kind === "HS" ? nn.Hardswish() : nn.ReLU();
}

/** torchvision's mobilenetv3.InvertedResidual without the residual connection. */
export class InvertedResidualV3<const Cin extends number, const Cout extends number> extends nn.Module {
  block: ChannelMap<Cin, Cout>;

  constructor(inChannels: Cin, outChannels: Cout, c: V3Config) {
    super();
    const e = c.expanded;
    const dilation = c.dilation ?? 1;
    // torchvision: a dilated block gives up its stride (the residual test still reads the stride).
    const stride = dilation > 1 ? 1 : c.stride;
    const depthwise = convNormAct(e, e, c.kernel, v3Act(c.activation), { stride, dilation, groups: e, ...v3Norm });
    const project = convNorm(e, outChannels, 1, v3Norm);
    const se = new SqueezeExcitation(e, makeDivisible(e / 4, 8), nn.ReLU(), nn.Hardsigmoid());
    if (e === inChannels) this.block = c.se ? nn.Sequential(depthwise, se, project) : nn.Sequential(depthwise, project);
    else {
      const expand = convNormAct(inChannels, e, 1, v3Act(c.activation), v3Norm);
      this.block = c.se ? nn.Sequential(expand, depthwise, se, project) : nn.Sequential(expand, depthwise, project);
    }
  }

  override get typeName(): string {
    return "InvertedResidual";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.block.forward(x);
  }
}

/** torchvision's mobilenetv3.InvertedResidual with the residual connection (`block(x) + x`). */
export class ResidualInvertedResidualV3<const C extends number> extends InvertedResidualV3<C, C> {
  constructor(channels: C, c: Omit<V3Config, "stride">) {
    super(channels, channels, { ...c, stride: 1 });
  }

  override forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, C, number, number], D, Dev>,
  ) {
    return add(this.block.forward(x), x);
  }
}

/** torchvision's MobileNetV3 "small" configuration: 13 feature stages, a two-layer classifier. */
export class MobileNetV3Small<const Classes extends number> extends nn.Module {
  features = nn.Sequential(
    convNormAct(3, 16, 3, nn.Hardswish(), { stride: 2, ...v3Norm }),
    new InvertedResidualV3(16, 16, { kernel: 3, expanded: 16, se: true, activation: "RE", stride: 2 }),
    new InvertedResidualV3(16, 24, { kernel: 3, expanded: 72, se: false, activation: "RE", stride: 2 }),
    new ResidualInvertedResidualV3(24, { kernel: 3, expanded: 88, se: false, activation: "RE" }),
    new InvertedResidualV3(24, 40, { kernel: 5, expanded: 96, se: true, activation: "HS", stride: 2 }),
    new ResidualInvertedResidualV3(40, { kernel: 5, expanded: 240, se: true, activation: "HS" }),
    new ResidualInvertedResidualV3(40, { kernel: 5, expanded: 240, se: true, activation: "HS" }),
    new InvertedResidualV3(40, 48, { kernel: 5, expanded: 120, se: true, activation: "HS", stride: 1 }),
    new ResidualInvertedResidualV3(48, { kernel: 5, expanded: 144, se: true, activation: "HS" }),
    new InvertedResidualV3(48, 96, { kernel: 5, expanded: 288, se: true, activation: "HS", stride: 2 }),
    new ResidualInvertedResidualV3(96, { kernel: 5, expanded: 576, se: true, activation: "HS" }),
    new ResidualInvertedResidualV3(96, { kernel: 5, expanded: 576, se: true, activation: "HS" }),
    convNormAct(96, 576, 1, nn.Hardswish(), v3Norm),
  );
  avgpool = nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential<readonly [nn.Linear<576, 1024>, nn.Hardswish, nn.Dropout, nn.Linear<1024, Classes>]>;

  constructor(numClasses: Classes) {
    super();
    this.classifier = nn.Sequential(nn.Linear(576, 1024), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(1024, numClasses));
  }

  override get typeName(): string {
    return "MobileNetV3";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

/**
 * torchvision's MobileNetV3 "large" feature stages (17): with `dilation` 2 (torchvision's
 * `dilated=True`, the segmentation backbones') the last stage (C4) keeps stride 1 and dilates its
 * depthwise convs, so the features are 1/16 of the input rather than 1/32.
 */
function mobilenetV3LargeFeatures(dilation: number) {
  return nn.Sequential(
    convNormAct(3, 16, 3, nn.Hardswish(), { stride: 2, ...v3Norm }),
    new ResidualInvertedResidualV3(16, { kernel: 3, expanded: 16, se: false, activation: "RE" }),
    new InvertedResidualV3(16, 24, { kernel: 3, expanded: 64, se: false, activation: "RE", stride: 2 }),
    new ResidualInvertedResidualV3(24, { kernel: 3, expanded: 72, se: false, activation: "RE" }),
    new InvertedResidualV3(24, 40, { kernel: 5, expanded: 72, se: true, activation: "RE", stride: 2 }),
    new ResidualInvertedResidualV3(40, { kernel: 5, expanded: 120, se: true, activation: "RE" }),
    new ResidualInvertedResidualV3(40, { kernel: 5, expanded: 120, se: true, activation: "RE" }),
    new InvertedResidualV3(40, 80, { kernel: 3, expanded: 240, se: false, activation: "HS", stride: 2 }),
    new ResidualInvertedResidualV3(80, { kernel: 3, expanded: 200, se: false, activation: "HS" }),
    new ResidualInvertedResidualV3(80, { kernel: 3, expanded: 184, se: false, activation: "HS" }),
    new ResidualInvertedResidualV3(80, { kernel: 3, expanded: 184, se: false, activation: "HS" }),
    new InvertedResidualV3(80, 112, { kernel: 3, expanded: 480, se: true, activation: "HS", stride: 1 }),
    new ResidualInvertedResidualV3(112, { kernel: 3, expanded: 672, se: true, activation: "HS" }),
    new InvertedResidualV3(112, 160, { kernel: 5, expanded: 672, se: true, activation: "HS", stride: 2, dilation }),
    new ResidualInvertedResidualV3(160, { kernel: 5, expanded: 960, se: true, activation: "HS", dilation }),
    new ResidualInvertedResidualV3(160, { kernel: 5, expanded: 960, se: true, activation: "HS", dilation }),
    convNormAct(160, 960, 1, nn.Hardswish(), v3Norm),
  );
}
/** MobileNetV3-Large's feature stages (a Sequential of 17). */
export type MobileNetV3LargeFeatures = ReturnType<typeof mobilenetV3LargeFeatures>;

/** torchvision's MobileNetV3 "large" configuration: 17 feature stages, a two-layer classifier. */
export class MobileNetV3Large<const Classes extends number> extends nn.Module {
  features: MobileNetV3LargeFeatures;
  avgpool = nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential<readonly [nn.Linear<960, 1280>, nn.Hardswish, nn.Dropout, nn.Linear<1280, Classes>]>;

  constructor(numClasses: Classes, dilated = false) {
    super();
    this.features = mobilenetV3LargeFeatures(dilated ? 2 : 1);
    this.classifier = nn.Sequential(nn.Linear(960, 1280), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(1280, numClasses));
  }

  override get typeName(): string {
    return "MobileNetV3";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

/** MobileNetV2: 3,504,872 parameters with 1000 classes. */
export function mobilenetV2(options?: ClassifierOptions<undefined>): MobileNetV2<1000>;
export function mobilenetV2<const Classes extends number>(options: ClassifierOptions<Classes>): MobileNetV2<Classes>;
export function mobilenetV2(options: ClassifierOptions = {}): MobileNetV2<number> {
  return new MobileNetV2(options.numClasses ?? 1000);
}

/** MobileNetV3-Small: 2,542,856 parameters with 1000 classes. */
export function mobilenetV3Small(options?: ClassifierOptions<undefined>): MobileNetV3Small<1000>;
export function mobilenetV3Small<const Classes extends number>(
  options: ClassifierOptions<Classes>,
): MobileNetV3Small<Classes>;
export function mobilenetV3Small(options: ClassifierOptions = {}): MobileNetV3Small<number> {
  return new MobileNetV3Small(options.numClasses ?? 1000);
}

export interface MobileNetV3LargeOptions<
  Classes extends number | undefined = number | undefined,
> extends ClassifierOptions<Classes> {
  /** torchvision's `dilated`: the last stage dilated instead of strided (default false). */
  readonly dilated?: boolean;
}

/** MobileNetV3-Large: 5,483,032 parameters with 1000 classes. */
export function mobilenetV3Large(options?: MobileNetV3LargeOptions<undefined>): MobileNetV3Large<1000>;
export function mobilenetV3Large<const Classes extends number>(
  options: MobileNetV3LargeOptions<Classes>,
): MobileNetV3Large<Classes>;
export function mobilenetV3Large(options: MobileNetV3LargeOptions = {}): MobileNetV3Large<number> {
  const dilated = options.dilated ?? false;
  if (typeof dilated !== "boolean")
    throw new Error(argumentErrors.booleanOption("mobilenetV3Large", "dilated", show(dilated)));
  return new MobileNetV3Large(options.numClasses ?? 1000, dilated);
}
