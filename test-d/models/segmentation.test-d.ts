/**
 * shapegrad/models' segmentation builders: `out` (and `aux` exactly when auxLoss is literally true)
 * typed [N, numClasses, H, W] for a literal [N, 3, H, W] input; a non-literal auxLoss gives the
 * union; an input without 3 channels is refused. And interpolate with a generic size (what their
 * forwards do: `size: [x.shape[2], x.shape[3]]`), whose literal misuse is still refused.
 */
import { expectError, expectType } from "tsd";
import { interpolate, randn, type DType, type Device, type Tensor } from "../../src/index.js";
import * as models from "../../src/models/index.js";

function resizeLike<
  N extends number,
  C extends number,
  H extends number,
  W extends number,
  D extends DType,
  Dev extends Device,
>(scores: Tensor<[N, C, number, number], D, Dev>, like: Tensor<[N, 3, H, W], D, Dev>) {
  return interpolate(scores, { size: [like.shape[2], like.shape[3]], mode: "bilinear", alignCorners: false });
}
expectType<Tensor<[2, 5, 17, 9], "float32", "cpu">>(resizeLike(randn([2, 5, 3, 3]), randn([2, 3, 17, 9])));
expectError(interpolate(randn([1, 1, 3, 3]), { size: [0, 4] }));
expectError(interpolate(randn([1, 1, 3, 3]), { size: [4, -2] }));
expectError(interpolate(randn([1, 1, 3, 3]), { size: 0.5 }));
expectError(interpolate(randn([1, 1, 3, 3]), { size: 2, mode: "nearest", alignCorners: true }));
expectError(interpolate(randn([1, 3, 3]), { size: 2 }));
expectType<Tensor<[1, 1, 5, 4], "float32", "cpu">>(interpolate(randn([1, 1, 3, 3]), { size: [5, 4] }));

const image = randn([2, 3, 64, 48]);

const fcn = models.fcnResnet50().forward(image);
expectType<{ out: Tensor<[2, 21, 64, 48], "float32", "cpu"> }>(fcn);
expectError(fcn.aux);
expectType<{ out: Tensor<[2, 5, 64, 48], "float32", "cpu">; aux: Tensor<[2, 5, 64, 48], "float32", "cpu"> }>(
  models.fcnResnet50({ numClasses: 5, auxLoss: true }).forward(image),
);
expectType<{ out: Tensor<[2, 7, 64, 48], "float32", "cpu"> }>(
  models.fcnResnet50({ numClasses: 7, auxLoss: false }).forward(image),
);
declare const flag: boolean;
const either = models.fcnResnet50({ numClasses: 3, auxLoss: flag }).forward(randn([1, 3, 45, 37]));
expectType<Tensor<[1, 3, 45, 37], "float32", "cpu">>(either.out);
expectError(either.aux);
if ("aux" in either) expectType<Tensor<[1, 3, 45, 37], "float32", "cpu">>(either.aux);
expectError(models.fcnResnet50().forward(randn([1, 4, 64, 64])));
function segment<N extends number>(x: Tensor<[N, 3, 32, 32]>): Tensor<[N, 4, 32, 32]> {
  return models.fcnResnet50({ numClasses: 4 }).forward(x).out;
}
expectType<Tensor<[8, 4, 32, 32]>>(segment(randn([8, 3, 32, 32])));

expectType<{ out: Tensor<[2, 21, 64, 48], "float32", "cpu"> }>(models.deeplabv3MobilenetV3Large().forward(image));
expectType<{ out: Tensor<[1, 4, 45, 37], "float32", "cpu">; aux: Tensor<[1, 4, 45, 37], "float32", "cpu"> }>(
  models.deeplabv3MobilenetV3Large({ numClasses: 4, auxLoss: true }).forward(randn([1, 3, 45, 37])),
);
expectType<{ out: Tensor<[2, 21, 64, 48], "float32", "cpu"> }>(models.lrasppMobilenetV3Large().forward(image));
expectType<{ out: Tensor<[2, 2, 64, 48], "float32", "cpu"> }>(
  models.lrasppMobilenetV3Large({ numClasses: 2 }).forward(image),
);
expectError(models.lrasppMobilenetV3Large().forward(randn([1, 1, 64, 64])));

// mobilenetV3Large, the classifier (torchvision's mobilenet_v3_large), dilated or not.
expectType<Tensor<[2, 1000], "float32", "cpu">>(models.mobilenetV3Large().forward(image));
expectType<Tensor<[2, 10], "float32", "cpu">>(
  models.mobilenetV3Large({ numClasses: 10, dilated: true }).forward(image),
);
