/**
 * The elementwise ops: unary maps, the broadcasting binary ops and comparisons. Each validates
 * under its own name (throwing the catalogue's message), then applies a primitive; the typed
 * signatures below compute the broadcast shape and reject a dtype or device mix at the operand
 * at fault with the runtime's own message.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Broadcast } from "../../types/shape/broadcast.js";
import type { IsMessage, OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import type { BinaryPrimitive, UnaryPrimitive } from "../primitives/index.js";
import { apply } from "../autograd/engine.js";
import { broadcastShapes, sameShape } from "../runtime/shape.js";
import { opErrors } from "../../types/errors.js";
import { assertFloat, assertSameKind, assertTensor, scalarLike, type TensorOrNumber } from "./arguments.js";

/** The second operand: accepted when its dtype and device match the first, else the message. */
export type SameKind<Op extends string, D extends DType, Dev extends Device, T> =
  // Matched on the two properties, not on Tensor<Shape, ...>: a shape holding a generic dim would
  // make that match undecidable; the kinds are compared as objects so that a generic dtype D
  // against itself is decided (see types/shape/broadcast.ts).
  T extends { readonly dtype: infer D2 extends DType; readonly device: infer Dev2 extends Device }
    ? { d: D2 } extends { d: D }
      ? { d: Dev2 } extends { d: Dev }
        ? T
        : ReturnType<typeof opErrors.deviceMismatch<Op, Dev, Dev2>>
      : ReturnType<typeof opErrors.dtypeMismatch<Op, D, D2>>
    : T;

/** A number operand broadcasts like a 0-d tensor. */
export type OperandShape<B> = B extends { readonly shape: infer S2 extends Shape } ? S2 : [];

/** The second operand: the message of the first rule it breaks (dtype, device, broadcast), else itself. */
export type BinaryOperand<Op extends string, S1 extends Shape, D extends DType, Dev extends Device, B> =
  SameKind<Op, D, Dev, B> extends infer K
    ? K extends string
      ? K
      : // Not bound with `extends infer R`: a message holding a generic dim would defer the binding.
        IsMessage<Broadcast<S1, OperandShape<B>, Op>> extends true
        ? Broadcast<S1, OperandShape<B>, Op>
        : B
    : never;

/** The result shape; with the operand's Op, so that it is the instantiation BinaryOperand computed. */
export type BroadcastResult<A extends Shape, B extends Shape, Op extends string = "broadcast"> = OkShape<
  Broadcast<A, B, Op>
>;

type Binary<Op extends string> = <
  S1 extends Shape,
  D extends DType,
  Dev extends Device,
  B extends Tensor<Shape, DType, Device> | number,
>(
  a: Tensor<S1, D, Dev>,
  b: BinaryOperand<Op, S1, D, Dev, B>,
) => Tensor<BroadcastResult<S1, OperandShape<B>, Op>, D, Dev>;
/** The method form: `this` is the first operand. */
export type BinaryMethod<Op extends string> = <T extends AnyTensor, B extends AnyTensor | number>(
  this: T,
  other: BinaryOperand<Op, T["shape"], T["dtype"], T["device"], B>,
) => Tensor<BroadcastResult<T["shape"], OperandShape<B>, Op>, T["dtype"], T["device"]>;

type Unary = <S extends Shape, D extends DType, Dev extends Device>(x: Tensor<S, D, Dev>) => Tensor<S, D, Dev>;

function unary(op: UnaryPrimitive, x: AnyTensor): AnyTensor {
  assertTensor(op, x);
  if (op !== "neg" && op !== "abs" && op !== "sign" && op !== "relu") assertFloat(op, x);
  return apply(op, [x], {});
}

/**
 * Validates both operands under the caller's op name (before anything is allocated; a number
 * stands for a 0-d tensor of the other's dtype and device), then makes a number operand a 0-d tensor.
 */
function operands(op: string, a: TensorOrNumber, b: TensorOrNumber, floatOnly = false): [AnyTensor, AnyTensor] {
  if (typeof a === "number" && typeof b === "number") throw new Error(opErrors.twoNumbers(op));
  if (typeof a !== "number") assertTensor(op, a, "first operand");
  if (typeof b !== "number") assertTensor(op, b, "second operand");
  const x = a,
    y = b;
  if (typeof x !== "number" && typeof y !== "number") {
    assertSameKind(op, x, y);
    if (!sameShape(x.shape, y.shape) && !broadcastShapes(x.shape, y.shape))
      throw new Error(opErrors.broadcast(op, x.shape, y.shape));
  }
  if (floatOnly) assertFloat(op, typeof x === "number" ? (y as AnyTensor) : x);
  return [
    typeof x === "number" ? scalarLike(x, y as AnyTensor) : x,
    typeof y === "number" ? scalarLike(y, x as AnyTensor) : y,
  ];
}

function binary(op: BinaryPrimitive, a: TensorOrNumber, b: TensorOrNumber): AnyTensor {
  return apply(op, operands(op, a, b), {});
}

/** The implementations, on tensors of any shape (the gradient rules, nn and optim call these). */
export const anyShape = {
  add: (a: TensorOrNumber, b: TensorOrNumber) => binary("add", a, b),
  sub: (a: TensorOrNumber, b: TensorOrNumber) => binary("sub", a, b),
  mul: (a: TensorOrNumber, b: TensorOrNumber) => binary("mul", a, b),
  /** True division. int32 is refused: PyTorch would promote to float, truncating would be silently wrong; cast first. */
  div: (a: TensorOrNumber, b: TensorOrNumber) => apply("div", operands("div", a, b, true), {}),
  maximum: (a: TensorOrNumber, b: TensorOrNumber) => binary("maximum", a, b),
  minimum: (a: TensorOrNumber, b: TensorOrNumber): AnyTensor => {
    const [x, y] = operands("minimum", a, b);
    return anyShape.neg(anyShape.maximum(anyShape.neg(x), anyShape.neg(y)));
  },
  greater: (a: TensorOrNumber, b: TensorOrNumber) => binary("greater", a, b),
  less: (a: TensorOrNumber, b: TensorOrNumber): AnyTensor => {
    const [x, y] = operands("less", a, b);
    return apply("greater", [y, x], {});
  },
  equal: (a: TensorOrNumber, b: TensorOrNumber) => binary("equal", a, b),
  neg: (x: AnyTensor) => unary("neg", x),
  exp: (x: AnyTensor) => unary("exp", x),
  log: (x: AnyTensor) => unary("log", x),
  sqrt: (x: AnyTensor) => unary("sqrt", x),
  abs: (x: AnyTensor) => unary("abs", x),
  sign: (x: AnyTensor) => unary("sign", x),
  tanh: (x: AnyTensor) => unary("tanh", x),
  sigmoid: (x: AnyTensor) => unary("sigmoid", x),
  relu: (x: AnyTensor) => unary("relu", x),
  erf: (x: AnyTensor) => unary("erf", x),
  square: (x: AnyTensor): AnyTensor => {
    assertTensor("square", x);
    return anyShape.mul(x, x);
  },
  pow: (x: AnyTensor, p: number): AnyTensor => {
    if (p === 1) return x;
    if (p === 2) return anyShape.mul(x, x);
    if (p === 0.5) return anyShape.sqrt(x);
    if (p === -1) return anyShape.div(1, x);
    return anyShape.exp(anyShape.mul(anyShape.log(x), p));
  },
};

/**
 * Elementwise `a + b`, broadcasting as PyTorch does; `b` may be a number.
 * @function
 */
export const add = anyShape.add as Binary<"add">;
/**
 * Elementwise `a - b`, broadcasting as PyTorch does; `b` may be a number.
 * @function
 */
export const sub = anyShape.sub as Binary<"sub">;
/**
 * Elementwise `a * b`, broadcasting as PyTorch does; `b` may be a number.
 * @function
 */
export const mul = anyShape.mul as Binary<"mul">;
/**
 * Elementwise `a / b`, broadcasting as PyTorch does; `b` may be a number.
 * @function
 */
export const div = anyShape.div as Binary<"div">;
/**
 * Elementwise larger of `a` and `b` (torch.maximum), broadcasting.
 * @function
 */
export const maximum = anyShape.maximum as Binary<"maximum">;
/**
 * Elementwise smaller of `a` and `b` (torch.minimum), broadcasting.
 * @function
 */
export const minimum = anyShape.minimum as Binary<"minimum">;

/**
 * Elementwise `-x`.
 * @function
 */
export const neg = anyShape.neg as Unary;
/**
 * Elementwise e^x.
 * @function
 */
export const exp = anyShape.exp as Unary;
/**
 * Elementwise natural logarithm.
 * @function
 */
export const log = anyShape.log as Unary;
/**
 * Elementwise square root.
 * @function
 */
export const sqrt = anyShape.sqrt as Unary;
/**
 * Elementwise absolute value.
 * @function
 */
export const abs = anyShape.abs as Unary;
/**
 * Elementwise hyperbolic tangent.
 * @function
 */
export const tanh = anyShape.tanh as Unary;
/**
 * Elementwise 1 / (1 + e^-x).
 * @function
 */
export const sigmoid = anyShape.sigmoid as Unary;
/**
 * Elementwise max(x, 0).
 * @function
 */
export const relu = anyShape.relu as Unary;
/**
 * Elementwise error function.
 * @function
 */
export const erf = anyShape.erf as Unary;
/**
 * Elementwise x * x.
 * @function
 */
export const square = anyShape.square as Unary;
