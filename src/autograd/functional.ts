/**
 * Functional differentiation (jax's grad/vjp, PyTorch's torch.autograd.grad): gradients returned as
 * values instead of accumulated into `.grad`. With `createGraph` the returned gradients are
 * themselves differentiable, which is how second derivatives are taken.
 */
import type { AnyTensor } from "../tensor.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled, readOptions, runBackward, withGrad } from "./engine.js";
import { assertTensor, onesLike, zerosLike } from "../ops/basic.js";
import { argumentErrors, show } from "../errors.js";
import { formatShape, sameShape } from "../runtime/shape.js";

export interface GradOptions {
  /**
   * Record the gradient computation so it can be differentiated again. Default for `grad`/`vjp`:
   * true when an argument already requires grad (the call is nested inside another
   * differentiation); for `gradients`, false as in torch.autograd.grad.
   */
  createGraph?: boolean;
  /** Keep the graph for another pass (torch.autograd.grad's retain_graph); default: createGraph. */
  retainGraph?: boolean;
}

/** torch.autograd.grad: d(sum of outputs * seeds)/d(inputs), without touching `.grad`. Inputs that do not influence the outputs get zeros. */
export function gradients(outputs: AnyTensor | readonly AnyTensor[], inputs: readonly AnyTensor[], options: GradOptions & { seeds?: readonly AnyTensor[] } = {}): AnyTensor[] {
  const outs = tensorList("outputs", outputs);
  const ins = tensorList("inputs", inputs);
  const o = readOptions("gradients", options, ["createGraph", "retainGraph", "seeds"], ["createGraph", "retainGraph"]) as typeof options;
  const given = o.seeds === undefined ? undefined : tensorList("seeds", o.seeds);
  if (given && given.length !== outs.length) throw new Error(argumentErrors.listLength("gradients", "seeds", given.length, outs.length));
  const seeds = given ?? outs.map((t) => onesLike(t));
  outs.forEach((t, i) => {
    if (!sameShape(seeds[i].shape, t.shape)) throw new Error(`vjp: the cotangent has shape ${formatShape(seeds[i].shape)} but the output has shape ${formatShape(t.shape)}`);
  });
  const reachable = outs.filter((t) => t.requiresGrad);
  const createGraph = o.createGraph ?? false;
  const grads = reachable.length
    ? runBackward(reachable, reachable.map((t) => seeds[outs.indexOf(t)]), ins, createGraph, o.retainGraph ?? createGraph)
    : new Map<AnyTensor, AnyTensor>();
  return ins.map((x) => grads.get(x) ?? zerosLike(x));
}

/** A tensor or an array of tensors, as an array; anything else is refused by name. */
function tensorList(name: string, value: unknown): AnyTensor[] {
  const list = value instanceof Tensor ? [value] : Array.isArray(value) ? value : null;
  if (list === null) throw new Error(argumentErrors.tensorList("gradients", name, show(value)));
  list.forEach((t, i) => assertTensor("gradients", t, `${name}[${i}]`));
  return list as AnyTensor[];
}

function nested(args: readonly AnyTensor[]): boolean {
  return isGradEnabled() && args.some((a) => a.requiresGrad);
}

/** A leaf view of `x` that records gradients, unless `x` already does (then nesting works). */
function asDifferentiable(x: AnyTensor): AnyTensor {
  if (!(x instanceof Tensor)) throw new Error("grad: every argument must be a Tensor");
  if (x.requiresGrad) return x;
  return x.detach().requiresGrad_(true);
}

/**
 * grad(f)(...args): the gradient of a scalar-valued `f` with respect to each argument (a single
 * tensor when `f` takes one argument). Nest it for higher derivatives: grad(x => grad(f)(x).sum()).
 */
export function grad<Args extends AnyTensor[]>(f: (...args: Args) => AnyTensor, options: GradOptions = {}) {
  if (typeof f !== "function") throw new Error(argumentErrors.notFunction("grad", show(f)));
  return (...args: Args): Args extends [AnyTensor] ? Args[0] : Args => {
    const xs = args.map(asDifferentiable) as Args;
    // f is traced even inside noGrad: differentiating it is the point of the call.
    const y = withGrad(true, () => f(...xs));
    if (!(y instanceof Tensor) || y.size !== 1) throw new Error(`grad: the function must return a one-element tensor, got ${y instanceof Tensor ? `shape ${formatShape(y.shape)}` : typeof y}; use vjp for other outputs`);
    const gs = gradients(y, xs, { createGraph: options.createGraph ?? nested(args) });
    return (args.length === 1 ? gs[0] : gs) as never;
  };
}

/** vjp(f, ...args) -> [f(...args), cotangent => gradient for each argument]. */
export function vjp<Args extends AnyTensor[], Out extends AnyTensor>(f: (...args: Args) => Out, ...args: Args): [Out, (cotangent: Out, options?: GradOptions) => AnyTensor[]] {
  if (typeof f !== "function") throw new Error(argumentErrors.notFunction("vjp", show(f)));
  const xs = args.map(asDifferentiable) as Args;
  const y = withGrad(true, () => f(...xs));
  const createGraph = nested(args);
  // The pullback can be called for several cotangents (as jax's), so it keeps the graph.
  return [y, (cotangent, options = {}) => gradients(y, xs, { createGraph, retainGraph: true, ...options, seeds: [cotangent] })];
}
