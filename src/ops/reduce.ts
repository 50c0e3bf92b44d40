/** The reductions: sum, mean, max, min, argmax and variance over dims (all by default). */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Reduce } from "../../types/shape/reshape.js";
import type { OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import { apply } from "../autograd/engine.js";
import { opErrors } from "../../types/errors.js";
import { assertFloat, assertTensor, resolveDims } from "./arguments.js";
import { anyShape as elementwise } from "./elementwise.js";
import { anyShape as movement } from "./movement.js";

export type ReduceResult<S extends Shape, Dims, K extends boolean> = OkShape<
  Reduce<S, Dims extends number | Shape | undefined ? Dims : never, K>
>;

type Reduction = <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const Dims extends number | readonly number[] | undefined = undefined,
  K extends boolean = false,
>(
  x: Tensor<S, D, Dev>,
  dims?: Dims,
  keepdim?: K,
) => Tensor<ReduceResult<S, Dims, K>, D, Dev>;
/** The method form; `Extra` are the arguments after keepdim (var's correction). */
export type ReductionMethod<Extra extends unknown[] = []> = <
  T extends AnyTensor,
  const Dims extends number | readonly number[] | undefined = undefined,
  K extends boolean = false,
>(
  this: T,
  dims?: Dims,
  keepdim?: K,
  ...extra: Extra
) => Tensor<ReduceResult<T["shape"], Dims, K>, T["dtype"], T["device"]>;

type ArgMax = <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const Dim extends number | undefined = undefined,
  K extends boolean = false,
>(
  x: Tensor<S, D, Dev>,
  dim?: Dim,
  keepdim?: K,
) => Tensor<ReduceResult<S, Dim, K>, "int32", Dev>;
export type ArgMaxMethod = <
  T extends AnyTensor,
  const Dim extends number | undefined = undefined,
  K extends boolean = false,
>(
  this: T,
  dim?: Dim,
  keepdim?: K,
) => Tensor<ReduceResult<T["shape"], Dim, K>, "int32", T["device"]>;

/** The implementations, on tensors of any shape (the gradient rules, nn and optim call these). */
export const anyShape = {
  sum: (x: AnyTensor, dims?: number | readonly number[], keepdim = false): AnyTensor => {
    assertTensor("sum", x);
    return apply("sum", [x], { dims: resolveDims("sum", x.shape.length, dims), keepdim });
  },
  mean: (x: AnyTensor, dims?: number | readonly number[], keepdim = false): AnyTensor => {
    assertTensor("mean", x);
    assertFloat("mean", x);
    const resolved = resolveDims("mean", x.shape.length, dims);
    const count = resolved.reduce((n, d) => n * x.shape[d], 1);
    return elementwise.div(apply("sum", [x], { dims: resolved, keepdim }), count);
  },
  max: (x: AnyTensor, dims?: number | readonly number[], keepdim = false): AnyTensor => {
    assertTensor("max", x);
    const resolved = resolveDims("max", x.shape.length, dims);
    if (resolved.some((d) => x.shape[d] === 0)) throw new Error(opErrors.emptyReduce("max", x.shape));
    return apply("max", [x], { dims: resolved, keepdim });
  },
  min: (x: AnyTensor, dims?: number | readonly number[], keepdim = false): AnyTensor => {
    assertTensor("min", x);
    if (resolveDims("min", x.shape.length, dims).some((d) => x.shape[d] === 0))
      throw new Error(opErrors.emptyReduce("min", x.shape));
    return elementwise.neg(anyShape.max(elementwise.neg(x), dims, keepdim));
  },
  argmax: (x: AnyTensor, dim?: number, keepdim = false): AnyTensor => {
    assertTensor("argmax", x);
    if (dim === undefined) {
      if (x.size === 0) throw new Error(opErrors.emptyReduce("argmax", x.shape));
      return anyShape.argmax(movement.reshape(x, [x.size]), 0, false);
    }
    const [d] = resolveDims("argmax", x.shape.length, dim);
    if (d === undefined) return movement.reshape(anyShape.argmax(movement.reshape(x, [1]), 0, keepdim), []);
    if (x.shape[d] === 0) throw new Error(opErrors.emptyReduce("argmax", x.shape));
    return apply("argmax", [x], { dim: d, keepdim });
  },
  variance: (x: AnyTensor, dims?: number | readonly number[], keepdim = false, correction = 1): AnyTensor => {
    const resolved = resolveDims("var", x.shape.length, dims);
    const count = resolved.reduce((n, d) => n * x.shape[d], 1);
    const centered = elementwise.sub(x, anyShape.mean(x, resolved, true));
    return elementwise.div(
      anyShape.sum(elementwise.mul(centered, centered), resolved, keepdim),
      Math.max(count - correction, 0),
    );
  },
};

/**
 * Sum over `dims` (all by default), keeping them as size 1 with `keepdim`.
 * @function
 */
export const sum = anyShape.sum as Reduction;
/**
 * Mean over `dims` (all by default), keeping them as size 1 with `keepdim`.
 * @function
 */
export const mean = anyShape.mean as Reduction;
/**
 * Largest value over dims (torch.amax); the gradient is shared among ties.
 * @function
 */
export const max = anyShape.max as Reduction;
/**
 * Smallest value over dims (torch.amin); the gradient is shared among ties.
 * @function
 */
export const min = anyShape.min as Reduction;
/**
 * Index of the largest value along `dim` (of the flattened tensor by default), int32.
 * @function
 */
export const argmax = anyShape.argmax as ArgMax;
