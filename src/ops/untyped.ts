/**
 * The ops on tensors of any shape, under their plain names: what the gradient rules, nn's
 * functional runtime and the optimizers are written with (`import * as op from "./untyped.js"`).
 * Each is the implementation behind the typed public op of the same name in its family's file.
 */
import { anyShape as elementwise } from "./elementwise.js";
import { anyShape as reduce } from "./reduce.js";
import { anyShape as movement } from "./movement.js";
import { anyShape as matrix } from "./matmul.js";

export {
  assertFloat,
  assertSameKind,
  assertTensor,
  fullLike,
  onesLike,
  resolveDims,
  scalarLike,
  zerosLike,
  zerosOf,
  type TensorOrNumber,
} from "./arguments.js";
export { cast, clone, toDevice, toDeviceAsync } from "./device.js";

export const {
  add,
  sub,
  mul,
  div,
  maximum,
  minimum,
  greater,
  less,
  equal,
  neg,
  exp,
  log,
  sqrt,
  abs,
  sign,
  tanh,
  sigmoid,
  relu,
  erf,
  square,
  pow,
} = elementwise;
export const { sum, mean, max, min, argmax, variance } = reduce;
export const { reshape, flatten, unsqueeze, squeeze, permute, transpose, expand, sumTo } = movement;
export const { matmul } = matrix;
