/**
 * The runtime ops the nn and optim code is written with: one import point, so that every layer,
 * loss and optimizer runs on any device through the same public ops (nothing here touches a
 * backend directly). These are the untyped (any-shape) forms; the typed surface is in the layers.
 */
export {
  abs, add, argmax, cast, div, equal, erf, exp, expand, flatten, greater, log, matmul, max, maximum, mean,
  minimum, mul, neg, onesLike, permute, relu, reshape, sigmoid, sqrt, sub, sum, tanh, transpose, zerosLike,
  scalarLike, fullLike, assertTensor,
} from "../ops/basic.js";
export { arange, full, rand, tensor, zeros } from "../ops/creation.js";
export { noGrad } from "../autograd/engine.js";
export { Tensor, type AnyTensor } from "../tensor.js";
export { formatShape, numel, sameShape } from "../runtime/shape.js";
export { maxPool2d, poolOutSize, resolvePool2d, type Pool2dOptions } from "../ops/pool.js";
import { conv2d as conv2dTyped } from "../ops/conv2d.js";
import type { AnyTensor as Any } from "../tensor.js";
/** conv2d on tensors of any shape (the typed public one is the same function object). */
export const conv2d = conv2dTyped as unknown as (input: Any, weight: Any, bias?: Any | null, options?: unknown) => Any;
