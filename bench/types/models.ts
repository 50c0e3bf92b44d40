// The type cost of shapegrad/models: every builder of src/models (its classes and blocks checked
// from source) and its forward on a literal [1, 3, 224, 224] input and on a generic batch with 10
// classes, each output type asserted. Each builder is imported from its own file, not from
// src/models/index.ts, so that a builder added to the package does not move this count unseen: it
// gets its own lines here (and the ceiling in budget.mjs its share). Baseline: models-baseline.ts,
// the same library imports (the root and nn, which src/models builds on) without src/models.
import { randn, type Tensor } from "../../src/index.js";
import type * as nn from "../../src/nn/index.js";
import { resnet18, resnet50 } from "../../src/models/resnet.js";
import { vgg11Bn } from "../../src/models/vgg.js";
import { mobilenetV2, mobilenetV3Large, mobilenetV3Small } from "../../src/models/mobilenet.js";
import { efficientnetB0 } from "../../src/models/efficientnet.js";
import { regnetY400mf } from "../../src/models/regnet.js";
import { squeezenet1_1 } from "../../src/models/squeezenet.js";
import { shufflenetV2X0_5 } from "../../src/models/shufflenet.js";
import { googlenet } from "../../src/models/googlenet.js";
import { densenet121 } from "../../src/models/densenet.js";
import { convnextTiny } from "../../src/models/convnext.js";
import { deeplabv3MobilenetV3Large, fcnResnet50, lrasppMobilenetV3Large } from "../../src/models/segmentation.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function expectType<S>(): <T>(t: Equal<T, S> extends true ? T : { expected: S; got: T }) => void;

const image = randn([1, 3, 224, 224]);
type Logits = Tensor<[1, 1000], "float32", "cpu">;
expectType<Logits>()(resnet18().forward(image));
expectType<Logits>()(resnet50().forward(image));
expectType<Logits>()(vgg11Bn().forward(image));
expectType<Logits>()(mobilenetV2().forward(image));
expectType<Logits>()(mobilenetV3Small().forward(image));
expectType<Logits>()(efficientnetB0().forward(image));
expectType<Logits>()(regnetY400mf().forward(image));
expectType<Logits>()(squeezenet1_1().forward(image));
expectType<Logits>()(shufflenetV2X0_5().forward(image));
expectType<Logits>()(googlenet().forward(image));
expectType<Logits>()(densenet121().forward(image));
expectType<Logits>()(convnextTiny().forward(image));
expectType<Logits>()(mobilenetV3Large().forward(image));
type Scores = Tensor<[1, 21, 224, 224], "float32", "cpu">;
expectType<Scores>()(fcnResnet50().forward(image).out);
expectType<Scores>()(deeplabv3MobilenetV3Large().forward(image).out);
expectType<Scores>()(lrasppMobilenetV3Large().forward(image).out);

export function batched<N extends number>(x: Tensor<[N, 3, 64, 64]>) {
  expectType<Tensor<[N, 10]>>()(resnet18({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(resnet50({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(vgg11Bn({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(mobilenetV2({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(mobilenetV3Small({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(efficientnetB0({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(regnetY400mf({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(squeezenet1_1({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(shufflenetV2X0_5({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(googlenet({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(densenet121({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(convnextTiny({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10]>>()(mobilenetV3Large({ numClasses: 10 }).forward(x));
  expectType<Tensor<[N, 10, 64, 64]>>()(fcnResnet50({ numClasses: 10 }).forward(x).out);
  expectType<Tensor<[N, 10, 64, 64]>>()(deeplabv3MobilenetV3Large({ numClasses: 10 }).forward(x).out);
  expectType<Tensor<[N, 10, 64, 64]>>()(lrasppMobilenetV3Large({ numClasses: 10 }).forward(x).out);
}

export type Layer = nn.Module;
