/**
 * Max pooling: maxPool2d(x) -> y; maxPool2dBackward(x, gy) -> gx scatters gy to each window's
 * argmax; maxPool2dSelect(x, g) gathers g at each window's argmax (the adjoint of the scatter).
 * The argmax positions are piecewise constant in x, so only the data operands carry gradient, and
 * the scatter and the gather are each other's gradients: the family closes.
 */
import { type FamilyDefinitions, type Meta, sameAsFirst } from "./definition.js";

/** Max pooling window geometry (NCHW); padding reads as -Infinity, as PyTorch's. */
export interface Pool2dGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilationH: number;
  readonly dilationW: number;
  readonly padTop: number;
  readonly padLeft: number;
}

export interface Pool2dParams {
  maxPool2d: Pool2dGeometry;
  maxPool2dBackward: Pool2dGeometry;
  maxPool2dSelect: Pool2dGeometry;
}

const pooled = ([x]: readonly Meta[], p: Pool2dGeometry): Meta => ({
  shape: [p.batch, p.channels, p.outHeight, p.outWidth],
  dtype: x.dtype,
});

export const pool2dFamily: FamilyDefinitions<Pool2dParams> = {
  maxPool2d: {
    arity: 1,
    saved: [0],
    shape: pooled,
    vjp: (op, g, [x], _y, p) => [op.apply("maxPool2dBackward", [x, g], p)],
  },
  maxPool2dBackward: {
    arity: 2,
    saved: [0],
    shape: sameAsFirst,
    vjp: (op, g, [x], _y, p) => [null, op.apply("maxPool2dSelect", [x, g], p)],
  },
  maxPool2dSelect: {
    arity: 2,
    saved: [0],
    shape: pooled,
    vjp: (op, g, [x], _y, p) => [null, op.apply("maxPool2dBackward", [x, g], p)],
  },
};
