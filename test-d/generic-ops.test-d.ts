// Issue 19, item 2 under tsd (TypeScript 5.9): generic and `number` dims through every op family
// (elementwise, reductions, movement, join, matmul, losses, pooling, interpolate, pad,
// normalisation, layers). test/typing/generic/*.typecheck.ts check the same and more under
// TypeScript 6 and 7: a generic batch stays B, literal channels stay, a size the op maps to itself
// stays H, what cannot be computed is number; literal mismatches are still errors.
import { expectAssignable, expectError, expectType } from "tsd";
import {
  add,
  argmax,
  cat,
  chunk,
  expand,
  flatten,
  interpolate,
  matmul,
  maxPool2d,
  mean,
  narrow,
  pad,
  randn,
  reshape,
  split,
  squeeze,
  zeros,
  type Tensor,
} from "../src/index.js";
import * as nn from "../src/nn/index.js";

type T<S extends number[], D extends "float32" | "int32" = "float32"> = Tensor<S, D, "cpu">;
const F = nn.functional;

export function batch<B extends number>(x: T<[B, 8, 6, 6]>, v: T<[B, 16]>, target: T<[B], "int32">) {
  expectType<T<[B, 8, 6, 6]>>(add(x, zeros([8, 1, 1])));
  expectType<T<[B, 8, 1, 1]>>(mean(x, [2, 3], true));
  expectType<T<[B, 6, 6], "int32">>(argmax(x, 1));
  expectType<T<[B, 288]>>(flatten(x, 1));
  expectType<T<[number]>>(flatten(x));
  expectType<T<[B, 8, 36]>>(reshape(x, [-1, 8, 36]));
  expectType<T<[B, 16, 6, 6]>>(cat([x, x], 1));
  expectAssignable<T<[number, 8, 6, 6]>>(cat([x, x]));
  expectType<T<[B, 4]>>(matmul(v, randn([16, 4])));
  expectType<T<[B, 16]>>(F.logSoftmax(v, 1));
  expectType<T<[B]>>(F.crossEntropy(v, target, { reduction: "none" }));
  expectType<T<[B, 8, 3, 3]>>(maxPool2d(x, { kernelSize: 2 }));
  expectType<T<[B, 8, 2, 3]>>(F.adaptiveAvgPool2d(x, [2, 3]));
  expectType<T<[B, 8, 12, 12]>>(interpolate(x, { scaleFactor: 2 }));
  expectType<T<[B, 8, 8, 8]>>(pad(x, [1, 1, 1, 1], { mode: "reflect" }));
  expectType<T<[B, 8, 1, 1]>>(nn.AdaptiveAvgPool2d(1).forward(x));
  expectType<T<[B, 8, 12, 12]>>(nn.Upsample({ scaleFactor: 2 }).forward(x));
  expectType<T<[B, 144]>>(nn.Sequential(nn.Conv2d(8, 4, 3, { padding: 1 }), nn.ReLU(), nn.Flatten()).forward(x));

  // Literal mismatches under a generic batch.
  expectError(nn.Conv2d(3, 4, 3).forward(x));
  expectError(add(x, zeros([3, 1, 1])));
  expectError(matmul(v, zeros([5, 4])));
  expectError(x.reshape([-1, 1000]));
  expectError(cat([x, zeros([2, 4, 6, 6])]));
  expectError(pad(x, [6, 6, 0, 0], { mode: "reflect" }));
}

export function spatial<B extends number, H extends number>(x: T<[B, 8, H, H]>, y: T<[B, 4, H, H]>) {
  expectType<T<[B, 8, H, H]>>(x.sub(x.mean(1, true)));
  expectType<T<[B, 8]>>(mean(x, [2, 3]));
  expectType<T<[B, number]>>(flatten(x, 1));
  expectType<T<[B, 8, number]>>(x.flatten(2));
  expectType<T<[number, 8, 36]>>(reshape(x, [-1, 8, 36]));
  expectType<T<[B, 12, H, H]>>(cat([x, y], 1));
  expectType<T<[B, 8, H, H]>>(matmul(x, x));
  expectType<[T<[B, 3, H, H]>, T<[B, 5, H, H]>]>(split(x, [3, 5], 1));
  expectType<T<[B, 8, H, H]>>(maxPool2d(x, { kernelSize: 3, stride: 1, padding: 1 }));
  expectType<T<[B, 8, 1, 1]>>(F.adaptiveAvgPool2d(x, 1));
  expectType<T<[B, 8, 12, 12]>>(interpolate(x, { size: 12 }));
  expectType<T<[B, 8, number, number]>>(interpolate(x, { scaleFactor: 2, mode: "bilinear" }));
  expectType<T<[B, 8, H, H]>>(interpolate(x, { scaleFactor: 1 }));
  expectType<T<[B, 8, number, number]>>(pad(x, [1, 1, 1, 1]));
  expectType<T<[B, 8, number, H]>>(pad(x, [0, 0, 2, 2], { mode: "replicate" }));
  expectType<T<[B, 8, H, H]>>(F.layerNorm(x, [6, 6]));
  expectType<T<[B, 8, 1, 1]>>(nn.AdaptiveAvgPool2d(1).forward(x));
  expectType<T<[B, 8, H, H]>>(nn.BatchNorm2d(8).forward(x));
  expectType<T<[B, 8, number, number]>>(nn.MaxPool2d(2).forward(x));
  expectType<T<[B, 8, number, number]>>(nn.AvgPool2d(2).forward(x));
  expectType<T<[B, 8, 12, 12]>>(nn.Upsample({ size: 12 }).forward(x));
  expectType<T<[B, 4, number, number]>>(
    nn.Sequential(nn.Conv2d(8, 4, 3, { padding: 1 }), nn.ReLU(), nn.MaxPool2d(2)).forward(x),
  );

  // The options and literal dims are still checked.
  expectError(pad(x, [1, 1, 1]));
  expectError(pad(x, [1, 1], { mode: "reflect", value: 1 }));
  expectError(interpolate(x, { size: 3, scaleFactor: 2 }));
  expectError(interpolate(x, { size: 0 }));
  expectError(cat([x, zeros([2, 8, 3, 3])], 1));
  expectError(F.groupNorm(x, 3));
  expectError(nn.Conv2d(3, 4, 1).forward(x));
  expectError(nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(3, 4, 1)).forward(x));
}

export function channels<N extends number, C extends number>(x: T<[N, C, number, number]>) {
  expectType<T<[N, C, number, number]>>(nn.MaxPool2d(2).forward(x));
  expectType<T<[N, C, number, number]>>(nn.Upsample({ scaleFactor: 2 }).forward(x));
}

export function runTime(x: T<[number, 8, number, number]>) {
  expectType<T<[number, number]>>(flatten(x, 1));
  expectType<T<[number, 8, number, number]>>(pad(x, [1, 1, 1, 1]));
  expectType<T<[number, 8, 7, 7]>>(interpolate(x, { size: 7 }));
  expectType<T<[number, 8, 1, 1]>>(nn.AdaptiveAvgPool2d(1).forward(x));
  expectError(interpolate(x, { size: 3, scaleFactor: 2 }));
}

// Session 16: cuts and squeeze along a generic dim, broadcasting B against a 1, expand's -1.
export function genericDims<B extends number, H extends number>(x: T<[B, 8, H, H]>, o: T<[B, 1, 1, 1]>) {
  expectType<T<[number, 8, H, H]>[]>(split(x, 2, 0));
  expectType<[T<[B, 8, 3, H]>, T<[B, 8, 5, H]>]>(split(x, [3, 5], 2));
  expectType<T<[B, 8, H, number]>[]>(chunk(x, 2, -1));
  expectType<T<[B, 8, 2, H]>>(narrow(x, 2, 1, 2));
  expectType<T<[B, 8, H, 3]>>(x.narrow(3, -3, 3));
  expectType<T<number[]>>(squeeze(x));
  expectType<T<number[]>>(x.squeeze(0));
  expectType<T<[B, 8, H]>>(squeeze(x.mean(3, true), 3));
  expectType<T<[B, 8, H, H]>>(x.sub(x.mean([2, 3], true)));
  expectType<T<[B, 8, H, H]>>(add(x, o));
  expectType<T<[B, 8, H, H]>>(x.div(x.sum(0, true)));
  expectType<T<[B, 8, 4, 4]>>(expand(o, [-1, 8, 4, 4]));

  expectError(split(x, 0, 2));
  expectError(split(x, [3, 4], 1));
  expectError(narrow(x, 2, 0, -1));
  expectError(squeeze(x, 4));
  expectError(add(x, zeros([1, 4, 1, 1])));
}

// F.linear with generic in-features against a literal weight: the shape of every call that returns
// (K = 5; any other K throws linear's message at run time), as for `number` in-features.
export function inFeatures<B extends number, K extends number>(x: T<[B, K]>, y: T<[B, 3, K]>) {
  expectType<T<[B, 4]>>(F.linear(x, randn([4, 5])));
  expectType<T<[B, 3, 6]>>(F.linear(y, randn([6, 5]), zeros([6])));
  expectError(F.linear(x, randn([4, 5]), zeros([5])));
}
