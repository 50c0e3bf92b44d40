/**
 * EfficientNet-B0 (Tan & Le 2019) in torchvision's layout (torchvision.models.efficientnet): the
 * same modules under the same names. MBConv blocks with a residual connection drop their branch
 * per sample in training (stochastic depth, probability rising linearly from 0 to 0.2 over the 16
 * blocks, as torchvision's `stochastic_depth_prob * block_id / 16`).
 */
import { add, flatten, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import { convNorm, convNormAct, makeDivisible, SqueezeExcitation, StochasticDepth, type ChannelMap } from "./layers.js";
import type { ClassifierOptions } from "./options.js";

/** One MBConv block's configuration (torchvision's MBConvConfig at width and depth 1.0). */
interface MBConvConfig {
  readonly expandRatio: number;
  readonly kernel: number;
  readonly stride: number;
  /** Stochastic depth probability of this block. */
  readonly sdProb: number;
}

/** torchvision's MBConv without the residual connection (stride 2, or a change of channels). */
export class MBConv<const Cin extends number, const Cout extends number> extends nn.Module {
  block: ChannelMap<Cin, Cout>;
  stochastic_depth: StochasticDepth;

  constructor(inChannels: Cin, outChannels: Cout, c: MBConvConfig) {
    super();
    const e = makeDivisible(inChannels * c.expandRatio, 8);
    const depthwise = convNormAct(e, e, c.kernel, nn.SiLU(), { stride: c.stride, groups: e });
    const se = new SqueezeExcitation(e, Math.max(1, Math.floor(inChannels / 4)), nn.SiLU(), nn.Sigmoid());
    const project = convNorm(e, outChannels, 1);
    this.block =
      e === inChannels
        ? nn.Sequential(depthwise, se, project)
        : nn.Sequential(convNormAct(inChannels, e, 1, nn.SiLU()), depthwise, se, project);
    this.stochastic_depth = new StochasticDepth(c.sdProb);
  }

  override get typeName(): string {
    return "MBConv";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.block.forward(x);
  }
}

/** torchvision's MBConv with the residual connection: `stochastic_depth(block(x)) + x`. */
export class ResidualMBConv<const C extends number> extends MBConv<C, C> {
  constructor(channels: C, c: Omit<MBConvConfig, "stride">) {
    super(channels, channels, { ...c, stride: 1 });
  }

  override forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, C, number, number], D, Dev>,
  ) {
    return add(this.stochastic_depth.forward(this.block.forward(x)), x);
  }
}

/** Stochastic depth probability of block `id` of 16 (torchvision's default 0.2). */
const sd = (id: number) => (0.2 * id) / 16;

/** torchvision's EfficientNet-B0: a stem, seven MBConv stages, a 1x1 conv to 1280, dropout 0.2, linear. */
export class EfficientNetB0<const Classes extends number> extends nn.Module {
  features = nn.Sequential(
    convNormAct(3, 32, 3, nn.SiLU(), { stride: 2 }),
    nn.Sequential(new MBConv(32, 16, { expandRatio: 1, kernel: 3, stride: 1, sdProb: sd(0) })),
    nn.Sequential(
      new MBConv(16, 24, { expandRatio: 6, kernel: 3, stride: 2, sdProb: sd(1) }),
      new ResidualMBConv(24, { expandRatio: 6, kernel: 3, sdProb: sd(2) }),
    ),
    nn.Sequential(
      new MBConv(24, 40, { expandRatio: 6, kernel: 5, stride: 2, sdProb: sd(3) }),
      new ResidualMBConv(40, { expandRatio: 6, kernel: 5, sdProb: sd(4) }),
    ),
    nn.Sequential(
      new MBConv(40, 80, { expandRatio: 6, kernel: 3, stride: 2, sdProb: sd(5) }),
      new ResidualMBConv(80, { expandRatio: 6, kernel: 3, sdProb: sd(6) }),
      new ResidualMBConv(80, { expandRatio: 6, kernel: 3, sdProb: sd(7) }),
    ),
    nn.Sequential(
      new MBConv(80, 112, { expandRatio: 6, kernel: 5, stride: 1, sdProb: sd(8) }),
      new ResidualMBConv(112, { expandRatio: 6, kernel: 5, sdProb: sd(9) }),
      new ResidualMBConv(112, { expandRatio: 6, kernel: 5, sdProb: sd(10) }),
    ),
    nn.Sequential(
      new MBConv(112, 192, { expandRatio: 6, kernel: 5, stride: 2, sdProb: sd(11) }),
      new ResidualMBConv(192, { expandRatio: 6, kernel: 5, sdProb: sd(12) }),
      new ResidualMBConv(192, { expandRatio: 6, kernel: 5, sdProb: sd(13) }),
      new ResidualMBConv(192, { expandRatio: 6, kernel: 5, sdProb: sd(14) }),
    ),
    nn.Sequential(new MBConv(192, 320, { expandRatio: 6, kernel: 3, stride: 1, sdProb: sd(15) })),
    convNormAct(320, 1280, 1, nn.SiLU()),
  );
  avgpool = nn.AdaptiveAvgPool2d(1);
  classifier: nn.Sequential<readonly [nn.Dropout, nn.Linear<1280, Classes>]>;

  constructor(numClasses: Classes) {
    super();
    this.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, numClasses));
  }

  override get typeName(): string {
    return "EfficientNet";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

/** EfficientNet-B0: 5,288,548 parameters with 1000 classes. */
export function efficientnetB0(options?: ClassifierOptions<undefined>): EfficientNetB0<1000>;
export function efficientnetB0<const Classes extends number>(
  options: ClassifierOptions<Classes>,
): EfficientNetB0<Classes>;
export function efficientnetB0(options: ClassifierOptions = {}): EfficientNetB0<number> {
  return new EfficientNetB0(options.numClasses ?? 1000);
}
