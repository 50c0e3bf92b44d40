/**
 * ResNet-18 and ResNet-50 (He et al. 2015) in torchvision's layout (torchvision.models.resnet):
 * the same modules under the same names, so torchvision's state dicts load unchanged.
 *
 * Blocks are generic in their channel counts and typed by their `forward`: the compiler chains
 * the channels through every block and reads the logits' shape `[N, numClasses]` off the model.
 * A block whose shortcut is the identity and one with a `downsample` are two classes (the
 * identity shortcut needs as many channels out as in, which a type can say only for one count);
 * both print as torchvision's class name.
 */
import { add, flatten, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import { convNorm, type Conv2dNormActivation } from "./layers.js";
import type { ClassifierOptions } from "./options.js";

type Conv<Cin extends number, Cout extends number, K extends number> = nn.Conv2d<
  Cin,
  Cout,
  K,
  { readonly stride: number; readonly padding: number; readonly bias: false }
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
  conv2: Conv<number, number, 3>;
  bn2: nn.BatchNorm2d;
  conv3: Conv<number, Cout, 1>;
  bn3: nn.BatchNorm2d<Cout>;
  relu = nn.ReLU();

  constructor(inChannels: Cin, outChannels: Cout, stride = 1) {
    super();
    const width = outChannels / 4;
    this.conv1 = nn.Conv2d(inChannels, width, 1, { stride: 1, padding: 0, bias: false });
    this.bn1 = nn.BatchNorm2d(width);
    this.conv2 = nn.Conv2d(width, width, 3, { stride, padding: 1, bias: false });
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
  constructor(channels: C) {
    super(channels, channels);
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

/** torchvision's `resnet50`: Bottlenecks [3, 4, 6, 3]. */
export class ResNet50<const Classes extends number> extends ResNetStem {
  layer1 = nn.Sequential(
    new DownsampleBottleneck(64, 256, 1),
    new IdentityBottleneck(256),
    new IdentityBottleneck(256),
  );
  layer2 = nn.Sequential(
    new DownsampleBottleneck(256, 512, 2),
    new IdentityBottleneck(512),
    new IdentityBottleneck(512),
    new IdentityBottleneck(512),
  );
  layer3 = nn.Sequential(
    new DownsampleBottleneck(512, 1024, 2),
    new IdentityBottleneck(1024),
    new IdentityBottleneck(1024),
    new IdentityBottleneck(1024),
    new IdentityBottleneck(1024),
    new IdentityBottleneck(1024),
  );
  layer4 = nn.Sequential(
    new DownsampleBottleneck(1024, 2048, 2),
    new IdentityBottleneck(2048),
    new IdentityBottleneck(2048),
  );
  avgpool = nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear<2048, Classes>;

  constructor(numClasses: Classes) {
    super();
    this.fc = nn.Linear(2048, numClasses);
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

/** ResNet-18: 11,689,512 parameters with 1000 classes. */
export function resnet18(options?: ClassifierOptions<undefined>): ResNet18<1000>;
export function resnet18<const Classes extends number>(options: ClassifierOptions<Classes>): ResNet18<Classes>;
export function resnet18(options: ClassifierOptions = {}): ResNet18<number> {
  return new ResNet18(options.numClasses ?? 1000);
}

/** ResNet-50: 25,557,032 parameters with 1000 classes. */
export function resnet50(options?: ClassifierOptions<undefined>): ResNet50<1000>;
export function resnet50<const Classes extends number>(options: ClassifierOptions<Classes>): ResNet50<Classes>;
export function resnet50(options: ClassifierOptions = {}): ResNet50<number> {
  return new ResNet50(options.numClasses ?? 1000);
}
