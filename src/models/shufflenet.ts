/**
 * ShuffleNetV2 x0.5 (Ma et al. 2018; torchvision.models.shufflenet_v2_x0_5) in torchvision's
 * layout: a strided 3x3 conv and max pooling, three stages of InvertedResidual units (4, 8, 4;
 * 48, 96, 192 channels), a 1x1 conv to 1024 channels, the mean over H and W and a linear layer.
 *
 * A unit splits its channels in two halves: with stride 1 the first half passes unchanged and the
 * second goes through `branch2` (1x1 conv, 3x3 depthwise conv, 1x1 conv); with stride 2 both
 * branches see the whole input and halve H and W. The halves are joined (cat) and interleaved by
 * the channel shuffle, so the next unit's two halves each hold channels from both branches.
 *
 * Units are typed with `number` channels: chunk (and the shuffle's reshapes) do not type under
 * a channel count generic in the unit's class. The model's logits are typed exactly
 * (`[N, numClasses]`): conv5 and the linear layer carry the counts.
 */
import { chunk, flatten, mean, stack, type DType, type Device, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import type { ChannelMap } from "./layers.js";
import type { ClassifierOptions } from "./options.js";

/**
 * torchvision's `channel_shuffle(cat([a, b], 1), 2)`: the view [N, 2, k, H, W] of the joined
 * channels with its two channel dims swapped and flattened, so channel j of `a` goes to 2j and
 * channel j of `b` to 2j + 1. That is `stack([a, b], 2)` ([N, k, 2, H, W]) flattened over dims 1
 * and 2: the same values from one join instead of a join and a transposed copy, and typed under
 * a generic batch, which the reshapes' targets (several run-time dims) are not.
 */
function catShuffled<N extends number, D extends DType, Dev extends Device>(
  a: Tensor<[N, number, number, number], D, Dev>,
  b: Tensor<[N, number, number, number], D, Dev>,
) {
  return flatten(stack([a, b], 2), 1, 2);
}

/** A depthwise 3x3 conv without bias (torchvision's `InvertedResidual.depthwise_conv`). */
const depthwise = (channels: number, stride: number) =>
  nn.Conv2d(channels, channels, 3, { stride, padding: 1, groups: channels, bias: false });
const pointwise = (inChannels: number, outChannels: number) => nn.Conv2d(inChannels, outChannels, 1, { bias: false });

/** torchvision's shufflenetv2.InvertedResidual(inp, oup, stride). */
export class InvertedResidual extends nn.Module {
  /** The stride-2 unit's left branch (depthwise conv, 1x1 conv); null with stride 1 (torchvision's empty Sequential). */
  branch1: ChannelMap<number, number> | null;
  branch2: ChannelMap<number, number>;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly stride: number,
  ) {
    super();
    const branch = outChannels / 2;
    this.branch1 =
      stride > 1
        ? nn.Sequential(
            depthwise(inChannels, stride),
            nn.BatchNorm2d(inChannels),
            pointwise(inChannels, branch),
            nn.BatchNorm2d(branch),
            nn.ReLU(),
          )
        : null;
    this.branch2 = nn.Sequential(
      pointwise(stride > 1 ? inChannels : branch, branch),
      nn.BatchNorm2d(branch),
      nn.ReLU(),
      depthwise(branch, stride),
      nn.BatchNorm2d(branch),
      pointwise(branch, branch),
      nn.BatchNorm2d(branch),
      nn.ReLU(),
    );
  }

  override get typeName(): string {
    return "InvertedResidual";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, number, number, number], D, Dev>,
  ) {
    if (this.branch1) return catShuffled(this.branch1.forward(x), this.branch2.forward(x));
    const [x1, x2] = chunk(x, 2, 1);
    return catShuffled(x1, this.branch2.forward(x2));
  }
}

/** A stage: one stride-2 unit, then `repeats - 1` stride-1 units. */
function stage(inChannels: number, outChannels: number, repeats: number) {
  const units = [new InvertedResidual(inChannels, outChannels, 2)];
  for (let i = 1; i < repeats; i++) units.push(new InvertedResidual(outChannels, outChannels, 1));
  return nn.Sequential(...units);
}

/** torchvision's ShuffleNetV2 with stages_repeats [4, 8, 4] and stages_out_channels [24, 48, 96, 192, 1024]. */
export class ShuffleNetV2X0_5<const Classes extends number> extends nn.Module {
  conv1 = nn.Sequential(nn.Conv2d(3, 24, 3, { stride: 2, padding: 1, bias: false }), nn.BatchNorm2d(24), nn.ReLU());
  maxpool = nn.MaxPool2d(3, { stride: 2, padding: 1 });
  stage2 = stage(24, 48, 4);
  stage3 = stage(48, 96, 8);
  stage4 = stage(96, 192, 4);
  conv5 = nn.Sequential(nn.Conv2d(192, 1024, 1, { bias: false }), nn.BatchNorm2d(1024), nn.ReLU());
  fc: nn.Linear<1024, Classes>;

  constructor(numClasses: Classes) {
    super();
    this.fc = nn.Linear(1024, numClasses);
  }

  override get typeName(): string {
    return "ShuffleNetV2";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const features = this.stage4.forward(
      this.stage3.forward(this.stage2.forward(this.maxpool.forward(this.conv1.forward(x)))),
    );
    return this.fc.forward(mean(this.conv5.forward(features), [2, 3]));
  }
}

/** ShuffleNetV2 x0.5: 1,366,792 parameters with 1000 classes. */
export function shufflenetV2X0_5(options?: ClassifierOptions<undefined>): ShuffleNetV2X0_5<1000>;
export function shufflenetV2X0_5<const Classes extends number>(
  options: ClassifierOptions<Classes>,
): ShuffleNetV2X0_5<Classes>;
export function shufflenetV2X0_5(options: ClassifierOptions = {}): ShuffleNetV2X0_5<number> {
  return new ShuffleNetV2X0_5(options.numClasses ?? 1000);
}
