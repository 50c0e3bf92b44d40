/**
 * SqueezeNet 1.1 (Iandola et al. 2016; torchvision.models.squeezenet1_1) in torchvision's layout:
 * `features` (a strided 3x3 conv, then Fire modules between 3x3 max poolings with ceil mode), and a
 * classifier that is a 1x1 conv to the classes (dropout before it), ReLU and global average
 * pooling: no linear layer, so the logits are non-negative.
 */
import { cat, flatten, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import type { ClassifierOptions } from "./options.js";

/**
 * torchvision's Fire module: a 1x1 "squeeze" conv, then two "expand" convs (1x1 and 3x3) of the
 * squeezed map, each with ReLU, joined along the channels: `E1 + E3` channels out.
 */
export class Fire<const Cin extends number, const Sq extends number, const E1 extends number, const E3 extends number>
  extends nn.Module
{
  squeeze: nn.Conv2d<Cin, Sq, 1>;
  squeezeActivation = nn.ReLU();
  expand1x1: nn.Conv2d<Sq, E1, 1>;
  expand1x1Activation = nn.ReLU();
  expand3x3: nn.Conv2d<Sq, E3, 3, { readonly padding: 1 }>;
  expand3x3Activation = nn.ReLU();

  constructor(inChannels: Cin, squeezeChannels: Sq, expand1x1Channels: E1, expand3x3Channels: E3) {
    super();
    this.squeeze = nn.Conv2d(inChannels, squeezeChannels, 1);
    this.expand1x1 = nn.Conv2d(squeezeChannels, expand1x1Channels, 1);
    this.expand3x3 = nn.Conv2d(squeezeChannels, expand3x3Channels, 3, { padding: 1 });
  }

  override get typeName(): string {
    return "Fire";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    const s = this.squeezeActivation.forward(this.squeeze.forward(x));
    return cat(
      [
        this.expand1x1Activation.forward(this.expand1x1.forward(s)),
        this.expand3x3Activation.forward(this.expand3x3.forward(s)),
      ],
      1,
    );
  }
}

const pool = () => nn.MaxPool2d(3, { stride: 2, ceilMode: true });

/**
 * torchvision's `features` for version 1.1 (keys `0` to `12`): a strided 3x3 conv, then Fire
 * modules between 3x3 max poolings with ceil mode; the compiler chains the Fire modules' channels
 * from their forwards, under a generic batch too (64 in, 512 out).
 */
function squeezenet1_1Features() {
  return nn.Sequential(
    nn.Conv2d(3, 64, 3, { stride: 2 }),
    nn.ReLU(),
    pool(),
    new Fire(64, 16, 64, 64),
    new Fire(128, 16, 64, 64),
    pool(),
    new Fire(128, 32, 128, 128),
    new Fire(256, 32, 128, 128),
    pool(),
    new Fire(256, 48, 192, 192),
    new Fire(384, 48, 192, 192),
    new Fire(384, 64, 256, 256),
    new Fire(512, 64, 256, 256),
  );
}

/**
 * torchvision's `classifier`: dropout, the 1x1 conv to the classes, ReLU, global average pooling
 * (keys `0` to `3`). A class rather than an nn.Sequential: the conv's rule on a class count
 * generic in this class (`Classes`) is deferred, and a chain cannot pass a deferred shape on to
 * the layers after it.
 */
export class SqueezeNetClassifier<const Classes extends number> extends nn.Module {
  readonly 0 = nn.Dropout(0.5);
  readonly 1: nn.Conv2d<512, Classes, 1>;
  readonly 2 = nn.ReLU();
  readonly 3 = nn.AdaptiveAvgPool2d([1, 1]);

  constructor(numClasses: Classes) {
    super();
    this[1] = nn.Conv2d(512, numClasses, 1);
  }

  override get typeName(): string {
    return "Sequential";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 512, number, number], D, Dev>,
  ) {
    return this[3].forward(this[2].forward(this[1].forward(this[0].forward(x))));
  }
}

/** torchvision's SqueezeNet with `version="1_1"`. */
export class SqueezeNet1_1<const Classes extends number> extends nn.Module {
  features = squeezenet1_1Features();
  classifier: SqueezeNetClassifier<Classes>;

  constructor(numClasses: Classes) {
    super();
    this.classifier = new SqueezeNetClassifier(numClasses);
  }

  override get typeName(): string {
    return "SqueezeNet";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return flatten(this.classifier.forward(this.features.forward(x)), 1);
  }
}

/** SqueezeNet 1.1: 1,235,496 parameters with 1000 classes. */
export function squeezenet1_1(options?: ClassifierOptions<undefined>): SqueezeNet1_1<1000>;
export function squeezenet1_1<const Classes extends number>(
  options: ClassifierOptions<Classes>,
): SqueezeNet1_1<Classes>;
// Generic, unlike the other builders' implementations: TypeScript 6 does not accept
// SqueezeNet1_1<number> as covering the overloads' SqueezeNet1_1<Classes> (TS2394; the class
// count reaches the logits through the conv's conditional shape rule, not a Linear's).
export function squeezenet1_1<const Classes extends number>(
  options: ClassifierOptions<Classes> = {},
): SqueezeNet1_1<Classes | 1000> {
  return new SqueezeNet1_1(options.numClasses ?? 1000);
}
