/**
 * Every gradient rule, in one table keyed by primitive (a primitive without a rule does not
 * compile). A rule maps the output's cotangent `g` to one cotangent per input (null: no gradient
 * flows, the input is piecewise constant there). Rules use the ordinary ops, so when a graph is
 * being built (`createGraph`) they are recorded and can be differentiated again.
 */
import type { AnyTensor } from "../tensor.js";
import type { Primitive, PrimitiveParams } from "../primitives.js";
import * as op from "../ops/untyped.js";
import { apply } from "./engine.js";
import { batchNormTrainGradient } from "../ops/batch-norm.js";

/**
 * `needs[i]` says whether input i wants a gradient; a rule may return null for the others, which
 * the expensive ones do (a first conv layer never computes the gradient of the image).
 */
export type VjpRule<P extends Primitive> = (
  g: AnyTensor,
  inputs: readonly AnyTensor[],
  output: AnyTensor,
  params: PrimitiveParams[P],
  needs: readonly boolean[],
) => (AnyTensor | null)[];

/** Computes only the gradients that are needed. */
const only = (need: boolean, f: () => AnyTensor): AnyTensor | null => (need ? f() : null);

const noGradient: VjpRule<Primitive> = (_g, inputs) => inputs.map(() => null);

/** Gradient of a reduction, spread back over the reduced dims. */
function spread(g: AnyTensor, input: AnyTensor, dims: readonly number[], keepdim: boolean): AnyTensor {
  const kept = keepdim ? g : op.reshape(g, input.shape.map((d, i) => (dims.includes(i) ? 1 : d)));
  return op.expand(kept, input.shape);
}

/** The inverse permutation: where each dim of the output came from, read backwards. */
function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}

/**
 * The data each rule reads besides g (PyTorch's saved tensors), which backward checks are unchanged
 * since the forward pass: an input by index, "y" for the output, "pair" for a bilinear op's two
 * operands (each is read only for the other's gradient). Shapes are fixed, so a rule that reads
 * only shapes (add, sum, reshape, ...) saves nothing.
 */
export type Saved = number | "y" | "pair";
export const savedData: { readonly [P in Primitive]: readonly Saved[] } = {
  neg: [], exp: ["y"], log: [0], sqrt: ["y"], abs: [0], sign: [], tanh: ["y"], sigmoid: ["y"], relu: ["y"], erf: [0],
  add: [], sub: [], mul: ["pair"], div: [1, "y"], maximum: [0, 1], greater: [], equal: [], reluBackward: [0],
  sum: [], max: [0, "y"], argmax: [],
  reshape: [], permute: [], expand: [], cast: [], pad2d: [], pad2dAdjoint: [],
  matmul: ["pair"], conv2d: ["pair"], conv2dBackInput: ["pair"], conv2dBackWeight: ["pair"],
  maxPool2d: [0], maxPool2dBackward: [0], maxPool2dSelect: [0],
  batchNormTrain: [0, 1],
};

export const vjpRules: { readonly [P in Primitive]: VjpRule<P> } = {
  neg: (g) => [op.neg(g)],
  exp: (g, _x, y) => [op.mul(g, y)],
  log: (g, [x]) => [op.div(g, x)],
  sqrt: (g, _x, y) => [op.div(g, op.mul(y, 2))],
  abs: (g, [x]) => [op.mul(g, op.sign(x))],
  sign: noGradient,
  tanh: (g, _x, y) => [op.mul(g, op.sub(1, op.mul(y, y)))],
  sigmoid: (g, _x, y) => [op.mul(g, op.mul(y, op.sub(1, y)))],
  // From the output, as PyTorch: where relu(x) is NaN (x is) the gradient passes.
  relu: (g, _x, y) => [apply("reluBackward", [y, g], {})],
  // d/dx erf(x) = 2/sqrt(pi) exp(-x^2)
  erf: (g, [x]) => [op.mul(g, op.mul(op.exp(op.neg(op.mul(x, x))), 2 / Math.sqrt(Math.PI)))],

  add: (g, [a, b]) => [op.sumTo(g, a.shape), op.sumTo(g, b.shape)],
  sub: (g, [a, b]) => [op.sumTo(g, a.shape), op.sumTo(op.neg(g), b.shape)],
  // Each operand is read only for the other's gradient (so only it is saved: savedData's "pair").
  mul: (g, [a, b], _y, _p, [na, nb]) => [only(na, () => op.sumTo(op.mul(g, b), a.shape)), only(nb, () => op.sumTo(op.mul(g, a), b.shape))],
  // d(a/b)/db = -a/b^2 = -(a/b)/b
  div: (g, [a, b], y) => [op.sumTo(op.div(g, b), a.shape), op.sumTo(op.neg(op.div(op.mul(g, y), b)), b.shape)],
  // As torch.maximum: g goes to the larger operand, half to each on a tie, and whole to both
  // where either is NaN; the loser gets 0 even for an infinite or NaN g, so the mask is applied
  // by reluBackward (g where its first operand is > 0 or NaN, else 0), not by a product.
  maximum: (g, [a, b]) => {
    const tie = op.sub(1, op.mul(op.equal(a, b), 0.5));
    const toA = op.mul(apply("reluBackward", [op.sub(0.5, op.greater(b, a)), g], {}), tie);
    const toB = op.mul(apply("reluBackward", [op.sub(0.5, op.greater(a, b)), g], {}), tie);
    return [op.sumTo(toA, a.shape), op.sumTo(toB, b.shape)];
  },
  greater: noGradient,
  equal: noGradient,
  // Linear in g with a mask that is piecewise constant in y.
  reluBackward: (g, [y, gy]) => [null, op.sumTo(apply("reluBackward", [y, g], {}), gy.shape)],

  sum: (g, [x], _y, p) => [spread(g, x, p.dims, p.keepdim)],
  // amax: the gradient goes to every maximal element, divided by how many there are.
  max: (g, [x], y, p) => {
    const mask = op.equal(x, spread(y, x, p.dims, p.keepdim));
    const count = op.sum(mask, p.dims, true);
    return [op.div(op.mul(spread(g, x, p.dims, p.keepdim), mask), count)];
  },
  argmax: noGradient,

  reshape: (g, [x]) => [op.reshape(g, x.shape)],
  permute: (g, _x, _y, p) => [op.permute(g, inversePermutation(p.perm))],
  expand: (g, [x]) => [op.sumTo(g, x.shape)],
  cast: (g, [x]) => [x.dtype === "int32" ? null : op.cast(g, x.dtype)],
  // Padding is linear; its vector-Jacobian product is the adjoint, and the adjoint's is padding again.
  pad2d: (g, _x, _y, p) => [apply("pad2dAdjoint", [g], p)],
  pad2dAdjoint: (g, _x, _y, p) => [apply("pad2d", [g], p)],

  // y = a b: ga = g b^T, gb = a^T g (batch dims are equal: matmul() expanded them first).
  matmul: (g, [a, b], _y, _p, [na, nb]) => [
    only(na, () => apply("matmul", [g, op.transpose(b)], {})),
    only(nb, () => apply("matmul", [op.transpose(a), g], {})),
  ],

  // The conv family is closed under differentiation: each member's two input gradients are the
  // other two members (y = conv(x, w) is bilinear, so <g, y> = <g, conv(x, w)> can be read as a
  // function of x, of w, or of g).
  conv2d: (g, [x, w], _y, geo, [nx, nw]) => [
    only(nx, () => apply("conv2dBackInput", [g, w], geo)),
    only(nw, () => apply("conv2dBackWeight", [x, g], geo)),
  ],
  conv2dBackInput: (g, [gy, w], _y, geo, [ngy, nw]) => [
    only(ngy, () => apply("conv2d", [g, w], geo)),
    only(nw, () => apply("conv2dBackWeight", [g, gy], geo)),
  ],
  conv2dBackWeight: (g, [x, gy], _y, geo, [nx, ngy]) => [
    only(nx, () => apply("conv2dBackInput", [gy, g], geo)),
    only(ngy, () => apply("conv2d", [x, g], geo)),
  ],

  // The argmax positions are piecewise constant in x, so only the data operands carry gradient.
  maxPool2d: (g, [x], _y, p) => [apply("maxPool2dBackward", [x, g], p)],
  maxPool2dBackward: (g, [x], _y, p) => [null, apply("maxPool2dSelect", [x, g], p)],
  maxPool2dSelect: (g, [x], _y, p) => [null, apply("maxPool2dBackward", [x, g], p)],
  batchNormTrain: batchNormTrainGradient,
};
