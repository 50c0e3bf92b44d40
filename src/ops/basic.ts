/**
 * The general ops, on tensors of any shape, as the runtime sees them: validate (throwing a message
 * from ./messages.ts), then `apply` a primitive. The typed public functions in src/ops/index.ts are
 * these same functions with shape-level signatures; the gradient rules are written with them too.
 */
import type { DType, Device } from "../../types/core.js";
import type { AnyTensor } from "../tensor.js";
import { Tensor } from "../tensor.js";
import type { BinaryPrimitive, UnaryPrimitive } from "../primitives/index.js";
import { apply, filled, fromHost } from "../autograd/engine.js";
import { backendFor } from "../runtime/devices.js";
import { broadcastShapes, normalizeDim, numel, reductionDimsTo, sameShape } from "../runtime/shape.js";
import { opErrors } from "../../types/errors.js";

export type TensorOrNumber = AnyTensor | number;

export function assertTensor(op: string, t: unknown, name = "input"): asserts t is AnyTensor {
  if (!(t instanceof Tensor)) throw new Error(opErrors.notTensor(op, name, t));
  if (t.disposed) throw new Error(opErrors.disposed(op, name));
}

export function assertFloat(op: string, t: AnyTensor): void {
  if (t.dtype === "int32") throw new Error(opErrors.notFloat(op, t.dtype));
}

export function assertSameKind(op: string, a: AnyTensor, b: AnyTensor): void {
  if (a.dtype !== b.dtype) throw new Error(opErrors.dtypeMismatch(op, a.dtype, b.dtype));
  if (a.device !== b.device) throw new Error(opErrors.deviceMismatch(op, a.device, b.device));
}

/** A 0-d tensor holding `value`, matching `like`'s dtype and device (how a number operand enters an op). */
export function scalarLike(value: number, like: AnyTensor): AnyTensor {
  return filled([], value, like.dtype, like.device);
}

export function fullLike(t: AnyTensor, value: number): AnyTensor {
  return filled(t.shape, value, t.dtype, t.device);
}
export const onesLike = (t: AnyTensor): AnyTensor => fullLike(t, 1);
export const zerosLike = (t: AnyTensor): AnyTensor => fullLike(t, 0);

export function unary(op: UnaryPrimitive, x: AnyTensor): AnyTensor {
  assertTensor(op, x);
  if (op !== "neg" && op !== "abs" && op !== "sign" && op !== "relu") assertFloat(op, x);
  return apply(op, [x], {});
}

/**
 * Checks two operands under the caller's op name (a number stands for a 0-d tensor of the other's
 * dtype and device) and returns them as tensors; only a valid pair gets its scalar materialised.
 */
/** Validates both operands (before anything is allocated), then makes a number operand a 0-d tensor. */
function operands(op: string, a: TensorOrNumber, b: TensorOrNumber, floatOnly = false): [AnyTensor, AnyTensor] {
  if (typeof a === "number" && typeof b === "number") throw new Error(opErrors.twoNumbers(op));
  if (typeof a !== "number") assertTensor(op, a, "first operand");
  if (typeof b !== "number") assertTensor(op, b, "second operand");
  const x = a as AnyTensor | number, y = b as AnyTensor | number;
  if (typeof x !== "number" && typeof y !== "number") {
    assertSameKind(op, x, y);
    if (!broadcastShapes(x.shape, y.shape)) throw new Error(opErrors.broadcast(op, x.shape, y.shape));
  }
  if (floatOnly) assertFloat(op, typeof x === "number" ? (y as AnyTensor) : x);
  return [typeof x === "number" ? scalarLike(x, y as AnyTensor) : x, typeof y === "number" ? scalarLike(y, x as AnyTensor) : y];
}

export function binary(op: BinaryPrimitive, a: TensorOrNumber, b: TensorOrNumber): AnyTensor {
  return apply(op, operands(op, a, b), {});
}

export const add = (a: TensorOrNumber, b: TensorOrNumber) => binary("add", a, b);
export const sub = (a: TensorOrNumber, b: TensorOrNumber) => binary("sub", a, b);
export const mul = (a: TensorOrNumber, b: TensorOrNumber) => binary("mul", a, b);
/** True division. int32 is refused: PyTorch would promote to float, truncating would be silently wrong; cast first. */
export const div = (a: TensorOrNumber, b: TensorOrNumber) => {
  return apply("div", operands("div", a, b, true), {});
};
export const maximum = (a: TensorOrNumber, b: TensorOrNumber) => binary("maximum", a, b);
/** min(a, b) = -max(-a, -b); validated as "minimum" first so no kernel runs for a bad pair. */
export const minimum = (a: TensorOrNumber, b: TensorOrNumber) => {
  const [x, y] = operands("minimum", a, b);
  return neg(maximum(neg(x), neg(y)));
};
export const greater = (a: TensorOrNumber, b: TensorOrNumber) => binary("greater", a, b);
export const less = (a: TensorOrNumber, b: TensorOrNumber) => {
  const [x, y] = operands("less", a, b);
  return apply("greater", [y, x], {});
};
export const equal = (a: TensorOrNumber, b: TensorOrNumber) => binary("equal", a, b);

export const neg = (x: AnyTensor) => unary("neg", x);
export const exp = (x: AnyTensor) => unary("exp", x);
export const log = (x: AnyTensor) => unary("log", x);
export const sqrt = (x: AnyTensor) => unary("sqrt", x);
export const abs = (x: AnyTensor) => unary("abs", x);
export const sign = (x: AnyTensor) => unary("sign", x);
export const tanh = (x: AnyTensor) => unary("tanh", x);
export const sigmoid = (x: AnyTensor) => unary("sigmoid", x);
export const relu = (x: AnyTensor) => unary("relu", x);
export const erf = (x: AnyTensor) => unary("erf", x);
export const square = (x: AnyTensor) => {
  assertTensor("square", x);
  return mul(x, x);
};

/** x^p for a number p, as exp(p log x) for non-integers and repeated products for small integers. */
export function pow(x: AnyTensor, p: number): AnyTensor {
  if (p === 1) return x;
  if (p === 2) return mul(x, x);
  if (p === 0.5) return sqrt(x);
  if (p === -1) return div(1, x);
  return exp(mul(log(x), p));
}

/** Dims to reduce: undefined means all; negative dims count from the end; sorted, unique, checked. */
export function resolveDims(op: string, rank: number, dims: number | readonly number[] | undefined): number[] {
  if (dims === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof dims !== "number" && !Array.isArray(dims)) throw new Error(opErrors.notDims(op, dims));
  const list = typeof dims === "number" ? [dims] : [...dims];
  const out: number[] = [];
  // A 0-d tensor accepts dim 0 / -1 as PyTorch does (and as the message's range says); it reduces nothing.
  for (const d of list) {
    const n = normalizeDim(d, Math.max(rank, 1));
    if (n === null) throw new Error(opErrors.dimOutOfRange(op, d, rank));
    if (out.includes(n)) throw new Error(opErrors.duplicateDim(op, d));
    out.push(n);
  }
  return rank === 0 ? [] : out.sort((a, b) => a - b);
}

export function sum(x: AnyTensor, dims?: number | readonly number[], keepdim = false): AnyTensor {
  assertTensor("sum", x);
  return apply("sum", [x], { dims: resolveDims("sum", x.shape.length, dims), keepdim });
}

export function mean(x: AnyTensor, dims?: number | readonly number[], keepdim = false): AnyTensor {
  assertTensor("mean", x);
  assertFloat("mean", x);
  const resolved = resolveDims("mean", x.shape.length, dims);
  const count = resolved.reduce((n, d) => n * x.shape[d], 1);
  return div(apply("sum", [x], { dims: resolved, keepdim }), count);
}

/** Largest value over dims (torch.amax): the gradient is shared equally among ties. */
export function max(x: AnyTensor, dims?: number | readonly number[], keepdim = false): AnyTensor {
  assertTensor("max", x);
  const resolved = resolveDims("max", x.shape.length, dims);
  if (resolved.some((d) => x.shape[d] === 0)) throw new Error(opErrors.emptyReduce("max", x.shape));
  return apply("max", [x], { dims: resolved, keepdim });
}

export function min(x: AnyTensor, dims?: number | readonly number[], keepdim = false): AnyTensor {
  assertTensor("min", x);
  if (resolveDims("min", x.shape.length, dims).some((d) => x.shape[d] === 0)) throw new Error(opErrors.emptyReduce("min", x.shape));
  return neg(max(neg(x), dims, keepdim));
}

/** Index of the first largest value along `dim` (all elements, flattened, when dim is undefined). */
export function argmax(x: AnyTensor, dim?: number, keepdim = false): AnyTensor {
  assertTensor("argmax", x);
  if (dim === undefined) {
    if (x.size === 0) throw new Error(opErrors.emptyReduce("argmax", x.shape));
    return argmax(reshape(x, [x.size]), 0, false);
  }
  const [d] = resolveDims("argmax", x.shape.length, dim);
  if (d === undefined) return reshape(argmax(reshape(x, [1]), 0, keepdim), []);
  if (x.shape[d] === 0) throw new Error(opErrors.emptyReduce("argmax", x.shape));
  return apply("argmax", [x], { dim: d, keepdim });
}

/** Variance over dims; `correction` 1 is the unbiased estimate (PyTorch's default), 0 the population one. */
export function variance(x: AnyTensor, dims?: number | readonly number[], keepdim = false, correction = 1): AnyTensor {
  const resolved = resolveDims("var", x.shape.length, dims);
  const count = resolved.reduce((n, d) => n * x.shape[d], 1);
  const centered = sub(x, mean(x, resolved, true));
  return div(sum(mul(centered, centered), resolved, keepdim), Math.max(count - correction, 0));
}

function checkDims(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(opErrors.badDim(op, "every dim", d));
  }
}

/** Same elements, new shape; one dim may be -1 and is inferred. */
export function reshape(x: AnyTensor, shape: readonly number[]): AnyTensor {
  assertTensor("reshape", x);
  if (!Array.isArray(shape)) throw new Error(opErrors.notShape("reshape", "shape", shape));
  const inferAt = shape.indexOf(-1);
  if (inferAt !== shape.lastIndexOf(-1)) throw new Error(opErrors.reshapeInfer("reshape", shape));
  checkDims("reshape", shape.filter((_, i) => i !== inferAt));
  let target = [...shape];
  if (inferAt >= 0) {
    const known = numel(shape.filter((_, i) => i !== inferAt));
    if (known === 0 || x.size % known !== 0) throw new Error(opErrors.reshapeCount("reshape", x.shape, shape));
    target[inferAt] = x.size / known;
  }
  if (numel(target) !== x.size) throw new Error(opErrors.reshapeCount("reshape", x.shape, shape));
  if (sameShape(target, x.shape)) return x;
  return apply("reshape", [x], { shape: target });
}

export function flatten(x: AnyTensor, startDim = 0, endDim = -1): AnyTensor {
  assertTensor("flatten", x);
  if (x.shape.length === 0) return reshape(x, [1]);
  const [s] = resolveDims("flatten", x.shape.length, startDim);
  const [e] = resolveDims("flatten", x.shape.length, endDim);
  if (s > e) throw new Error(opErrors.flattenOrder(startDim, endDim));
  const merged = numel(x.shape.slice(s, e + 1));
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

export function unsqueeze(x: AnyTensor, dim: number): AnyTensor {
  assertTensor("unsqueeze", x);
  const [d] = resolveDims("unsqueeze", x.shape.length + 1, dim);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

export function squeeze(x: AnyTensor, dim?: number): AnyTensor {
  assertTensor("squeeze", x);
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const [d] = resolveDims("squeeze", x.shape.length, dim);
  return x.shape[d] === 1 ? reshape(x, [...x.shape.slice(0, d), ...x.shape.slice(d + 1)]) : x;
}

export function permute(x: AnyTensor, perm: readonly number[]): AnyTensor {
  assertTensor("permute", x);
  if (!Array.isArray(perm)) throw new Error(opErrors.notShape("permute", "perm", perm));
  const rank = x.shape.length;
  if (perm.length !== rank) throw new Error(opErrors.permutation("permute", perm, rank));
  const resolved = perm.map((p) => normalizeDim(p, rank));
  if (resolved.some((p) => p === null) || new Set(resolved).size !== rank) throw new Error(opErrors.permutation("permute", perm, rank));
  if (resolved.every((p, i) => p === i)) return x;
  return apply("permute", [x], { perm: resolved as number[] });
}

export function transpose(x: AnyTensor, dim0 = -2, dim1 = -1): AnyTensor {
  assertTensor("transpose", x);
  const rank = x.shape.length;
  const [a] = resolveDims("transpose", rank, dim0);
  const [b] = resolveDims("transpose", rank, dim1);
  const perm = Array.from({ length: rank }, (_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
}

/** Repeats size-1 dims (and adds leading dims) to reach `shape`; -1 keeps a dim. Copies. */
export function expand(x: AnyTensor, shape: readonly number[]): AnyTensor {
  assertTensor("expand", x);
  if (!Array.isArray(shape)) throw new Error(opErrors.notShape("expand", "shape", shape));
  const offset = shape.length - x.shape.length;
  const target = shape.map((d, i) => (d === -1 && i >= offset ? x.shape[i - offset] : d));
  checkDims("expand", target);
  const fits = offset >= 0 && broadcastShapes(x.shape, target)?.join() === target.join();
  if (!fits) throw new Error(opErrors.expand("expand", x.shape, shape));
  return apply("expand", [x], { shape: target });
}

/** Sums `x` down to `shape`, the reverse of broadcasting (how gradients of broadcast operands are formed). */
export function sumTo(x: AnyTensor, shape: readonly number[]): AnyTensor {
  if (sameShape(x.shape, shape)) return x;
  const dims = reductionDimsTo(x.shape, shape);
  return reshape(apply("sum", [x], { dims, keepdim: true }), shape);
}

/** A copy that stays in the graph. */
export function clone(x: AnyTensor): AnyTensor {
  assertTensor("clone", x);
  return apply("expand", [x], { shape: x.shape });
}

export function cast(x: AnyTensor, dtype: DType): AnyTensor {
  assertTensor("cast", x);
  if (x.dtype === dtype) return x;
  return apply("cast", [x], { dtype });
}

/**
 * torch.matmul: 1-D operands are promoted (and the added dim removed after), batch dims broadcast.
 */
export function matmul(a: AnyTensor, b: AnyTensor): AnyTensor {
  assertTensor("matmul", a, "first operand");
  assertTensor("matmul", b, "second operand");
  assertSameKind("matmul", a, b);
  if (a.shape.length === 0 || b.shape.length === 0) throw new Error(opErrors.matmulRank(a.shape, b.shape));
  // Checked on the caller's shapes, before the 1-D promotion below runs any kernel.
  const inner = b.shape.length === 1 ? b.shape[0] : b.shape[b.shape.length - 2];
  if (a.shape[a.shape.length - 1] !== inner) throw new Error(opErrors.matmul(a.shape, b.shape));
  if (!broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2))) throw new Error(opErrors.broadcast("matmul", a.shape, b.shape));
  const a2 = a.shape.length === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.shape.length === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const ra = a2.shape.length, rb = b2.shape.length;
  const [m, k] = a2.shape.slice(ra - 2), [k2, n] = b2.shape.slice(rb - 2);
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

/** Moves data to another device as a new leaf (keeping requiresGrad). */
export function toDevice(x: AnyTensor, device: Device): AnyTensor {
  assertTensor("to", x);
  if (x.device === device) return x;
  const source = backendFor(x.device);
  if (!source.readSync) throw new Error(`to: reading a ${x.device} tensor back is asynchronous; use \`await t.toAsync("${device}")\``);
  return fromHostChecked(source.readSync(x.storage, x.dtype, x.size), x, device);
}

export async function toDeviceAsync(x: AnyTensor, device: Device): Promise<AnyTensor> {
  assertTensor("to", x);
  if (x.device === device) return x;
  return fromHostChecked(await backendFor(x.device).read(x.storage, x.dtype, x.size), x, device);
}

function fromHostChecked(data: Float32Array | Float64Array | Int32Array, x: AnyTensor, device: Device): AnyTensor {
  if (device !== "cpu" && x.dtype === "float64") throw new Error(opErrors.float64OnDevice(device));
  const t = fromHost(data, x.shape, x.dtype, device);
  t.requiresGrad = x.requiresGrad;
  return t;
}
