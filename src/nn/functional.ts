/**
 * nn.functional: the stateless forms of the layers and the losses, typed. `conv2d` and
 * `maxPool2d` are the very same function objects as the top-level exports.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Tensor } from "../tensor.js";
import * as F from "./functional-impl.js";
import type { LinearShape } from "./types.js";
import type { IsMessage } from "../../types/shape/show.js";
import type { PoolSignature } from "../ops/pool.js";
import type { FlattenSignature } from "../ops/movement.js";
import { add } from "./ops.js";
import type { relu as reluOp } from "../ops/elementwise.js";

export { conv2d } from "../ops/conv2d.js";
export { convTranspose2d } from "../ops/conv2d.js";
export { maxPool2d } from "../ops/pool.js";
export { sigmoid, tanh } from "../ops/elementwise.js";
export { interpolate } from "../ops/interpolate.js";
export { pad } from "../ops/pad.js";
export { layerNorm, groupNorm } from "../ops/normalization.js";
export type { AvgPool2dOptions, BatchNormOptions, Reduction } from "./functional-impl.js";

type Mutable<S extends Shape> = { -readonly [K in keyof S]: S[K] };
type Out<R> = R extends infer X extends Shape ? Mutable<X> : number[];
type Same = <S extends Shape, D extends DType, Dev extends Device>(x: Tensor<S, D, Dev>) => Tensor<S, D, Dev>;
type Pair = number | readonly [number, number];

export const leakyRelu = F.leakyRelu as <S extends Shape, D extends DType, Dev extends Device>(
  x: Tensor<S, D, Dev>,
  negativeSlope?: number,
) => Tensor<S, D, Dev>;
export const gelu = F.gelu as <S extends Shape, D extends DType, Dev extends Device>(
  x: Tensor<S, D, Dev>,
  approximate?: "none" | "tanh",
) => Tensor<S, D, Dev>;
export const softmax = F.softmax as <S extends Shape, D extends DType, Dev extends Device>(
  x: Tensor<S, D, Dev>,
  dim?: number,
) => Tensor<S, D, Dev>;
export const logSoftmax = F.logSoftmax as <S extends Shape, D extends DType, Dev extends Device>(
  x: Tensor<S, D, Dev>,
  dim?: number,
) => Tensor<S, D, Dev>;
export const dropout = F.dropout as <S extends Shape, D extends DType, Dev extends Device>(
  x: Tensor<S, D, Dev>,
  p?: number,
  training?: boolean,
) => Tensor<S, D, Dev>;
// Issue 21: modern activations and channel dropout.
export const silu: Same = F.silu as Same;
export const relu6: Same = F.relu6 as Same;
export const hardsigmoid: Same = F.hardsigmoid as Same;
export const hardswish: Same = F.hardswish as Same;
export const dropout2d = F.dropout2d as <S extends Shape, D extends DType, Dev extends Device>(
  x: Tensor<S, D, Dev>,
  p?: number,
  training?: boolean,
) => Tensor<S, D, Dev>;
export const identity: Same = ((x: Tensor) => x) as Same;

// Three casts stay two-step (through unknown): their typed shapes are mutable tuples (number[]
// where a rule gives no literal), which TypeScript does not compare with the runtime's readonly
// `Shape`; the other signatures are checked against their implementation by a plain `as`.

/**
 * The weight, or the message linear throws when its in-features are not x's last dim. Tested as a
 * property (IsMessage), so that a message holding a generic batch `${B}` is decided, not deferred:
 * before, a mismatch made the result `number[]` and the call compiled.
 */
type LinearWeight<S extends Shape, W> = W extends {
  readonly shape: readonly [infer O extends number, infer I extends number];
}
  ? IsMessage<LinearShape<S, I, O>> extends true
    ? LinearShape<S, I, O>
    : W
  : W;

/**
 * x's dims with the last one replaced by the out-features, read without the in-features test: a
 * weight LinearWeight let through is the result of every call that returns. So a generic
 * in-features K against a literal weight `[4, 5]` gives `[B, 4]`, the shape whenever K is 5 (any
 * other K throws linear's message at run time), as a run-time `number` there does; the rule's
 * test of K against 5 waits on K and left the result unresolved (docs/types.md).
 */
type LinearOut<S extends Shape, O extends number> = number extends S["length"]
  ? number[]
  : S extends readonly [...infer Init extends number[], infer _Last]
    ? [...Init, O]
    : number[];

/** y = x W^T + b over the last dim of x. */
export const linear = F.linear as unknown as <
  S extends Shape,
  W extends Tensor<[number, number], D, Dev>,
  D extends DType,
  Dev extends Device,
>(
  x: Tensor<S, D, Dev>,
  weight: LinearWeight<S, W>,
  bias?: Tensor<[W["shape"][0]], D, Dev> | null,
) => Tensor<LinearOut<S, W["shape"][0]>, D, Dev>;

export const flatten = F.flatten as FlattenSignature<1>;

export const avgPool2d = F.avgPool2d as unknown as PoolSignature<"avgPool2d", F.AvgPool2dOptions>;

// The sizes are matched by `infer`: a generic H (a type parameter) matched against `number` would defer the rule.
type Adaptive<S extends Shape, O> = S extends readonly [...infer L, infer _H extends number, infer _W extends number]
  ? [...L, ...(O extends readonly [infer A, infer B] ? [A, B] : [O, O])]
  : number[];
export const adaptiveAvgPool2d = F.adaptiveAvgPool2d as <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const O extends Pair,
>(
  x: Tensor<S, D, Dev>,
  outputSize: O,
) => Tensor<Out<Adaptive<S, O>>, D, Dev>;

/**
 * batch_norm over dim 1: in training returns the normalised input and the updated running
 * statistics; in evaluation uses the running statistics.
 */
export const batchNorm = F.batchNorm as <S extends Shape, D extends DType, Dev extends Device>(
  x: Tensor<S, D, Dev>,
  runningMean: Tensor<Shape, D, Dev> | null,
  runningVar: Tensor<Shape, D, Dev> | null,
  options?: F.BatchNormOptions,
) => { output: Tensor<S, D, Dev>; runningMean: Tensor<Shape, D, Dev> | null; runningVar: Tensor<Shape, D, Dev> | null };

type LossOut<S extends Shape, R> = R extends "none" ? Tensor<Mutable<S>> : Tensor<[]>;
type Loss<Extra = object> = <S extends Shape, D extends DType, Dev extends Device, R extends F.Reduction = "mean">(
  input: Tensor<S, D, Dev>,
  target: Tensor<S, D, Dev>,
  reduction?: R,
  extra?: Extra,
) => LossOut<S, R> extends Tensor<infer LS> ? Tensor<LS, D, Dev> : never;

export const mseLoss = F.mseLoss as Loss;
export const l1Loss = F.l1Loss as Loss;

export const binaryCrossEntropyWithLogits = F.binaryCrossEntropyWithLogits as <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  R extends F.Reduction = "mean",
>(
  input: Tensor<S, D, Dev>,
  target: Tensor<S, D, Dev>,
  options?: { reduction?: R; posWeight?: Tensor<Shape, D, Dev> | null; weight?: Tensor<Shape, D, Dev> | null },
) => Tensor<R extends "none" ? Mutable<S> : [], D, Dev>;

/** The class dims of [N, C, d1, ...]: [N, d1, ...], the target's shape and the unreduced loss's. */
// The class dim matched by `infer`: a generic class count matched against `number` would defer the rule.
type ClassTarget<S extends Shape> = S extends readonly [infer N, infer _C extends number, ...infer Rest]
  ? [N, ...Rest]
  : number[];

/**
 * Options of the class losses, PyTorch's: `weight` rescales each class ([C]); targets equal to
 * `ignoreIndex` (default -100) count for nothing, in the loss or in the mean's denominator.
 */
export interface ClassLossOptions<R extends F.Reduction, D extends DType, Dev extends Device> {
  reduction?: R;
  /** Of the input's dtype and device (taken from the input alone: a float64 weight for float32 logits is an error). */
  weight?: Tensor<[number], NoInfer<D>, NoInfer<Dev>> | null;
  ignoreIndex?: number;
}

/** Cross entropy of logits [N, C] (or [N, C, d1, ...]) against int32 class indices [N] (or [N, d1, ...]). */
export const crossEntropy = F.crossEntropy as unknown as <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  R extends F.Reduction = "mean",
>(
  input: Tensor<S, D, Dev>,
  target: Tensor<ClassTarget<S>, "int32", Dev>,
  options?: ClassLossOptions<R, D, Dev> & { labelSmoothing?: number },
) => Tensor<R extends "none" ? ClassTarget<S> : [], D, Dev>;

/** Negative log likelihood of log-probabilities [N, C] (or [N, C, d1, ...]) at int32 class indices. */
export const nllLoss = F.nllLoss as unknown as {
  <S extends Shape, D extends DType, Dev extends Device, R extends F.Reduction = "mean">(
    input: Tensor<S, D, Dev>,
    target: Tensor<ClassTarget<S>, "int32", Dev>,
    reduction?: R,
  ): Tensor<R extends "none" ? ClassTarget<S> : [], D, Dev>;
  <S extends Shape, D extends DType, Dev extends Device, R extends F.Reduction = "mean">(
    input: Tensor<S, D, Dev>,
    target: Tensor<ClassTarget<S>, "int32", Dev>,
    options: ClassLossOptions<R, D, Dev>,
  ): Tensor<R extends "none" ? ClassTarget<S> : [], D, Dev>;
};

/** The residual sum `body + shortcut` with matching shapes (a plain add, kept for readability in forward methods). */
export const residual = add as <S extends Shape, D extends DType, Dev extends Device>(
  body: Tensor<S, D, Dev>,
  shortcut: Tensor<S, D, Dev>,
) => Tensor<S, D, Dev>;

// Issue 23: relu fuses with a batch norm's training output (functional-impl.ts), typed as the relu op.
export const relu = F.relu as typeof reluOp;
