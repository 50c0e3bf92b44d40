/**
 * VGG-11 with batch norm (Simonyan & Zisserman 2014; torchvision.models.vgg11_bn) in
 * torchvision's layout: `features` (configuration "A": conv-bn-relu stages of 64, 128, 2x256,
 * 2x512, 2x512 channels, each stage ending in 2x2 max pooling), 7x7 adaptive average pooling
 * (which repeats values when the feature map is smaller, as at 64x64 inputs), and a three-layer
 * classifier with dropout.
 */
import { flatten, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import type { ClassifierOptions } from "./options.js";

const conv = <Cin extends number, Cout extends number>(inChannels: Cin, outChannels: Cout) =>
  nn.Conv2d(inChannels, outChannels, 3, { padding: 1 });
const pool = () => nn.MaxPool2d(2, { stride: 2 });

/** torchvision's VGG with `make_layers(cfgs["A"], batch_norm=True)`. */
export class VGG11BN<const Classes extends number> extends nn.Module {
  features = nn.Sequential(
    conv(3, 64),
    nn.BatchNorm2d(64),
    nn.ReLU(),
    pool(),
    conv(64, 128),
    nn.BatchNorm2d(128),
    nn.ReLU(),
    pool(),
    conv(128, 256),
    nn.BatchNorm2d(256),
    nn.ReLU(),
    conv(256, 256),
    nn.BatchNorm2d(256),
    nn.ReLU(),
    pool(),
    conv(256, 512),
    nn.BatchNorm2d(512),
    nn.ReLU(),
    conv(512, 512),
    nn.BatchNorm2d(512),
    nn.ReLU(),
    pool(),
    conv(512, 512),
    nn.BatchNorm2d(512),
    nn.ReLU(),
    conv(512, 512),
    nn.BatchNorm2d(512),
    nn.ReLU(),
    pool(),
  );
  avgpool = nn.AdaptiveAvgPool2d([7, 7]);
  classifier: nn.Sequential<
    readonly [
      nn.Linear<[512, 7, 7], 4096>,
      nn.ReLU,
      nn.Dropout,
      nn.Linear<4096, 4096>,
      nn.ReLU,
      nn.Dropout,
      nn.Linear<4096, Classes>,
    ]
  >;

  constructor(numClasses: Classes) {
    super();
    this.classifier = nn.Sequential(
      nn.Linear([512, 7, 7], 4096),
      nn.ReLU(),
      nn.Dropout(0.5),
      nn.Linear(4096, 4096),
      nn.ReLU(),
      nn.Dropout(0.5),
      nn.Linear(4096, numClasses),
    );
  }

  override get typeName(): string {
    return "VGG";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

/** VGG-11 with batch norm: 132,868,840 parameters with 1000 classes. */
export function vgg11Bn(options?: ClassifierOptions<undefined>): VGG11BN<1000>;
export function vgg11Bn<const Classes extends number>(options: ClassifierOptions<Classes>): VGG11BN<Classes>;
export function vgg11Bn(options: ClassifierOptions = {}): VGG11BN<number> {
  return new VGG11BN(options.numClasses ?? 1000);
}
