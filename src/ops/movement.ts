/**
 * The movement ops: reshape (and view, flatten, squeeze, unsqueeze), permute, transpose, expand
 * and its reverse sumTo. None computes a value; each validates, then applies a primitive.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type {
  AfterFirst,
  Expanded,
  Flatten,
  FlattenKept,
  FlattenRange,
  Permute,
  Reshape,
  Transpose,
} from "../../types/shape/reshape.js";
import type { GenericDims, GenericProduct, RunTimeDims } from "../../types/shape/generic.js";
import type { Squeeze, SqueezeGenericDims, Unsqueeze } from "../../types/shape/join.js";
import type { IsMessage, OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import { apply } from "../autograd/engine.js";
import { broadcastShapes, normalizeDim, numel, reductionDimsTo, sameShape, isArray } from "../runtime/shape.js";
import { opErrors } from "../../types/errors.js";
import { assertTensor, resolveDims } from "./arguments.js";

/** The target shape, or the message when the element counts cannot match. */
export type ReshapeTarget<S extends Shape, T extends Shape> =
  Reshape<S, T> extends infer R ? (IsMessage<R> extends true ? R : T) : never;
export type ReshapeResult<S extends Shape, T extends Shape> = OkShape<Reshape<S, T>>;
export type FlattenResult<S extends Shape, Start extends number, End extends number> = OkShape<Flatten<S, Start, End>>;
export type PermuteResult<S extends Shape, P extends Shape> = OkShape<Permute<S, P>>;
export type TransposeResult<S extends Shape, A extends number, B extends number> = OkShape<Transpose<S, A, B>>;

/**
 * reshape / view, then the signature for an input with a type parameter after its first dim (a
 * generic H; types/shape/generic.ts), where the element count is unknown: the target is checked on
 * `number` dims (one -1 at most) and its -1 becomes number. A generic first dim alone keeps the
 * exact rule, which infers it (`[B, 16, 8, 8]` into `[-1, 1024]` is `[B, 1024]`).
 */
type ReshapeSignature = (<S extends Shape, D extends DType, Dev extends Device, const T extends Shape>(
  x: Tensor<S, D, Dev>,
  shape: ReshapeTarget<S, T>,
) => Tensor<ReshapeResult<S, T>, D, Dev>) &
  (<S extends Shape, D extends DType, Dev extends Device, const T extends Shape>(
    x: Tensor<S, D, Dev>,
    shape: ReshapeTarget<RunTimeDims<S>, T>,
    ...genericSizes: GenericDims<AfterFirst<S>>
  ) => Tensor<ReshapeResult<RunTimeDims<S>, T>, D, Dev>);
/**
 * flatten: first the signature for merged dims that include a type parameter (types/shape/generic.ts),
 * whose product is number; calls with literal or `number` merged dims cannot match it and take the
 * exact rule. `Start0` is the default start dim (0 here, 1 for nn.functional.flatten).
 */
export type FlattenSignature<Start0 extends number = 0> = (<
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const Start extends number = Start0,
  const End extends number = -1,
>(
  x: Tensor<S, D, Dev>,
  startDim?: Start,
  endDim?: End,
  ...genericSizes: GenericProduct<FlattenRange<S, Start, End>>
) => Tensor<FlattenKept<S, Start, End>, D, Dev>) &
  (<
    S extends Shape,
    D extends DType,
    Dev extends Device,
    const Start extends number = Start0,
    const End extends number = -1,
  >(
    x: Tensor<S, D, Dev>,
    startDim?: Start,
    endDim?: End,
  ) => Tensor<FlattenResult<S, Start, End>, D, Dev>);
type PermuteSignature = <S extends Shape, D extends DType, Dev extends Device, const P extends Shape>(
  x: Tensor<S, D, Dev>,
  perm: P,
) => Tensor<PermuteResult<S, P>, D, Dev>;
type TransposeSignature = <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const A extends number = -2,
  const B extends number = -1,
>(
  x: Tensor<S, D, Dev>,
  dim0?: A,
  dim1?: B,
) => Tensor<TransposeResult<S, A, B>, D, Dev>;
type ExpandSignature = <S extends Shape, D extends DType, Dev extends Device, const T extends Shape>(
  x: Tensor<S, D, Dev>,
  shape: T,
) => Tensor<Expanded<S, T>, D, Dev>;

/** The method forms: `this` is the tensor moved. */
export type ReshapeMethod = (<X extends AnyTensor, const T extends Shape>(
  this: X,
  shape: ReshapeTarget<X["shape"], T>,
) => Tensor<ReshapeResult<X["shape"], T>, X["dtype"], X["device"]>) &
  (<X extends AnyTensor, const T extends Shape>(
    this: X,
    shape: ReshapeTarget<RunTimeDims<X["shape"]>, T>,
    ...genericSizes: GenericDims<AfterFirst<X["shape"]>>
  ) => Tensor<ReshapeResult<RunTimeDims<X["shape"]>, T>, X["dtype"], X["device"]>);
export type FlattenMethod = (<T extends AnyTensor, const Start extends number = 0, const End extends number = -1>(
  this: T,
  startDim?: Start,
  endDim?: End,
  ...genericSizes: GenericProduct<FlattenRange<T["shape"], Start, End>>
) => Tensor<FlattenKept<T["shape"], Start, End>, T["dtype"], T["device"]>) &
  (<T extends AnyTensor, const Start extends number = 0, const End extends number = -1>(
    this: T,
    startDim?: Start,
    endDim?: End,
  ) => Tensor<FlattenResult<T["shape"], Start, End>, T["dtype"], T["device"]>);
export type PermuteMethod = <T extends AnyTensor, const P extends Shape>(
  this: T,
  perm: P,
) => Tensor<PermuteResult<T["shape"], P>, T["dtype"], T["device"]>;
export type TransposeMethod = <T extends AnyTensor, const A extends number = -2, const B extends number = -1>(
  this: T,
  dim0?: A,
  dim1?: B,
) => Tensor<TransposeResult<T["shape"], A, B>, T["dtype"], T["device"]>;

/** A dim argument: itself, or the rule's message when the dim is out of range. */
type DimArg<R, Dim> = IsMessage<R> extends true ? R : Dim;
type UnsqueezeSignature = <S extends Shape, D extends DType, Dev extends Device, const Dim extends number>(
  x: Tensor<S, D, Dev>,
  dim: DimArg<Unsqueeze<S, Dim>, Dim>,
) => Tensor<OkShape<Unsqueeze<S, Dim>>, D, Dev>;
/**
 * squeeze: first the signature for a tested dim that is a type parameter (SqueezeGenericDims,
 * types/shape/join.ts), whose result is number[]; the exact rule would leave that call unresolved
 * (without a dim argument nothing refuses it), so it comes second.
 */
type SqueezeSignature = (<
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const Dim extends number | undefined = undefined,
>(
  x: Tensor<S, D, Dev>,
  dim?: Dim,
  ...genericSizes: SqueezeGenericDims<S, Dim>
) => Tensor<number[], D, Dev>) &
  (<S extends Shape, D extends DType, Dev extends Device, const Dim extends number | undefined = undefined>(
    x: Tensor<S, D, Dev>,
    dim?: DimArg<Squeeze<S, Dim>, Dim>,
  ) => Tensor<OkShape<Squeeze<S, Dim>>, D, Dev>);
export type UnsqueezeMethod = <X extends AnyTensor, const Dim extends number>(
  this: X,
  dim: DimArg<Unsqueeze<X["shape"], Dim>, Dim>,
) => Tensor<OkShape<Unsqueeze<X["shape"], Dim>>, X["dtype"], X["device"]>;
export type SqueezeMethod = (<X extends AnyTensor, const Dim extends number | undefined = undefined>(
  this: X,
  dim?: Dim,
  ...genericSizes: SqueezeGenericDims<X["shape"], Dim>
) => Tensor<number[], X["dtype"], X["device"]>) &
  (<X extends AnyTensor, const Dim extends number | undefined = undefined>(
    this: X,
    dim?: DimArg<Squeeze<X["shape"], Dim>, Dim>,
  ) => Tensor<OkShape<Squeeze<X["shape"], Dim>>, X["dtype"], X["device"]>);

function checkDims(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(opErrors.badDim(op, "every dim", d));
  }
}

/** The implementations, on tensors of any shape (the gradient rules, nn and optim call these). */
export const anyShape = {
  reshape: (x: AnyTensor, shape: readonly number[]): AnyTensor => {
    assertTensor("reshape", x);
    if (!isArray(shape)) throw new Error(opErrors.notShape("reshape", "shape", shape));
    const inferAt = shape.indexOf(-1);
    if (inferAt !== shape.lastIndexOf(-1)) throw new Error(opErrors.reshapeInfer("reshape", shape));
    checkDims(
      "reshape",
      shape.filter((_, i) => i !== inferAt),
    );
    const target = [...shape];
    if (inferAt >= 0) {
      const known = numel(shape.filter((_, i) => i !== inferAt));
      if (known === 0 || x.size % known !== 0) throw new Error(opErrors.reshapeCount("reshape", x.shape, shape));
      target[inferAt] = x.size / known;
    }
    if (numel(target) !== x.size) throw new Error(opErrors.reshapeCount("reshape", x.shape, shape));
    if (sameShape(target, x.shape)) return x;
    return apply("reshape", [x], { shape: target });
  },
  flatten: (x: AnyTensor, startDim = 0, endDim = -1): AnyTensor => {
    assertTensor("flatten", x);
    if (x.shape.length === 0) return anyShape.reshape(x, [1]);
    const [s] = resolveDims("flatten", x.shape.length, startDim);
    const [e] = resolveDims("flatten", x.shape.length, endDim);
    if (s > e) throw new Error(opErrors.flattenOrder(startDim, endDim));
    const merged = numel(x.shape.slice(s, e + 1));
    return anyShape.reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
  },
  unsqueeze: (x: AnyTensor, dim: number): AnyTensor => {
    assertTensor("unsqueeze", x);
    const [d] = resolveDims("unsqueeze", x.shape.length + 1, dim);
    return anyShape.reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
  },
  squeeze: (x: AnyTensor, dim?: number): AnyTensor => {
    assertTensor("squeeze", x);
    if (dim === undefined)
      return anyShape.reshape(
        x,
        x.shape.filter((d) => d !== 1),
      );
    const [d] = resolveDims("squeeze", x.shape.length, dim);
    return x.shape[d] === 1 ? anyShape.reshape(x, [...x.shape.slice(0, d), ...x.shape.slice(d + 1)]) : x;
  },
  permute: (x: AnyTensor, perm: readonly number[]): AnyTensor => {
    assertTensor("permute", x);
    if (!isArray(perm)) throw new Error(opErrors.notShape("permute", "perm", perm));
    const rank = x.shape.length;
    if (perm.length !== rank) throw new Error(opErrors.permutation("permute", perm, rank));
    const resolved = perm.map((p) => normalizeDim(p, rank));
    if (resolved.some((p) => p === null) || new Set(resolved).size !== rank)
      throw new Error(opErrors.permutation("permute", perm, rank));
    if (resolved.every((p, i) => p === i)) return x;
    return apply("permute", [x], { perm: resolved as number[] });
  },
  transpose: (x: AnyTensor, dim0 = -2, dim1 = -1): AnyTensor => {
    assertTensor("transpose", x);
    const rank = x.shape.length;
    const [a] = resolveDims("transpose", rank, dim0);
    const [b] = resolveDims("transpose", rank, dim1);
    const perm = Array.from({ length: rank }, (_, i) => (i === a ? b : i === b ? a : i));
    return anyShape.permute(x, perm);
  },
  expand: (x: AnyTensor, shape: readonly number[]): AnyTensor => {
    assertTensor("expand", x);
    if (!isArray(shape)) throw new Error(opErrors.notShape("expand", "shape", shape));
    const offset = shape.length - x.shape.length;
    const target = shape.map((d, i) => (d === -1 && i >= offset ? x.shape[i - offset] : d));
    checkDims("expand", target);
    const fits = offset >= 0 && broadcastShapes(x.shape, target)?.join() === target.join();
    if (!fits) throw new Error(opErrors.expand("expand", x.shape, shape));
    return apply("expand", [x], { shape: target });
  },
  sumTo: (x: AnyTensor, shape: readonly number[]): AnyTensor => {
    if (sameShape(x.shape, shape)) return x;
    const dims = reductionDimsTo(x.shape, shape);
    return anyShape.reshape(apply("sum", [x], { dims, keepdim: true }), shape);
  },
};

/**
 * The same elements in shape `shape` (one dim may be -1).
 * @function
 */
export const reshape = anyShape.reshape as ReshapeSignature;
/**
 * Dims `startDim`..`endDim` merged into one (torch.flatten).
 * @function
 */
export const flatten = anyShape.flatten as FlattenSignature;
/**
 * Dims reordered by `perm` (torch.permute).
 * @function
 */
export const permute = anyShape.permute as PermuteSignature;
/**
 * Dims `dim0` and `dim1` swapped (the last two by default).
 * @function
 */
export const transpose = anyShape.transpose as TransposeSignature;
/**
 * Size-1 dims repeated to `shape` without copying (torch.expand).
 * @function
 */
export const expand = anyShape.expand as ExpandSignature;
/**
 * A size-1 dim inserted at `dim`, in [-(rank + 1), rank] (torch.unsqueeze).
 * @function
 */
export const unsqueeze = anyShape.unsqueeze as UnsqueezeSignature;
/**
 * Size-1 dims removed: every one, or `dim` if it is 1 (else the tensor as it is, as torch.squeeze).
 * @function
 */
export const squeeze = anyShape.squeeze as SqueezeSignature;
