/**
 * The tape. Every op goes through `apply`, which runs the backend kernel and, when gradients are
 * being recorded and an input needs one, links the output to a node naming the primitive, its
 * inputs and params. The backward pass (./backward.ts) walks those nodes.
 */
import type { DType, Device } from "../../types/core.js";
import type { KernelInput } from "../backend.js";
import { type Primitive, type PrimitiveParams, piecewiseConstant, shapeRules } from "../primitives/index.js";
import { Tensor, type AnyTensor } from "../tensor.js";
import { backendFor } from "../runtime/devices.js";
import { MAX_ELEMENTS } from "../runtime/limits.js";
import { numel } from "../runtime/shape.js";
import { argumentErrors, opErrors, show } from "../../types/errors.js";

export interface GradNode<P extends Primitive = Primitive> {
  readonly primitive: P;
  readonly params: PrimitiveParams[P];
  readonly inputs: readonly AnyTensor[];
  /** Each input's version when the op ran: backward refuses data changed since (checkSaved). */
  readonly versions: readonly number[];
  /** Set once a backward without retainGraph has gone through this node. */
  used: boolean;
}

let recording = true;

export function isGradEnabled(): boolean {
  return recording;
}

/** Runs `fn` without recording gradients (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new Error(argumentErrors.notFunction("noGrad", show(fn)));
  const before = recording;
  recording = false;
  try {
    return fn();
  } finally {
    recording = before;
  }
}

/** Runs `fn` with gradient recording on or off, restoring the previous mode after. */
export function withGrad<T>(enabled: boolean, fn: () => T): T {
  const before = recording;
  recording = enabled;
  try {
    return fn();
  } finally {
    recording = before;
  }
}

/** Refuses an allocation that no typed array (or the configured ceiling) can hold, before making it. */
let elementCeiling = MAX_ELEMENTS;
export function setMaxElements(n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(opErrors.maxElements(n));
  elementCeiling = Math.min(n, MAX_ELEMENTS);
}
export function checkElementCount(op: string, shape: readonly number[]): void {
  // One loop for both products (every op's output passes here).
  let n = 1,
    span = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    n *= d;
    if (d !== 0) span *= d;
  }
  if (n > elementCeiling) {
    throw new Error(opErrors.tooManyElements(op, shape, n, elementCeiling));
  }
  // An empty batch does not make a 2^32-pixel plane safe: kernels size their scratch (im2col
  // columns, padding index maps) by the other dims, so those must fit too.
  if (span > elementCeiling) throw new Error(opErrors.tooLargeEmpty(op, shape, span, elementCeiling));
}

/** The single entry point from ops to kernels. */
export function apply<P extends Primitive>(
  primitive: P,
  inputs: readonly AnyTensor[],
  params: PrimitiveParams[P],
): AnyTensor {
  const device = inputs[0].device;
  // Plain loops, no closures: this runs once per op, and for a 1,000-element add its bookkeeping
  // costs as much as the arithmetic.
  let anyRequiresGrad = false;
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    if (t.disposed) throw new Error(`${primitive}: a tensor was used after dispose()`);
    if (t.requiresGrad) anyRequiresGrad = true;
  }
  const out = shapeRules[primitive](inputs, params);
  checkElementCount(primitive, out.shape);
  const backend = backendFor(device);
  const kernelInputs = new Array<KernelInput<unknown>>(inputs.length);
  for (let i = 0; i < inputs.length; i++) kernelInputs[i] = kernelInput(inputs[i]);
  const storage = backend.kernels[primitive](kernelInputs, params, out);
  const needsGrad = recording && anyRequiresGrad && !piecewiseConstant.has(primitive);
  const node: GradNode | null = needsGrad
    ? { primitive, params, inputs, versions: inputs.map((t) => t.version), used: false }
    : null;
  return Tensor._make(out.shape, out.dtype, device, storage, node);
}

/** What a backend receives of a tensor: its storage, opaque everywhere but in its own backend. */
export function kernelInput(t: AnyTensor): KernelInput<unknown> {
  return { storage: t.storage, shape: t.shape, dtype: t.dtype };
}

/**
 * A tensor around storage its backend has just made and nothing else holds (a fused routine's
 * result): wrapped, not copied, and outside any graph.
 */
export function wrapStorage(shape: readonly number[], dtype: DType, device: Device, storage: unknown): AnyTensor {
  return Tensor._make(shape, dtype, device, storage, null);
}

/** A tensor from host data on a device (no graph). */
export function fromHost(
  data: Float32Array | Float64Array | Int32Array,
  shape: readonly number[],
  dtype: DType,
  device: Device,
): AnyTensor {
  checkElementCount("tensor", shape);
  return Tensor._make(shape, dtype, device, backendFor(device).upload(data, dtype), null);
}

export function filled(shape: readonly number[], value: number, dtype: DType, device: Device): AnyTensor {
  checkElementCount("full", shape);
  return Tensor._make(shape, dtype, device, backendFor(device).full(numel(shape), value, dtype), null);
}

/**
 * An autograd entry point's options: undefined or a plain object whose keys are among `known`,
 * those in `booleans` (all of `known` by default) true, false or undefined.
 */
export function readOptions(
  op: string,
  options: unknown,
  known: readonly string[],
  booleans = known,
): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new Error(argumentErrors.options(op, show(options)));
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) throw new Error(argumentErrors.unknownOption(op, show(key), known.join(", ")));
    if (booleans.includes(key) && value !== undefined && typeof value !== "boolean")
      throw new Error(argumentErrors.booleanOption(op, key, show(value)));
  }
  return options as Record<string, unknown>;
}
