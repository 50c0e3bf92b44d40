/**
 * The tape. Every op goes through `apply`, which runs the backend kernel and, when gradients are
 * being recorded and an input needs one, links the output to a node naming the primitive, its
 * inputs and params. `backward` walks those nodes in reverse topological order and applies each
 * primitive's rule from the one table in vjp-rules.ts. Rules are written with the same ops, so
 * with `createGraph` the gradient computation is recorded too and can be differentiated again.
 */
import type { DType, Device } from "../../types/core.js";
import type { Primitive, PrimitiveParams } from "../primitives.js";
import { Tensor, type AnyTensor } from "../tensor.js";
import { backendFor } from "../runtime/devices.js";
import { numel, sameShape, formatShape } from "../runtime/shape.js";
import { MAX_ELEMENTS } from "../backends/cpu/arrays.js";
import { shapeRules } from "./shape-rules.js";
import { savedData, vjpRules } from "./vjp-rules.js";
import { keep } from "../runtime/memory.js";
import { add } from "../ops/untyped.js";
import { opErrors } from "../../types/errors.js";
import { argumentErrors, autogradErrors, show } from "../../types/errors.js";

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

/** Primitives whose output is piecewise constant in their inputs: never recorded. */
const constantPrimitives: ReadonlySet<Primitive> = new Set<Primitive>(["sign", "greater", "equal", "argmax"]);

/** Refuses an allocation that no typed array (or the configured ceiling) can hold, before making it. */
let elementCeiling = MAX_ELEMENTS;
export function setMaxElements(n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(opErrors.maxElements(n));
  elementCeiling = Math.min(n, MAX_ELEMENTS);
}
export function checkElementCount(op: string, shape: readonly number[]): void {
  const n = numel(shape);
  if (n > elementCeiling) {
    throw new Error(opErrors.tooManyElements(op, shape, n, elementCeiling));
  }
  // An empty batch does not make a 2^32-pixel plane safe: kernels size their scratch (im2col
  // columns, padding index maps) by the other dims, so those must fit too.
  const span = shape.reduce((a, d) => a * (d === 0 ? 1 : d), 1);
  if (span > elementCeiling) throw new Error(opErrors.tooLargeEmpty(op, shape, span, elementCeiling));
}

/** The single entry point from ops to kernels. */
export function apply<P extends Primitive>(primitive: P, inputs: readonly AnyTensor[], params: PrimitiveParams[P]): AnyTensor {
  const device = inputs[0].device;
  for (const t of inputs) {
    if (t.disposed) throw new Error(`${primitive}: a tensor was used after dispose()`);
  }
  const out = shapeRules[primitive](inputs, params);
  checkElementCount(primitive, out.shape);
  const backend = backendFor(device);
  const storage = backend.kernels[primitive](inputs.map((t) => ({ storage: t.storage, shape: t.shape, dtype: t.dtype })), params, out);
  const needsGrad = recording && !constantPrimitives.has(primitive) && inputs.some((t) => t.requiresGrad);
  const node: GradNode | null = needsGrad ? { primitive, params, inputs, versions: inputs.map((t) => t.version), used: false } : null;
  return Tensor._make(out.shape, out.dtype, device, storage, node);
}

/** A tensor from host data on a device (no graph). */
export function fromHost(data: Float32Array | Float64Array | Int32Array, shape: readonly number[], dtype: DType, device: Device): AnyTensor {
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
export function readOptions(op: string, options: unknown, known: readonly string[], booleans = known): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw new Error(argumentErrors.options(op, show(options)));
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) throw new Error(argumentErrors.unknownOption(op, show(key), known.join(", ")));
    if (booleans.includes(key) && value !== undefined && typeof value !== "boolean") throw new Error(argumentErrors.booleanOption(op, key, show(value)));
  }
  return options as Record<string, unknown>;
}

/** Depth-first post-order from the roots: every tensor after all the tensors it was computed from. */
function topologicalOrder(roots: readonly AnyTensor[]): AnyTensor[] {
  const order: AnyTensor[] = [];
  const seen = new Set<AnyTensor>();
  // Iterative, so that a graph thousands of ops deep does not overflow the call stack.
  const stack: [AnyTensor, boolean][] = roots.map((r) => [r, false]);
  while (stack.length) {
    const [t, expanded] = stack.pop()!;
    if (expanded) { order.push(t); continue; }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    for (const i of t.node?.inputs ?? []) if (i.requiresGrad && !seen.has(i)) stack.push([i, false]);
  }
  return order;
}

function accumulate(grads: Map<AnyTensor, AnyTensor>, t: AnyTensor, g: AnyTensor): void {
  const prev = grads.get(t);
  grads.set(t, prev ? add(prev, g) : g);
}

const describe = (t: AnyTensor, place: string) => `${place} ${formatShape(t.shape)} ${t.dtype}`;

/**
 * PyTorch's version-counter check, for every node before any gradient is computed (so a refused
 * backward leaves every .grad as it was): the data the node's rule reads must be what the forward
 * pass saw. The output was made by the node, at version 0.
 */
function checkSaved(out: AnyTensor, node: GradNode): void {
  if (node.used) throw new Error(autogradErrors.graphUsed(node.primitive));
  const check = (t: AnyTensor, saved: number, place: string) => {
    if (t.disposed) throw new Error(autogradErrors.disposedSaved(describe(t, place), node.primitive));
    if (t.version !== saved) throw new Error(autogradErrors.modified(describe(t, place), node.primitive, t.modifiedBy, t.version, saved));
  };
  const { inputs, versions } = node;
  for (const s of savedData[node.primitive]) {
    if (s === "y") check(out, 0, "the output");
    else if (s !== "pair") check(inputs[s], versions[s], `input ${s}`);
    else {
      if (inputs[1].requiresGrad) check(inputs[0], versions[0], "input 0");
      if (inputs[0].requiresGrad) check(inputs[1], versions[1], "input 1");
    }
  }
}

/**
 * Gradients of `outputs` (seeded with `seeds`) with respect to every tensor that requires one.
 * Returns the map for the requested `inputs`, or accumulates into the leaves' `.grad` when
 * `inputs` is null (that is `backward()`). Without `retainGraph` the nodes gone through are marked
 * used, and a second pass through them is refused (it would accumulate their gradients again).
 */
export function runBackward(outputs: readonly AnyTensor[], seeds: readonly AnyTensor[], inputs: readonly AnyTensor[] | null, createGraph: boolean, retainGraph = createGraph): Map<AnyTensor, AnyTensor> {
  return withGrad(createGraph, () => {
    const order = topologicalOrder(outputs);
    for (const t of order) if (t.node) checkSaved(t, t.node);
    const grads = new Map<AnyTensor, AnyTensor>();
    outputs.forEach((o, i) => accumulate(grads, o, seeds[i]));
    const wanted = inputs ? new Set(inputs) : null;
    const ran: GradNode[] = [];
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (!g) continue;
      const node = t.node;
      if (!node) {
        if (!wanted) {
          const gradValue = createGraph ? g : g.detach();
          t.grad = keep(t.grad ? (createGraph ? add(t.grad, gradValue) : add(t.grad.detach(), gradValue).detach()) : gradValue);
        }
        continue;
      }
      if (wanted && !wanted.has(t)) grads.delete(t);
      ran.push(node);
      const rule = vjpRules[node.primitive] as (g: AnyTensor, inputs: readonly AnyTensor[], output: AnyTensor, params: unknown, needs: readonly boolean[]) => (AnyTensor | null)[];
      const inputGrads = rule(g, node.inputs, t, node.params, node.inputs.map((i) => i.requiresGrad));
      node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(`shapegrad internal error: ${node.primitive} gradient ${formatShape(gi.shape)} for input ${formatShape(input.shape)}`);
        }
        accumulate(grads, input, gi);
      });
    }
    if (!retainGraph) for (const node of ran) node.used = true;
    return grads;
  });
}
