/**
 * The backward pass: walks the tape's nodes (./engine.ts) in reverse topological order and applies
 * each primitive's gradient rule (src/primitives/), giving it the ops to compute with. Rules are
 * written with the same public ops, so with `createGraph` the gradient computation is recorded too
 * and can be differentiated again.
 */
import type { GradOps } from "../primitives/index.js";
import { savedData, vjpRules } from "../primitives/index.js";
import type { AnyTensor } from "../tensor.js";
import { keep } from "../runtime/memory.js";
import { formatShape, sameShape } from "../runtime/shape.js";
import { autogradErrors } from "../../types/errors.js";
import { type GradNode, apply, isGradEnabled, withGrad } from "./engine.js";
import * as ops from "../ops/untyped.js";
import { batchNormTrainFusedGradient } from "../ops/batch-norm.js";
import { rowNormFusedGradient } from "../ops/normalization.js";

/**
 * The implementation of what the gradient rules compute with. Made on first use: ops/ and this
 * module import each other through tensor.ts, and whichever loads first sees the other unfinished.
 */
let gradOpsMade: GradOps | undefined;
const gradOps = (): GradOps =>
  (gradOpsMade ??= {
    ...ops,
    apply,
    isGradEnabled,
    batchNormTrainFused: batchNormTrainFusedGradient,
    rowNormFused: rowNormFusedGradient,
  });

/** Depth-first post-order from the roots: every tensor after all the tensors it was computed from. */
function topologicalOrder(roots: readonly AnyTensor[]): AnyTensor[] {
  const order: AnyTensor[] = [];
  const seen = new Set<AnyTensor>();
  // Iterative, so that a graph thousands of ops deep does not overflow the call stack.
  const stack: [AnyTensor, boolean][] = roots.map((r) => [r, false]);
  while (stack.length) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    for (const i of t.node?.inputs ?? []) if (i.requiresGrad && !seen.has(i)) stack.push([i, false]);
  }
  return order;
}

function accumulate(op: GradOps, grads: Map<AnyTensor, AnyTensor>, t: AnyTensor, g: AnyTensor): void {
  const prev = grads.get(t);
  grads.set(t, prev ? op.add(prev, g) : g);
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
    if (t.version !== saved)
      throw new Error(autogradErrors.modified(describe(t, place), node.primitive, t.modifiedBy, t.version, saved));
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
export function runBackward(
  outputs: readonly AnyTensor[],
  seeds: readonly AnyTensor[],
  inputs: readonly AnyTensor[] | null,
  createGraph: boolean,
  retainGraph = createGraph,
): Map<AnyTensor, AnyTensor> {
  const op = gradOps();
  return withGrad(createGraph, () => {
    const order = topologicalOrder(outputs);
    for (const t of order) if (t.node) checkSaved(t, t.node);
    const grads = new Map<AnyTensor, AnyTensor>();
    outputs.forEach((o, i) => accumulate(op, grads, o, seeds[i]));
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
          t.grad = keep(
            t.grad
              ? createGraph
                ? op.add(t.grad, gradValue)
                : op.add(t.grad.detach(), gradValue).detach()
              : gradValue,
          );
        }
        continue;
      }
      if (wanted && !wanted.has(t)) grads.delete(t);
      ran.push(node);
      const rule = vjpRules[node.primitive] as (
        op: GradOps,
        g: AnyTensor,
        inputs: readonly AnyTensor[],
        output: AnyTensor,
        params: unknown,
        needs: readonly boolean[],
      ) => (AnyTensor | null)[];
      const inputGrads = rule(
        op,
        g,
        node.inputs,
        t,
        node.params,
        node.inputs.map((i) => i.requiresGrad),
      );
      node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(
            `shapegrad internal error: ${node.primitive} gradient ${formatShape(gi.shape)} for input ${formatShape(input.shape)}`,
          );
        }
        accumulate(op, grads, input, gi);
      });
    }
    if (!retainGraph) for (const node of ran) node.used = true;
    return grads;
  });
}
