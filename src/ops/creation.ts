/** Tensor creation: from nested arrays, flat data, constants and the seeded random stream. */
import type { AnyTypedArray, DType, Device, Mutable, Shape } from "../../types/core.js";
import type { Tensor, AnyTensor } from "../tensor.js";
import { checkElementCount, filled, fromHost } from "../autograd/engine.js";
import { allocate } from "../backends/cpu/arrays.js";
import { nextNormal, nextUniform } from "../runtime/random.js";
import { backendFor } from "../runtime/devices.js";
import { numel, isArray } from "../runtime/shape.js";
import { opErrors } from "../../types/errors.js";
import { dataErrors } from "../../types/errors.js";

/** The shape of a nested array literal: its length at each depth (`number` when not a literal). Up to 8 dims deep. */
export type ShapeOf<T, Depth extends unknown[] = []> = Depth["length"] extends 8
  ? number[]
  : T extends readonly unknown[]
    ? T extends readonly []
      ? [0]
      : [T["length"], ...ShapeOf<T[0], [...Depth, unknown]>]
    : [];

export type NestedNumbers = number | readonly NestedNumbers[];

export interface CreationOptions<D extends DType = DType, Dev extends Device = Device> {
  dtype?: D;
  device?: Dev;
  requiresGrad?: boolean;
}

type ArrayDType<A> = A extends Float64Array ? "float64" : A extends Int32Array ? "int32" : "float32";

function resolveOptions(op: string, options: CreationOptions | undefined, fallback: DType = "float32") {
  const dtype = options?.dtype ?? fallback;
  const device = options?.device ?? "cpu";
  if (dtype !== "float32" && dtype !== "float64" && dtype !== "int32")
    throw new Error(opErrors.unknownDType(op, dtype));
  if (device !== "cpu" && device !== "webgpu") throw new Error(opErrors.unknownDevice(op, device));
  if (device !== "cpu" && dtype === "float64") throw new Error(opErrors.float64OnDevice(device));
  const requiresGrad = options?.requiresGrad ?? false;
  if (requiresGrad && dtype === "int32") throw new Error(opErrors.noGradFloat(dtype));
  // An uninitialised device is refused here, before any host data is generated or copied for it.
  backendFor(device);
  return { dtype, device, requiresGrad };
}

export function checkShape(op: string, shape: unknown): readonly number[] {
  if (!isArray(shape)) throw new Error(opErrors.notShape(op, "shape", shape));
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0)
      throw new Error(opErrors.badDim(op, "every dim", d));
  }
  return shape as readonly number[]; // every element was checked above
}

function finish(t: AnyTensor, requiresGrad: boolean): AnyTensor {
  t.requiresGrad = requiresGrad;
  return t;
}

/** Deepest nesting `tensor()` reads (PyTorch and NumPy cap a tensor's rank at 64 too). */
const MAX_DEPTH = 64;

/**
 * Walks a nested array: its rectangular shape, and its numbers in row-major order. The shape is
 * read down the first elements and checked (depth, cycles, element count) before any value is
 * copied; empty slots (`[1, , 3]`, which forEach and every() skip) are refused where they are met.
 */
function flattenNested(data: NestedNumbers): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  const path: unknown[] = [];
  for (let level: NestedNumbers = data; isArray(level); level = level[0]) {
    if (path.includes(level)) throw new Error(dataErrors.cycle("[0]".repeat(shape.length)));
    if (shape.length === MAX_DEPTH) throw new Error(dataErrors.tooDeep(MAX_DEPTH));
    path.push(level);
    shape.push(level.length);
    if (level.length === 0) break;
    if (!(0 in level)) throw new Error(dataErrors.hole(`${"[0]".repeat(shape.length - 1)}[0]`));
  }
  checkElementCount("tensor", shape);
  const values: number[] = [];
  const visit = (node: NestedNumbers, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof node !== "number") throw new Error(opErrors.notNumber(at, isArray(node) ? "an array" : typeof node));
      values.push(node);
      return;
    }
    if (!isArray(node) || node.length !== shape[depth]) {
      throw new Error(opErrors.ragged(at, isArray(node) ? `length ${node.length}` : "a number", depth, shape[depth]));
    }
    for (let i = 0; i < node.length; i++) {
      if (!(i in node)) throw new Error(dataErrors.hole(`${at}[${i}]`));
      visit(node[i], depth + 1, `${at}[${i}]`);
    }
  };
  visit(data, 0, "");
  return { shape, values };
}

function toTypedArray(values: ArrayLike<number>, dtype: DType, shape: readonly number[]): AnyTypedArray {
  checkElementCount("tensor", shape);
  const out = allocate(dtype, values.length);
  // A typed array holds only numbers, and int32 and float arrays already fit a float target: one bulk copy.
  if (ArrayBuffer.isView(values) && (dtype !== "int32" || values instanceof Int32Array)) {
    out.set(values);
    return out;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") throw new Error(opErrors.elementType(i, v));
    if (dtype === "int32" && !(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)) {
      throw new Error(opErrors.int32Data(v, i));
    }
    out[i] = v;
  }
  return out;
}

/**
 * The creation functions take their dtype and device from their arguments alone: the result's
 * dtype and device are `NoInfer`, so an annotation on the variable a tensor is assigned to cannot
 * choose them (`const a: Tensor<[2], "int32"> = tensor([0, 2])` would otherwise compile and be
 * float32 at run time); such an annotation is checked against what the arguments give.
 *
 * A tensor from data: a nested number array (its shape inferred, as literal types), or flat data
 * (`number[]` or a typed array) with `options.shape`. A typed array's own dtype is the default.
 */
export function tensor<
  A extends readonly number[] | AnyTypedArray,
  const S extends Shape,
  D extends DType = ArrayDType<A>,
  Dev extends Device = "cpu",
>(data: A, options: CreationOptions<D, Dev> & { shape: S }): Tensor<Mutable<S>, NoInfer<D>, NoInfer<Dev>>;
export function tensor<const T extends NestedNumbers, D extends DType = "float32", Dev extends Device = "cpu">(
  data: T,
  options?: CreationOptions<D, Dev>,
): Tensor<ShapeOf<T>, NoInfer<D>, NoInfer<Dev>>;
export function tensor<A extends AnyTypedArray, D extends DType = ArrayDType<A>, Dev extends Device = "cpu">(
  data: A,
  options?: CreationOptions<D, Dev>,
): Tensor<[number], NoInfer<D>, NoInfer<Dev>>;
export function tensor(data: unknown, options?: CreationOptions & { shape?: readonly number[] }): AnyTensor {
  const typed = ArrayBuffer.isView(data) && !(data instanceof DataView);
  if (typed && !(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array)) {
    throw new Error(opErrors.typedArray((data as object).constructor.name));
  }
  const fallback: DType = data instanceof Float64Array ? "float64" : data instanceof Int32Array ? "int32" : "float32";
  const { dtype, device, requiresGrad } = resolveOptions("tensor", options, fallback);
  let shape: readonly number[];
  let values: ArrayLike<number>;
  if (options?.shape !== undefined) {
    shape = checkShape("tensor", options.shape);
    if (!typed && !isArray(data)) throw new Error(opErrors.flatData());
    if (!typed) {
      const list = data as unknown[];
      for (let i = 0; i < list.length; i++) {
        if (!(i in list)) throw new Error(dataErrors.hole(`[${i}]`));
        if (typeof list[i] !== "number") throw new Error(opErrors.flatData());
      }
    }
    values = data as ArrayLike<number>;
    if (values.length !== numel(shape)) {
      throw new Error(opErrors.dataCount(values.length, shape));
    }
  } else if (typed) {
    values = data as AnyTypedArray;
    shape = [values.length];
  } else {
    if (typeof data !== "number" && !isArray(data)) throw new Error(opErrors.dataType(data));
    const flat = flattenNested(data as NestedNumbers);
    shape = flat.shape;
    values = flat.values;
  }
  return finish(fromHost(toTypedArray(values, dtype, shape), shape, dtype, device), requiresGrad);
}

type Creator = <const S extends Shape, D extends DType = "float32", Dev extends Device = "cpu">(
  shape: S,
  options?: CreationOptions<D, Dev>,
) => Tensor<Mutable<S>, NoInfer<D>, NoInfer<Dev>>;

function fromGenerator(op: string, draw: () => number): Creator {
  return ((shape: Shape, options?: CreationOptions) => {
    const dims = checkShape(op, shape);
    const { dtype, device, requiresGrad } = resolveOptions(op, options);
    if (dtype === "int32") throw new Error(opErrors.randomInt32(op));
    checkElementCount(op, dims);
    const data = allocate(dtype, numel(dims));
    for (let i = 0; i < data.length; i++) data[i] = draw();
    return finish(fromHost(data, dims, dtype, device), requiresGrad);
  }) as Creator;
}

/**
 * Standard normal samples from the seeded stream (`manualSeed`).
 * @function
 */
export const randn: Creator = fromGenerator("randn", nextNormal);
/**
 * Uniform samples on [0, 1) from the seeded stream.
 * @function
 */
export const rand: Creator = fromGenerator("rand", nextUniform);

function filledNamed(op: string, shape: Shape, value: number, options?: CreationOptions): AnyTensor {
  const dims = checkShape(op, shape);
  const { dtype, device, requiresGrad } = resolveOptions(op, options);
  if (typeof value !== "number") throw new Error(opErrors.fillValue(op, value));
  if (dtype === "int32" && !Number.isInteger(value)) throw new Error(opErrors.fillInt32(op, value));
  checkElementCount(op, dims);
  return finish(filled(dims, value, dtype, device), requiresGrad);
}

/** Every element equal to `value`. */
export function full<const S extends Shape, D extends DType = "float32", Dev extends Device = "cpu">(
  shape: S,
  value: number,
  options?: CreationOptions<D, Dev>,
): Tensor<Mutable<S>, NoInfer<D>, NoInfer<Dev>> {
  return filledNamed("full", shape, value, options) as unknown as Tensor<Mutable<S>, D, Dev>;
}

/**
 * Every element 0.
 * @function
 */
export const zeros: Creator = ((shape: Shape, options?: CreationOptions) =>
  filledNamed("zeros", shape, 0, options)) as Creator;
/**
 * Every element 1.
 * @function
 */
export const ones: Creator = ((shape: Shape, options?: CreationOptions) =>
  filledNamed("ones", shape, 1, options)) as Creator;

/** start, start + step, ... up to but excluding end (torch.arange); `arange(n)` is 0..n-1. */
export function arange<D extends DType = "float32", Dev extends Device = "cpu">(
  start: number,
  end?: number,
  step = 1,
  options?: CreationOptions<D, Dev>,
): Tensor<[number], NoInfer<D>, NoInfer<Dev>> {
  if (end === undefined) [start, end] = [0, start];
  for (const [name, v] of [
    ["start", start],
    ["end", end],
    ["step", step],
  ] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(opErrors.arangeBound(name, v));
  }
  if (step === 0) throw new Error(opErrors.arangeStep());
  const count = Math.max(0, Math.ceil((end - start) / step));
  const { dtype, device, requiresGrad } = resolveOptions("arange", options);
  checkElementCount("arange", [count]);
  const data = allocate(dtype, count);
  for (let i = 0; i < count; i++) data[i] = start + i * step;
  return finish(fromHost(data, [count], dtype, device), requiresGrad) as unknown as Tensor<[number], D, Dev>;
}

/** Integers uniform on [low, high), int32. */
export function randint<const S extends Shape, Dev extends Device = "cpu">(
  low: number,
  high: number,
  shape: S,
  options?: { device?: Dev },
): Tensor<Mutable<S>, "int32", NoInfer<Dev>> {
  // Values outside int32 would wrap silently when stored, so the range itself must fit.
  const fits = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= -(2 ** 31) && (v as number) <= 2 ** 31;
  if (!fits(low) || !fits(high) || high <= low) throw new Error(opErrors.randintRange(low, high));
  const dims = checkShape("randint", shape);
  checkElementCount("randint", dims);
  const data = allocate("int32", numel(dims));
  for (let i = 0; i < data.length; i++) data[i] = low + Math.floor(nextUniform() * (high - low));
  return fromHost(data, dims, "int32", options?.device ?? "cpu") as unknown as Tensor<Mutable<S>, "int32", Dev>;
}
