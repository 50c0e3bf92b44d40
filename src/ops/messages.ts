/**
 * Error messages of the general tensor ops, thrown by the runtime; each names the op, the rule and
 * the numbers. The rules that the compiler also checks (broadcast, matmul, reshape, dims,
 * permutation, flatten, pooling shapes) take their text from src/errors.ts's `shapeErrors`, the
 * same functions the type level instantiates, so editor and runtime say the same words.
 */
import { formatShape } from "../runtime/shape.js";
import { shapeErrors } from "../errors.js";

type Dims = readonly number[];

export const opErrors = {
  broadcast: (op: string, a: Dims, b: Dims) => shapeErrors.broadcast(op, formatShape(a), formatShape(b)),
  // Generic and `as const`, so that types/ can show the very same text as a compile error.
  dtypeMismatch: <Op extends string, A extends string, B extends string>(op: Op, a: A, b: B) =>
    `${op}: dtype mismatch: ${a} and ${b} (convert one with .cast())` as const,
  deviceMismatch: <Op extends string, A extends string, B extends string>(op: Op, a: A, b: B) =>
    `${op}: device mismatch: ${a} and ${b} (move one with .to())` as const,
  dimOutOfRange: (op: string, dim: number, rank: number) =>
    shapeErrors.dimOutOfRange(op, dim, rank, -Math.max(rank, 1), Math.max(rank, 1) - 1),
  duplicateDim: (op: string, dim: number) => shapeErrors.duplicateDim(op, dim),
  reshapeCount: (op: string, from: Dims, to: Dims) =>
    shapeErrors.reshapeCount(op, formatShape(from), from.reduce((a, b) => a * b, 1), formatShape(to)),
  reshapeInfer: (op: string, to: Dims) => shapeErrors.reshapeInfer(op, formatShape(to)),
  badDim: (op: string, what: string, value: unknown) =>
    `${op}: ${what} must be a non-negative integer below 2^53, got ${String(value)}`,
  permutation: (op: string, perm: Dims, rank: number) => shapeErrors.permutation(op, formatShape(perm), rank),
  expand: (op: string, from: Dims, to: Dims) =>
    `${op}: cannot expand ${formatShape(from)} to ${formatShape(to)} (only size-1 dims can grow, and the rank cannot shrink)`,
  matmul: (a: Dims, b: Dims) =>
    shapeErrors.matmul(formatShape(a), formatShape(b), a[a.length - 1], b.length === 1 ? b[0] : b[b.length - 2]),
  matmulRank: (a: Dims, b: Dims) => shapeErrors.matmulRank(formatShape(a), formatShape(b)),
  notFloat: (op: string, dtype: string) => `${op}: expected a floating-point tensor (float32 or float64), got ${dtype}`,
  emptyReduce: (op: string, shape: Dims) => `${op}: cannot reduce an empty tensor of shape ${formatShape(shape)}`,
  noGradFloat: (dtype: string) => `tensor: requiresGrad needs a floating-point dtype, got ${dtype}`,
  deviceNotInitialised: (device: string) => `${device}: the device is not initialised; call \`await initWebGPU()\` before creating ${device} tensors`,
  float64OnDevice: (device: string) => `${device}: float64 is not supported on this device (WGSL has no 64-bit floats); use float32`,
  // Arguments that are not what the signature says (only reachable from untyped code or casts).
  notTensor: (op: string, name: string, value: unknown) => `${op}: ${name} must be a Tensor, got ${value === null ? "null" : typeof value}`,
  disposed: (op: string, name: string) => `${op}: ${name} was disposed`,
  twoNumbers: (op: string) => `${op}: at least one operand must be a Tensor`,
  notShape: (op: string, what: string, value: unknown) => `${op}: ${what} must be an array of dims, got ${value === null ? "null" : typeof value}`,
  notDims: (op: string, value: unknown) => `${op}: dims must be a dim or an array of dims, got ${value === null ? "null" : typeof value}`,
  flattenOrder: (startDim: number, endDim: number) => shapeErrors.flattenOrder(startDim, endDim),
  // Creation.
  unknownDType: (op: string, dtype: unknown) => `${op}: unknown dtype ${JSON.stringify(dtype)} (expected "float32", "float64" or "int32")`,
  unknownDevice: (op: string, device: unknown) => `${op}: unknown device ${JSON.stringify(device)} (expected "cpu" or "webgpu")`,
  randomInt32: (op: string) => `${op}: dtype int32 is not supported for random floats; use randint`,
  fillValue: (op: string, value: unknown) => `${op}: value must be a number, got ${typeof value}`,
  fillInt32: (op: string, value: number) => `${op}: int32 value must be an integer, got ${value}`,
  arangeBound: (name: string, value: unknown) => `arange: ${name} must be a finite number, got ${String(value)}`,
  arangeStep: () => "arange: step must not be 0",
  randintRange: (low: unknown, high: unknown) => `randint: need integers -2^31 <= low < high <= 2^31, got ${String(low)} and ${String(high)}`,
  typedArray: (name: string) => `tensor: typed array ${name} is not supported (use Float32Array, Float64Array or Int32Array)`,
  flatData: () => "tensor: with options.shape, data must be a flat number array or a typed array",
  dataCount: (count: number, shape: Dims) => `tensor: data has ${count} elements but shape ${formatShape(shape)} needs ${shape.reduce((a, b) => a * b, 1)}`,
  dataType: (value: unknown) => `tensor: data must be a number, a nested number array or a typed array, got ${value === null ? "null" : typeof value}`,
  notNumber: (path: string, found: string) => `tensor: expected a number at ${path || "the top level"}, got ${found}`,
  ragged: (path: string, found: string, dim: number, size: number) =>
    `tensor: ragged nested array: ${path || "the top level"} has ${found} but dim ${dim} has size ${size}`,
  elementType: (index: number, value: unknown) => `tensor: element ${index} is ${typeof value}, not a number`,
  int32Data: (value: number, index: number) => `tensor: int32 data must be integers in [-2^31, 2^31), got ${value} at index ${index}`,
  // Pooling.
  poolOptions: (op: string) => `${op}: options with kernelSize are required`,
  poolPair: (op: string, name: string, min: number, value: unknown) =>
    `${op}: ${name} must be ${min === 0 ? "a non-negative" : "a positive"} integer or a pair of them, got ${Array.isArray(value) ? `[${value.join(", ")}]` : String(value)}`,
  poolRank: (op: string, shape: Dims) => shapeErrors.poolRank(op, formatShape(shape)),
  poolPadding: (op: string, padding: Dims, kernel: Dims) => shapeErrors.poolPadding(op, formatShape(padding), formatShape(kernel)),
  poolOutput: (op: string, out: Dims, kernel: Dims, dilation: Dims, input: Dims, padding: Dims) =>
    shapeErrors.poolOutput(op, out[0], out[1], dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1,
      formatShape(kernel), formatShape(dilation), input[0], input[1], formatShape(padding)),
  poolWindowInPadding: (op: string, axis: string, position: number, size: number, kernel: number, stride: number, padding: number, dilation: number) =>
    `${op}: output ${axis} position ${position} has a window wholly in the padding (input ${axis} ${size}, kernel ${kernel}, stride ${stride}, padding ${padding}, dilation ${dilation})`,
  // Resources.
  tooManyElements: (op: string, shape: Dims, count: number, limit: number) =>
    `${op}: result shape ${formatShape(shape)} has ${count} elements, more than the limit of ${limit}`,
  tooLargeEmpty: (op: string, shape: Dims, span: number, limit: number) =>
    `${op}: result shape ${formatShape(shape)} is empty, but its non-zero dims span ${span} elements, more than the limit of ${limit}`,
  maxElements: (value: unknown) => `setMaxElements: expected a positive integer, got ${String(value)}`,
};
