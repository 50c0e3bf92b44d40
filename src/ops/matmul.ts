/** torch.matmul: 1-D operands promoted (and the added dim removed after), batch dims broadcast. */
import type { DType, Device, Shape } from "../../types/core.js";
import type { MatMul } from "../../types/shape/broadcast.js";
import type { IsMessage, OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import { apply } from "../autograd/engine.js";
import { broadcastShapes, sameShape } from "../runtime/shape.js";
import { opErrors } from "../../types/errors.js";
import { assertSameKind, assertTensor } from "./arguments.js";
import type { OperandShape, SameKind } from "./elementwise.js";
import { anyShape as movement } from "./movement.js";

export type MatMulResult<A extends Shape, B extends Shape> = OkShape<MatMul<A, B>>;

/** The second operand: the message of the first rule it breaks (dtype, device, inner dims), else itself. */
export type MatMulOperand<S1 extends Shape, D extends DType, Dev extends Device, B> =
  SameKind<"matmul", D, Dev, B> extends infer K
    ? K extends string
      ? K
      : IsMessage<MatMul<S1, OperandShape<B>>> extends true
        ? MatMul<S1, OperandShape<B>>
        : B
    : never;

type MatMulSignature = <S1 extends Shape, D extends DType, Dev extends Device, B extends Tensor<Shape, DType, Device>>(
  a: Tensor<S1, D, Dev>,
  b: MatMulOperand<S1, D, Dev, B>,
) => Tensor<MatMulResult<S1, OperandShape<B>>, D, Dev>;
/** The method form: `this` is the first operand. */
export type MatMulMethod = <T extends AnyTensor, B extends AnyTensor>(
  this: T,
  other: MatMulOperand<T["shape"], T["dtype"], T["device"], B>,
) => Tensor<MatMulResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]>;

function matmulAnyShape(a: AnyTensor, b: AnyTensor): AnyTensor {
  assertTensor("matmul", a, "first operand");
  assertTensor("matmul", b, "second operand");
  assertSameKind("matmul", a, b);
  if (a.shape.length === 0 || b.shape.length === 0) throw new Error(opErrors.matmulRank(a.shape, b.shape));
  // Checked on the caller's shapes, before the 1-D promotion below runs any kernel.
  const inner = b.shape.length === 1 ? b.shape[0] : b.shape[b.shape.length - 2];
  if (a.shape[a.shape.length - 1] !== inner) throw new Error(opErrors.matmul(a.shape, b.shape));
  if (!broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2)))
    throw new Error(opErrors.broadcast("matmul", a.shape, b.shape));
  const { reshape, expand, squeeze } = movement;
  const a2 = a.shape.length === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.shape.length === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const ra = a2.shape.length,
    rb = b2.shape.length;
  const [m, k] = a2.shape.slice(ra - 2),
    [k2, n] = b2.shape.slice(rb - 2);
  if (k !== k2) throw new Error(opErrors.matmul(a.shape, b.shape));
  const batch = broadcastShapes(a2.shape.slice(0, ra - 2), b2.shape.slice(0, rb - 2));
  if (!batch) throw new Error(opErrors.broadcast("matmul", a.shape, b.shape));
  const aFull = sameShape(a2.shape.slice(0, ra - 2), batch) ? a2 : expand(a2, [...batch, m, k]);
  const bFull = sameShape(b2.shape.slice(0, rb - 2), batch) ? b2 : expand(b2, [...batch, k, n]);
  let y = apply("matmul", [aFull, bFull], {});
  if (a.shape.length === 1) y = squeeze(y, -2);
  if (b.shape.length === 1) y = squeeze(y, -1);
  return y;
}

/** The implementation, on tensors of any shape (the gradient rules, nn and optim call it). */
export const anyShape = { matmul: matmulAnyShape };

/**
 * Matrix product with PyTorch's broadcasting of batch dims (torch.matmul).
 * @function
 */
export const matmul = matmulAnyShape as MatMulSignature;
