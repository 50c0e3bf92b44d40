/** Runtime shape arithmetic shared by shape rules, kernels and public ops. */

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides: the distance in elements between neighbours along each dim. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export { formatShape } from "../../types/errors.js";

/** NumPy broadcasting: align right, each pair of dims equal or one of them 1. Null if they do not fit. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading an input of `inShape` as if it had `outShape` (broadcast): a stride of 0
 * repeats the element along dims where the input has size 1 or does not exist.
 */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(inShape);
  const offset = outShape.length - inShape.length;
  return outShape.map((_, i) => {
    const j = i - offset;
    return j < 0 || inShape[j] === 1 ? 0 : own[j];
  });
}

/** Resolves a possibly negative dim against a rank; null when out of range. */
export function normalizeDim(dim: number, rank: number): number | null {
  if (!Number.isInteger(dim)) return null;
  const d = dim < 0 ? dim + rank : dim;
  return d >= 0 && d < rank ? d : null;
}

/** The dims of `shape` that a sum must reduce so that the result broadcasts back to `target`. */
export function reductionDimsTo(shape: readonly number[], target: readonly number[]): number[] {
  const offset = shape.length - target.length;
  const dims: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (i < offset || (target[i - offset] === 1 && shape[i] !== 1)) dims.push(i);
  }
  return dims;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  // A loop, not `every`: every binary op asks this, and the closure was a measurable part of an add.
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `Array.isArray` without its `any[]`: a `readonly number[]` member of a union stays typed, and an
 * `unknown` becomes `readonly unknown[]`, whose elements the caller still has to check.
 */
export const isArray = Array.isArray as (value: unknown) => value is readonly unknown[];
