/**
 * Runtime shape rule of every primitive: the output shape and dtype from the inputs'. Public ops
 * validate arguments with catalogued messages before they get here; these rules only compute,
 * and assert the invariants that a public op would have checked (an assert firing is a bug).
 */
import type { DType } from "../../types/core.js";
import type { Primitive, PrimitiveParams } from "../primitives.js";
import { broadcastShapes, numel } from "../runtime/shape.js";

export interface Meta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export type ShapeRule<P extends Primitive> = (inputs: readonly Meta[], params: PrimitiveParams[P]) => Meta;

function invariant(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`shapegrad internal error: ${what}`);
}

const same: ShapeRule<Primitive> = ([x]) => x;

const broadcast: ShapeRule<Primitive> = ([a, b]) => {
  const shape = broadcastShapes(a.shape, b.shape);
  invariant(shape !== null && a.dtype === b.dtype, `broadcast ${a.shape} ${b.shape}`);
  return { shape, dtype: a.dtype };
};

const reduce = ([x]: readonly Meta[], p: { dims: readonly number[]; keepdim: boolean }): Meta => ({
  shape: p.keepdim ? x.shape.map((d, i) => (p.dims.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !p.dims.includes(i)),
  dtype: x.dtype,
});

const convOut = (x: Meta, g: PrimitiveParams["conv2d"]): Meta =>
  ({ shape: [g.batch, g.outChannels, g.outHeight, g.outWidth], dtype: x.dtype });
const convIn = (x: Meta, g: PrimitiveParams["conv2d"]): Meta =>
  ({ shape: [g.batch, g.inChannels, g.inHeight, g.inWidth], dtype: x.dtype });
const convWeight = (x: Meta, g: PrimitiveParams["conv2d"]): Meta =>
  ({ shape: [g.outChannels, g.inChannels / g.groups, g.kernelHeight, g.kernelWidth], dtype: x.dtype });
const poolOut = (x: Meta, p: PrimitiveParams["maxPool2d"]): Meta =>
  ({ shape: [p.batch, p.channels, p.outHeight, p.outWidth], dtype: x.dtype });

export const shapeRules: { readonly [P in Primitive]: ShapeRule<P> } = {
  neg: same, exp: same, log: same, sqrt: same, abs: same, sign: same,
  tanh: same, sigmoid: same, relu: same, erf: same,
  add: broadcast, sub: broadcast, mul: broadcast, div: broadcast, maximum: broadcast, greater: broadcast, equal: broadcast, reluBackward: broadcast,
  sum: reduce,
  max: reduce,
  argmax: ([x], p) => ({ ...reduce([x], { dims: [p.dim], keepdim: p.keepdim }), dtype: "int32" }),
  reshape: ([x], p) => {
    invariant(numel(p.shape) === numel(x.shape), `reshape ${x.shape} -> ${p.shape}`);
    return { shape: p.shape, dtype: x.dtype };
  },
  permute: ([x], p) => ({ shape: p.perm.map((i) => x.shape[i]), dtype: x.dtype }),
  expand: ([x], p) => {
    invariant(broadcastShapes(x.shape, p.shape)?.join() === p.shape.join(), `expand ${x.shape} -> ${p.shape}`);
    return { shape: p.shape, dtype: x.dtype };
  },
  cast: ([x], p) => ({ shape: x.shape, dtype: p.dtype }),
  pad2d: ([x], p) => ({ shape: [p.batch, p.channels, p.inHeight + p.top + p.bottom, p.inWidth + p.left + p.right], dtype: x.dtype }),
  pad2dAdjoint: ([x], p) => ({ shape: [p.batch, p.channels, p.inHeight, p.inWidth], dtype: x.dtype }),
  matmul: ([a, b]) => {
    const r = a.shape.length;
    invariant(r >= 2 && b.shape.length === r && a.shape[r - 1] === b.shape[r - 2], `matmul ${a.shape} x ${b.shape}`);
    return { shape: [...a.shape.slice(0, r - 1), b.shape[r - 1]], dtype: a.dtype };
  },
  conv2d: ([x], g) => convOut(x, g),
  conv2dBackInput: ([gy], g) => convIn(gy, g),
  conv2dBackWeight: ([x], g) => convWeight(x, g),
  maxPool2d: ([x], p) => poolOut(x, p),
  maxPool2dBackward: ([x]) => x,
  maxPool2dSelect: ([x], p) => poolOut(x, p),
  batchNormTrain: same,
};
