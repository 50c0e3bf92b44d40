/**
 * ResNet-18 and ResNet-50 (He et al. 2015) in torchvision's layout (torchvision.models.resnet):
 * the same modules under the same names, so torchvision's state dicts load unchanged.
 *
 * Blocks are generic in their channel counts and typed by their `forward`: the compiler chains
 * the channels through every block and reads the logits' shape `[N, numClasses]` off the model.
 * A block whose shortcut is the identity and one with a `downsample` are two classes (the
 * identity shortcut needs as many channels out as in, which a type can say only for one count);
 * both print as torchvision's class name.
 *
 * ResNet-50 also takes torchvision's `replace_stride_with_dilation` (the segmentation backbones'
 * option): a stage so marked keeps its resolution and dilates its 3x3 convs instead.
 */
import { add, flatten, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import { nnErrors } from "../../types/errors.js";
import { convNorm, type Conv2dNormActivation } from "./layers.js";
import type { ClassifierOptions } from "./options.js";

type Conv<Cin extends number, Cout extends number, K extends number> = nn.Conv2d<
  Cin,
  Cout,
  K,
  { readonly stride: number; readonly padding: number; readonly bias: false }
>;
/** Bottleneck's 3x3 conv, dilated in a stage that replaces its stride with dilation. */
type DilatedConv<C extends number> = nn.Conv2d<
  C,
  C,
  3,
  { readonly stride: number; readonly padding: number; readonly dilation: number; readonly bias: false }
>;

/** torchvision's BasicBlock without `downsample`: conv-bn-relu-conv-bn plus the input, then relu. */
export abstract class BasicBlock<const Cin extends number, const Cout extends number> extends nn.Module {
  conv1: Conv<Cin, Cout, 3>;
  bn1: nn.BatchNorm2d<Cout>;
  relu = nn.ReLU();
  conv2: Conv<Cout, Cout, 3>;
  bn2: nn.BatchNorm2d<Cout>;

  constructor(inChannels: Cin, outChannels: Cout, stride = 1) {
    super();
    this.conv1 = nn.Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false });
    this.bn1 = nn.BatchNorm2d(outChannels);
    this.conv2 = nn.Conv2d(outChannels, outChannels, 3, { stride: 1, padding: 1, bias: false });
    this.bn2 = nn.BatchNorm2d(outChannels);
  }

  override get typeName(): string {
    return "BasicBlock";
  }

  protected main<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.bn2.forward(this.conv2.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))));
  }
}

/** BasicBlock with the identity shortcut (stride 1, channels unchanged). */
export class IdentityBasicBlock<const C extends number> extends BasicBlock<C, C> {
  constructor(channels: C) {
    super(channels, channels);
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, C, number, number], D, Dev>,
  ) {
    return this.relu.forward(add(this.main(x), x));
  }
}

/** BasicBlock with `downsample` (a strided 1x1 conv and batch norm) on the shortcut. */
export class DownsampleBasicBlock<const Cin extends number, const Cout extends number> extends BasicBlock<Cin, Cout> {
  downsample: Conv2dNormActivation<Cin, Cout, 1>;

  constructor(inChannels: Cin, outChannels: Cout, stride: number) {
    super(inChannels, outChannels, stride);
    this.downsample = convNorm(inChannels, outChannels, 1, { stride });
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.relu.forward(add(this.main(x), this.downsample.forward(x)));
  }
}

/**
 * torchvision's Bottleneck (ResNet v1.5: the stride on the 3x3 conv): 1x1 down to `width`, 3x3,
 * 1x1 up to `width * 4` channels, each with batch norm.
 */
export abstract class Bottleneck<const Cin extends number, const Cout extends number> extends nn.Module {
  conv1: Conv<Cin, number, 1>;
  bn1: nn.BatchNorm2d;
  conv2: DilatedConv<number>;
  bn2: nn.BatchNorm2d;
  conv3: Conv<number, Cout, 1>;
  bn3: nn.BatchNorm2d<Cout>;
  relu = nn.ReLU();

  constructor(inChannels: Cin, outChannels: Cout, stride = 1, dilation = 1) {
    super();
    const width = outChannels / 4;
    this.conv1 = nn.Conv2d(inChannels, width, 1, { stride: 1, padding: 0, bias: false });
    this.bn1 = nn.BatchNorm2d(width);
    this.conv2 = nn.Conv2d(width, width, 3, { stride, padding: dilation, dilation, bias: false });
    this.bn2 = nn.BatchNorm2d(width);
    this.conv3 = nn.Conv2d(width, outChannels, 1, { stride: 1, padding: 0, bias: false });
    this.bn3 = nn.BatchNorm2d(outChannels);
  }

  override get typeName(): string {
    return "Bottleneck";
  }

  protected main<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    const a = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    const b = this.relu.forward(this.bn2.forward(this.conv2.forward(a)));
    return this.bn3.forward(this.conv3.forward(b));
  }
}

/** Bottleneck with the identity shortcut. */
export class IdentityBottleneck<const C extends number> extends Bottleneck<C, C> {
  constructor(channels: C, dilation = 1) {
    super(channels, channels, 1, dilation);
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, C, number, number], D, Dev>,
  ) {
    return this.relu.forward(add(this.main(x), x));
  }
}

/** Bottleneck with `downsample` on the shortcut (every stage's first block). */
export class DownsampleBottleneck<const Cin extends number, const Cout extends number> extends Bottleneck<Cin, Cout> {
  downsample: Conv2dNormActivation<Cin, Cout, 1>;

  constructor(inChannels: Cin, outChannels: Cout, stride: number, dilation = 1) {
    super(inChannels, outChannels, stride, dilation);
    this.downsample = convNorm(inChannels, outChannels, 1, { stride });
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.relu.forward(add(this.main(x), this.downsample.forward(x)));
  }
}

/** torchvision's ResNet stem: 7x7 conv, batch norm, relu, 3x3 max pooling (both stride 2). */
abstract class ResNetStem extends nn.Module {
  conv1 = nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
  bn1 = nn.BatchNorm2d(64);
  relu = nn.ReLU();
  maxpool = nn.MaxPool2d(3, { stride: 2, padding: 1 });

  protected stem<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
  }
}

/** torchvision's `resnet18`: BasicBlocks [2, 2, 2, 2]. */
export class ResNet18<const Classes extends number> extends ResNetStem {
  layer1 = nn.Sequential(new IdentityBasicBlock(64), new IdentityBasicBlock(64));
  layer2 = nn.Sequential(new DownsampleBasicBlock(64, 128, 2), new IdentityBasicBlock(128));
  layer3 = nn.Sequential(new DownsampleBasicBlock(128, 256, 2), new IdentityBasicBlock(256));
  layer4 = nn.Sequential(new DownsampleBasicBlock(256, 512, 2), new IdentityBasicBlock(512));
  avgpool = nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear<512, Classes>;

  constructor(numClasses: Classes) {
    super();
    this.fc = nn.Linear(512, numClasses);
  }

  override get typeName(): string {
    return "ResNet";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const features = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(this.stem(x)))));
    return this.fc.forward(flatten(this.avgpool.forward(features), 1));
  }
}

/**
 * torchvision's `replace_stride_with_dilation` for layer2, layer3 and layer4: a marked stage keeps
 * its input's resolution (stride 1) and dilates its 3x3 convs by the stride it gave up, times what
 * the stages before it gave up (torchvision's `_make_layer`; the stage's first block still uses the
 * previous dilation).
 */
export type ReplaceStrideWithDilation = readonly [boolean, boolean, boolean];

export interface ResNet50Options<
  Classes extends number | undefined = number | undefined,
> extends ClassifierOptions<Classes> {
  /** default [false, false, false] (the classifier); torchvision's FCN uses [false, true, true]. */
  readonly replaceStrideWithDilation?: ReplaceStrideWithDilation;
}

type Layer2 = nn.Sequential<
  readonly [DownsampleBottleneck<256, 512>, IdentityBottleneck<512>, IdentityBottleneck<512>, IdentityBottleneck<512>]
>;
type Layer3 = nn.Sequential<
  readonly [
    DownsampleBottleneck<512, 1024>,
    IdentityBottleneck<1024>,
    IdentityBottleneck<1024>,
    IdentityBottleneck<1024>,
    IdentityBottleneck<1024>,
    IdentityBottleneck<1024>,
  ]
>;
type Layer4 = nn.Sequential<
  readonly [DownsampleBottleneck<1024, 2048>, IdentityBottleneck<2048>, IdentityBottleneck<2048>]
>;

/** ResNet-50's stem and four stages (Bottlenecks [3, 4, 6, 3]), shared by the classifier and the backbone. */
abstract class ResNet50Stages extends ResNetStem {
  layer1 = nn.Sequential(
    new DownsampleBottleneck(64, 256, 1),
    new IdentityBottleneck(256),
    new IdentityBottleneck(256),
  );
  layer2: Layer2;
  layer3: Layer3;
  layer4: Layer4;

  constructor(replaceStrideWithDilation: ReplaceStrideWithDilation = [false, false, false]) {
    super();
    if (
      !Array.isArray(replaceStrideWithDilation) ||
      replaceStrideWithDilation.length !== 3 ||
      !replaceStrideWithDilation.every((v) => typeof v === "boolean")
    )
      throw new Error(nnErrors.badOption("resnet50", "replaceStrideWithDilation", replaceStrideWithDilation));
    const [d2, d3, d4] = replaceStrideWithDilation;
    // [stride, the first block's dilation, the other blocks'] of each stage, as _make_layer.
    let dilation = 1;
    const stage = (dilate: boolean): [number, number, number] => {
      const previous = dilation;
      if (!dilate) return [2, previous, dilation];
      dilation *= 2;
      return [1, previous, dilation];
    };
    const [s2, f2, r2] = stage(d2);
    this.layer2 = nn.Sequential(
      new DownsampleBottleneck(256, 512, s2, f2),
      new IdentityBottleneck(512, r2),
      new IdentityBottleneck(512, r2),
      new IdentityBottleneck(512, r2),
    );
    const [s3, f3, r3] = stage(d3);
    this.layer3 = nn.Sequential(
      new DownsampleBottleneck(512, 1024, s3, f3),
      new IdentityBottleneck(1024, r3),
      new IdentityBottleneck(1024, r3),
      new IdentityBottleneck(1024, r3),
      new IdentityBottleneck(1024, r3),
      new IdentityBottleneck(1024, r3),
    );
    const [s4, f4, r4] = stage(d4);
    this.layer4 = nn.Sequential(
      new DownsampleBottleneck(1024, 2048, s4, f4),
      new IdentityBottleneck(2048, r4),
      new IdentityBottleneck(2048, r4),
    );
  }

  override get typeName(): string {
    return "ResNet";
  }

  /** layer3's output (1024 channels) and layer4's (2048). */
  protected stages<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ): { c4: Tensor<[N, 1024, number, number], D, Dev>; c5: Tensor<[N, 2048, number, number], D, Dev> } {
    const c4 = this.layer3.forward(this.layer2.forward(this.layer1.forward(this.stem(x))));
    return { c4, c5: this.layer4.forward(c4) };
  }
}

/** torchvision's `resnet50`: Bottlenecks [3, 4, 6, 3]. */
export class ResNet50<const Classes extends number> extends ResNet50Stages {
  avgpool = nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear<2048, Classes>;

  constructor(numClasses: Classes, replaceStrideWithDilation?: ReplaceStrideWithDilation) {
    super(replaceStrideWithDilation);
    this.fc = nn.Linear(2048, numClasses);
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return this.fc.forward(flatten(this.avgpool.forward(this.stages(x).c5), 1));
  }
}

/**
 * ResNet-50 as a segmentation backbone: torchvision's `IntermediateLayerGetter(resnet50(...),
 * {"layer4": "out", "layer3": "aux"})`, the stem and stages without avgpool and fc (so the state
 * dict has their keys only).
 */
export class ResNet50Backbone extends ResNet50Stages {
  override get typeName(): string {
    return "IntermediateLayerGetter";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const { c4, c5 } = this.stages(x);
    return { out: c5, aux: c4 };
  }
}

/** ResNet-18: 11,689,512 parameters with 1000 classes. */
export function resnet18(options?: ClassifierOptions<undefined>): ResNet18<1000>;
export function resnet18<const Classes extends number>(options: ClassifierOptions<Classes>): ResNet18<Classes>;
export function resnet18(options: ClassifierOptions = {}): ResNet18<number> {
  return new ResNet18(options.numClasses ?? 1000);
}

/** ResNet-50: 25,557,032 parameters with 1000 classes. */
export function resnet50(options?: ResNet50Options<undefined>): ResNet50<1000>;
export function resnet50<const Classes extends number>(options: ResNet50Options<Classes>): ResNet50<Classes>;
export function resnet50(options: ResNet50Options = {}): ResNet50<number> {
  return new ResNet50(options.numClasses ?? 1000, options.replaceStrideWithDilation);
}
