/**
 * Issue 19, compile-time: modules written as in PyTorch (fields and a `forward`) compose in
 * nn.Sequential and nn.Residual with their output shapes read off `forward`, inside classes
 * generic in their channel counts too; a module's type follows `.to()`. Part of
 * `npm run typecheck` (TypeScript 6 and 7): `Expect<Equal<...>>` is exact and every
 * `@ts-expect-error` line must fail.
 */
import { add, randn, relu, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { resnet18 } from "../../examples/resnet18.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// ---- The Block: a generic input shape; the call inside forward compiles.
class Block extends nn.Module {
  conv = nn.Conv2d(16, 16, 3, { padding: 1 });
  forward<S extends [number, 16, number, number]>(x: Tensor<S>) {
    return relu(this.conv.forward(x));
  }
}
export const blockOut = new Block().forward(randn([2, 16, 8, 8]));
// nn.Residual(new Block()): the body's [number, 16, number, number] meets the identity's literal shape.
export const residualOut = nn.Residual(new Block()).forward(randn([2, 16, 8, 8]));
// @ts-expect-error nn.Residual: 3 channels do not fit the block's 16
nn.Residual(new Block()).forward(randn([2, 3, 8, 8]));

// ---- Generic in the batch: Sequential reads the batch back through the forward.
class Down extends nn.Module {
  conv = nn.Conv2d(16, 32, 3, { padding: 1, stride: 2 });
  forward<N extends number>(x: Tensor<[N, 16, number, number]>) {
    return relu(this.conv.forward(x));
  }
}
export const chained = nn
  .Sequential(new Down(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
  .forward(randn([4, 16, 8, 8]));
// @ts-expect-error nn.Sequential: layer 3 (Linear) expects 64 features, the chain gives 32
nn.Sequential(new Down(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)).forward(randn([4, 16, 8, 8]));

// ---- A class generic in its channel count (as torchvision's blocks are).
class Same<C extends number> extends nn.Module {
  conv: nn.Conv2d<C, C, 3, { readonly padding: 1 }>;
  bn: nn.BatchNorm2d<C>;
  constructor(channels: C) {
    super();
    this.conv = nn.Conv2d(channels, channels, 3, { padding: 1 });
    this.bn = nn.BatchNorm2d(channels);
  }
  forward<N extends number>(x: Tensor<[N, C, number, number]>) {
    return relu(add(this.bn.forward(this.conv.forward(x)), x));
  }
}
export const same = new Same(8).forward(randn([3, 8, 5, 5]));
// @ts-expect-error 7 channels into Same(8)
new Same(8).forward(randn([3, 7, 5, 5]));

// ---- Literal spatial errors still reach the compiler through layers and chains.
// @ts-expect-error conv2d: output size is not positive (a 5x5 kernel on 2x2)
nn.Conv2d(3, 16, 5).forward(randn([1, 3, 2, 2]));
// @ts-expect-error nn.Sequential: layer 0 (Conv2d): the same
nn.Sequential(nn.Conv2d(3, 16, 5), nn.ReLU()).forward(randn([1, 3, 2, 2]));

// ---- examples/resnet18.ts: blocks written as modules, no shape functions, no casts.
export const logits = resnet18().forward(randn([2, 3, 224, 224]));
export const logits10 = resnet18(10).forward(randn([1, 3, 64, 64]));
// @ts-expect-error 4 input channels into ResNet-18's 3
resnet18().forward(randn([2, 4, 224, 224]));

// ---- 1. A module's type follows .to(): it refuses inputs of the old dtype or device.
const linear64 = nn.Linear(4, 2).to("float64");
// @ts-expect-error a float64 module refuses float32 inputs
linear64.forward(randn([3, 4]));
export const y64 = linear64.forward(randn([3, 4], { dtype: "float64" }));
const onGpu = nn.Sequential(nn.Linear(4, 2)).to("webgpu");
// @ts-expect-error a webgpu module refuses CPU inputs
onGpu.forward(randn([3, 4]));
const backHome = onGpu.to("cpu").to("float64"); // the latest move wins
export const yHome = backHome.forward(randn([3, 4], { dtype: "float64" }));
// @ts-expect-error float32 into the float64 model
backHome.forward(randn([3, 4]));
const resnet64 = resnet18().to("float64");
export const logits64 = resnet64.forward(randn([1, 3, 32, 32], { dtype: "float64" }));
// @ts-expect-error float32 into the float64 ResNet (the user's forward takes nn.DTypeOf<this>)
resnet64.forward(randn([1, 3, 32, 32]));
// @ts-expect-error modules hold floating-point parameters only
nn.Linear(4, 2).to("int32");

export type Checks = [
  Expect<Equal<typeof blockOut, Tensor<[number, 16, number, number]>>>,
  Expect<Equal<typeof residualOut, Tensor<[2, 16, 8, 8]>>>,
  Expect<Equal<typeof chained, Tensor<[4, 10]>>>,
  Expect<Equal<typeof same, Tensor<[3, 8, number, number]>>>,
  Expect<Equal<typeof logits, Tensor<[2, 1000]>>>,
  Expect<Equal<typeof logits10, Tensor<[1, 10]>>>,
  Expect<Equal<typeof y64, Tensor<[3, 2], "float64">>>,
  Expect<Equal<typeof yHome, Tensor<[3, 2], "float64">>>,
  Expect<Equal<typeof logits64, Tensor<[1, 1000], "float64">>>,
];
