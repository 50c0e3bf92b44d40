/**
 * Explicit padding of any dims of a tensor, in PyTorch's four modes, and its adjoint (a fold: each
 * output cell that copied an input cell adds back onto it). Padding is affine in x (linear plus
 * the constant fill); its vector-Jacobian product is the adjoint, and the adjoint's is padding
 * again with a zero fill, so the family is closed under differentiation.
 *
 * Along one dim of size S padded by `before` and `after` (negative values crop), output position
 * i copies input position src(i), or is the fill value where src(i) is none:
 *   constant, reflect, replicate (PyTorch pads from the whole input, then crops): t = i - before,
 *     constant  t when 0 <= t < S, else none
 *     reflect   t, mirrored about the edge cells without repeating them: -t for t < 0,
 *               2(S - 1) - t for t >= S (one mirror suffices because before, after < S)
 *     replicate clamp(t, 0, S - 1)
 *   circular (PyTorch crops first, then wraps what is left): the kept cells start at
 *     c0 = max(-before, 0) and number K = S - c0 - max(-after, 0); src(i) = c0 + (i - max(before, 0)) mod K,
 *     which needs max(before, 0), max(after, 0) <= K (one wrap).
 * The dims choose independently: out[i_0, .., i_n] = x[src_0(i_0), .., src_n(i_n)] when every
 * src_d exists, else the fill.
 */
import type { FamilyDefinitions } from "./definition.js";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

export interface PadGeometry {
  /** The input's shape. */
  readonly inShape: readonly number[];
  /** Per dim of the input, outermost first: cells added before (negative: removed). */
  readonly before: readonly number[];
  /** Per dim: cells added after (negative: removed). */
  readonly after: readonly number[];
  readonly mode: PadMode;
  /** The fill of constant mode (0 in the others). */
  readonly value: number;
}

export interface PadParams {
  pad: PadGeometry;
  padAdjoint: PadGeometry;
}

/** The padded shape: each dim + before + after. */
export function padOutShape(p: PadGeometry): number[] {
  return p.inShape.map((s, d) => s + p.before[d] + p.after[d]);
}

/**
 * The geometry of PyTorch's `pads` list, (before, after) of the last dim first, then of the dim
 * before it, ...; the dims it does not reach are left as they are.
 */
export function padGeometry(
  inShape: readonly number[],
  pads: readonly number[],
  mode: PadMode,
  value = 0,
): PadGeometry {
  const rank = inShape.length;
  const before = new Array<number>(rank).fill(0);
  const after = new Array<number>(rank).fill(0);
  for (let k = 0; 2 * k < pads.length; k++) {
    before[rank - 1 - k] = pads[2 * k];
    after[rank - 1 - k] = pads[2 * k + 1];
  }
  return { inShape: [...inShape], before, after, mode, value };
}

export const padFamily: FamilyDefinitions<PadParams> = {
  pad: {
    arity: 1,
    saved: [],
    shape: ([x], p) => ({ shape: padOutShape(p), dtype: x.dtype }),
    vjp: (op, g, _x, _y, p) => [op.apply("padAdjoint", [g], p)],
  },
  padAdjoint: {
    arity: 1,
    saved: [],
    shape: ([x], p) => ({ shape: [...p.inShape], dtype: x.dtype }),
    // The fill is the affine part of pad: its derivative, and so the adjoint's, ignores it.
    vjp: (op, g, _x, _y, p) => [op.apply("pad", [g], p.value === 0 ? p : { ...p, value: 0 })],
  },
};
