/**
 * Elementwise primitives: unary maps, and binary maps with NumPy/PyTorch broadcasting.
 * greater/equal give 1 or 0 in the input dtype. reluBackward(y, g) is relu's gradient from its
 * output y: g where y > 0 or y is NaN, else 0 (PyTorch's threshold_backward(g, y, 0): an infinite
 * or NaN g below zero still gives 0).
 */
import { broadcastShapes, sameShape } from "../runtime/shape.js";
import {
  type FamilyDefinitions,
  type NoParams,
  type PrimitiveDefinition,
  type ShapeRule,
  type VjpRule,
  invariant,
  noGradient,
  only,
  sameAsFirst,
} from "./definition.js";

export const unaryPrimitives = ["neg", "exp", "log", "sqrt", "abs", "sign", "tanh", "sigmoid", "relu", "erf"] as const;
export const binaryPrimitives = ["add", "sub", "mul", "div", "maximum", "greater", "equal", "reluBackward"] as const;
export type UnaryPrimitive = (typeof unaryPrimitives)[number];
export type BinaryPrimitive = (typeof binaryPrimitives)[number];

export type ElementwiseParams = { [P in UnaryPrimitive | BinaryPrimitive]: NoParams };

const broadcast: ShapeRule<NoParams> = ([a, b]) => {
  // Equal shapes, the common case, give the first input's own (frozen) shape: no new array, and
  // the output tensor shares it instead of copying it (src/tensor.ts). The message is built only on
  // failure: formatting both shapes on every call was ~10% of a 1,000-element add.
  if (a.dtype === b.dtype && sameShape(a.shape, b.shape)) return { shape: a.shape, dtype: a.dtype };
  const shape = broadcastShapes(a.shape, b.shape);
  if (shape === null || a.dtype !== b.dtype) invariant(false, `broadcast ${a.shape} ${b.shape}`);
  return { shape, dtype: a.dtype };
};

const unary = (
  saved: PrimitiveDefinition<NoParams>["saved"],
  vjp: VjpRule<NoParams>,
): PrimitiveDefinition<NoParams> => ({ arity: 1, shape: sameAsFirst, saved, vjp });
const binary = (
  saved: PrimitiveDefinition<NoParams>["saved"],
  vjp: VjpRule<NoParams>,
): PrimitiveDefinition<NoParams> => ({ arity: 2, shape: broadcast, saved, vjp });

export const elementwiseFamily: FamilyDefinitions<ElementwiseParams> = {
  neg: unary([], (op, g) => [op.neg(g)]),
  exp: unary(["y"], (op, g, _x, y) => [op.mul(g, y)]),
  log: unary([0], (op, g, [x]) => [op.div(g, x)]),
  sqrt: unary(["y"], (op, g, _x, y) => [op.div(g, op.mul(y, 2))]),
  abs: unary([0], (op, g, [x]) => [op.mul(g, op.sign(x))]),
  sign: unary([], noGradient),
  tanh: unary(["y"], (op, g, _x, y) => [op.mul(g, op.sub(1, op.mul(y, y)))]),
  sigmoid: unary(["y"], (op, g, _x, y) => [op.mul(g, op.mul(y, op.sub(1, y)))]),
  // From the output, as PyTorch: where relu(x) is NaN (x is) the gradient passes.
  relu: unary(["y"], (op, g, _x, y) => [op.apply("reluBackward", [y, g], {})]),
  // d/dx erf(x) = 2/sqrt(pi) exp(-x^2)
  erf: unary([0], (op, g, [x]) => [op.mul(g, op.mul(op.exp(op.neg(op.mul(x, x))), 2 / Math.sqrt(Math.PI)))]),

  add: binary([], (op, g, [a, b]) => [op.sumTo(g, a.shape), op.sumTo(g, b.shape)]),
  sub: binary([], (op, g, [a, b]) => [op.sumTo(g, a.shape), op.sumTo(op.neg(g), b.shape)]),
  // Each operand is read only for the other's gradient (so only it is saved: "pair").
  mul: binary(["pair"], (op, g, [a, b], _y, _p, [na, nb]) => [
    only(na, () => op.sumTo(op.mul(g, b), a.shape)),
    only(nb, () => op.sumTo(op.mul(g, a), b.shape)),
  ]),
  // d(a/b)/db = -a/b^2 = -(a/b)/b
  div: binary([1, "y"], (op, g, [a, b], y) => [
    op.sumTo(op.div(g, b), a.shape),
    op.sumTo(op.neg(op.div(op.mul(g, y), b)), b.shape),
  ]),
  // As torch.maximum: g goes to the larger operand, half to each on a tie, and whole to both
  // where either is NaN; the loser gets 0 even for an infinite or NaN g, so the mask is applied
  // by reluBackward (g where its first operand is > 0 or NaN, else 0), not by a product.
  maximum: binary([0, 1], (op, g, [a, b]) => {
    const tie = op.sub(1, op.mul(op.equal(a, b), 0.5));
    const toA = op.mul(op.apply("reluBackward", [op.sub(0.5, op.greater(b, a)), g], {}), tie);
    const toB = op.mul(op.apply("reluBackward", [op.sub(0.5, op.greater(a, b)), g], {}), tie);
    return [op.sumTo(toA, a.shape), op.sumTo(toB, b.shape)];
  }),
  greater: binary([], noGradient),
  equal: binary([], noGradient),
  // Linear in g with a mask that is piecewise constant in y.
  reluBackward: binary([0], (op, g, [y, gy]) => [null, op.sumTo(op.apply("reluBackward", [y, g], {}), gy.shape)]),
};
