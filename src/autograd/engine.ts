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
import { vjpRules } from "./vjp-rules.js";
import { keep } from "../runtime/memory.js";
import { add } from "../ops/basic.js";
import { opErrors } from "../ops/messages.js";

export interface GradNode<P extends Primitive = Primitive> {
  readonly primitive: P;
  readonly params: PrimitiveParams[P];
  readonly inputs: readonly AnyTensor[];
}

let recording = true;

export function isGradEnabled(): boolean {
  return recording;
}

/** Runs `fn` without recording gradients (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
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
  const node: GradNode | null = needsGrad ? { primitive, params, inputs } : null;
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

/**
 * Gradients of `outputs` (seeded with `seeds`) with respect to every tensor that requires one.
 * Returns the map for the requested `inputs`, or accumulates into the leaves' `.grad` when
 * `inputs` is null (that is `backward()`).
 */
export function runBackward(outputs: readonly AnyTensor[], seeds: readonly AnyTensor[], inputs: readonly AnyTensor[] | null, createGraph: boolean): Map<AnyTensor, AnyTensor> {
  return withGrad(createGraph, () => {
    const grads = new Map<AnyTensor, AnyTensor>();
    outputs.forEach((o, i) => accumulate(grads, o, seeds[i]));
    const wanted = inputs ? new Set(inputs) : null;
    const order = topologicalOrder(outputs);
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
    return grads;
  });
}
