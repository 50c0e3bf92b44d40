/**
 * Error messages of nn, optim and the state dict, each written once. A message names the
 * function or layer, the rule and the numbers.
 */
import { formatShape } from "../runtime/shape.js";

type Dims = readonly number[];
const show = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v.join(", ")}]` : String(v));

export const nnErrors = {
  badOption: (op: string, name: string, value: unknown, min?: number) =>
    `${op}: ${name} ${show(value)} is not valid${min === undefined ? "" : ` (expected an integer >= ${min} or a pair of them)`}`,
  notFloat: (op: string, name: string, dtype: string) => `${op}: ${name} must be float32 or float64, got ${dtype}`,
  rank: (op: string, what: string, shape: Dims) => `${op}: expected ${what}, got shape ${formatShape(shape)}`,
  dim: (op: string, dim: number, shape: Dims) => `${op}: dim ${dim} is out of range for shape ${formatShape(shape)}`,
  linearFeatures: (shape: Dims, inFeatures: number, outFeatures: number) =>
    `linear: input ${formatShape(shape)} has ${shape.length ? shape[shape.length - 1] : "no"} features but the layer expects ${inFeatures} (weight [${outFeatures}, ${inFeatures}])`,
  biasShape: (op: string, shape: Dims, expected: number) => `${op}: bias has shape ${formatShape(shape)} but expected [${expected}]`,
  probability: (op: string, p: unknown, name = "p") => `${op}: ${name} must be a probability in [0, 1], got ${show(p)}`,
  poolOutput: (op: string, shape: Dims, kernel: Dims, out: Dims) =>
    `${op}: input ${formatShape(shape)} is too small for kernel ${formatShape(kernel)} (output ${formatShape(out)})`,
  channelParam: (op: string, name: string, shape: Dims, channels: number) =>
    `${op}: ${name} has shape ${formatShape(shape)} but the input has ${channels} channels`,
  batchNormCount: (shape: Dims) => `batchNorm: training needs more than one value per channel, got input ${formatShape(shape)}`,
  batchNormNoStats: () => "batchNorm: evaluation needs running statistics (the layer was built with trackRunningStats: false)",
  targetShape: (op: string, input: Dims, target: Dims) =>
    `${op}: target shape ${formatShape(target)} does not match input shape ${formatShape(input)}`,
  targetDType: (op: string, dtype: string) => `${op}: class targets must be int32, got ${dtype}`,
  classTargetShape: (op: string, input: Dims, target: Dims, expected: Dims) =>
    `${op}: target shape ${formatShape(target)} does not fit input ${formatShape(input)} (expected ${formatShape(expected)})`,
  classOutOfRange: (op: string, value: number, index: number, classes: number, ignoreIndex: number) =>
    `${op}: target ${value} at position ${index} is not a class in [0, ${classes}) nor ignoreIndex ${ignoreIndex}`,
  classWeight: (op: string, shape: Dims, dtype: string, device: string, classes: number, inputDType: string, inputDevice: string) =>
    `${op}: weight must be ${inputDType} [${classes}] on ${inputDevice} (one value per class, like the input), got ${dtype} ${formatShape(shape)} on ${device}`,
  layerInput: (layer: string, what: string, shape: Dims) => `${layer}: expected ${what}, got shape ${formatShape(shape)}`,
  layerChannels: (layer: string, got: number, expected: number, shape: Dims) =>
    `${layer}: input has ${got} channels but the layer expects ${expected} (input ${formatShape(shape)})`,
  sequentialLayer: (index: number, name: string, message: string) => `nn.Sequential: layer ${index} (${name}): ${message}`,
  residualShape: (body: Dims, shortcut: Dims) =>
    `nn.Residual: the body gives ${formatShape(body)} but the shortcut gives ${formatShape(shortcut)}`,
  stateMissing: (names: readonly string[]) => `loadStateDict: missing ${names.map((n) => JSON.stringify(n)).join(", ")}`,
  stateUnexpected: (names: readonly string[]) => `loadStateDict: unexpected ${names.map((n) => JSON.stringify(n)).join(", ")}`,
  stateShape: (name: string, got: Dims, expected: Dims) =>
    `loadStateDict: "${name}" has shape ${formatShape(got)} but the model expects ${formatShape(expected)}`,
  stateDType: (name: string, got: string, expected: string) =>
    `loadStateDict: "${name}" has dtype ${got} but the model expects ${expected}`,
  optimizerParams: (op: string) => `${op}: expected a non-empty list of parameters (tensors with requiresGrad: true)`,
  optimizerGrad: (op: string, index: number, got: Dims, expected: Dims) =>
    `${op}: the gradient of parameter ${index} has shape ${formatShape(got)} but the parameter has ${formatShape(expected)}`,
  optimizerNotLeaf: (op: string, index: number) => `${op}: parameter ${index} does not require grad`,
};
