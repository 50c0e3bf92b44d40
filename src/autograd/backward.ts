/**
 * The backward pass: walks the tape's nodes (./engine.ts) in reverse topological order and applies
 * each primitive's gradient rule (src/primitives/), giving it the ops to compute with. Rules are
 * written with the same public ops, so with `createGraph` the gradient computation is recorded too
 * and can be differentiated again.
 */
import type { GradOps } from "../primitives/index.js";
import { savedData, vjpRules } from "../primitives/index.js";
import type { AnyTensor } from "../tensor.js";
import { keep, release, tidyMade } from "../runtime/memory.js";
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

/**
 * The gradients of one backward pass, by the tensor they belong to. Without `createGraph` a
 * gradient nothing will read again is freed at once (`free`), so the pass holds only its frontier
 * (the gradients of tensors whose node has not run yet) instead of every node's gradient until it
 * ends: as PyTorch's engine drops each input buffer once its node has run. A gradient is freed only
 * when this pass made it (a rule's result or a sum: never a seed, a forward tensor a rule passed
 * on, nor what `.grad` holds, which is a detached share) and no entry holds it any more (a rule may
 * hand the same tensor to two inputs: add's gradient is `g` for both).
 */
class Gradients {
  readonly map = new Map<AnyTensor, AnyTensor>();
  /** Gradients this pass made that may be freed; null when none may (createGraph, or freeing off). */
  private readonly made: Set<AnyTensor> | null;
  readonly freeing: boolean;
  /** How many entries of `map` hold each gradient. */
  private readonly holds = new Map<AnyTensor, number>();

  constructor(
    private readonly op: GradOps,
    free: boolean,
  ) {
    this.made = free ? new Set() : null;
    this.freeing = free;
  }

  get(t: AnyTensor): AnyTensor | undefined {
    return this.map.get(t);
  }

  /** Adds `g` to `t`'s gradient. */
  accumulate(t: AnyTensor, g: AnyTensor): void {
    const prev = this.map.get(t);
    if (!prev) return this.set(t, g);
    const sum = this.op.add(prev, g);
    this.made?.add(sum);
    this.set(t, sum);
    this.settle(g);
  }

  /** Gradients a rule made (and returned): the pass may free them once nothing holds them. */
  adopt(made: Iterable<unknown>): void {
    if (this.made) for (const t of made) this.made.add(t as AnyTensor);
  }

  /** `t`'s gradient is no longer needed in the map (its node has run, or it is a leaf's). */
  delete(t: AnyTensor): void {
    const g = this.map.get(t);
    if (g === undefined) return;
    this.map.delete(t);
    this.unhold(g);
  }

  /** Frees `g` if this pass made it and no entry holds it. */
  settle(g: AnyTensor | null | undefined): void {
    if (g && this.made?.has(g) && !this.holds.has(g)) {
      this.made.delete(g);
      release(g);
    }
  }

  private set(t: AnyTensor, g: AnyTensor): void {
    const prev = this.map.get(t);
    this.map.set(t, g);
    this.holds.set(g, (this.holds.get(g) ?? 0) + 1);
    if (prev) this.unhold(prev);
  }

  private unhold(g: AnyTensor): void {
    const n = this.holds.get(g)! - 1;
    if (n > 0) this.holds.set(g, n);
    else {
      this.holds.delete(g);
      this.settle(g);
    }
  }
}

/** Whether backward frees gradients as it goes (see Gradients); off only to compare against. */
let freeGradients = true;
/** @internal Turns the freeing of consumed gradients during backward off or on (tests and benchmarks). */
export function setFreeGradients(on: boolean): void {
  freeGradients = on;
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
    const grads = new Gradients(op, freeGradients && !createGraph);
    outputs.forEach((o, i) => grads.accumulate(o, seeds[i]));
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
        if (!wanted?.has(t)) grads.delete(t);
        continue;
      }
      ran.push(node);
      const rule = vjpRules[node.primitive] as (
        op: GradOps,
        g: AnyTensor,
        inputs: readonly AnyTensor[],
        output: AnyTensor,
        params: unknown,
        needs: readonly boolean[],
      ) => (AnyTensor | null)[];
      const needs = node.inputs.map((i) => i.requiresGrad);
      const run = () => rule(op, g, node.inputs, t, node.params, needs);
      let inputGrads: (AnyTensor | null)[];
      if (grads.freeing) {
        // In a scope of its own: the rule's temporaries go as it returns.
        const [result, made] = tidyMade(run);
        grads.adopt(made);
        inputGrads = result;
      } else inputGrads = run();
      node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(
            `shapegrad internal error: ${node.primitive} gradient ${formatShape(gi.shape)} for input ${formatShape(input.shape)}`,
          );
        }
        grads.accumulate(input, gi);
      });
      if (!wanted?.has(t)) grads.delete(t);
      for (const gi of inputGrads) grads.settle(gi);
    }
    if (!retainGraph) for (const node of ran) node.used = true;
    return grads.map;
  });
}
