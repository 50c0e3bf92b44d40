/**
 * Every builder of `shapegrad/models` on one 224x224 image, for the shape inspector:
 *
 *   npx shapegrad shapes examples/models-shapes.ts
 *
 * prints each model's layers (every block of every stage, with its channel counts) and the
 * logits' shape the compiler computes, `[1, 1000]` (`[1, 10]` with `{ numClasses: 10 }`; the
 * segmentation models' `out`, `[1, 21, 224, 224]`). Calling a
 * model's `features` (an `nn.Sequential`) on the image shows the shape after each of its layers:
 * VGG's, plain layers, from 224x224 down to 7x7; MobileNetV2's, blocks generic in their channels,
 * with the channels literal and the spatial sizes the run time's (`number`), as inside every
 * builder. Nothing runs: `shapes` only type-checks the file.
 * (test/cli/models-shapes.test.ts runs the inspector on it.)
 */
import { randn } from "../src/index.js";
import * as models from "../src/models/index.js";

const image = randn([1, 3, 224, 224]);

const resnet18 = models.resnet18();
export const resnet18Logits = resnet18.forward(image);
const resnet50 = models.resnet50();
export const resnet50Logits = resnet50.forward(image);
const vgg11Bn = models.vgg11Bn();
export const vgg11BnLogits = vgg11Bn.forward(image);
const mobilenetV2 = models.mobilenetV2();
export const mobilenetV2Logits = mobilenetV2.forward(image);
const mobilenetV3Small = models.mobilenetV3Small();
export const mobilenetV3SmallLogits = mobilenetV3Small.forward(image);
const efficientnetB0 = models.efficientnetB0();
export const efficientnetB0Logits = efficientnetB0.forward(image);
const regnetY400mf = models.regnetY400mf({ numClasses: 10 });
export const regnetY400mfLogits = regnetY400mf.forward(image);
const squeezenet1_1 = models.squeezenet1_1();
export const squeezenet1_1Logits = squeezenet1_1.forward(image);
const shufflenetV2X0_5 = models.shufflenetV2X0_5();
export const shufflenetV2X0_5Logits = shufflenetV2X0_5.forward(image);
const googlenet = models.googlenet();
export const googlenetLogits = googlenet.forward(image);
const densenet121 = models.densenet121();
export const densenet121Logits = densenet121.forward(image);
const convnextTiny = models.convnextTiny();
export const convnextTinyLogits = convnextTiny.forward(image);
const mobilenetV3Large = models.mobilenetV3Large();
export const mobilenetV3LargeLogits = mobilenetV3Large.forward(image);
// The segmentation models: a per-pixel map of 21 classes at the input's size (`.out`).
const fcnResnet50 = models.fcnResnet50();
export const fcnResnet50Out = fcnResnet50.forward(image).out;
const deeplabv3MobilenetV3Large = models.deeplabv3MobilenetV3Large();
export const deeplabv3MobilenetV3LargeOut = deeplabv3MobilenetV3Large.forward(image).out;
const lrasppMobilenetV3Large = models.lrasppMobilenetV3Large();
export const lrasppMobilenetV3LargeOut = lrasppMobilenetV3Large.forward(image).out;

// Stage by stage: the feature extractors alone, each layer's output shape.
const vggFeatures = vgg11Bn.features;
export const vggMaps = vggFeatures.forward(image);
const mobilenetV2Features = mobilenetV2.features;
export const mobilenetV2Maps = mobilenetV2Features.forward(image);
