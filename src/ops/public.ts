/**
 * The top-level functions, typed. Each is the runtime function from ./basic.ts (or ./pool.ts,
 * ./conv2d.ts) under a signature that computes the result shape and rejects a dtype or device mix
 * on the offending argument with the runtime's own message.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Tensor } from "../tensor.js";
import * as basic from "./basic.js";
import { maxPool2d as maxPool2dImpl, type Pool2dOptions } from "./pool.js";
import type { opErrors } from "../../types/errors.js";
import type { Broadcast, MatMul } from "../../types/shape/broadcast.js";
import type { Reshape } from "../../types/shape/reshape.js";
import type { Pool2d } from "../../types/shape/pool.js";
import type { IsMessage } from "../../types/shape/show.js";
import type { BroadcastResult, FlattenResult, MatMulResult, Mutable, OkShape, PermuteResult, ReduceResult, ReshapeResult, TransposeResult } from "./shape-types.js";

/** The second operand: accepted when its dtype and device match the first, else the message. */
export type SameKind<Op extends string, D extends DType, Dev extends Device, T> =
  // Matched on the two properties, not on Tensor<Shape, ...>: a shape holding a generic dim would
  // make that match undecidable; the kinds are compared as objects so that a generic dtype D
  // against itself is decided (see types/shape/broadcast.ts).
  T extends { readonly dtype: infer D2 extends DType; readonly device: infer Dev2 extends Device }
    ? { d: D2 } extends { d: D }
      ? { d: Dev2 } extends { d: Dev } ? T : ReturnType<typeof opErrors.deviceMismatch<Op, Dev, Dev2>>
      : ReturnType<typeof opErrors.dtypeMismatch<Op, D, D2>>
    : T;

/** The second operand: the message of the first rule it breaks (dtype, device, broadcast), else itself. */
export type BinaryOperand<Op extends string, S1 extends Shape, D extends DType, Dev extends Device, B> =
  SameKind<Op, D, Dev, B> extends infer K
    ? K extends string ? K
    // Not bound with `extends infer R`: a message holding a generic dim would defer the binding.
    : IsMessage<Broadcast<S1, OperandShape<B>, Op>> extends true ? Broadcast<S1, OperandShape<B>, Op> : B
    : never;

type Binary<Op extends string> = <S1 extends Shape, D extends DType, Dev extends Device, B extends Tensor<Shape, DType, Device> | number>(
  a: Tensor<S1, D, Dev>, b: BinaryOperand<Op, S1, D, Dev, B>,
) => Tensor<BroadcastResult<S1, OperandShape<B>>, D, Dev>;

/** A number operand broadcasts like a 0-d tensor. */
export type OperandShape<B> = B extends { readonly shape: infer S2 extends Shape } ? S2 : [];

type Unary = <S extends Shape, D extends DType, Dev extends Device>(x: Tensor<S, D, Dev>) => Tensor<S, D, Dev>;
type Reduction = <S extends Shape, D extends DType, Dev extends Device, const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(
  x: Tensor<S, D, Dev>, dims?: Dims, keepdim?: K) => Tensor<ReduceResult<S, Dims, K>, D, Dev>;

/**
 * Elementwise `a + b`, broadcasting as PyTorch does; `b` may be a number.
 * @function
 */
export const add = basic.add as Binary<"add">;
/**
 * Elementwise `a - b`, broadcasting as PyTorch does; `b` may be a number.
 * @function
 */
export const sub = basic.sub as Binary<"sub">;
/**
 * Elementwise `a * b`, broadcasting as PyTorch does; `b` may be a number.
 * @function
 */
export const mul = basic.mul as Binary<"mul">;
/**
 * Elementwise `a / b`, broadcasting as PyTorch does; `b` may be a number.
 * @function
 */
export const div = basic.div as Binary<"div">;
/**
 * Elementwise larger of `a` and `b` (torch.maximum), broadcasting.
 * @function
 */
export const maximum = basic.maximum as Binary<"maximum">;
/**
 * Elementwise smaller of `a` and `b` (torch.minimum), broadcasting.
 * @function
 */
export const minimum = basic.minimum as Binary<"minimum">;

/**
 * Elementwise `-x`.
 * @function
 */
export const neg = basic.neg as Unary;
/**
 * Elementwise e^x.
 * @function
 */
export const exp = basic.exp as Unary;
/**
 * Elementwise natural logarithm.
 * @function
 */
export const log = basic.log as Unary;
/**
 * Elementwise square root.
 * @function
 */
export const sqrt = basic.sqrt as Unary;
/**
 * Elementwise absolute value.
 * @function
 */
export const abs = basic.abs as Unary;
/**
 * Elementwise hyperbolic tangent.
 * @function
 */
export const tanh = basic.tanh as Unary;
/**
 * Elementwise 1 / (1 + e^-x).
 * @function
 */
export const sigmoid = basic.sigmoid as Unary;
/**
 * Elementwise max(x, 0).
 * @function
 */
export const relu = basic.relu as Unary;
/**
 * Elementwise error function.
 * @function
 */
export const erf = basic.erf as Unary;
/**
 * Elementwise x * x.
 * @function
 */
export const square = basic.square as Unary;

/**
 * Sum over `dims` (all by default), keeping them as size 1 with `keepdim`.
 * @function
 */
export const sum = basic.sum as Reduction;
/**
 * Mean over `dims` (all by default), keeping them as size 1 with `keepdim`.
 * @function
 */
export const mean = basic.mean as Reduction;
/**
 * Largest value over dims (torch.amax); the gradient is shared among ties.
 * @function
 */
export const max = basic.max as Reduction;
/**
 * Smallest value over dims (torch.amin); the gradient is shared among ties.
 * @function
 */
export const min = basic.min as Reduction;

/**
 * Index of the largest value along `dim` (of the flattened tensor by default), int32.
 * @function
 */
export const argmax = basic.argmax as <S extends Shape, D extends DType, Dev extends Device, const Dim extends number | undefined = undefined, K extends boolean = false>(
  x: Tensor<S, D, Dev>, dim?: Dim, keepdim?: K) => Tensor<ReduceResult<S, Dim, K>, "int32", Dev>;

/**
 * Matrix product with PyTorch's broadcasting of batch dims (torch.matmul).
 * @function
 */
export const matmul = basic.matmul as <S1 extends Shape, D extends DType, Dev extends Device, B extends Tensor<Shape, DType, Device>>(
  a: Tensor<S1, D, Dev>, b: MatMulOperand<S1, D, Dev, B>) => Tensor<MatMulResult<S1, OperandShape<B>>, D, Dev>;

export type MatMulOperand<S1 extends Shape, D extends DType, Dev extends Device, B> =
  SameKind<"matmul", D, Dev, B> extends infer K
    ? K extends string ? K
    : IsMessage<MatMul<S1, OperandShape<B>>> extends true ? MatMul<S1, OperandShape<B>> : B
    : never;

/**
 * The same elements in shape `shape` (one dim may be -1).
 * @function
 */
export const reshape = basic.reshape as <S extends Shape, D extends DType, Dev extends Device, const T extends Shape>(
  x: Tensor<S, D, Dev>, shape: ReshapeTarget<S, T>) => Tensor<ReshapeResult<S, T>, D, Dev>;

/** The target shape, or the message when the element counts cannot match. */
export type ReshapeTarget<S extends Shape, T extends Shape> = Reshape<S, T> extends infer R ? (IsMessage<R> extends true ? R : T) : never;
/**
 * Dims `startDim`..`endDim` merged into one (torch.flatten).
 * @function
 */
export const flatten = basic.flatten as <S extends Shape, D extends DType, Dev extends Device, const Start extends number = 0, const End extends number = -1>(
  x: Tensor<S, D, Dev>, startDim?: Start, endDim?: End) => Tensor<FlattenResult<S, Start, End>, D, Dev>;
/**
 * Dims reordered by `perm` (torch.permute).
 * @function
 */
export const permute = basic.permute as <S extends Shape, D extends DType, Dev extends Device, const P extends Shape>(
  x: Tensor<S, D, Dev>, perm: P) => Tensor<PermuteResult<S, P>, D, Dev>;
/**
 * Dims `dim0` and `dim1` swapped (the last two by default).
 * @function
 */
export const transpose = basic.transpose as <S extends Shape, D extends DType, Dev extends Device, const A extends number = -2, const B extends number = -1>(
  x: Tensor<S, D, Dev>, dim0?: A, dim1?: B) => Tensor<TransposeResult<S, A, B>, D, Dev>;
/**
 * Size-1 dims repeated to `shape` without copying (torch.expand).
 * @function
 */
export const expand = basic.expand as <S extends Shape, D extends DType, Dev extends Device, const T extends Shape>(
  x: Tensor<S, D, Dev>, shape: T) => Tensor<Mutable<T>, D, Dev>;

/** The option O[K], or undefined when absent. */
type OptionOf<O, K extends string> = O extends { readonly [P in K]?: infer V } ? Exclude<V, undefined> | ([V] extends [undefined] ? undefined : never) : undefined;
/** max/avg pooling's rule (types/shape/pool.ts) for an options object. */
export type PoolShape<S extends Shape, O, Op extends string> =
  Pool2d<S, OptionOf<O, "kernelSize">, OptionOf<O, "stride">, OptionOf<O, "padding"> extends infer P ? ([P] extends [undefined] ? 0 : P) : never,
    OptionOf<O, "dilation"> extends infer Dl ? ([Dl] extends [undefined] ? 1 : Dl) : never, O extends { readonly ceilMode: true } ? true : false, Op>;
/** The input, or the pooling rule's message for it. */
type PoolInput<S extends Shape, D extends DType, Dev extends Device, O, Op extends string> =
  PoolShape<S, O, Op> extends infer R ? (IsMessage<R> extends true ? R : Tensor<S, D, Dev>) : never;

/**
 * 2-D max pooling over an [N, C, H, W] or [C, H, W] input (torch.nn.functional.max_pool2d).
 * @function
 */
export const maxPool2d = maxPool2dImpl as <S extends Shape, D extends DType, Dev extends Device, const O extends Pool2dOptions>(
  x: PoolInput<S, D, Dev, O, "maxPool2d">, options: O) => Tensor<OkShape<PoolShape<S, O, "maxPool2d">>, D, Dev>;
export type { Pool2dOptions };

export { conv2d } from "./conv2d.js";
export type { Conv2dOptions } from "../../types/ops/conv2d.js";
