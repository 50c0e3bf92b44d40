/**
 * Movement: reshape keeps the element order; permute reorders dims; expand repeats size-1 dims
 * (and adds leading ones); cast changes the dtype. Each is linear, so each gradient is the
 * movement back.
 */
import type { DType } from "../../types/core.js";
import { broadcastShapes, numel } from "../runtime/shape.js";
import { type FamilyDefinitions, invariant } from "./definition.js";

export interface MovementParams {
  reshape: { readonly shape: readonly number[] };
  permute: { readonly perm: readonly number[] };
  expand: { readonly shape: readonly number[] };
  cast: { readonly dtype: DType };
}

/** The inverse permutation: where each dim of the output came from, read backwards. */
function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return inv;
}

export const movementFamily: FamilyDefinitions<MovementParams> = {
  reshape: {
    arity: 1,
    saved: [],
    shape: ([x], p) => {
      invariant(numel(p.shape) === numel(x.shape), `reshape ${x.shape} -> ${p.shape}`);
      return { shape: p.shape, dtype: x.dtype };
    },
    vjp: (op, g, [x]) => [op.reshape(g, x.shape)],
  },
  permute: {
    arity: 1,
    saved: [],
    shape: ([x], p) => ({ shape: p.perm.map((i) => x.shape[i]), dtype: x.dtype }),
    vjp: (op, g, _x, _y, p) => [op.permute(g, inversePermutation(p.perm))],
  },
  expand: {
    arity: 1,
    saved: [],
    shape: ([x], p) => {
      invariant(broadcastShapes(x.shape, p.shape)?.join() === p.shape.join(), `expand ${x.shape} -> ${p.shape}`);
      return { shape: p.shape, dtype: x.dtype };
    },
    vjp: (op, g, [x]) => [op.sumTo(g, x.shape)],
  },
  cast: {
    arity: 1,
    saved: [],
    shape: ([x], p) => ({ shape: x.shape, dtype: p.dtype }),
    vjp: (op, g, [x]) => [x.dtype === "int32" ? null : op.cast(g, x.dtype)],
  },
};
