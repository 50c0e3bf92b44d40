/**
 * Every builder of shapegrad/models at a few classes, for the tests that run each one the same
 * way (ONNX export, WebGPU, the SGD step): the fifteen of DESIGN 1b plus mobilenetV3Large, the
 * segmentation ones with their auxiliary head where they have one (so their forward returns
 * `{ out, aux }`, LR-ASPP's `{ out }`).
 */
import type { AnyTensor, Tensor } from "../../src/index.js";
import type * as nn from "../../src/nn/index.js";
import * as models from "../../src/models/index.js";

/** A builder's model as these tests call it: logits, or a segmentation model's named scores. */
export interface AnyModel extends nn.Module {
  forward(x: Tensor<[number, 3, number, number], "float32", "cpu">): AnyTensor | { out: AnyTensor; aux?: AnyTensor };
}

/** The forward's result as named tensors: `logits` for a classifier, the keys of a segmentation model's. */
export function namedOutputs(y: AnyTensor | { out: AnyTensor; aux?: AnyTensor }): [string, AnyTensor][] {
  return "shape" in y ? [["logits", y]] : Object.entries<AnyTensor>(y as Record<string, AnyTensor>);
}

const CLASSES = 5;
export const ALL_BUILDERS: readonly [string, () => AnyModel][] = [
  ["resnet18", () => models.resnet18({ numClasses: CLASSES })],
  ["resnet50", () => models.resnet50({ numClasses: CLASSES })],
  // 133M parameters, 103M of them in the 25088 x 4096 classifier layer whatever the input size, so
  // 32x32 (the smallest input VGG takes) saves only conv work. At load average 25-29 on 2 vCPUs its
  // SGD-step test took 127-280 s, about half of it building the model (random initialisation of
  // 133M values).
  ["vgg11Bn", () => models.vgg11Bn({ numClasses: CLASSES })],
  ["mobilenetV2", () => models.mobilenetV2({ numClasses: CLASSES })],
  ["mobilenetV3Small", () => models.mobilenetV3Small({ numClasses: CLASSES })],
  ["efficientnetB0", () => models.efficientnetB0({ numClasses: CLASSES })],
  ["convnextTiny", () => models.convnextTiny({ numClasses: CLASSES })],
  ["googlenet", () => models.googlenet({ numClasses: CLASSES })],
  ["densenet121", () => models.densenet121({ numClasses: CLASSES })],
  ["squeezenet1_1", () => models.squeezenet1_1({ numClasses: CLASSES })],
  ["shufflenetV2X0_5", () => models.shufflenetV2X0_5({ numClasses: CLASSES })],
  ["regnetY400mf", () => models.regnetY400mf({ numClasses: CLASSES })],
  ["fcnResnet50", () => models.fcnResnet50({ numClasses: CLASSES, auxLoss: true })],
  ["deeplabv3MobilenetV3Large", () => models.deeplabv3MobilenetV3Large({ numClasses: CLASSES, auxLoss: true })],
  ["lrasppMobilenetV3Large", () => models.lrasppMobilenetV3Large({ numClasses: CLASSES })],
  ["mobilenetV3Large", () => models.mobilenetV3Large({ numClasses: CLASSES })],
];
