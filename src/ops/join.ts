/**
 * Joining and slicing (torch.cat, torch.stack, torch.split, torch.chunk, torch.narrow): typed
 * signatures (the rules of types/shape/join.ts), argument checks and implementations.
 *
 * Two primitives carry them all (src/primitives/movement.ts): `concat` joins along one dim and
 * `slice` takes a range of one dim; each is the other's gradient. stack is unsqueeze (a reshape,
 * no copy) and concat; split, chunk and narrow are slices. Every op copies only its output.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type {
  CatCheck,
  ChunkCheck,
  CutAtRunTime,
  DimSize,
  MAX_CUT_PIECES,
  NarrowCheck,
  SplitCheck,
  StackCheck,
} from "../../types/shape/join.js";
import type { GenericDims } from "../../types/shape/generic.js";
import type { OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import { apply } from "../autograd/engine.js";
import { formatShape, joinErrors, show, type opErrors } from "../../types/errors.js";
import { isArray, sameShape } from "../runtime/shape.js";
import { assertSameKind, assertTensor, resolveDims } from "./arguments.js";
import { anyShape as movement } from "./movement.js";

/** The shapes of a tuple of tensors. */
type ShapesOf<T extends readonly AnyTensor[]> = { [K in keyof T]: T[K]["shape"] };

/** An argument's type: the check's message when the check blames it, else the argument itself. */
type ArgAt<C, At extends string, Self> = C extends { at: At; message: infer M extends string } ? M : Self;
/** The check's shape when it passed, else number[] (the blamed argument carries the message). */
// Read as C["ok"], not inferred: `C extends { ok: infer S }` stays deferred when S holds a generic dim.
type ShapeOf<C> = C extends { ok: unknown } ? OkShape<C["ok"]> : number[];

/**
 * The list as given, or the message of the first rule it breaks: dtype and device against tensor 0
 * (as add does), then the shape rule.
 */
type JoinList<Op extends string, T extends readonly AnyTensor[], C> =
  KindOf<Op, T> extends infer K extends string ? K : ArgAt<C, "tensors", T>;
type KindOf<Op extends string, T extends readonly AnyTensor[]> = T extends readonly [
  infer F extends AnyTensor,
  ...infer Rest extends AnyTensor[],
]
  ? KindWalk<Op, F["dtype"], F["device"], Rest>
  : true;
type KindWalk<
  Op extends string,
  D extends DType,
  Dev extends Device,
  Rest extends readonly AnyTensor[],
> = Rest extends [infer H extends AnyTensor, ...infer R extends AnyTensor[]]
  ? { d: H["dtype"] } extends { d: D }
    ? { d: H["device"] } extends { d: Dev }
      ? KindWalk<Op, D, Dev, R>
      : ReturnType<typeof opErrors.deviceMismatch<Op, Dev, H["device"]>>
    : ReturnType<typeof opErrors.dtypeMismatch<Op, D, H["dtype"]>>
  : true;

type CatSignature = <const T extends readonly AnyTensor[], const Dim extends number = 0>(
  tensors: JoinList<"cat", T, CatCheck<ShapesOf<T>, Dim>>,
  dim?: ArgAt<CatCheck<ShapesOf<T>, Dim>, "dim", Dim>,
) => Tensor<ShapeOf<CatCheck<ShapesOf<T>, Dim>>, T[0]["dtype"], T[0]["device"]>;
type StackSignature = <const T extends readonly AnyTensor[], const Dim extends number = 0>(
  tensors: JoinList<"stack", T, StackCheck<ShapesOf<T>, Dim>>,
  dim?: ArgAt<StackCheck<ShapesOf<T>, Dim>, "dim", Dim>,
) => Tensor<ShapeOf<StackCheck<ShapesOf<T>, Dim>>, T[0]["dtype"], T[0]["device"]>;

/** Each piece as a tensor of x's dtype and device (a tuple where the count is known). */
type Pieces<C, D extends DType, Dev extends Device> = C extends { ok: readonly unknown[] }
  ? PiecesOf<C["ok"], D, Dev>
  : Tensor<number[], D, Dev>[];
type PiecesOf<R, D extends DType, Dev extends Device> = { -readonly [K in keyof R]: Tensor<OkShape<R[K]>, D, Dev> };

/**
 * split, chunk and narrow (function and method forms): the exact rule, then a signature for a cut
 * dim that is a type parameter (`split(x, 2, 0)` under a generic batch), where the rule runs with that
 * dim typed `number` (CutAtRunTime, types/shape/join.ts). Its rest parameter is `[concreteSizes:
 * never]` for a literal or `number` cut dim (GenericDims, types/shape/generic.ts), which no call fills,
 * so those calls keep the exact signature and its messages.
 */
type SplitSignature = (<
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const Size extends number | readonly number[],
  const Dim extends number = 0,
>(
  x: Tensor<S, D, Dev>,
  sizeOrSections: ArgAt<SplitCheck<S, Size, Dim>, "sizeOrSections", Size>,
  dim?: ArgAt<SplitCheck<S, Size, Dim>, "dim", Dim>,
) => Pieces<SplitCheck<S, Size, Dim>, D, Dev>) &
  (<
    S extends Shape,
    D extends DType,
    Dev extends Device,
    const Size extends number | readonly number[],
    const Dim extends number = 0,
  >(
    x: Tensor<S, D, Dev>,
    sizeOrSections: ArgAt<SplitCheck<CutAtRunTime<S, Dim>, Size, Dim>, "sizeOrSections", Size>,
    dim?: Dim,
    ...genericSizes: GenericDims<[DimSize<S, Dim>]>
  ) => Pieces<SplitCheck<CutAtRunTime<S, Dim>, Size, Dim>, D, Dev>);
type ChunkSignature = (<
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const N extends number,
  const Dim extends number = 0,
>(
  x: Tensor<S, D, Dev>,
  chunks: ArgAt<ChunkCheck<S, N, Dim>, "chunks", N>,
  dim?: ArgAt<ChunkCheck<S, N, Dim>, "dim", Dim>,
) => Pieces<ChunkCheck<S, N, Dim>, D, Dev>) &
  (<S extends Shape, D extends DType, Dev extends Device, const N extends number, const Dim extends number = 0>(
    x: Tensor<S, D, Dev>,
    chunks: ArgAt<ChunkCheck<CutAtRunTime<S, Dim>, N, Dim>, "chunks", N>,
    dim?: Dim,
    ...genericSizes: GenericDims<[DimSize<S, Dim>]>
  ) => Pieces<ChunkCheck<CutAtRunTime<S, Dim>, N, Dim>, D, Dev>);
type NarrowSignature = (<
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const Dim extends number,
  const Start extends number,
  const Length extends number,
>(
  x: Tensor<S, D, Dev>,
  dim: ArgAt<NarrowCheck<S, Dim, Start, Length>, "dim", Dim>,
  start: ArgAt<NarrowCheck<S, Dim, Start, Length>, "start", Start>,
  length: ArgAt<NarrowCheck<S, Dim, Start, Length>, "length", Length>,
) => Tensor<ShapeOf<NarrowCheck<S, Dim, Start, Length>>, D, Dev>) &
  (<
    S extends Shape,
    D extends DType,
    Dev extends Device,
    const Dim extends number,
    const Start extends number,
    const Length extends number,
  >(
    x: Tensor<S, D, Dev>,
    dim: Dim,
    start: ArgAt<NarrowCheck<CutAtRunTime<S, Dim>, Dim, Start, Length>, "start", Start>,
    length: ArgAt<NarrowCheck<CutAtRunTime<S, Dim>, Dim, Start, Length>, "length", Length>,
    ...genericSizes: GenericDims<[DimSize<S, Dim>]>
  ) => Tensor<ShapeOf<NarrowCheck<CutAtRunTime<S, Dim>, Dim, Start, Length>>, D, Dev>);

/** The method forms: `this` is the tensor cut. */
export type SplitMethod = (<
  X extends AnyTensor,
  const Size extends number | readonly number[],
  const Dim extends number = 0,
>(
  this: X,
  sizeOrSections: ArgAt<SplitCheck<X["shape"], Size, Dim>, "sizeOrSections", Size>,
  dim?: ArgAt<SplitCheck<X["shape"], Size, Dim>, "dim", Dim>,
) => Pieces<SplitCheck<X["shape"], Size, Dim>, X["dtype"], X["device"]>) &
  (<X extends AnyTensor, const Size extends number | readonly number[], const Dim extends number = 0>(
    this: X,
    sizeOrSections: ArgAt<SplitCheck<CutAtRunTime<X["shape"], Dim>, Size, Dim>, "sizeOrSections", Size>,
    dim?: Dim,
    ...genericSizes: GenericDims<[DimSize<X["shape"], Dim>]>
  ) => Pieces<SplitCheck<CutAtRunTime<X["shape"], Dim>, Size, Dim>, X["dtype"], X["device"]>);
export type ChunkMethod = (<X extends AnyTensor, const N extends number, const Dim extends number = 0>(
  this: X,
  chunks: ArgAt<ChunkCheck<X["shape"], N, Dim>, "chunks", N>,
  dim?: ArgAt<ChunkCheck<X["shape"], N, Dim>, "dim", Dim>,
) => Pieces<ChunkCheck<X["shape"], N, Dim>, X["dtype"], X["device"]>) &
  (<X extends AnyTensor, const N extends number, const Dim extends number = 0>(
    this: X,
    chunks: ArgAt<ChunkCheck<CutAtRunTime<X["shape"], Dim>, N, Dim>, "chunks", N>,
    dim?: Dim,
    ...genericSizes: GenericDims<[DimSize<X["shape"], Dim>]>
  ) => Pieces<ChunkCheck<CutAtRunTime<X["shape"], Dim>, N, Dim>, X["dtype"], X["device"]>);
export type NarrowMethod = (<
  X extends AnyTensor,
  const Dim extends number,
  const Start extends number,
  const Length extends number,
>(
  this: X,
  dim: ArgAt<NarrowCheck<X["shape"], Dim, Start, Length>, "dim", Dim>,
  start: ArgAt<NarrowCheck<X["shape"], Dim, Start, Length>, "start", Start>,
  length: ArgAt<NarrowCheck<X["shape"], Dim, Start, Length>, "length", Length>,
) => Tensor<ShapeOf<NarrowCheck<X["shape"], Dim, Start, Length>>, X["dtype"], X["device"]>) &
  (<X extends AnyTensor, const Dim extends number, const Start extends number, const Length extends number>(
    this: X,
    dim: Dim,
    start: ArgAt<NarrowCheck<CutAtRunTime<X["shape"], Dim>, Dim, Start, Length>, "start", Start>,
    length: ArgAt<NarrowCheck<CutAtRunTime<X["shape"], Dim>, Dim, Start, Length>, "length", Length>,
    ...genericSizes: GenericDims<[DimSize<X["shape"], Dim>]>
  ) => Tensor<ShapeOf<NarrowCheck<CutAtRunTime<X["shape"], Dim>, Dim, Start, Length>>, X["dtype"], X["device"]>);

/** The list checked as PyTorch checks it: an array of live tensors, not empty, one dtype and device. */
function tensorList(op: string, tensors: unknown): AnyTensor[] {
  if (!isArray(tensors)) throw new Error(joinErrors.notList(op, show(tensors)));
  if (tensors.length === 0) throw new Error(joinErrors.empty(op));
  tensors.forEach((t, i) => assertTensor(op, t, `tensor ${i}`));
  const list = tensors as readonly AnyTensor[];
  for (const t of list) assertSameKind(op, list[0], t);
  return [...list];
}

function assertInteger(op: string, name: string, value: unknown): asserts value is number {
  if (!Number.isSafeInteger(value)) throw new Error(joinErrors.integer(op, name, show(value)));
}

/** The dim a cut works along: 0-d tensors have none (resolveDims would accept dim 0 of a 0-d tensor). */
function cutDim(op: string, x: AnyTensor, dim: number): number {
  if (x.shape.length === 0) throw new Error(joinErrors.zeroDimInput(op));
  return resolveDims(op, x.shape.length, dim)[0];
}

/** `length` elements of `dim` from `start` (all checked), as the slice primitive. */
function slice(x: AnyTensor, dim: number, start: number, length: number): AnyTensor {
  return apply("slice", [x], { dim, start, length });
}

/** Pieces of `dim` with the given lengths, which sum to its size. */
function pieces(x: AnyTensor, dim: number, lengths: readonly number[]): AnyTensor[] {
  let start = 0;
  return lengths.map((length) => {
    const piece = slice(x, dim, start, length);
    start += length;
    return piece;
  });
}

/** The most pieces a cut may make (types/shape/join.ts says why). */
const maxCutPieces: MAX_CUT_PIECES = 1048576;

/**
 * `count` pieces of `size` elements cut from dim `d`, the last one shorter (empty pieces of an empty
 * dim), once the count is known to be within the limit.
 */
function piecesOfSize(op: "split" | "chunk", x: AnyTensor, d: number, size: number, count: number): AnyTensor[] {
  const n = x.shape[d];
  if (count > maxCutPieces) throw new Error(joinErrors.pieces(op, count, d, n, maxCutPieces));
  const lengths = Array.from({ length: count }, (_, i) => Math.min(size, n - i * size));
  return pieces(x, d, lengths);
}

/** The implementations, on tensors of any shape (the gradient rules, nn and optim call these). */
export const anyShape = {
  cat: (tensors: readonly AnyTensor[], dim = 0): AnyTensor => {
    const list = tensorList("cat", tensors);
    const first = list[0].shape;
    list.forEach((t, i) => {
      if (t.shape.length === 0) throw new Error(joinErrors.zeroDim(i));
    });
    const [d] = resolveDims("cat", first.length, dim);
    list.forEach((t, i) => {
      if (t.shape.length !== first.length)
        throw new Error(joinErrors.rank(i, formatShape(t.shape), formatShape(first)));
      const at = t.shape.findIndex((n, k) => k !== d && n !== first[k]);
      if (at >= 0) throw new Error(joinErrors.size(i, formatShape(t.shape), formatShape(first), at, d));
    });
    return apply("concat", list, { dim: d });
  },
  stack: (tensors: readonly AnyTensor[], dim = 0): AnyTensor => {
    const list = tensorList("stack", tensors);
    const first = list[0].shape;
    const [d] = resolveDims("stack", first.length + 1, dim);
    list.forEach((t, i) => {
      if (!sameShape(t.shape, first))
        throw new Error(joinErrors.stackShape(i, formatShape(t.shape), formatShape(first)));
    });
    return apply(
      "concat",
      list.map((t) => movement.unsqueeze(t, d)),
      { dim: d },
    );
  },
  split: (x: AnyTensor, sizeOrSections: number | readonly number[], dim = 0): AnyTensor[] => {
    assertTensor("split", x);
    const valid =
      typeof sizeOrSections === "number"
        ? Number.isSafeInteger(sizeOrSections) && sizeOrSections > 0
        : isArray(sizeOrSections) && sizeOrSections.every((s) => Number.isSafeInteger(s) && s >= 0);
    if (!valid) throw new Error(joinErrors.splitSize(show(sizeOrSections)));
    const d = cutDim("split", x, dim);
    const n = x.shape[d];
    // torch.split: one empty piece of an empty dim
    if (typeof sizeOrSections === "number")
      return piecesOfSize("split", x, d, sizeOrSections, Math.max(1, Math.ceil(n / sizeOrSections)));
    const total = sizeOrSections.reduce((a, b) => a + b, 0);
    if (total !== n) throw new Error(joinErrors.splitSum(formatShape(sizeOrSections), total, d, n));
    return pieces(x, d, sizeOrSections);
  },
  chunk: (x: AnyTensor, chunks: number, dim = 0): AnyTensor[] => {
    assertTensor("chunk", x);
    if (!Number.isSafeInteger(chunks) || chunks <= 0) throw new Error(joinErrors.chunks(show(chunks)));
    const d = cutDim("chunk", x, dim);
    const n = x.shape[d];
    // torch.chunk: pieces of ceil(n / chunks), so fewer than `chunks` when they do not fill it; an
    // empty dim gives `chunks` empty pieces (it splits with sizes [0] * chunks)
    const size = Math.ceil(n / chunks);
    return piecesOfSize("chunk", x, d, size, n === 0 ? chunks : Math.ceil(n / size));
  },
  narrow: (x: AnyTensor, dim: number, start: number, length: number): AnyTensor => {
    assertTensor("narrow", x);
    const d = cutDim("narrow", x, dim);
    assertInteger("narrow", "start", start);
    const n = x.shape[d];
    if (start < -n || start > n) throw new Error(joinErrors.narrowStart(start, d, n));
    if (!Number.isSafeInteger(length) || length < 0) throw new Error(joinErrors.narrowLength(show(length)));
    const from = start < 0 ? start + n : start;
    if (from + length > n) throw new Error(joinErrors.narrowEnd(from, length, d, n));
    return slice(x, d, from, length);
  },
};

/**
 * The tensors joined along `dim` (torch.cat): every other dim must match; negative dims count from the end.
 * @function
 */
// The list parameter is a message type where the check fails, which no runtime signature overlaps.
export const cat = anyShape.cat as unknown as CatSignature;
/**
 * The tensors (all of one shape) stacked along a new dim `dim` (torch.stack).
 * @function
 */
export const stack = anyShape.stack as unknown as StackSignature;
/**
 * Pieces along `dim` (torch.split): of size `sizeOrSections` (the last smaller), or of the listed sizes.
 * @function
 */
export const split = anyShape.split as SplitSignature;
/**
 * At most `chunks` pieces of size ceil(n / chunks) along `dim`; `chunks` empty pieces of an empty dim (torch.chunk).
 * @function
 */
export const chunk = anyShape.chunk as ChunkSignature;
/**
 * `length` elements of `dim` from `start` (negative: from the end) (torch.narrow).
 * @function
 */
export const narrow = anyShape.narrow as NarrowSignature;
