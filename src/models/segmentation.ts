/**
 * torchvision's semantic segmentation models (torchvision.models.segmentation): FCN on a dilated
 * ResNet-50, DeepLabV3 and LR-ASPP on a dilated MobileNetV3-Large, under torchvision's names
 * (`backbone.*`, `classifier.*`, `aux_classifier.*`); LR-ASPP has no auxiliary head.
 *
 * A model's `forward` gives `{ out }` (and `{ out, aux }` with the auxiliary head): per-class scores
 * upsampled bilinearly (alignCorners false) to the input's height and width, typed
 * `[N, numClasses, H, W]` for an `[N, 3, H, W]` input. The model with the auxiliary head is its own
 * class (a subclass adding `aux_classifier`), so `aux` is in the type exactly when it is computed.
 */
import { cat, interpolate, mul, add, type DType, type Device, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import { argumentErrors, show } from "../../types/errors.js";
import { ResNet50Backbone } from "./resnet.js";
import { MobileNetV3Large } from "./mobilenet.js";
import { convNormAct } from "./layers.js";
import type { ClassifierOptions, SegmentationOptions } from "./options.js";

/** Scores at the feature map's resolution, upsampled to the image's as torchvision does. */
function upsample<
  N extends number,
  C extends number,
  H extends number,
  W extends number,
  D extends DType,
  Dev extends Device,
>(scores: Tensor<[N, C, number, number], D, Dev>, image: Tensor<[N, 3, H, W], D, Dev>) {
  return interpolate(scores, { size: [image.shape[2], image.shape[3]], mode: "bilinear", alignCorners: false });
}

/** torchvision's `aux_loss` resolved: false unless given true. */
function auxLoss(op: string, options: SegmentationOptions): boolean {
  const aux = options.auxLoss ?? false;
  if (typeof aux !== "boolean") throw new Error(argumentErrors.booleanOption(op, "auxLoss", show(aux)));
  return aux;
}

/**
 * torchvision's FCNHead (a Sequential): a 3x3 conv to in / 4 channels without bias, batch norm,
 * ReLU, dropout 0.1 and a 1x1 conv to the classes.
 */
export type FCNHead<Cin extends number, Classes extends number> = nn.Sequential<
  readonly [
    nn.Conv2d<Cin, number, 3, { readonly padding: 1; readonly bias: false }>,
    nn.BatchNorm2d,
    nn.ReLU,
    nn.Dropout,
    nn.Conv2d<number, Classes, 1>,
  ]
>;

export function fcnHead<const Cin extends number, const Classes extends number>(
  inChannels: Cin,
  numClasses: Classes,
): FCNHead<Cin, Classes> {
  const inter = inChannels / 4;
  return nn.Sequential(
    nn.Conv2d(inChannels, inter, 3, { padding: 1, bias: false }),
    nn.BatchNorm2d(inter),
    nn.ReLU(),
    nn.Dropout(0.1),
    nn.Conv2d(inter, numClasses, 1),
  );
}

// ----------------------------------------------------------------------------- FCN

/** torchvision's `fcn_resnet50` without the auxiliary head: ResNet-50 with layer3 and layer4 dilated. */
export class FCN<const Classes extends number> extends nn.Module {
  backbone = new ResNet50Backbone([false, true, true]);
  classifier: FCNHead<2048, Classes>;

  constructor(numClasses: Classes) {
    super();
    this.classifier = fcnHead(2048, numClasses);
  }

  override get typeName(): string {
    return "FCN";
  }

  forward<
    N extends number,
    H extends number,
    W extends number,
    D extends nn.DTypeOf<this>,
    Dev extends nn.DeviceOf<this>,
  >(x: Tensor<[N, 3, H, W], D, Dev>) {
    return { out: upsample(this.classifier.forward(this.backbone.forward(x).out), x) };
  }
}

/** `fcn_resnet50` with `aux_loss=True`: an FCNHead on layer3's output too. */
export class FCNWithAux<const Classes extends number> extends FCN<Classes> {
  aux_classifier: FCNHead<1024, Classes>;

  constructor(numClasses: Classes) {
    super(numClasses);
    this.aux_classifier = fcnHead(1024, numClasses);
  }

  override forward<
    N extends number,
    H extends number,
    W extends number,
    D extends nn.DTypeOf<this>,
    Dev extends nn.DeviceOf<this>,
  >(x: Tensor<[N, 3, H, W], D, Dev>) {
    const features = this.backbone.forward(x);
    return {
      out: upsample(this.classifier.forward(features.out), x),
      aux: upsample(this.aux_classifier.forward(features.aux), x),
    };
  }
}

/** FCN-ResNet50: 32,957,013 parameters with 21 classes (35,322,218 with the auxiliary head). */
export function fcnResnet50(options?: SegmentationOptions<undefined, false | undefined>): FCN<21>;
export function fcnResnet50(options: SegmentationOptions<undefined, true>): FCNWithAux<21>;
export function fcnResnet50<const Classes extends number>(
  options: SegmentationOptions<Classes, false | undefined>,
): FCN<Classes>;
export function fcnResnet50<const Classes extends number>(
  options: SegmentationOptions<Classes, true>,
): FCNWithAux<Classes>;
export function fcnResnet50<const Classes extends number>(
  options: SegmentationOptions<Classes>,
): FCN<Classes> | FCNWithAux<Classes>;
export function fcnResnet50(options: SegmentationOptions = {}): FCN<number> | FCNWithAux<number> {
  const numClasses = options.numClasses ?? 21;
  return auxLoss("fcnResnet50", options) ? new FCNWithAux(numClasses) : new FCN(numClasses);
}

// ----------------------------------------------------------------------------- DeepLabV3

/**
 * torchvision's ASPPPooling on the 960 MobileNetV3-Large channels: global average pooling, a 1x1
 * conv without bias, batch norm and ReLU, then bilinear upsampling back to the input's size (keys
 * `1.weight`, `2.*`, as its Sequential's). Not generic in the channels: on a 1x1 map the conv's
 * rule, generic in both, stays undecided.
 */
export class ASPPPooling extends nn.Module {
  readonly 0 = nn.AdaptiveAvgPool2d(1);
  readonly 1 = nn.Conv2d(960, 256, 1, { bias: false });
  readonly 2 = nn.BatchNorm2d(256);
  readonly 3 = nn.ReLU();

  override get typeName(): string {
    return "ASPPPooling";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 960, number, number], D, Dev>,
  ) {
    const pooled = this[3].forward(this[2].forward(this[1].forward(this[0].forward(x))));
    return interpolate(pooled, { size: [x.shape[2], x.shape[3]], mode: "bilinear", alignCorners: false });
  }
}

/**
 * torchvision's ASPP (atrous spatial pyramid pooling) from 960 channels to 256: a 1x1 branch, three
 * 3x3 branches dilated by 12, 24 and 36, the pooling branch; concatenated, projected to 256 by a 1x1
 * conv (batch norm, ReLU, dropout 0.5). The branches are an array, as torchvision's ModuleList
 * (`convs.0`).
 */
export class ASPP extends nn.Module {
  // torchvision's ASPPConv is conv (padding = dilation), batch norm, ReLU: a Conv2dNormActivation.
  convs = [
    convNormAct(960, 256, 1, nn.ReLU()),
    convNormAct(960, 256, 3, nn.ReLU(), { dilation: 12 }),
    convNormAct(960, 256, 3, nn.ReLU(), { dilation: 24 }),
    convNormAct(960, 256, 3, nn.ReLU(), { dilation: 36 }),
    new ASPPPooling(),
  ] as const;
  project = nn.Sequential(nn.Conv2d(1280, 256, 1, { bias: false }), nn.BatchNorm2d(256), nn.ReLU(), nn.Dropout(0.5));

  override get typeName(): string {
    return "ASPP";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 960, number, number], D, Dev>,
  ) {
    const [a, b, c, d, pool] = this.convs;
    const branches = cat([a.forward(x), b.forward(x), c.forward(x), d.forward(x), pool.forward(x)], 1);
    return this.project.forward(branches);
  }
}

/**
 * torchvision's DeepLabHead (a Sequential) on the 960 MobileNetV3-Large channels: ASPP, a 3x3 conv
 * without bias, batch norm, ReLU and a 1x1 conv to the classes.
 */
export class DeepLabHead<const Classes extends number> extends nn.Module {
  readonly 0 = new ASPP();
  readonly 1 = nn.Conv2d(256, 256, 3, { padding: 1, bias: false });
  readonly 2 = nn.BatchNorm2d(256);
  readonly 3 = nn.ReLU();
  readonly 4: nn.Conv2d<256, Classes, 1>;

  constructor(numClasses: Classes) {
    super();
    this[4] = nn.Conv2d(256, numClasses, 1);
  }

  override get typeName(): string {
    return "DeepLabHead";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 960, number, number], D, Dev>,
  ) {
    return this[4].forward(this[3].forward(this[2].forward(this[1].forward(this[0].forward(x)))));
  }
}

/**
 * What DeepLabV3 and LR-ASPP share: the dilated MobileNetV3-Large features as `backbone` (torchvision
 * keeps the features' Sequential itself: `backbone.0` ... `backbone.16`), the head as `classifier`,
 * and the two feature levels torchvision's IntermediateLayerGetter returns: at 1/8 (stage 4, 40
 * channels: C2) and at 1/16 (the last, 960 channels: C5).
 */
abstract class MobileNetV3Segmentation<Head extends nn.Module> extends nn.Module {
  backbone = new MobileNetV3Large(1, true).features;
  // Declared after `backbone` (not a constructor parameter property, which would be defined
  // first): the state dict lists the properties in the order they are defined, as torchvision.
  readonly classifier: Head;

  constructor(classifier: Head) {
    super();
    this.classifier = classifier;
  }

  protected stages<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const l = this.backbone.layers;
    const c2 = l[4].forward(l[3].forward(l[2].forward(l[1].forward(l[0].forward(x)))));
    const c4 = l[12].forward(
      l[11].forward(l[10].forward(l[9].forward(l[8].forward(l[7].forward(l[6].forward(l[5].forward(c2))))))),
    );
    return { c2, c5: l[16].forward(l[15].forward(l[14].forward(l[13].forward(c4)))) };
  }
}

/** torchvision's `deeplabv3_mobilenet_v3_large` without the auxiliary head. */
export class DeepLabV3<const Classes extends number> extends MobileNetV3Segmentation<DeepLabHead<Classes>> {
  constructor(numClasses: Classes) {
    super(new DeepLabHead(numClasses));
  }

  override get typeName(): string {
    return "DeepLabV3";
  }

  forward<
    N extends number,
    H extends number,
    W extends number,
    D extends nn.DTypeOf<this>,
    Dev extends nn.DeviceOf<this>,
  >(x: Tensor<[N, 3, H, W], D, Dev>) {
    return { out: upsample(this.classifier.forward(this.stages(x).c5), x) };
  }
}

/** `deeplabv3_mobilenet_v3_large` with `aux_loss=True`: an FCNHead on the 1/8 features (40 channels). */
export class DeepLabV3WithAux<const Classes extends number> extends DeepLabV3<Classes> {
  aux_classifier: FCNHead<40, Classes>;

  constructor(numClasses: Classes) {
    super(numClasses);
    this.aux_classifier = fcnHead(40, numClasses);
  }

  override forward<
    N extends number,
    H extends number,
    W extends number,
    D extends nn.DTypeOf<this>,
    Dev extends nn.DeviceOf<this>,
  >(x: Tensor<[N, 3, H, W], D, Dev>) {
    const { c2, c5 } = this.stages(x);
    return {
      out: upsample(this.classifier.forward(c5), x),
      aux: upsample(this.aux_classifier.forward(c2), x),
    };
  }
}

/** DeepLabV3-MobileNetV3-Large: 11,025,477 parameters with 21 classes (11,029,328 with the auxiliary head). */
export function deeplabv3MobilenetV3Large(options?: SegmentationOptions<undefined, false | undefined>): DeepLabV3<21>;
export function deeplabv3MobilenetV3Large(options: SegmentationOptions<undefined, true>): DeepLabV3WithAux<21>;
export function deeplabv3MobilenetV3Large<const Classes extends number>(
  options: SegmentationOptions<Classes, false | undefined>,
): DeepLabV3<Classes>;
export function deeplabv3MobilenetV3Large<const Classes extends number>(
  options: SegmentationOptions<Classes, true>,
): DeepLabV3WithAux<Classes>;
export function deeplabv3MobilenetV3Large<const Classes extends number>(
  options: SegmentationOptions<Classes>,
): DeepLabV3<Classes> | DeepLabV3WithAux<Classes>;
export function deeplabv3MobilenetV3Large(
  options: SegmentationOptions = {},
): DeepLabV3<number> | DeepLabV3WithAux<number> {
  const numClasses = options.numClasses ?? 21;
  return auxLoss("deeplabv3MobilenetV3Large", options) ? new DeepLabV3WithAux(numClasses) : new DeepLabV3(numClasses);
}

// ----------------------------------------------------------------------------- LR-ASPP

/**
 * torchvision's LRASPPHead: `cbr` (1x1 conv without bias, batch norm, ReLU) of the 1/16 features,
 * gated per channel by `scale` (global average pooling, 1x1 conv without bias, sigmoid), upsampled
 * to the 1/8 features' size and classified, plus a 1x1 classifier of the 1/8 features.
 */
export class LRASPPHead<const Classes extends number> extends nn.Module {
  cbr = convNormAct(960, 128, 1, nn.ReLU());
  scale = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(960, 128, 1, { bias: false }), nn.Sigmoid());
  low_classifier: nn.Conv2d<40, Classes, 1>;
  high_classifier: nn.Conv2d<128, Classes, 1>;

  constructor(numClasses: Classes) {
    super();
    this.low_classifier = nn.Conv2d(40, numClasses, 1);
    this.high_classifier = nn.Conv2d(128, numClasses, 1);
  }

  override get typeName(): string {
    return "LRASPPHead";
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    low: Tensor<[N, 40, number, number], D, Dev>,
    high: Tensor<[N, 960, number, number], D, Dev>,
  ) {
    const gated = mul(this.cbr.forward(high), this.scale.forward(high));
    const up = interpolate(gated, { size: [low.shape[2], low.shape[3]], mode: "bilinear", alignCorners: false });
    return add(this.low_classifier.forward(low), this.high_classifier.forward(up));
  }
}

/** torchvision's `lraspp_mobilenet_v3_large` (no auxiliary head). */
export class LRASPP<const Classes extends number> extends MobileNetV3Segmentation<LRASPPHead<Classes>> {
  constructor(numClasses: Classes) {
    super(new LRASPPHead(numClasses));
  }

  override get typeName(): string {
    return "LRASPP";
  }

  forward<
    N extends number,
    H extends number,
    W extends number,
    D extends nn.DTypeOf<this>,
    Dev extends nn.DeviceOf<this>,
  >(x: Tensor<[N, 3, H, W], D, Dev>) {
    const { c2, c5 } = this.stages(x);
    return { out: upsample(this.classifier.forward(c2, c5), x) };
  }
}

/** LR-ASPP-MobileNetV3-Large: 3,221,538 parameters with 21 classes. */
export function lrasppMobilenetV3Large(options?: ClassifierOptions<undefined>): LRASPP<21>;
export function lrasppMobilenetV3Large<const Classes extends number>(
  options: ClassifierOptions<Classes>,
): LRASPP<Classes>;
export function lrasppMobilenetV3Large(options: ClassifierOptions = {}): LRASPP<number> {
  return new LRASPP(options.numClasses ?? 21);
}
