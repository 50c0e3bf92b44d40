/**
 * `shapegrad/models`: torchvision's architectures (torchvision.models) as typed modules, under
 * torchvision's builder names in camelCase. Each builder takes `{ numClasses? }` (default 1000)
 * and returns a module whose `stateDict()` has exactly torchvision's `state_dict()` names and
 * shapes (so `nn.loadSafetensors(model, bytes)` loads torchvision's weights) and whose `forward`
 * gives torchvision's logits, typed `[N, numClasses]` for an `[N, 3, H, W]` input.
 */
export type { ClassifierOptions, SegmentationOptions } from "./options.js";
export { resnet18, resnet50, ResNet18, ResNet50 } from "./resnet.js";
export { mobilenetV2, mobilenetV3Small, MobileNetV2, MobileNetV3Small } from "./mobilenet.js";
export { efficientnetB0, EfficientNetB0 } from "./efficientnet.js";
export { regnetY400mf, RegNetY400MF } from "./regnet.js";
export { vgg11Bn, VGG11BN } from "./vgg.js";
export { Conv2dNormActivation, SqueezeExcitation, StochasticDepth, makeDivisible } from "./layers.js";
export { squeezenet1_1, SqueezeNet1_1, Fire } from "./squeezenet.js";
export { shufflenetV2X0_5, ShuffleNetV2X0_5 } from "./shufflenet.js";
export { googlenet, GoogLeNet } from "./googlenet.js";
export { densenet121, DenseNet121 } from "./densenet.js";
export { convnextTiny, ConvNeXtTiny, CNBlock, LayerNorm2d } from "./convnext.js";
export { Permute } from "./layers.js";
export { mobilenetV3Large, MobileNetV3Large } from "./mobilenet.js";
export {
  fcnResnet50,
  FCN,
  FCNWithAux,
  deeplabv3MobilenetV3Large,
  DeepLabV3,
  DeepLabV3WithAux,
  lrasppMobilenetV3Large,
  LRASPP,
} from "./segmentation.js";
