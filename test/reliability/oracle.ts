/**
 * The fuzz oracle's own shape arithmetic, written from the definitions (NumPy broadcasting,
 * PyTorch's pooling size) without calling src/, so that a bug there cannot agree with itself.
 */
import fc from "fast-check";

/** Numbers every dim, size and option must refuse (or, for 2^31, accept only when small enough). */
export const REJECTED_NUMBERS = [NaN, Infinity, -Infinity, 2 ** 53, 1e21] as const;

/** A dim as a fuzzer draws it: mostly small and valid, sometimes any of the values that break things. */
export const fuzzDim: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 2, arbitrary: fc.constantFrom(-1, -3, 1.5, 0.5, ...REJECTED_NUMBERS, 2 ** 20, 2 ** 31, 2 ** 53 - 1) },
);

export const isDim = (d: unknown): boolean => typeof d === "number" && Number.isSafeInteger(d) && d >= 0;

/** Right-aligned: each pair equal, or one of them 1; null when some pair is neither. */
export function broadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const out: number[] = [];
  for (let i = 1; i <= Math.max(a.length, b.length); i++) {
    const x = i <= a.length ? a[a.length - i] : 1;
    const y = i <= b.length ? b[b.length - i] : 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.unshift(x === 1 ? y : x);
  }
  return out;
}

/** A dim index in [-rank, rank) as a non-negative index, or null. */
export function normalize(d: number, rank: number): number | null {
  if (!Number.isInteger(d) || d < -rank || d >= rank) return null;
  return d < 0 ? d + rank : d;
}

/**
 * torch.nn.functional.max_pool2d's output size (aten pooling_output_shape): the ceil mode rounds
 * up, then drops a last window that would start in the right padding. `after` is the bottom/right
 * padding when it differs from the top/left `p` (ONNX's pads; PyTorch's rule otherwise).
 */
export function poolOut(size: number, k: number, s: number, p: number, d: number, ceil: boolean, after = p): number {
  const numerator = size + p + after - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  let out = Math.floor(numerator / s) + 1;
  if (ceil && (out - 1) * s >= size + p) out -= 1;
  return out;
}

/** Whether a window starting at `start` (taps start + t d, t < k) covers a row of 0..size-1: asked of each row. */
export function reachesInput(start: number, k: number, d: number, size: number): boolean {
  for (let row = 0; row < size; row++) {
    const t = (row - start) / d;
    if (Number.isInteger(t) && t >= 0 && t < k) return true;
  }
  return false;
}
