/**
 * The runtime ops the nn and optim code is written with: one import point, so that every layer,
 * loss and optimizer runs on any device through the same public ops (nothing here touches a
 * backend directly). These are the untyped (any-shape) forms; the typed surface is in the layers.
 */
// The layers call tensor methods (x.detach(), p.to(device)): installed by this import.
import "../ops/methods.js";
import { anyShape as convolution } from "../ops/conv2d.js";
import { anyShape as pooling } from "../ops/pool.js";

export {
  abs,
  add,
  argmax,
  cast,
  div,
  equal,
  erf,
  exp,
  expand,
  flatten,
  greater,
  less,
  log,
  matmul,
  max,
  maximum,
  mean,
  minimum,
  mul,
  neg,
  onesLike,
  permute,
  relu,
  reshape,
  sigmoid,
  sqrt,
  sub,
  sum,
  tanh,
  transpose,
  zerosLike,
  scalarLike,
  fullLike,
  assertTensor,
} from "../ops/untyped.js";
export { arange, full, rand, tensor, zeros } from "../ops/creation.js";
export { noGrad } from "../autograd/engine.js";
export { Tensor, type AnyTensor } from "../tensor.js";
export { formatShape, numel, sameShape } from "../runtime/shape.js";
export { poolOutSize, resolvePool2d, type Pool2dOptions } from "../ops/pool.js";
export const { conv2d, convTranspose2d } = convolution;
export const { maxPool2d } = pooling;
