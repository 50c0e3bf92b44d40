/**
 * torchvision's semantic segmentation models (torchvision.models.segmentation): FCN on a dilated
 * ResNet-50, under torchvision's names
 * (`backbone.*`, `classifier.*`, `aux_classifier.*`).
 *
 * A model's `forward` gives `{ out }` (and `{ out, aux }` with the auxiliary head): per-class scores
 * upsampled bilinearly (alignCorners false) to the input's height and width, typed
 * `[N, numClasses, H, W]` for an `[N, 3, H, W]` input. The model with the auxiliary head is its own
 * class (a subclass adding `aux_classifier`), so `aux` is in the type exactly when it is computed.
 */
import { interpolate, type DType, type Device, type Tensor } from "../index.js";
import * as nn from "../nn/index.js";
import { argumentErrors, show } from "../../types/errors.js";
import { ResNet50Backbone } from "./resnet.js";
import type { SegmentationOptions } from "./options.js";

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
