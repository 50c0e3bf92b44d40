/**
 * Issue 19 under tsd (TypeScript 5.9): creation ops infer from their arguments only, sync reads
 * are refused on webgpu-typed tensors, generic batches flow through the ops, users' modules
 * compose, and a module's type follows .to(). test/typing/*.typecheck.ts check the same and more
 * under TypeScript 6 and 7.
 */
import { expectError, expectType } from "tsd";
import {
  add,
  conv2d,
  flatten,
  matmul,
  maxPool2d,
  mean,
  mul,
  randn,
  relu,
  tensor,
  zeros,
  type Tensor,
} from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

// 1. Creation: the annotation cannot choose the dtype or the device.
expectError<Tensor<[2], "int32">>(tensor([0, 2]));
expectType<Tensor<[2], "float32", "cpu">>(tensor([0, 2]));
expectError(nn.functional.crossEntropy(randn([2, 5]), tensor([0, 2])));
declare const onGpu: Tensor<[2], "float32", "webgpu">;
expectError(onGpu.dataSync());
expectError(onGpu.item());

// 1. A module's type follows .to().
const linear64 = nn.Linear(4, 2).to("float64");
expectError(linear64.forward(randn([3, 4])));
expectType<Tensor<[3, 2], "float64", "cpu">>(linear64.forward(randn([3, 4], { dtype: "float64" })));
const onWebgpu = nn.Sequential(nn.Linear(4, 2)).to("webgpu");
expectError(onWebgpu.forward(randn([3, 4])));

// 2. Generic batch.
function generic<B extends number>(x: Tensor<[B, 16, 8, 8]>, rgb: Tensor<[B, 3, 8, 8]>) {
  expectType<Tensor<[B, 16, 8, 8], "float32", "cpu">>(add(x, x));
  expectType<Tensor<[B, 16, 8, 8], "float32", "cpu">>(mul(x, 2));
  expectType<Tensor<[B, 1024], "float32", "cpu">>(flatten(x, 1));
  expectType<Tensor<[B, 1024], "float32", "cpu">>(x.reshape([-1, 1024]));
  expectType<Tensor<[B, 16, 4, 4], "float32", "cpu">>(maxPool2d(x, { kernelSize: 2 }));
  expectType<Tensor<[B, 16, 8, 8], "float32", "cpu">>(x.add(x));
  expectType<Tensor<[B, 16, 8, 8], "float32", "cpu">>(x.sub(1));
  expectType<Tensor<[B, 16], "float32", "cpu">>(mean(x, [2, 3]));
  expectType<Tensor<[B, 4], "float32", "cpu">>(matmul(mean(x, [2, 3]), zeros([16, 4])));
  // Literal mismatches are still errors under a generic batch (3 channels against a weight expecting 4).
  expectError(conv2d(rgb, zeros([8, 4, 3, 3])));
  expectError(add(x, zeros([3, 1, 1])));
}
generic(randn([2, 16, 8, 8]), randn([2, 3, 8, 8]));

// 3. A user's module, as in PyTorch, inside nn.Residual.
class Block extends nn.Module {
  conv = nn.Conv2d(16, 16, 3, { padding: 1 });
  forward<S extends [number, 16, number, number]>(x: Tensor<S>) {
    return relu(this.conv.forward(x));
  }
}
expectType<Tensor<[2, 16, 8, 8], "float32", "cpu">>(nn.Residual(new Block()).forward(randn([2, 16, 8, 8])));
expectError(nn.Residual(new Block()).forward(randn([2, 3, 8, 8])));

// 4. The user's class in messages: a module that gives its name as a literal is named by it in
// nn.Sequential's compile-time message, as the run time names it (test/types/module-names.test.ts
// compares the texts).
class Named extends nn.Module {
  override get typeName() {
    return "Named" as const;
  }
  conv = nn.Conv2d(16, 16, 3, { padding: 1 });
  forward<N extends number>(x: Tensor<[N, 16, number, number]>) {
    return relu(this.conv.forward(x));
  }
}
expectType<"Named">(new Named().typeName);
expectError(nn.Sequential(new Named(), nn.ReLU()).forward(randn([2, 3, 8, 8])));
