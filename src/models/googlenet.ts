/**
 * GoogLeNet (Inception v1, Szegedy et al. 2014; torchvision.models.googlenet) in torchvision's
 * layout, as its builder makes it without weights: `aux_logits=True` (the two auxiliary heads
 * `aux1`, `aux2` are in the state dict: 13,004,888 parameters) and `transform_input=False`.
 *
 * Every conv is a BasicConv2d (conv without bias, batch norm with eps 0.001, ReLU). An Inception
 * block runs four branches on its input (1x1; 1x1 then 3x3; 1x1 then 3x3, torchvision's "5x5"
 * branch, which its issue 906 keeps at 3x3; 3x3 max pooling then 1x1) and joins them along the
 * channels. Max poolings round up (ceil mode).
 *
 * `forward` returns the logits, as torchvision's does in eval mode. In train mode torchvision's
 * returns GoogLeNetOutputs(logits, aux_logits2, aux_logits1); here `forwardWithAux` returns
 * `{ logits, aux1, aux2 }`, each head's logits under its own name (torchvision's tuple has them
 * crosswise: its `aux_logits2` is the output of `aux1`, checked on torchvision 0.14). Train the
 * heads with the paper's weighting, `loss(logits) + 0.3 * (loss(aux1) + loss(aux2))`.
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

/** torchvision's BasicConv2d: conv (no bias), batch norm (eps 0.001), ReLU. */
export class BasicConv2d<const Cin extends number, const Cout extends number, const K extends number>
  extends nn.Module
{
  conv: Conv<Cin, Cout, K>;
  bn: nn.BatchNorm2d<Cout>;

  constructor(inChannels: Cin, outChannels: Cout, kernelSize: K, stride = 1, padding = 0) {
    super();
    this.conv = nn.Conv2d(inChannels, outChannels, kernelSize, { stride, padding, bias: false });
    this.bn = nn.BatchNorm2d(outChannels, { eps: 0.001 });
  }

  override get typeName(): string {
    return "BasicConv2d";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return relu(this.bn.forward(this.conv.forward(x)));
  }
}

/**
 * An Inception branch of two BasicConv2d, 1x1 then 3x3 (keys `0`, `1`, a Sequential's). A class
 * rather than an nn.Sequential: a Sequential reads a module's rule off its generic forward, which
 * the compiler cannot run on this block's generic channel counts.
 */
export class ReduceConv<const Cin extends number, const Mid extends number, const Cout extends number>
  extends nn.Module
{
  readonly 0: BasicConv2d<Cin, Mid, 1>;
  readonly 1: BasicConv2d<Mid, Cout, 3>;

  constructor(inChannels: Cin, midChannels: Mid, outChannels: Cout) {
    super();
    this[0] = new BasicConv2d(inChannels, midChannels, 1);
    this[1] = new BasicConv2d(midChannels, outChannels, 3, 1, 1);
  }

  override get typeName(): string {
    return "Sequential";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this[1].forward(this[0].forward(x));
  }
}

/** The pooling branch: 3x3 max pooling (stride 1, padding 1, ceil mode), then a 1x1 BasicConv2d. */
export class PoolProjection<const Cin extends number, const Cout extends number> extends nn.Module {
  readonly 0 = nn.MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true });
  readonly 1: BasicConv2d<Cin, Cout, 1>;

  constructor(inChannels: Cin, outChannels: Cout) {
    super();
    this[1] = new BasicConv2d(inChannels, outChannels, 1);
  }

  override get typeName(): string {
    return "Sequential";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this[1].forward(this[0].forward(x));
  }
}

/** torchvision's Inception(in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj): C1 + C3 + C5 + P channels out. */
export class Inception<
  const Cin extends number,
  const C1 extends number,
  const C3r extends number,
  const C3 extends number,
  const C5r extends number,
  const C5 extends number,
  const P extends number,
>
  extends nn.Module
{
  branch1: BasicConv2d<Cin, C1, 1>;
  branch2: ReduceConv<Cin, C3r, C3>;
  branch3: ReduceConv<Cin, C5r, C5>;
  branch4: PoolProjection<Cin, P>;

  constructor(inChannels: Cin, ch1x1: C1, ch3x3red: C3r, ch3x3: C3, ch5x5red: C5r, ch5x5: C5, poolProj: P) {
    super();
    this.branch1 = new BasicConv2d(inChannels, ch1x1, 1);
    this.branch2 = new ReduceConv(inChannels, ch3x3red, ch3x3);
    this.branch3 = new ReduceConv(inChannels, ch5x5red, ch5x5);
    this.branch4 = new PoolProjection(inChannels, poolProj);
  }

  override get typeName(): string {
    return "Inception";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return cat([this.branch1.forward(x), this.branch2.forward(x), this.branch3.forward(x), this.branch4.forward(x)], 1);
  }
}

/**
 * torchvision's InceptionAux: 4x4 adaptive average pooling, a 1x1 BasicConv2d to 128 channels,
 * flatten (2048), fc1 to 1024 with ReLU, dropout 0.7, fc2 to the classes.
 */
export class InceptionAux<const Cin extends number, const Classes extends number> extends nn.Module {
  conv: BasicConv2d<Cin, 128, 1>;
  fc1 = nn.Linear(2048, 1024);
  fc2: nn.Linear<1024, Classes>;
  dropout = nn.Dropout(0.7);

  constructor(inChannels: Cin, numClasses: Classes) {
    super();
    this.conv = new BasicConv2d(inChannels, 128, 1);
    this.fc2 = nn.Linear(1024, numClasses);
  }

  override get typeName(): string {
    return "InceptionAux";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    const pooled = flatten(this.conv.forward(nn.functional.adaptiveAvgPool2d(x, [4, 4])), 1);
    return this.fc2.forward(this.dropout.forward(relu(this.fc1.forward(pooled))));
  }
}

const pool = <K extends number>(kernelSize: K) => nn.MaxPool2d(kernelSize, { stride: 2, ceilMode: true });

/** torchvision's GoogLeNet (aux_logits=True, transform_input=False). */
export class GoogLeNet<const Classes extends number> extends nn.Module {
  conv1 = new BasicConv2d(3, 64, 7, 2, 3);
  maxpool1 = pool(3);
  conv2 = new BasicConv2d(64, 64, 1);
  conv3 = new BasicConv2d(64, 192, 3, 1, 1);
  maxpool2 = pool(3);
  inception3a = new Inception(192, 64, 96, 128, 16, 32, 32);
  inception3b = new Inception(256, 128, 128, 192, 32, 96, 64);
  maxpool3 = pool(3);
  inception4a = new Inception(480, 192, 96, 208, 16, 48, 64);
  inception4b = new Inception(512, 160, 112, 224, 24, 64, 64);
  inception4c = new Inception(512, 128, 128, 256, 24, 64, 64);
  inception4d = new Inception(512, 112, 144, 288, 32, 64, 64);
  inception4e = new Inception(528, 256, 160, 320, 32, 128, 128);
  maxpool4 = pool(2);
  inception5a = new Inception(832, 256, 160, 320, 32, 128, 128);
  inception5b = new Inception(832, 384, 192, 384, 48, 128, 128);
  aux1: InceptionAux<512, Classes>;
  aux2: InceptionAux<528, Classes>;
  avgpool = nn.AdaptiveAvgPool2d([1, 1]);
  dropout = nn.Dropout(0.2);
  fc: nn.Linear<1024, Classes>;

  constructor(numClasses: Classes) {
    super();
    this.aux1 = new InceptionAux(512, numClasses);
    this.aux2 = new InceptionAux(528, numClasses);
    this.fc = nn.Linear(1024, numClasses);
  }

  override get typeName(): string {
    return "GoogLeNet";
  }

  /** The features after inception4a: where `aux1` reads. */
  private stem<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const a = this.maxpool2.forward(
      this.conv3.forward(this.conv2.forward(this.maxpool1.forward(this.conv1.forward(x)))),
    );
    return this.inception4a.forward(this.maxpool3.forward(this.inception3b.forward(this.inception3a.forward(a))));
  }

  /** From inception4a's output to inception4d's: where `aux2` reads. */
  private middle<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 512, number, number], D, Dev>,
  ) {
    return this.inception4d.forward(this.inception4c.forward(this.inception4b.forward(x)));
  }

  /** From inception4d's output to the logits. */
  private head<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 528, number, number], D, Dev>,
  ) {
    const features = this.inception5b.forward(
      this.inception5a.forward(this.maxpool4.forward(this.inception4e.forward(x))),
    );
    return this.fc.forward(this.dropout.forward(flatten(this.avgpool.forward(features), 1)));
  }

  /** The logits (torchvision's eval-mode output); the auxiliary heads are not run. */
  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return this.head(this.middle(this.stem(x)));
  }

  /**
   * The logits and both auxiliary heads' logits (torchvision's train-mode output, each head under
   * its own name), in either mode.
   */
  forwardWithAux<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const a = this.stem(x);
    const b = this.middle(a);
    return { logits: this.head(b), aux1: this.aux1.forward(a), aux2: this.aux2.forward(b) };
  }
}

/** GoogLeNet with its auxiliary heads: 13,004,888 parameters with 1000 classes. */
export function googlenet(options?: ClassifierOptions<undefined>): GoogLeNet<1000>;
export function googlenet<const Classes extends number>(options: ClassifierOptions<Classes>): GoogLeNet<Classes>;
export function googlenet(options: ClassifierOptions = {}): GoogLeNet<number> {
  return new GoogLeNet(options.numClasses ?? 1000);
}
