/**
 * Explicit padding of the last two dims of NCHW, every mode, and its adjoint (a fold: each cell
 * of the padded border adds back onto the cell it was copied from). Padding is linear; its
 * vector-Jacobian product is the adjoint, and the adjoint's is padding again.
 */
import type { PaddingMode } from "../../types/core.js";
import type { FamilyDefinitions } from "./definition.js";

export interface Pad2dGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
  readonly mode: PaddingMode;
}

export interface Pad2dParams {
  pad2d: Pad2dGeometry;
  pad2dAdjoint: Pad2dGeometry;
}

export const pad2dFamily: FamilyDefinitions<Pad2dParams> = {
  pad2d: {
    arity: 1,
    saved: [],
    shape: ([x], p) => ({
      shape: [p.batch, p.channels, p.inHeight + p.top + p.bottom, p.inWidth + p.left + p.right],
      dtype: x.dtype,
    }),
    vjp: (op, g, _x, _y, p) => [op.apply("pad2dAdjoint", [g], p)],
  },
  pad2dAdjoint: {
    arity: 1,
    saved: [],
    shape: ([x], p) => ({ shape: [p.batch, p.channels, p.inHeight, p.inWidth], dtype: x.dtype }),
    vjp: (op, g, _x, _y, p) => [op.apply("pad2d", [g], p)],
  },
};
