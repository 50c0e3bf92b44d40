/**
 * The reference CPU kernels for the conv family, explicit padding, max pooling and interpolation: plain code on
 * typed arrays that every faster kernel (CPU or WebGPU) is tested against.
 */
export { type FloatArray } from "./arrays.js";
export { addConv2dBias, conv2dForward, conv2dBackInput, conv2dBackWeight, conv2dBiasGrad } from "./conv2d.js";
export { pad, padAdjoint, padIndexMap } from "./pad.js";
export {
  maxPool2d,
  maxPool2dBackward,
  maxPool2dSelect,
  maxPool2dArgmax,
  windowTaps,
  windowsDisjoint,
} from "./pool2d.js";
export { interpolate, interpolateAdjoint, interpolationMatrix } from "./interpolate.js";
