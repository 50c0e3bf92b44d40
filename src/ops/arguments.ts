/**
 * The checks every op runs on its arguments before anything is allocated (with the catalogue's
 * messages, types/errors.ts), the constant tensors shaped like another, and the one parser of
 * `number | [h, w]` options that conv2d, pooling and nn share (each with its own message).
 */
import type { AnyTensor } from "../tensor.js";
import { Tensor } from "../tensor.js";
import { filled } from "../autograd/engine.js";
import { normalizeDim, isArray } from "../runtime/shape.js";
import { opErrors } from "../../types/errors.js";

export type TensorOrNumber = AnyTensor | number;

export function assertTensor(op: string, t: unknown, name = "input"): asserts t is AnyTensor {
  if (!(t instanceof Tensor)) throw new Error(opErrors.notTensor(op, name, t));
  if (t.disposed) throw new Error(opErrors.disposed(op, name));
}

export function assertFloat(op: string, t: AnyTensor): void {
  if (t.dtype === "int32") throw new Error(opErrors.notFloat(op, t.dtype));
}

export function assertSameKind(op: string, a: AnyTensor, b: AnyTensor): void {
  if (a.dtype !== b.dtype) throw new Error(opErrors.dtypeMismatch(op, a.dtype, b.dtype));
  if (a.device !== b.device) throw new Error(opErrors.deviceMismatch(op, a.device, b.device));
}

/** A 0-d tensor holding `value`, matching `like`'s dtype and device (how a number operand enters an op). */
export function scalarLike(value: number, like: AnyTensor): AnyTensor {
  return filled([], value, like.dtype, like.device);
}

export function fullLike(t: AnyTensor, value: number): AnyTensor {
  return filled(t.shape, value, t.dtype, t.device);
}
export const onesLike = (t: AnyTensor): AnyTensor => fullLike(t, 1);
export const zerosLike = (t: AnyTensor): AnyTensor => fullLike(t, 0);
/** Zeros of `shape` in `like`'s dtype and on its device (a slice's gradient pads with them). */
export const zerosOf = (shape: readonly number[], like: AnyTensor): AnyTensor =>
  filled(shape, 0, like.dtype, like.device);

/** Dims to reduce: undefined means all; negative dims count from the end; sorted, unique, checked. */
export function resolveDims(op: string, rank: number, dims: number | readonly number[] | undefined): number[] {
  if (dims === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof dims !== "number" && !isArray(dims)) throw new Error(opErrors.notDims(op, dims));
  const list = typeof dims === "number" ? [dims] : [...dims];
  const out: number[] = [];
  // A 0-d tensor accepts dim 0 / -1 as PyTorch does (and as the message's range says); it reduces nothing.
  for (const d of list) {
    const n = normalizeDim(d, Math.max(rank, 1));
    if (n === null) throw new Error(opErrors.dimOutOfRange(op, d, rank));
    if (out.includes(n)) throw new Error(opErrors.duplicateDim(op, d));
    out.push(n);
  }
  return rank === 0 ? [] : out.sort((a, b) => a - b);
}

/** [h, w] from a number or a pair of safe integers >= `min`; null when invalid (the caller names the fault). */
export function parsePair(value: unknown, min: number): [number, number] | null {
  const p = typeof value === "number" ? [value, value] : value;
  if (!isArray(p) || p.length !== 2) return null;
  const [h, w] = p;
  const valid = (d: unknown): d is number => Number.isSafeInteger(d) && (d as number) >= min;
  return valid(h) && valid(w) ? [h, w] : null;
}

/**
 * [top, bottom, left, right] from a natural, a pair [h, w] or four naturals (the padding of conv2d
 * and pooling); null when invalid.
 */
export function parsePads(value: unknown): [number, number, number, number] | null {
  const nat = (d: unknown): d is number => Number.isSafeInteger(d) && (d as number) >= 0;
  if (nat(value)) return [value, value, value, value];
  if (!isArray(value)) return null;
  if (value.length === 2 && nat(value[0]) && nat(value[1])) return [value[0], value[0], value[1], value[1]];
  if (value.length === 4 && value.every(nat)) return [value[0], value[1], value[2], value[3]];
  return null;
}
