/**
 * Reductions over `dims` (sorted, unique, non-negative). max's gradient splits among ties (amax);
 * argmax gives int32 indices and no gradient.
 */
import type { AnyTensor } from "../tensor.js";
import { type FamilyDefinitions, type GradOps, type Meta, noGradient } from "./definition.js";

export interface ReduceParams {
  sum: { readonly dims: readonly number[]; readonly keepdim: boolean };
  max: { readonly dims: readonly number[]; readonly keepdim: boolean };
  argmax: { readonly dim: number; readonly keepdim: boolean };
}

const reduced = ([x]: readonly Meta[], p: { dims: readonly number[]; keepdim: boolean }): Meta => ({
  shape: p.keepdim
    ? x.shape.map((d, i) => (p.dims.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !p.dims.includes(i)),
  dtype: x.dtype,
});

/** Gradient of a reduction, spread back over the reduced dims. */
function spread(op: GradOps, g: AnyTensor, input: AnyTensor, dims: readonly number[], keepdim: boolean): AnyTensor {
  const kept = keepdim
    ? g
    : op.reshape(
        g,
        input.shape.map((d, i) => (dims.includes(i) ? 1 : d)),
      );
  return op.expand(kept, input.shape);
}

export const reduceFamily: FamilyDefinitions<ReduceParams> = {
  sum: { arity: 1, shape: reduced, saved: [], vjp: (op, g, [x], _y, p) => [spread(op, g, x, p.dims, p.keepdim)] },
  // amax: the gradient goes to every maximal element, divided by how many there are.
  max: {
    arity: 1,
    shape: reduced,
    saved: [0, "y"],
    vjp: (op, g, [x], y, p) => {
      const mask = op.equal(x, spread(op, y, x, p.dims, p.keepdim));
      const count = op.sum(mask, p.dims, true);
      return [op.div(op.mul(spread(op, g, x, p.dims, p.keepdim), mask), count)];
    },
  },
  argmax: {
    arity: 1,
    saved: [],
    vjp: noGradient,
    shape: ([x], p) => ({ ...reduced([x], { dims: [p.dim], keepdim: p.keepdim }), dtype: "int32" }),
  },
};
