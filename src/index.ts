/**
 * shapegrad: shape-typed tensors with PyTorch semantics.
 * Everything public is exported here; see docs/ for the guide and architecture.
 */
export { Tensor } from "./tensor.js";
export type { AnyTensor } from "./tensor.js";
export type { DType, Device, Shape } from "../types/core.js";
export { tensor, randn, rand, randint, zeros, ones, full, arange } from "./ops/creation.js";
export type { CreationOptions } from "./ops/creation.js";
export { manualSeed, randperm } from "./runtime/random.js";
export { noGrad, isGradEnabled, setMaxElements } from "./autograd/engine.js";
export { grad, vjp, gradients } from "./autograd/functional.js";
export { tidy, keep } from "./runtime/memory.js";
import "./ops/methods.js";
export {
  add,
  sub,
  mul,
  div,
  maximum,
  minimum,
  neg,
  exp,
  log,
  sqrt,
  abs,
  tanh,
  sigmoid,
  relu,
  erf,
  square,
} from "./ops/elementwise.js";
export type { SameKind, BinaryOperand, OperandShape } from "./ops/elementwise.js";
export { sum, mean, max, min, argmax } from "./ops/reduce.js";
export { matmul, type MatMulOperand } from "./ops/matmul.js";
export { reshape, flatten, permute, transpose, expand, type ReshapeTarget } from "./ops/movement.js";
export { maxPool2d, type PoolShape, type Pool2dOptions } from "./ops/pool.js";
export { conv2d, type Conv2dOptions } from "./ops/conv2d.js";
export {
  interpolate,
  type InterpolateOptions,
  type InterpolateMode,
  type InterpolateShape,
} from "./ops/interpolate.js";
export { convTranspose2d, type ConvTranspose2dOptions } from "./ops/conv2d.js";
export { cat, stack, split, chunk, narrow } from "./ops/join.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export { exportOnnx, writeOnnx, type ExportOnnxOptions } from "./onnx/index.js";
export {
  initWebGPU,
  destroyWebGPU,
  isWebGPUAvailable,
  liveBufferCount,
  webgpuMemoryStats,
  setGemmAlgorithm,
} from "./webgpu.js";
export type { WebGPUInitOptions, GemmAlgorithm, WebGPUMemoryStats } from "./webgpu.js";
