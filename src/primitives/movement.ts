/**
 * Movement: reshape keeps the element order; permute reorders dims; expand repeats size-1 dims
 * (and adds leading ones); cast changes the dtype; concat joins tensors along one dim and slice
 * takes a range of one dim. Each is linear, so each gradient is the movement back.
 *
 * concat and slice are each other's adjoints: concat's gradient is a slice of g per input, and a
 * slice's gradient is g concatenated between zeros (the rows the slice dropped), so the pair is
 * closed under differentiation and every order of derivative is these two again.
 */
import type { DType } from "../../types/core.js";
import { broadcastShapes, numel } from "../runtime/shape.js";
import { type FamilyDefinitions, invariant, only } from "./definition.js";

export interface MovementParams {
  reshape: { readonly shape: readonly number[] };
  permute: { readonly perm: readonly number[] };
  expand: { readonly shape: readonly number[] };
  cast: { readonly dtype: DType };
  /** Inputs joined along `dim` (every other dim equal), in order. */
  concat: { readonly dim: number };
  /** Elements start..start+length-1 of `dim`. */
  slice: { readonly dim: number; readonly start: number; readonly length: number };
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
  concat: {
    arity: "variadic",
    saved: [],
    shape: (xs, p) => {
      const [first] = xs;
      invariant(
        xs.every((x) => x.dtype === first.dtype && x.shape.every((d, i) => i === p.dim || d === first.shape[i])),
        `concat along ${p.dim} of ${xs.map((x) => `[${x.shape.join()}]`).join(" ")}`,
      );
      const shape = [...first.shape];
      shape[p.dim] = xs.reduce((n, x) => n + x.shape[p.dim], 0);
      return { shape, dtype: first.dtype };
    },
    vjp: (op, g, xs, _y, p, needs) => {
      let start = 0;
      return xs.map((x, i) => {
        const length = x.shape[p.dim];
        const at = start;
        start += length;
        return only(needs[i], () => op.apply("slice", [g], { dim: p.dim, start: at, length }));
      });
    },
  },
  slice: {
    arity: 1,
    saved: [],
    shape: ([x], p) => {
      invariant(p.start >= 0 && p.length >= 0 && p.start + p.length <= x.shape[p.dim], `slice ${x.shape} ${p.dim}`);
      const shape = [...x.shape];
      shape[p.dim] = p.length;
      return { shape, dtype: x.dtype };
    },
    // The cotangent back in place, between zeros for the rows before and after the slice.
    vjp: (op, g, [x], _y, p) => {
      const n = x.shape[p.dim];
      const zeros = (rows: number) => {
        const shape = [...x.shape];
        shape[p.dim] = rows;
        return op.zerosOf(shape, g);
      };
      const after = n - p.start - p.length;
      if (p.start === 0 && after === 0) return [g];
      const parts = [...(p.start > 0 ? [zeros(p.start)] : []), g, ...(after > 0 ? [zeros(after)] : [])];
      return [op.apply("concat", parts, { dim: p.dim })];
    },
  },
};
