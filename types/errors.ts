/**
 * The one catalogue of error messages, for the compiler and the runtime alike.
 *
 * Each message is written once, as a function whose return type is the exact template literal
 * type of its text (`as const`). The runtime calls the function and throws `new Error(text)`; the
 * type level (types/shape/*) takes `ReturnType<typeof conv2dErrors.channelMismatch<3, 4, ...>>`,
 * an instantiation expression that yields the same text as a string literal type, and makes the
 * offending parameter's type that literal, so tsc prints the message at the argument.
 *
 * Values inside messages are rendered by `show()` at run time and by `Show<>` (types/shape/show.ts)
 * at the type level; the two agree on numbers (1.5, -3, 1e+21), strings ("same" with quotes),
 * arrays ([1, 2]), null, undefined and booleans. docs/errors.md lists every message; a test keeps
 * the two in step.
 */

/** What a message may interpolate: the text pieces are pre-rendered by show()/Show<>. */
export type Showable = string | number;

/** Renders a runtime value the way the type level renders the corresponding literal type. */
export function show(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value === null) return "null";
  if (typeof value === "object") return "object";
  if (typeof value === "function") return "function";
  // Only numbers, booleans, bigints, symbols and undefined are left: no object reaches String().
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(value);
}

type Dims = readonly number[];

/** A shape as messages print it: `[2, 3]`. */
export function formatShape(shape: Dims): string {
  return `[${shape.join(", ")}]`;
}

export const arithErrors = {
  notNatural: <V extends Showable>(value: V) =>
    `arithmetic: ${value} is not an integer in 0..9007199254740991` as const,
  tooLarge: <V extends Showable>(digits: V) =>
    `arithmetic: the result ${digits} is larger than 9007199254740991` as const,
  divideByZero: <V extends Showable>(value: V) => `arithmetic: ${value} divided by zero` as const,
};

export const conv2dErrors = {
  inputRank: <R extends Showable, S extends Showable>(rank: R, shape: S) =>
    `conv2d: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got ${rank}-D shape ${shape}` as const,
  inputDim: <S extends Showable, V extends Showable>(shape: S, dim: V) =>
    `conv2d: input shape ${shape} has dim ${dim}; input dims must be integers in 0..9007199254740991` as const,
  weightRank: <R extends Showable, S extends Showable>(rank: R, shape: S) =>
    `conv2d: weight must be 4-D [C_out, C_in / groups, kH, kW], got ${rank}-D shape ${shape}` as const,
  weightDim: <S extends Showable, V extends Showable>(shape: S, dim: V) =>
    `conv2d: weight shape ${shape} has dim ${dim}; weight dims must be integers in 1..9007199254740991` as const,
  dtypeMismatch: <Which extends "weight" | "bias", D extends Showable, I extends Showable>(
    which: Which,
    dtype: D,
    inputDtype: I,
  ) => `conv2d: ${which} dtype ${dtype} does not match input dtype ${inputDtype}` as const,
  deviceMismatch: <Which extends "weight" | "bias", D extends Showable, I extends Showable>(
    which: Which,
    device: D,
    inputDevice: I,
  ) => `conv2d: ${which} is on device ${device} but input is on device ${inputDevice}` as const,
  channelMismatch: <C extends Showable, E extends Showable, W extends Showable, G extends Showable>(
    channels: C,
    expected: E,
    weight: W,
    groups: G,
  ) =>
    `conv2d: input has ${channels} channels but weight expects ${expected} (weight ${weight}, groups ${groups})` as const,
  outputSize: <O extends Showable, P extends Showable, K extends Showable, S extends Showable>(
    out: O,
    padded: P,
    kernel: K,
    stride: S,
  ) =>
    `conv2d: output size ${out} is not positive (padded input ${padded}, dilated kernel ${kernel}, stride ${stride})` as const,
  biasShape: <C extends Showable, S extends Showable>(outChannels: C, shape: S) =>
    `conv2d: bias must have shape [${outChannels}], got ${shape}` as const,
  unknownOption: <K extends Showable>(key: K) =>
    `conv2d: unknown option ${key} (options are stride, padding, dilation, groups, paddingMode)` as const,
  groups: <V extends Showable>(value: V) => `conv2d: groups must be a positive integer, got ${value}` as const,
  pairOption: <N extends "stride" | "dilation", V extends Showable>(name: N, value: V) =>
    `conv2d: ${name} must be a positive integer or a pair [h, w] of them, got ${value}` as const,
  padding: <V extends Showable>(value: V) =>
    `conv2d: padding must be a non-negative integer, [h, w], [top, bottom, left, right], "same" or "valid", got ${value}` as const,
  paddingMode: <V extends Showable>(value: V) =>
    `conv2d: paddingMode must be "zeros", "reflect", "replicate" or "circular", got ${value}` as const,
  groupsDivide: <C extends Showable, G extends Showable>(outChannels: C, groups: G) =>
    `conv2d: weight has ${outChannels} output channels, not divisible by groups ${groups}` as const,
  sameStride: <S extends Showable>(stride: S) => `conv2d: padding "same" needs stride 1, got stride ${stride}` as const,
  reflectLimit: <P extends Showable, S extends Showable>(padding: P, size: S) =>
    `conv2d: reflect padding ${padding} must be smaller than the input size ${size}` as const,
  circularLimit: <P extends Showable, S extends Showable>(padding: P, size: S) =>
    `conv2d: circular padding ${padding} must not exceed the input size ${size}` as const,
  // Run-time only: the compiler rejects these through the parameter types themselves.
  options: <V extends Showable>(value: V) => `conv2d: options must be an object, got ${value}` as const,
  notTensor: <Which extends "input" | "weight" | "bias", V extends Showable>(which: Which, value: V) =>
    `conv2d: ${which} must be a tensor with a shape, dtype and device, got ${value}` as const,
  // convTranspose2d (resolveConvTranspose2d in src/ops/conv2d.ts): weight [C_in, C_out / groups, kH, kW].
  transposeInputRank: <R extends Showable, S extends Showable>(rank: R, shape: S) =>
    `convTranspose2d: input must be 4-D [N, C_in, H, W] or 3-D [C_in, H, W], got ${rank}-D shape ${shape}` as const,
  transposeInputDim: <S extends Showable, V extends Showable>(shape: S, dim: V) =>
    `convTranspose2d: input shape ${shape} has dim ${dim}; input dims must be integers in 0..9007199254740991` as const,
  transposeWeightRank: <R extends Showable, S extends Showable>(rank: R, shape: S) =>
    `convTranspose2d: weight must be 4-D [C_in, C_out / groups, kH, kW], got ${rank}-D shape ${shape}` as const,
  transposeWeightDim: <S extends Showable, V extends Showable>(shape: S, dim: V) =>
    `convTranspose2d: weight shape ${shape} has dim ${dim}; weight dims must be integers in 1..9007199254740991` as const,
  transposeDtypeMismatch: <Which extends "weight" | "bias", D extends Showable, I extends Showable>(
    which: Which,
    dtype: D,
    inputDtype: I,
  ) => `convTranspose2d: ${which} dtype ${dtype} does not match input dtype ${inputDtype}` as const,
  transposeDeviceMismatch: <Which extends "weight" | "bias", D extends Showable, I extends Showable>(
    which: Which,
    device: D,
    inputDevice: I,
  ) => `convTranspose2d: ${which} is on device ${device} but input is on device ${inputDevice}` as const,
  transposeChannelMismatch: <C extends Showable, E extends Showable, W extends Showable>(
    channels: C,
    expected: E,
    weight: W,
  ) => `convTranspose2d: input has ${channels} channels but weight ${weight} expects ${expected}` as const,
  transposeOutputSize: <O extends Showable, I extends Showable, P extends Showable, K extends Showable>(
    out: O,
    size: I,
    padding: P,
    kernel: K,
  ) =>
    `convTranspose2d: output size ${out} is not positive (input ${size}, padding ${padding}, dilated kernel ${kernel})` as const,
  transposeBiasShape: <C extends Showable, S extends Showable>(outChannels: C, shape: S) =>
    `convTranspose2d: bias must have shape [${outChannels}], got ${shape}` as const,
  transposeUnknownOption: <K extends Showable>(key: K) =>
    `convTranspose2d: unknown option ${key} (options are stride, padding, outputPadding, groups, dilation)` as const,
  transposeGroups: <V extends Showable>(value: V) =>
    `convTranspose2d: groups must be a positive integer, got ${value}` as const,
  transposePairOption: <N extends "stride" | "dilation", V extends Showable>(name: N, value: V) =>
    `convTranspose2d: ${name} must be a positive integer or a pair [h, w] of them, got ${value}` as const,
  transposePadOption: <N extends "padding" | "outputPadding", V extends Showable>(name: N, value: V) =>
    `convTranspose2d: ${name} must be a non-negative integer or a pair [h, w] of them, got ${value}` as const,
  transposeGroupsDivide: <C extends Showable, G extends Showable>(inChannels: C, groups: G) =>
    `convTranspose2d: weight has ${inChannels} input channels, not divisible by groups ${groups}` as const,
  transposeOutputPadding: <O extends Showable, S extends Showable, D extends Showable>(
    outputPadding: O,
    stride: S,
    dilation: D,
  ) =>
    `convTranspose2d: outputPadding ${outputPadding} must be smaller than the stride ${stride} or the dilation ${dilation} in each dim` as const,
  transposeOptions: <V extends Showable>(value: V) =>
    `convTranspose2d: options must be an object, got ${value}` as const,
  transposeNotTensor: <Which extends "input" | "weight" | "bias", V extends Showable>(which: Which, value: V) =>
    `convTranspose2d: ${which} must be a tensor with a shape, dtype and device, got ${value}` as const,
  transposeOutputLarge: <O extends Showable>(out: O) =>
    `convTranspose2d: output size ${out} is larger than 9007199254740991` as const,
};

/**
 * The general shape ops (types/shape/broadcast.ts, reshape.ts, pool.ts). The texts are those the
 * runtime throws (types/errors.ts, src/nn/types.ts); test/types/shape-ops.test.ts checks that
 * the two agree.
 */
export const shapeErrors = {
  broadcast: <Op extends Showable, A extends Showable, B extends Showable>(op: Op, a: A, b: B) =>
    `${op}: shapes ${a} and ${b} cannot be broadcast (each pair of trailing dims must be equal or 1)` as const,
  matmul: <A extends Showable, B extends Showable, KA extends Showable, KB extends Showable>(
    a: A,
    b: B,
    ka: KA,
    kb: KB,
  ) => `matmul: inner dims do not match: ${a} @ ${b} (${ka} vs ${kb})` as const,
  matmulRank: <A extends Showable, B extends Showable>(a: A, b: B) =>
    `matmul: both operands need at least 1 dim, got ${a} and ${b}` as const,
  reshapeCount: <Op extends Showable, F extends Showable, C extends Showable, T extends Showable>(
    op: Op,
    from: F,
    count: C,
    to: T,
  ) => `${op}: cannot reshape ${from} (${count} elements) into ${to}` as const,
  reshapeInfer: <Op extends Showable, T extends Showable>(op: Op, to: T) =>
    `${op}: only one dim can be -1 in ${to}` as const,
  dimOutOfRange: <Op extends Showable, D extends Showable, R extends Showable, L extends Showable, H extends Showable>(
    op: Op,
    dim: D,
    rank: R,
    low: L,
    high: H,
  ) =>
    `${op}: dim ${dim} is out of range for a tensor of rank ${rank} (expected an integer in [${low}, ${high}])` as const,
  duplicateDim: <Op extends Showable, D extends Showable>(op: Op, dim: D) => `${op}: dim ${dim} is repeated` as const,
  permutation: <Op extends Showable, P extends Showable, R extends Showable>(op: Op, perm: P, rank: R) =>
    `${op}: ${perm} is not a permutation of the ${rank} dims` as const,
  flattenOrder: <S extends Showable, E extends Showable>(startDim: S, endDim: E) =>
    `flatten: startDim ${startDim} comes after endDim ${endDim}` as const,
  linear: <S extends Showable, L extends Showable, I extends Showable, O extends Showable>(
    shape: S,
    last: L,
    inFeatures: I,
    outFeatures: O,
  ) =>
    `linear: input ${shape} has ${last} features but the layer expects ${inFeatures} (weight [${outFeatures}, ${inFeatures}])` as const,
  poolRank: <Op extends Showable, S extends Showable>(op: Op, shape: S) =>
    `${op}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ${shape}` as const,
  poolPadding: <Op extends Showable, P extends Showable, K extends Showable>(op: Op, padding: P, kernel: K) =>
    `${op}: padding ${padding} must be at most half the kernel size ${kernel}` as const,
  poolOutput: <
    Op extends Showable,
    OH extends Showable,
    OW extends Showable,
    EH extends Showable,
    EW extends Showable,
    K extends Showable,
    D extends Showable,
    H extends Showable,
    W extends Showable,
    P extends Showable,
  >(
    op: Op,
    outH: OH,
    outW: OW,
    windowH: EH,
    windowW: EW,
    kernel: K,
    dilation: D,
    inH: H,
    inW: W,
    padding: P,
  ) =>
    `${op}: output size would be ${outH}x${outW}: the ${windowH}x${windowW} window (kernel ${kernel}, dilation ${dilation}) does not fit the input ${inH}x${inW} with padding ${padding}` as const,
  poolPaddingDilated: <
    Op extends Showable,
    P extends Showable,
    EH extends Showable,
    EW extends Showable,
    K extends Showable,
    D extends Showable,
  >(
    op: Op,
    padding: P,
    windowH: EH,
    windowW: EW,
    kernel: K,
    dilation: D,
  ) =>
    `${op}: padding ${padding} must be at most half the dilated kernel size ${windowH}x${windowW} (kernel ${kernel}, dilation ${dilation})` as const,
  poolPaddingSides: <
    Op extends Showable,
    P extends Showable,
    EH extends Showable,
    EW extends Showable,
    K extends Showable,
    D extends Showable,
  >(
    op: Op,
    padding: P,
    windowH: EH,
    windowW: EW,
    kernel: K,
    dilation: D,
  ) =>
    `${op}: padding ${padding} must add up to at most the window ${windowH}x${windowW} along each axis (top + bottom, left + right), each side smaller than it (kernel ${kernel}, dilation ${dilation})` as const,
};

/** interpolate and nn.Upsample (src/ops/interpolate.ts, types/shape/interpolate.ts). */
export const interpolateErrors = {
  sizeAndScale: () => `interpolate: give exactly one of size and scaleFactor, got both` as const,
  noSizeNorScale: () => `interpolate: give exactly one of size and scaleFactor, got neither` as const,
  alignCornersNearest: <V extends Showable>(value: V) =>
    `interpolate: alignCorners can only be set with mode "bilinear", got alignCorners ${value} with mode "nearest"` as const,
  mode: <V extends Showable>(value: V) => `interpolate: mode must be "nearest" or "bilinear", got ${value}` as const,
  rank: <S extends Showable>(shape: S) => `interpolate: expected a 4-D [N, C, H, W] input, got shape ${shape}` as const,
  size: <V extends Showable>(value: V) =>
    `interpolate: size must be a positive integer or a pair [h, w] of them, got ${value}` as const,
  scaleFactor: <V extends Showable>(value: V) =>
    `interpolate: scaleFactor must be a positive finite number or a pair [h, w] of them, got ${value}` as const,
  outputSize: <OH extends Showable, OW extends Showable, H extends Showable, W extends Showable, S extends Showable>(
    outH: OH,
    outW: OW,
    inH: H,
    inW: W,
    scale: S,
  ) =>
    `interpolate: output size would be ${outH}x${outW} (input ${inH}x${inW}, scaleFactor ${scale}); each must be at least 1` as const,
  emptyInput: <H extends Showable, W extends Showable>(inH: H, inW: W) =>
    `interpolate: input height and width must be at least 1, got ${inH}x${inW}` as const,
  channels: <S extends Showable>(shape: S) =>
    `interpolate: expected at least 1 channel (only the batch may be empty), got shape ${shape}` as const,
};

/** pad (src/ops/pad.ts, types/shape/pad.ts): torch.nn.functional.pad's rules. */
export const padErrors = {
  pads: <V extends Showable>(value: V) => `pad: pads must be an array of integers, got ${value}` as const,
  oddLength: <L extends Showable>(length: L) =>
    `pad: pads must hold (before, after) pairs, got ${length} entries` as const,
  tooLong: <L extends Showable, S extends Showable>(length: L, shape: S) =>
    `pad: ${length} pads is more than 2 per dim of the input ${shape}` as const,
  mode: <V extends Showable>(value: V) =>
    `pad: mode must be "constant", "reflect", "replicate" or "circular", got ${value}` as const,
  value: <V extends Showable>(value: V) => `pad: value must be a number, got ${value}` as const,
  valueWithMode: <M extends Showable, V extends Showable>(mode: M, value: V) =>
    `pad: mode ${mode} takes no value (only "constant" fills), got value ${value}` as const,
  modeRank: <M extends Showable, L extends Showable, S extends Showable>(mode: M, length: L, shape: S) =>
    `pad: mode ${mode} takes 2 pads on a 2-D or 3-D input, 4 on a 3-D or 4-D input, 6 on a 4-D or 5-D input; got ${length} pads on shape ${shape}` as const,
  emptyDim: <M extends Showable, S extends Showable>(mode: M, shape: S) =>
    `pad: mode ${mode} needs every dim but the batch dim to be non-empty, got shape ${shape}` as const,
  reflectLimit: <B extends Showable, A extends Showable, D extends Showable, N extends Showable, S extends Showable>(
    before: B,
    after: A,
    dim: D,
    size: N,
    shape: S,
  ) =>
    `pad: reflect padding (${before}, ${after}) of dim ${dim} must be less than its size ${size} (input ${shape})` as const,
  circularLimit: <B extends Showable, A extends Showable, D extends Showable, K extends Showable, S extends Showable>(
    before: B,
    after: A,
    dim: D,
    kept: K,
    shape: S,
  ) =>
    `pad: circular padding (${before}, ${after}) of dim ${dim} keeps ${kept} cells after cropping; it must keep at least 0 and wrap at most that many on each side (input ${shape})` as const,
  outputSize: <
    B extends Showable,
    A extends Showable,
    D extends Showable,
    N extends Showable,
    O extends Showable,
    S extends Showable,
  >(
    before: B,
    after: A,
    dim: D,
    size: N,
    out: O,
    shape: S,
  ) =>
    `pad: dim ${dim} of size ${size} padded by (${before}, ${after}) would have size ${out} (input ${shape})` as const,
};

/** layerNorm, groupNorm, nn.LayerNorm and nn.GroupNorm (src/ops/normalization.ts, types/shape/normalization.ts). */
export const normErrors = {
  normalizedShape: <Op extends Showable, V extends Showable>(op: Op, value: V) =>
    `${op}: normalizedShape must be a positive integer or a non-empty list of them, got ${value}` as const,
  trailingDims: <N extends Showable, S extends Showable>(normalizedShape: N, shape: S) =>
    `layerNorm: normalizedShape ${normalizedShape} does not match the last dims of input ${shape}` as const,
  paramShape: <Op extends Showable, W extends Showable, E extends Showable, S extends Showable>(
    op: Op,
    which: W,
    expected: E,
    shape: S,
  ) => `${op}: ${which} must have shape ${expected}, got ${shape}` as const,
  paramKind: <Op extends Showable, W extends Showable, K extends Showable, I extends Showable>(
    op: Op,
    which: W,
    kind: K,
    input: I,
  ) => `${op}: ${which} is ${kind} but the input is ${input}` as const,
  rank: <S extends Showable>(shape: S) =>
    `groupNorm: expected an input [N, C, ...] of at least 2 dims, got shape ${shape}` as const,
  numGroups: <Op extends Showable, V extends Showable>(op: Op, value: V) =>
    `${op}: numGroups must be a positive integer, got ${value}` as const,
  groupsDivide: <G extends Showable, C extends Showable, S extends Showable>(groups: G, channels: C, shape: S) =>
    `groupNorm: numGroups ${groups} does not divide the ${channels} channels of input ${shape}` as const,
  layerGroupsDivide: <G extends Showable, C extends Showable>(groups: G, channels: C) =>
    `GroupNorm: numGroups ${groups} does not divide numChannels ${channels}` as const,
  eps: <Op extends Showable, V extends Showable>(op: Op, value: V) =>
    `${op}: eps must be a positive finite number, got ${value}` as const,
};

/**
 * Arguments of the autograd and memory entry points (`backward`, `gradients`, `grad`, `vjp`,
 * `noGrad`, `tidy`) and of optimizers that are not what the signature says: reachable from untyped
 * code or casts only, and refused by name instead of failing inside as a TypeError.
 */
export const argumentErrors = {
  options: <Op extends Showable, V extends Showable>(op: Op, value: V) =>
    `${op}: options must be an object, got ${value}` as const,
  unknownOption: <Op extends Showable, K extends Showable, L extends Showable>(op: Op, key: K, known: L) =>
    `${op}: unknown option ${key} (options are ${known})` as const,
  booleanOption: <Op extends Showable, K extends Showable, V extends Showable>(op: Op, key: K, value: V) =>
    `${op}: option ${key} must be true or false, got ${value}` as const,
  seed: <Op extends Showable, V extends Showable>(op: Op, value: V) =>
    `${op}: the seed gradient must be a Tensor, got ${value}` as const,
  tensorList: <Op extends Showable, N extends Showable, V extends Showable>(op: Op, name: N, value: V) =>
    `${op}: ${name} must be a Tensor or an array of Tensors, got ${value}` as const,
  listLength: <Op extends Showable, N extends Showable, L extends Showable, M extends Showable>(
    op: Op,
    name: N,
    length: L,
    outputs: M,
  ) => `${op}: ${name} has ${length} entries but there are ${outputs} outputs` as const,
  notFunction: <Op extends Showable, V extends Showable>(op: Op, value: V) =>
    `${op}: expected a function, got ${value}` as const,
  seedMismatch: <Op extends Showable, S extends Showable, T extends Showable>(op: Op, seed: S, tensor: T) =>
    `${op}: the seed gradient has shape ${seed} but the tensor has shape ${tensor}` as const,
  noGrad: () =>
    "backward: this tensor does not require grad (no input had requiresGrad: true, or it was computed under noGrad)" as const,
  gradOutput: <V extends Showable>(got: V) =>
    `grad: the function must return a one-element tensor, got ${got}; use vjp for other outputs` as const,
};

/**
 * A graph whose saved tensors changed, were disposed or were used up before backward (PyTorch's
 * version counter and retain_graph). `what` names the tensor: its place in the op and its shape.
 */
export const autogradErrors = {
  modified: <W extends Showable, Op extends Showable, By extends Showable, V extends Showable, S extends Showable>(
    what: W,
    op: Op,
    by: By,
    version: V,
    saved: S,
  ) =>
    `backward: ${what} of ${op} was modified by ${by} after ${op} saved it for the gradient (version ${version}, saved at version ${saved}); run the forward pass again after the change, or modify a clone` as const,
  disposedSaved: <W extends Showable, Op extends Showable>(what: W, op: Op) =>
    `backward: ${what} of ${op} was disposed after ${op} saved it for the gradient; dispose it after backward()` as const,
  graphUsed: <Op extends Showable>(op: Op) =>
    `backward: the graph through ${op} was already differentiated by an earlier backward; pass { retainGraph: true } to that call to go through the graph again` as const,
};

/** Data handed to `tensor()` that does not describe a tensor, and int32 results that do not fit. */
export const dataErrors = {
  hole: <P extends Showable>(path: P) =>
    `tensor: the array has an empty slot at ${path} (as in [1, , 3]); every element must be a number` as const,
  cycle: <P extends Showable>(path: P) => `tensor: the array contains itself at ${path}` as const,
  tooDeep: <M extends Showable>(max: M) => `tensor: the nested array is more than ${max} levels deep` as const,
  int32Overflow: <Op extends Showable, V extends Showable, I extends Showable>(op: Op, value: V, index: I) =>
    `${op}: the int32 result ${value} at position ${index} does not fit in int32 (PyTorch would widen to int64); cast to float64 first` as const,
};

/** Optimizer options, at construction and again at every step (a scheduler or `opt.lr = x` may change them). */
export const optimErrors = {
  snakeCase: <Op extends Showable, K extends Showable, C extends Showable>(op: Op, key: K, camel: C) =>
    `${op}: unknown option ${key}; shapegrad's options are camelCase: use ${camel}` as const,
  option: <Op extends Showable, N extends Showable, V extends Showable, R extends Showable>(
    op: Op,
    name: N,
    value: V,
    rule: R,
  ) => `${op}: ${name} ${value} is not valid (${rule})` as const,
  atStep: <Op extends Showable, N extends Showable, V extends Showable, G extends Showable, R extends Showable>(
    op: Op,
    name: N,
    value: V,
    group: G,
    rule: R,
  ) =>
    `${op}.step(): ${name} ${value} of parameter group ${group} is not valid (${rule}); no parameter was changed` as const,
};

/**
 * Reading a tensor's data. A synchronous read of a tensor typed to live on a device that is only
 * read asynchronously is refused by the compiler (the method's `this` type is this text) and by
 * the backend at run time.
 */
export const tensorErrors = {
  syncRead: <Op extends Showable, Dev extends Showable>(op: Op, device: Dev) =>
    `${op}: tensors on ${device} can only be read asynchronously; use await t.data()` as const,
};

/** The fast kernels' worker pool (src/backends/cpu/fast/pool.ts): run time only. */
export const workerErrors = {
  stalled: <K extends Showable, M extends Showable, U extends Showable>(kernel: K, ms: M, units: U) =>
    `fast kernels: ${kernel} made no progress for ${ms} ms with ${units} work items held by worker threads that did not exit; the call failed and the next one starts a fresh pool` as const,
  startFailed: <R extends Showable>(reason: R) =>
    `fast kernels: worker threads cannot start here (${reason}); the kernels run on the calling thread only from now on` as const,
};

/** Weight files and state dicts (src/io/safetensors.ts, src/nn/module.ts): run time only. */
export const weightErrors = {
  headerTooLarge: <N extends Showable, M extends Showable>(length: N, max: M) =>
    `safetensors: header length ${length} is more than the ${max} bytes a header may have` as const,
  duplicateName: <T extends Showable>(name: T) => `safetensors: tensor "${name}" is named twice in the header` as const,
};

/** exportOnnx (src/onnx/export.ts): run time only, checked before the sample input is made. */
export const onnxErrors = {
  model: <V extends Showable>(value: V) =>
    `exportOnnx: model must be an nn.Module or a function of one tensor, got ${value}` as const,
  inputShape: <V extends Showable>(value: V) =>
    `exportOnnx: inputShape must be an array of positive integers, got ${value}` as const,
  options: <V extends Showable>(value: V) => `exportOnnx: options must be an object, got ${value}` as const,
  path: <V extends Showable>(value: V) => `writeOnnx: path must be a non-empty string, got ${value}` as const,
  unknownOption: <K extends Showable>(key: K) =>
    `exportOnnx: unknown option ${key} (options are dtype, inputName, outputName, docString, dynamicBatch)` as const,
  optionType: <K extends Showable, E extends Showable, V extends Showable>(key: K, expected: E, value: V) =>
    `exportOnnx: option ${key} must be ${expected}, got ${value}` as const,
  nameClash: <K extends Showable, N extends Showable, O extends Showable>(key: K, name: N, other: O) =>
    `exportOnnx: ${key} ${name} is also the name of ${other}; the values of an ONNX graph need distinct names` as const,
  batchOutput: <A extends Showable, BA extends Showable, B extends Showable, BB extends Showable>(
    a: A,
    batchA: BA,
    b: B,
    batchB: BB,
  ) =>
    `exportOnnx: dynamicBatch: the output's first dim is ${a} at batch ${batchA} and ${b} at batch ${batchB}, not the batch size; export with a fixed batch size instead` as const,
  // Issue 22: a forward returning an object of tensors (segmentation's { out, aux }).
  output: <V extends Showable>(value: V) =>
    `exportOnnx: the model's forward must return a tensor or an object of tensors under non-empty keys, got ${value}` as const,
  outputNameOfObject: <N extends Showable, K extends Showable>(name: N, keys: K) =>
    `exportOnnx: option outputName ${name} names a single output, but the forward returns an object: its outputs are named by its keys (${keys})` as const,
};

// General tensor ops: the rules the compiler also checks take their text from shapeErrors above.
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
    shapeErrors.reshapeCount(
      op,
      formatShape(from),
      from.reduce((a, b) => a * b, 1),
      formatShape(to),
    ),
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
  deviceNotInitialised: (device: string) =>
    `${device}: the device is not initialised; call \`await initWebGPU()\` before creating ${device} tensors`,
  float64OnDevice: (device: string) =>
    `${device}: float64 is not supported on this device (WGSL has no 64-bit floats); use float32`,
  // Arguments that are not what the signature says (only reachable from untyped code or casts).
  notTensor: (op: string, name: string, value: unknown) =>
    `${op}: ${name} must be a Tensor, got ${value === null ? "null" : typeof value}`,
  disposed: (op: string, name: string) => `${op}: ${name} was disposed`,
  twoNumbers: (op: string) => `${op}: at least one operand must be a Tensor`,
  notShape: (op: string, what: string, value: unknown) =>
    `${op}: ${what} must be an array of dims, got ${value === null ? "null" : typeof value}`,
  notDims: (op: string, value: unknown) =>
    `${op}: dims must be a dim or an array of dims, got ${value === null ? "null" : typeof value}`,
  flattenOrder: (startDim: number, endDim: number) => shapeErrors.flattenOrder(startDim, endDim),
  // Creation.
  unknownDType: (op: string, dtype: unknown) =>
    `${op}: unknown dtype ${JSON.stringify(dtype)} (expected "float32", "float64" or "int32")`,
  unknownDevice: (op: string, device: unknown) =>
    `${op}: unknown device ${JSON.stringify(device)} (expected "cpu" or "webgpu")`,
  randomInt32: (op: string) => `${op}: dtype int32 is not supported for random floats; use randint`,
  fillValue: (op: string, value: unknown) => `${op}: value must be a number, got ${typeof value}`,
  fillInt32: (op: string, value: number) => `${op}: int32 value must be an integer, got ${value}`,
  arangeBound: (name: string, value: unknown) => `arange: ${name} must be a finite number, got ${String(value)}`,
  arangeStep: () => "arange: step must not be 0",
  randintRange: (low: unknown, high: unknown) =>
    `randint: need integers -2^31 <= low < high <= 2^31, got ${String(low)} and ${String(high)}`,
  typedArray: (name: string) =>
    `tensor: typed array ${name} is not supported (use Float32Array, Float64Array or Int32Array)`,
  flatData: () => "tensor: with options.shape, data must be a flat number array or a typed array",
  dataCount: (count: number, shape: Dims) =>
    `tensor: data has ${count} elements but shape ${formatShape(shape)} needs ${shape.reduce((a, b) => a * b, 1)}`,
  dataType: (value: unknown) =>
    `tensor: data must be a number, a nested number array or a typed array, got ${value === null ? "null" : typeof value}`,
  notNumber: (path: string, found: string) => `tensor: expected a number at ${path || "the top level"}, got ${found}`,
  ragged: (path: string, found: string, dim: number, size: number) =>
    `tensor: ragged nested array: ${path || "the top level"} has ${found} but dim ${dim} has size ${size}`,
  elementType: (index: number, value: unknown) => `tensor: element ${index} is ${typeof value}, not a number`,
  int32Data: (value: number, index: number) =>
    `tensor: int32 data must be integers in [-2^31, 2^31), got ${value} at index ${index}`,
  // Pooling.
  poolOptions: (op: string) => `${op}: options with kernelSize are required`,
  poolPair: (op: string, name: string, min: number, value: unknown) =>
    `${op}: ${name} must be ${min === 0 ? "a non-negative" : "a positive"} integer or a pair of them, got ${Array.isArray(value) ? `[${value.join(", ")}]` : String(value)}`,
  poolRank: (op: string, shape: Dims) => shapeErrors.poolRank(op, formatShape(shape)),
  poolPadding: (op: string, padding: Dims, kernel: Dims) =>
    shapeErrors.poolPadding(op, formatShape(padding), formatShape(kernel)),
  poolOutput: (op: string, out: Dims, kernel: Dims, dilation: Dims, input: Dims, padding: Dims) =>
    shapeErrors.poolOutput(
      op,
      out[0],
      out[1],
      dilation[0] * (kernel[0] - 1) + 1,
      dilation[1] * (kernel[1] - 1) + 1,
      formatShape(kernel),
      formatShape(dilation),
      input[0],
      input[1],
      formatShape(padding),
    ),
  poolWindowInPadding: (
    op: string,
    axis: string,
    position: number,
    size: number,
    kernel: number,
    stride: number,
    padding: number | string,
    dilation: number,
  ) =>
    `${op}: output ${axis} position ${position} has a window wholly in the padding (input ${axis} ${size}, kernel ${kernel}, stride ${stride}, padding ${padding}, dilation ${dilation})`,
  poolPads: (op: string, value: unknown) =>
    `${op}: padding must be a non-negative integer, a pair [h, w] or four [top, bottom, left, right] of them, got ${Array.isArray(value) ? `[${value.join(", ")}]` : String(value)}`,
  /** Four sides: poolPaddingSides; [h, w]: poolPadding, or poolPaddingDilated with a dilation. */
  poolPaddingRule: (op: string, padding: Dims, kernel: Dims, dilation: Dims) => {
    const [p, k, d] = [formatShape(padding), formatShape(kernel), formatShape(dilation)];
    const windowH = dilation[0] * (kernel[0] - 1) + 1,
      windowW = dilation[1] * (kernel[1] - 1) + 1;
    if (padding.length === 4) return shapeErrors.poolPaddingSides(op, p, windowH, windowW, k, d);
    if (dilation[0] === 1 && dilation[1] === 1) return shapeErrors.poolPadding(op, p, k);
    return shapeErrors.poolPaddingDilated(op, p, windowH, windowW, k, d);
  },
  // Resources.
  tooManyElements: (op: string, shape: Dims, count: number, limit: number) =>
    `${op}: result shape ${formatShape(shape)} has ${count} elements, more than the limit of ${limit}`,
  tooLargeEmpty: (op: string, shape: Dims, span: number, limit: number) =>
    `${op}: result shape ${formatShape(shape)} is empty, but its non-zero dims span ${span} elements, more than the limit of ${limit}`,
  maxElements: (value: unknown) => `setMaxElements: expected a positive integer, got ${String(value)}`,
};

// nn, optim and the state dict.
export const nnErrors = {
  badOption: (op: string, name: string, value: unknown, min?: number) =>
    `${op}: ${name} ${show(value)} is not valid${min === undefined ? "" : ` (expected an integer >= ${min} or a pair of them)`}`,
  notFloat: (op: string, name: string, dtype: string) => `${op}: ${name} must be float32 or float64, got ${dtype}`,
  rank: (op: string, what: string, shape: Dims) => moduleErrors.rank(op, what, formatShape(shape)),
  dim: (op: string, dim: number, shape: Dims) => `${op}: dim ${dim} is out of range for shape ${formatShape(shape)}`,
  linearFeatures: (shape: Dims, inFeatures: number, outFeatures: number) =>
    `linear: input ${formatShape(shape)} has ${shape.length ? shape[shape.length - 1] : "no"} features but the layer expects ${inFeatures} (weight [${outFeatures}, ${inFeatures}])`,
  biasShape: (op: string, shape: Dims, expected: number) =>
    `${op}: bias has shape ${formatShape(shape)} but expected [${expected}]`,
  probability: (op: string, p: unknown, name = "p") => `${op}: ${name} must be a probability in [0, 1], got ${show(p)}`,
  poolOutput: (op: string, shape: Dims, kernel: Dims, out: Dims) =>
    `${op}: input ${formatShape(shape)} is too small for kernel ${formatShape(kernel)} (output ${formatShape(out)})`,
  channelParam: (op: string, name: string, shape: Dims, channels: number) =>
    `${op}: ${name} has shape ${formatShape(shape)} but the input has ${channels} channels`,
  batchNormCount: (shape: Dims) =>
    `batchNorm: training needs more than one value per channel, got input ${formatShape(shape)}`,
  batchNormNoStats: () =>
    "batchNorm: evaluation needs running statistics (the layer was built with trackRunningStats: false)",
  targetShape: (op: string, input: Dims, target: Dims) =>
    `${op}: target shape ${formatShape(target)} does not match input shape ${formatShape(input)}`,
  targetDType: (op: string, dtype: string) => `${op}: class targets must be int32, got ${dtype}`,
  classTargetShape: (op: string, input: Dims, target: Dims, expected: Dims) =>
    `${op}: target shape ${formatShape(target)} does not fit input ${formatShape(input)} (expected ${formatShape(expected)})`,
  classOutOfRange: (op: string, value: number, index: number, classes: number, ignoreIndex: number) =>
    `${op}: target ${value} at position ${index} is not a class in [0, ${classes}) nor ignoreIndex ${ignoreIndex}`,
  classWeight: (
    op: string,
    shape: Dims,
    dtype: string,
    device: string,
    classes: number,
    inputDType: string,
    inputDevice: string,
  ) =>
    `${op}: weight must be ${inputDType} [${classes}] on ${inputDevice} (one value per class, like the input), got ${dtype} ${formatShape(shape)} on ${device}`,
  layerInput: (layer: string, what: string, shape: Dims) => moduleErrors.rank(layer, what, formatShape(shape)),
  layerChannels: (layer: string, got: number, expected: number, shape: Dims) =>
    moduleErrors.channels(layer, got, expected, formatShape(shape)),
  sequentialLayer: (index: number, name: string, message: string) => moduleErrors.sequentialLayer(index, name, message),
  residualShape: (body: Dims, shortcut: Dims) => moduleErrors.residual(formatShape(body), formatShape(shortcut)),
  stateMissing: (names: readonly string[]) =>
    `loadStateDict: missing ${names.map((n) => JSON.stringify(n)).join(", ")}`,
  stateUnexpected: (names: readonly string[]) =>
    `loadStateDict: unexpected ${names.map((n) => JSON.stringify(n)).join(", ")}`,
  stateShape: (name: string, got: Dims, expected: Dims) =>
    `loadStateDict: "${name}" has shape ${formatShape(got)} but the model expects ${formatShape(expected)}`,
  stateDType: (name: string, got: string, expected: string) =>
    `loadStateDict: "${name}" has dtype ${got} but the model expects ${expected}`,
  optimizerParams: (op: string) => `${op}: expected a non-empty list of parameters (tensors with requiresGrad: true)`,
  optimizerGrad: (op: string, index: number, got: Dims, expected: Dims) =>
    `${op}: the gradient of parameter ${index} has shape ${formatShape(got)} but the parameter has ${formatShape(expected)}`,
  optimizerNotLeaf: (op: string, index: number) => `${op}: parameter ${index} does not require grad`,
};

// nn.Conv2d, nn.ConvTranspose2d and nn.Linear built from given weight and bias tensors (issue 21):
// the same texts at compile time (src/nn/types.ts) and at construction.
export const layerErrors = {
  tensor: <L extends Showable, N extends "weight" | "bias", E extends Showable, V extends Showable>(
    layer: L,
    name: N,
    expected: E,
    value: V,
  ) => `${layer}: ${name} must be ${expected}, got ${value}` as const,
  dtype: <L extends Showable, N extends "weight" | "bias", D extends Showable>(layer: L, name: N, dtype: D) =>
    `${layer}: ${name} must be float32 or float64, got ${dtype}` as const,
  shape: <L extends Showable, N extends "weight" | "bias", S extends Showable, E extends Showable>(
    layer: L,
    name: N,
    shape: S,
    expected: E,
  ) => `${layer}: ${name} has shape ${shape} but the layer expects ${expected}` as const,
  biasPlacement: <L extends Showable, K extends "dtype" | "device", B extends Showable, W extends Showable>(
    layer: L,
    key: K,
    bias: B,
    weight: W,
  ) => `${layer}: bias ${key} ${bias} does not match weight ${key} ${weight}` as const,
  optionPlacement: <
    L extends Showable,
    K extends "dtype" | "device",
    O extends Showable,
    N extends "weight" | "bias",
    T extends Showable,
  >(
    layer: L,
    key: K,
    option: O,
    name: N,
    tensor: T,
  ) => `${layer}: option ${key} ${option} does not match the ${name}'s ${key} ${tensor}` as const,
};

/**
 * Joining and slicing: cat, stack, split, chunk, narrow (src/ops/join.ts, types/shape/join.ts).
 * Shapes arrive formatted ("[2, 3]"); a tensor in a list is named by its index.
 */
export const joinErrors = {
  notList: <Op extends Showable, V extends Showable>(op: Op, value: V) =>
    `${op}: tensors must be an array of Tensors, got ${value}` as const,
  empty: <Op extends Showable>(op: Op) => `${op}: expected a non-empty list of tensors, got []` as const,
  zeroDim: <I extends Showable>(index: I) =>
    `cat: tensor ${index} is 0-d and cannot be concatenated (unsqueeze it first, or use stack)` as const,
  rank: <I extends Showable, S extends Showable, F extends Showable>(index: I, shape: S, first: F) =>
    `cat: tensor ${index} ${shape} and tensor 0 ${first} have different ranks` as const,
  size: <I extends Showable, S extends Showable, F extends Showable, D extends Showable, C extends Showable>(
    index: I,
    shape: S,
    first: F,
    dim: D,
    catDim: C,
  ) =>
    `cat: tensor ${index} ${shape} does not match tensor 0 ${first} in dim ${dim} (only dim ${catDim}, the cat dim, may differ)` as const,
  stackShape: <I extends Showable, S extends Showable, F extends Showable>(index: I, shape: S, first: F) =>
    `stack: tensor ${index} ${shape} does not match tensor 0 ${first} (stack needs equal shapes)` as const,
  zeroDimInput: <Op extends Showable>(op: Op) =>
    `${op}: expected a tensor with at least 1 dim, got a 0-d tensor` as const,
  integer: <Op extends Showable, N extends Showable, V extends Showable>(op: Op, name: N, value: V) =>
    `${op}: ${name} must be an integer, got ${value}` as const,
  splitSize: <V extends Showable>(value: V) =>
    `split: sizeOrSections must be a positive integer or an array of non-negative integers, got ${value}` as const,
  splitSum: <S extends Showable, T extends Showable, D extends Showable, N extends Showable>(
    sections: S,
    total: T,
    dim: D,
    size: N,
  ) => `split: sections ${sections} sum to ${total} but dim ${dim} has size ${size}` as const,
  chunks: <V extends Showable>(value: V) => `chunk: chunks must be a positive integer, got ${value}` as const,
  narrowStart: <S extends Showable, D extends Showable, N extends Showable>(start: S, dim: D, size: N) =>
    `narrow: start ${start} is out of range for dim ${dim} of size ${size} (expected an integer in [-${size}, ${size}])` as const,
  narrowLength: <V extends Showable>(length: V) =>
    `narrow: length must be a non-negative integer, got ${length}` as const,
  narrowEnd: <S extends Showable, L extends Showable, D extends Showable, N extends Showable>(
    start: S,
    length: L,
    dim: D,
    size: N,
  ) => `narrow: start ${start} + length ${length} runs past the end of dim ${dim} of size ${size}` as const,
  pieces: <Op extends Showable, P extends Showable, D extends Showable, N extends Showable, L extends Showable>(
    op: Op,
    pieces: P,
    dim: D,
    size: N,
    limit: L,
  ) => `${op}: ${pieces} pieces of dim ${dim} of size ${size} is more than the limit of ${limit} pieces` as const,
};

/**
 * Issue 19: the layers' and composites' shape messages (nn.Sequential, nn.Residual, the channel
 * and rank checks of BatchNorm2d, GroupNorm, AdaptiveAvgPool2d, Dropout2d), the same text at
 * compile time (src/nn/types.ts) and at run time (nnErrors formats the shapes and calls these).
 */
export const moduleErrors = {
  rank: <Op extends Showable, W extends Showable, S extends Showable>(op: Op, what: W, shape: S) =>
    `${op}: expected ${what}, got shape ${shape}` as const,
  channels: <L extends Showable, G extends Showable, E extends Showable, S extends Showable>(
    layer: L,
    got: G,
    expected: E,
    shape: S,
  ) => `${layer}: input has ${got} channels but the layer expects ${expected} (input ${shape})` as const,
  sequentialLayer: <I extends Showable, N extends Showable, M extends Showable>(index: I, name: N, message: M) =>
    `nn.Sequential: layer ${index} (${name}): ${message}` as const,
  residual: <B extends Showable, C extends Showable>(body: B, shortcut: C) =>
    `nn.Residual: the body gives ${body} but the shortcut gives ${shortcut}` as const,
  /** Compile time only: a user's module whose `forward` signature does not take the incoming shape. */
  forwardInput: <E extends Showable, G extends Showable>(expected: E, got: G) =>
    `expected input ${expected}, got ${got}` as const,
  // Run time only: the layers' constructors, nn.Sequential's arguments, nn.Parameter, Module.to
  // and loadStateDict.
  positiveInt: <L extends Showable, N extends Showable, V extends Showable>(layer: L, name: N, value: V) =>
    `${layer}: ${name} must be a positive integer, got ${value}` as const,
  groupsDivide: <L extends Showable, N extends Showable, C extends Showable, G extends Showable>(
    layer: L,
    name: N,
    channels: C,
    groups: G,
  ) => `${layer}: ${name} ${channels} must be divisible by groups ${groups}` as const,
  sequentialArgument: <I extends Showable>(index: I) => `nn.Sequential: argument ${index} is not a Module` as const,
  parameterTensor: () => "nn.Parameter: expected a Tensor" as const,
  parameterDType: () => "nn.Parameter: parameters must be float32 or float64, got int32" as const,
  moveInt32: () => "Module.to: modules can only be cast to float32 or float64" as const,
  moveTarget: <T extends Showable>(target: T) => `Module.to: unknown device or dtype ${target}` as const,
  stateNotTensor: <N extends Showable>(name: N) => `loadStateDict: "${name}" is not a Tensor` as const,
};
