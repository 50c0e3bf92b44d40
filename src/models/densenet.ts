/**
 * DenseNet-121 (Huang et al. 2016) in torchvision's layout (torchvision.models.densenet): the same
 * modules under the same names (`features.denseblock1.denselayer1.norm1.weight`,
 * `features.transition1.conv.weight`, `features.norm5`, `classifier`), so torchvision's state
 * dicts load unchanged.
 *
 * Each dense layer reads every feature map before it, concatenated on the channels, and adds
 * `growthRate` new ones. torchvision's block keeps a list and concatenates it in every layer;
 * here each layer returns its input with its new features appended (`cat([x, new], 1)`), which is
 * the same tensor, so a block is a chain and the compiler adds the channels as it goes (the cat
 * rule): 64 + 6 * 32 = 256 out of the first block, and so on.
 */
import { cat, flatten, relu, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import type { ClassifierOptions } from "./options.js";

type Conv<Cin extends number, Cout extends number, K extends number> = nn.Conv2d<
  Cin,
  Cout,
  K,
  { readonly stride: number; readonly padding: number; readonly bias: false }
>;

/**
 * torchvision's _DenseLayer: batch norm, relu, a 1x1 conv to `bnSize * growthRate` channels
 * (the bottleneck), batch norm, relu, a 3x3 conv to `growthRate`; the output is the input with
 * those `growthRate` channels appended. (DenseNet-121 has no dropout: drop_rate 0.)
 */
export class DenseLayer<const Cin extends number, const Growth extends number> extends nn.Module {
  norm1: nn.BatchNorm2d<Cin>;
  relu1 = nn.ReLU();
  conv1: Conv<Cin, number, 1>;
  norm2: nn.BatchNorm2d;
  relu2 = nn.ReLU();
  conv2: Conv<number, Growth, 3>;

  constructor(inChannels: Cin, growthRate: Growth, bnSize = 4) {
    super();
    const width = bnSize * growthRate;
    this.norm1 = nn.BatchNorm2d(inChannels);
    this.conv1 = nn.Conv2d(inChannels, width, 1, { stride: 1, padding: 0, bias: false });
    this.norm2 = nn.BatchNorm2d(width);
    this.conv2 = nn.Conv2d(width, growthRate, 3, { stride: 1, padding: 1, bias: false });
  }

  override get typeName(): string {
    return "_DenseLayer";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    const bottleneck = this.conv1.forward(this.relu1.forward(this.norm1.forward(x)));
    const features = this.conv2.forward(this.relu2.forward(this.norm2.forward(bottleneck)));
    return cat([x, features], 1);
  }
}

/**
 * torchvision's _DenseBlock (a ModuleDict of `denselayer1`, `denselayer2`, ...): its layers in
 * turn, an nn.Sequential whose children are named as torchvision's. Each layer's input channels
 * are written out, and the compiler checks each against what the layer before gives.
 */
export class DenseBlock<const Ls extends readonly nn.Module[]> extends nn.Sequential<Ls> {
  override get typeName(): string {
    return "_DenseBlock";
  }

  override namedChildren(): [string, nn.Module][] {
    return this.layers.map((layer, i) => [`denselayer${i + 1}`, layer]);
  }
}

/** torchvision's _Transition: batch norm, relu, a 1x1 conv, 2x2 average pooling (stride 2). */
export class Transition<const Cin extends number, const Cout extends number> extends nn.Module {
  norm: nn.BatchNorm2d<Cin>;
  relu = nn.ReLU();
  conv: Conv<Cin, Cout, 1>;
  pool = nn.AvgPool2d(2, { stride: 2 });

  constructor(inChannels: Cin, outChannels: Cout) {
    super();
    this.norm = nn.BatchNorm2d(inChannels);
    this.conv = nn.Conv2d(inChannels, outChannels, 1, { stride: 1, padding: 0, bias: false });
  }

  override get typeName(): string {
    return "_Transition";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.pool.forward(this.conv.forward(this.relu.forward(this.norm.forward(x))));
  }
}

/**
 * DenseNet-121's `features` (torchvision's Sequential of named modules): the stem (7x7 conv
 * stride 2, batch norm, relu, 3x3 max pooling stride 2), four dense blocks of 6, 12, 24 and 16
 * layers (growth rate 32, bottleneck 4 x 32) with a transition halving channels and size between
 * them, and a final batch norm.
 */
export class DenseNet121Features extends nn.Module {
  conv0 = nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
  norm0 = nn.BatchNorm2d(64);
  relu0 = nn.ReLU();
  pool0 = nn.MaxPool2d(3, { stride: 2, padding: 1 });
  denseblock1 = new DenseBlock(
    new DenseLayer(64, 32),
    new DenseLayer(96, 32),
    new DenseLayer(128, 32),
    new DenseLayer(160, 32),
    new DenseLayer(192, 32),
    new DenseLayer(224, 32),
  );
  transition1 = new Transition(256, 128);
  denseblock2 = new DenseBlock(
    new DenseLayer(128, 32),
    new DenseLayer(160, 32),
    new DenseLayer(192, 32),
    new DenseLayer(224, 32),
    new DenseLayer(256, 32),
    new DenseLayer(288, 32),
    new DenseLayer(320, 32),
    new DenseLayer(352, 32),
    new DenseLayer(384, 32),
    new DenseLayer(416, 32),
    new DenseLayer(448, 32),
    new DenseLayer(480, 32),
  );
  transition2 = new Transition(512, 256);
  denseblock3 = new DenseBlock(
    new DenseLayer(256, 32),
    new DenseLayer(288, 32),
    new DenseLayer(320, 32),
    new DenseLayer(352, 32),
    new DenseLayer(384, 32),
    new DenseLayer(416, 32),
    new DenseLayer(448, 32),
    new DenseLayer(480, 32),
    new DenseLayer(512, 32),
    new DenseLayer(544, 32),
    new DenseLayer(576, 32),
    new DenseLayer(608, 32),
    new DenseLayer(640, 32),
    new DenseLayer(672, 32),
    new DenseLayer(704, 32),
    new DenseLayer(736, 32),
    new DenseLayer(768, 32),
    new DenseLayer(800, 32),
    new DenseLayer(832, 32),
    new DenseLayer(864, 32),
    new DenseLayer(896, 32),
    new DenseLayer(928, 32),
    new DenseLayer(960, 32),
    new DenseLayer(992, 32),
  );
  transition3 = new Transition(1024, 512);
  denseblock4 = new DenseBlock(
    new DenseLayer(512, 32),
    new DenseLayer(544, 32),
    new DenseLayer(576, 32),
    new DenseLayer(608, 32),
    new DenseLayer(640, 32),
    new DenseLayer(672, 32),
    new DenseLayer(704, 32),
    new DenseLayer(736, 32),
    new DenseLayer(768, 32),
    new DenseLayer(800, 32),
    new DenseLayer(832, 32),
    new DenseLayer(864, 32),
    new DenseLayer(896, 32),
    new DenseLayer(928, 32),
    new DenseLayer(960, 32),
    new DenseLayer(992, 32),
  );
  norm5 = nn.BatchNorm2d(1024);

  override get typeName(): string {
    return "Sequential";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const stem = this.pool0.forward(this.relu0.forward(this.norm0.forward(this.conv0.forward(x))));
    const b1 = this.transition1.forward(this.denseblock1.forward(stem));
    const b2 = this.transition2.forward(this.denseblock2.forward(b1));
    const b3 = this.transition3.forward(this.denseblock3.forward(b2));
    return this.norm5.forward(this.denseblock4.forward(b3));
  }
}

/**
 * torchvision's DenseNet-121: features, relu, global average pooling, a linear classifier (the
 * relu and the pooling are functional in torchvision: no modules of their own).
 */
export class DenseNet121<const Classes extends number> extends nn.Module {
  features = new DenseNet121Features();
  classifier: nn.Linear<1024, Classes>;

  constructor(numClasses: Classes) {
    super();
    this.classifier = nn.Linear(1024, numClasses);
  }

  override get typeName(): string {
    return "DenseNet";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const pooled = nn.functional.adaptiveAvgPool2d(relu(this.features.forward(x)), [1, 1]);
    return this.classifier.forward(flatten(pooled, 1));
  }
}

/** DenseNet-121: 7,978,856 parameters with 1000 classes. */
export function densenet121(options?: ClassifierOptions<undefined>): DenseNet121<1000>;
export function densenet121<const Classes extends number>(options: ClassifierOptions<Classes>): DenseNet121<Classes>;
export function densenet121(options: ClassifierOptions = {}): DenseNet121<number> {
  return new DenseNet121(options.numClasses ?? 1000);
}
