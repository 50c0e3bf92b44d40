/**
 * shapegrad/models: each builder's logits shape computed by the compiler from a literal input
 * shape, `numClasses` included; a generic batch is kept; an input without 3 channels is refused.
 */
import { expectError, expectType } from "tsd";
import { randn, zeros, type Tensor } from "../../src/index.js";
import * as models from "../../src/models/index.js";

const image = randn([1, 3, 224, 224]);

expectType<Tensor<[1, 1000], "float32", "cpu">>(models.resnet18().forward(image));
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.resnet50().forward(image));
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.vgg11Bn().forward(image));
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.mobilenetV2().forward(image));
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.mobilenetV3Small().forward(image));
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.efficientnetB0().forward(image));
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.regnetY400mf().forward(image));
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.squeezenet1_1().forward(image));
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.shufflenetV2X0_5().forward(image));
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.googlenet().forward(image));

const small = randn([2, 3, 64, 48]);
expectType<Tensor<[2, 10], "float32", "cpu">>(models.resnet18({ numClasses: 10 }).forward(small));
expectType<Tensor<[2, 7], "float32", "cpu">>(models.resnet50({ numClasses: 7 }).forward(small));
expectType<Tensor<[2, 2], "float32", "cpu">>(models.vgg11Bn({ numClasses: 2 }).forward(small));
expectType<Tensor<[2, 10], "float32", "cpu">>(models.mobilenetV2({ numClasses: 10 }).forward(small));
expectType<Tensor<[2, 10], "float32", "cpu">>(models.mobilenetV3Small({ numClasses: 10 }).forward(small));
expectType<Tensor<[2, 100], "float32", "cpu">>(models.efficientnetB0({ numClasses: 100 }).forward(small));
expectType<Tensor<[2, 10], "float32", "cpu">>(models.regnetY400mf({ numClasses: 10 }).forward(small));
expectType<Tensor<[2, 10], "float32", "cpu">>(models.squeezenet1_1({ numClasses: 10 }).forward(small));
expectType<Tensor<[2, 10], "float32", "cpu">>(models.shufflenetV2X0_5({ numClasses: 10 }).forward(small));
expectType<Tensor<[2, 10], "float32", "cpu">>(models.googlenet({ numClasses: 10 }).forward(small));
// GoogLeNet's train-mode output: the logits and each auxiliary head's.
expectType<{
  logits: Tensor<[2, 10], "float32", "cpu">;
  aux1: Tensor<[2, 10], "float32", "cpu">;
  aux2: Tensor<[2, 10], "float32", "cpu">;
}>(models.googlenet({ numClasses: 10 }).forwardWithAux(small));

// float64 once moved; a generic batch stays generic.
const m64 = models.mobilenetV3Small({ numClasses: 5 }).to("float64");
expectType<Tensor<[4, 5], "float64", "cpu">>(m64.forward(zeros([4, 3, 32, 32], { dtype: "float64" })));
function logits<N extends number>(x: Tensor<[N, 3, 64, 64]>): Tensor<[N, 10]> {
  return models.efficientnetB0({ numClasses: 10 }).forward(x);
}
expectType<Tensor<[8, 10]>>(logits(randn([8, 3, 64, 64])));

// Images need 3 channels; a moved model refuses the other dtype.
expectError(models.resnet18().forward(randn([1, 4, 224, 224])));
expectError(models.regnetY400mf().forward(randn([3, 224, 224])));
expectError(models.googlenet().forwardWithAux(randn([1, 1, 224, 224])));
expectError(m64.forward(randn([4, 3, 32, 32])));

// i22-dense: DenseNet-121's channels add up through every concatenation at compile time (the cat
// rule): 64 + 6 * 32 = 256 out of the first block, 1024 out of the features.
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.densenet121().forward(image));
expectType<Tensor<[2, 10], "float32", "cpu">>(models.densenet121({ numClasses: 10 }).forward(small));
const dense = models.densenet121({ numClasses: 10 });
expectType<Tensor<[2, 256, number, number], "float32", "cpu">>(
  dense.features.denseblock1.forward(randn([2, 64, 16, 16])),
);
expectType<Tensor<[2, 1024, number, number], "float32", "cpu">>(dense.features.forward(small));
expectType<Tensor<[3, 96, number, number], "float32", "cpu">>(
  dense.features.denseblock1.layers[0].forward(randn([3, 64, 8, 8])),
);
expectError(dense.features.denseblock2.forward(randn([2, 64, 8, 8])));
expectError(dense.forward(randn([2, 1, 64, 64])));
// ConvNeXt-T: the channels and the spatial sizes chain through features (LayerNorm2d, CNBlock
// and Permute have their rules), under a generic batch too.
expectType<Tensor<[1, 1000], "float32", "cpu">>(models.convnextTiny().forward(image));
expectType<Tensor<[2, 10], "float32", "cpu">>(models.convnextTiny({ numClasses: 10 }).forward(small));
const convnext = models.convnextTiny({ numClasses: 10 });
expectType<Tensor<[2, 768, 2, 1], "float32", "cpu">>(convnext.features.forward(small));
function convnextFeatures<N extends number>(x: Tensor<[N, 3, 64, 64]>): Tensor<[N, 768, 2, 2]> {
  return convnext.features.forward(x);
}
expectType<Tensor<[8, 768, 2, 2]>>(convnextFeatures(randn([8, 3, 64, 64])));
expectType<Tensor<[2, 96, 5, 7], "float32", "cpu">>(new models.CNBlock(96, 0).forward(randn([2, 96, 5, 7])));
expectType<Tensor<[2, 7, 5, 96], "float32", "cpu">>(new models.Permute([0, 3, 2, 1]).forward(randn([2, 96, 5, 7])));
expectError(new models.CNBlock(96, 0).forward(randn([2, 95, 5, 7])));
expectError(new models.LayerNorm2d(96).forward(randn([96, 5, 7])));
expectError(new models.Permute([0, 2, 1]).forward(randn([2, 96, 5, 7])));
expectError(convnext.forward(randn([2, 4, 64, 64])));
