/**
 * Functional differentiation (jax's grad/vjp, PyTorch's torch.autograd.grad): gradients returned as
 * values instead of accumulated into `.grad`. With `createGraph` the returned gradients are
 * themselves differentiable, which is how second derivatives are taken.
 */
import type { AnyTensor } from "../tensor.js";
import { checkSeed, Tensor } from "../tensor.js";
import { isGradEnabled, readOptions, withGrad } from "./engine.js";
import { runBackward } from "./backward.js";
import { assertTensor, onesLike, zerosLike } from "../ops/untyped.js";
import { argumentErrors, show } from "../../types/errors.js";
import { formatShape } from "../runtime/shape.js";

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
export function gradients(
  outputs: AnyTensor | readonly AnyTensor[],
  inputs: readonly AnyTensor[],
  options: GradOptions & { seeds?: readonly AnyTensor[] } = {},
): AnyTensor[] {
  return differentiate("gradients", outputs, inputs, options);
}

/** `gradients` under the name of the entry point the user called (gradients, grad, vjp), for its messages. */
function differentiate(op: string, outputs: unknown, inputs: unknown, options: unknown): AnyTensor[] {
  const outs = tensorList(op, "outputs", outputs);
  const ins = tensorList(op, "inputs", inputs);
  const o = readOptions(
    op,
    options,
    ["createGraph", "retainGraph", "seeds"],
    ["createGraph", "retainGraph"],
  ) as GradOptions & { seeds?: unknown };
  const given = o.seeds === undefined ? undefined : tensorList(op, "seeds", o.seeds);
  if (given && given.length !== outs.length)
    throw new Error(argumentErrors.listLength(op, "seeds", given.length, outs.length));
  given?.forEach((seed, i) => checkSeed(op, seed, outs[i]));
  const seeds = given ?? outs.map((t) => onesLike(t));
  const reachable = outs.filter((t) => t.requiresGrad);
  const createGraph = o.createGraph ?? false;
  const grads = reachable.length
    ? runBackward(
        reachable,
        reachable.map((t) => seeds[outs.indexOf(t)]),
        ins,
        createGraph,
        o.retainGraph ?? createGraph,
      )
    : new Map<AnyTensor, AnyTensor>();
  return ins.map((x) => grads.get(x) ?? zerosLike(x));
}

/** A tensor or an array of tensors, as an array; anything else is refused by name. */
function tensorList(op: string, name: string, value: unknown): AnyTensor[] {
  const list = value instanceof Tensor ? [value] : Array.isArray(value) ? value : null;
  if (list === null) throw new Error(argumentErrors.tensorList(op, name, show(value)));
  list.forEach((t, i) => assertTensor(op, t, `${name}[${i}]`));
  return list as AnyTensor[];
}

function nested(args: readonly AnyTensor[]): boolean {
  return isGradEnabled() && args.some((a) => a.requiresGrad);
}

/** A leaf view of `x` that records gradients, unless `x` already does (then nesting works). */
function asDifferentiable(op: string, x: AnyTensor, i: number): AnyTensor {
  assertTensor(op, x, `argument ${i}`);
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
    const xs = args.map((x, i) => asDifferentiable("grad", x, i)) as Args;
    // f is traced even inside noGrad: differentiating it is the point of the call.
    const y = withGrad(true, () => f(...xs));
    if (!(y instanceof Tensor) || y.size !== 1)
      throw new Error(argumentErrors.gradOutput(y instanceof Tensor ? `shape ${formatShape(y.shape)}` : show(y)));
    const gs = differentiate("grad", y, xs, { createGraph: options.createGraph ?? nested(args) });
    return (args.length === 1 ? gs[0] : gs) as never;
  };
}

/** vjp(f, ...args) -> [f(...args), cotangent => gradient for each argument]. */
export function vjp<Args extends AnyTensor[], Out extends AnyTensor>(
  f: (...args: Args) => Out,
  ...args: Args
): [Out, (cotangent: Out, options?: GradOptions) => AnyTensor[]] {
  if (typeof f !== "function") throw new Error(argumentErrors.notFunction("vjp", show(f)));
  const xs = args.map((x, i) => asDifferentiable("vjp", x, i)) as Args;
  const y = withGrad(true, () => f(...xs));
  const createGraph = nested(args);
  // The pullback can be called for several cotangents (as jax's), so it keeps the graph.
  return [
    y,
    (cotangent, options = {}) =>
      differentiate("vjp", y, xs, { createGraph, retainGraph: true, ...options, seeds: [cotangent] }),
  ];
}
