/**
 * RegNetY-400MF (Radosavovic et al. 2020) in torchvision's layout (torchvision.models.regnet):
 * the same modules under the same names, `trunk_output.block2.block2-0.f.se.fc1.weight` included.
 * torchvision derives the stages from (depth 16, w_0 48, w_a 27.89, w_m 2.09, group width 8,
 * SE ratio 0.25): depths [1, 3, 6, 6], widths [48, 104, 208, 440], every stage stride 2.
 */
import { add, flatten, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import { convNorm, convNormAct, SqueezeExcitation, type ChannelMap, type Conv2dNormActivation } from "./layers.js";
import type { ClassifierOptions } from "./options.js";

const GROUP_WIDTH = 8;
const SE_RATIO = 0.25;

/**
 * torchvision's BottleneckTransform (`f`): 1x1 conv `a`, grouped 3x3 conv `b` (stride here),
 * squeeze-excitation `se` (squeezing to a quarter of the block's input width), 1x1 conv `c`.
 */
export class BottleneckTransform<const Cin extends number, const Cout extends number> extends nn.Module {
  a: ChannelMap<Cin, number>;
  b: ChannelMap<number, number>;
  se: ChannelMap<number, number>;
  c: ChannelMap<number, Cout>;

  constructor(widthIn: Cin, widthOut: Cout, stride: number) {
    super();
    const w = widthOut; // bottleneck multiplier 1.0
    this.a = convNormAct(widthIn, w, 1, nn.ReLU());
    this.b = convNormAct(w, w, 3, nn.ReLU(), { stride, groups: w / GROUP_WIDTH });
    this.se = new SqueezeExcitation(w, Math.round(SE_RATIO * widthIn));
    this.c = convNorm(w, widthOut, 1);
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.c.forward(this.se.forward(this.b.forward(this.a.forward(x))));
  }
}

/** torchvision's ResBottleneckBlock with `proj` (a strided 1x1 conv and batch norm) on the shortcut. */
export class ResBottleneckBlock<const Cin extends number, const Cout extends number> extends nn.Module {
  proj: Conv2dNormActivation<Cin, Cout, 1>;
  f: BottleneckTransform<Cin, Cout>;
  activation = nn.ReLU();

  constructor(widthIn: Cin, widthOut: Cout, stride: number) {
    super();
    this.proj = convNorm(widthIn, widthOut, 1, { stride });
    this.f = new BottleneckTransform(widthIn, widthOut, stride);
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.activation.forward(add(this.proj.forward(x), this.f.forward(x)));
  }
}

/** torchvision's ResBottleneckBlock without `proj`: `relu(x + f(x))`. */
export class IdentityResBottleneckBlock<const C extends number> extends nn.Module {
  f: BottleneckTransform<C, C>;
  activation = nn.ReLU();

  constructor(width: C) {
    super();
    this.f = new BottleneckTransform(width, width, 1);
  }

  override get typeName(): string {
    return "ResBottleneckBlock";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, C, number, number], D, Dev>,
  ) {
    return this.activation.forward(add(x, this.f.forward(x)));
  }
}

/**
 * torchvision's AnyStage: `depth` blocks named `block<i>-0`, `block<i>-1`, ... (torchvision adds
 * them with `add_module(f"block{stage}-{j}")`); the first one strides and changes the width.
 */
export class AnyStage<const Cin extends number, const Cout extends number> extends nn.Module {
  readonly first: ResBottleneckBlock<Cin, Cout>;
  readonly rest: IdentityResBottleneckBlock<Cout>[];

  constructor(
    readonly index: number,
    widthIn: Cin,
    widthOut: Cout,
    depth: number,
  ) {
    super();
    this.first = new ResBottleneckBlock(widthIn, widthOut, 2);
    this.rest = Array.from({ length: depth - 1 }, () => new IdentityResBottleneckBlock(widthOut));
  }

  override namedChildren(): [string, nn.Module][] {
    return [this.first, ...this.rest].map((block, j) => [`block${this.index}-${j}`, block]);
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    let y = this.first.forward(x);
    for (const block of this.rest) y = block.forward(y);
    return y;
  }
}

/** The four named stages of `trunk_output`. */
export class RegNetTrunk extends nn.Module {
  block1 = new AnyStage(1, 32, 48, 1);
  block2 = new AnyStage(2, 48, 104, 3);
  block3 = new AnyStage(3, 104, 208, 6);
  block4 = new AnyStage(4, 208, 440, 6);

  override get typeName(): string {
    return "Sequential";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 32, number, number], D, Dev>,
  ) {
    return this.block4.forward(this.block3.forward(this.block2.forward(this.block1.forward(x))));
  }
}

/** torchvision's RegNet with the Y-400MF configuration. */
export class RegNetY400MF<const Classes extends number> extends nn.Module {
  stem = convNormAct(3, 32, 3, nn.ReLU(), { stride: 2 });
  trunk_output = new RegNetTrunk();
  avgpool = nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear<440, Classes>;

  constructor(numClasses: Classes) {
    super();
    this.fc = nn.Linear(440, numClasses);
  }

  override get typeName(): string {
    return "RegNet";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    return this.fc.forward(flatten(this.avgpool.forward(this.trunk_output.forward(this.stem.forward(x))), 1));
  }
}

/** RegNetY-400MF: 4,344,144 parameters with 1000 classes. */
export function regnetY400mf(options?: ClassifierOptions<undefined>): RegNetY400MF<1000>;
export function regnetY400mf<const Classes extends number>(options: ClassifierOptions<Classes>): RegNetY400MF<Classes>;
export function regnetY400mf(options: ClassifierOptions = {}): RegNetY400MF<number> {
  return new RegNetY400MF(options.numClasses ?? 1000);
}
