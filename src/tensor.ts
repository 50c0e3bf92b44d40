/**
 * Tensor: an immutable view of device storage with a shape known to the compiler.
 *
 * `S` is the shape as a tuple of number literals (or `number` where only the run time knows),
 * `D` the dtype and `Dev` the device; all three are checked by the compiler and again at run time.
 * Tensors are never written in place by ops; `assign` (used by optimizers) swaps storage whole.
 */
import type { AnyTypedArray, DType, Device, Shape, TypedArrayOf } from "../types/core.js";
import type { GradNode } from "./autograd/engine.js";
import { readOptions, noGrad } from "./autograd/engine.js";
import { runBackward } from "./autograd/backward.js";
import { argumentErrors, show } from "../types/errors.js";
import { opErrors } from "../types/errors.js";
import { backendFor } from "./runtime/devices.js";
import { moveStorage, release, track } from "./runtime/memory.js";
import { formatShape, numel, sameShape } from "./runtime/shape.js";
import { tensorErrors } from "../types/errors.js";
import * as ops from "./ops/basic.js";
import type { TensorOrNumber } from "./ops/basic.js";
import type { BinaryOperand, MatMulOperand, OperandShape, ReshapeTarget } from "./ops/public.js";
import type { BroadcastResult, FlattenResult, MatMulResult, Mutable, PermuteResult, ReduceResult, ReshapeResult, TransposeResult } from "./ops/shape-types.js";

export type AnyTensor = Tensor<Shape, DType, Device>;

/**
 * The `this` of a synchronous read: the tensor itself, or the catalogue's message when its type
 * says it lives on WebGPU, which has no synchronous read. A tensor typed with the whole `Device`
 * union may be on the CPU and stays readable (the run time checks).
 */
export type SyncReadable<Op extends string, T extends AnyTensor> =
  [T["device"]] extends ["webgpu"] ? ([T["device"]] extends ["cpu"] ? T /* any */ : ReturnType<typeof tensorErrors.syncRead<Op, "webgpu">>) : T;

export class Tensor<out S extends Shape = Shape, out D extends DType = "float32", out Dev extends Device = "cpu"> {
  readonly shape: S;
  readonly dtype: D;
  readonly device: Dev;
  /** Whether gradients flow to this tensor. Leaves get it from `requiresGrad: true`; op results inherit it. */
  requiresGrad: boolean;
  #grad: AnyTensor | null = null;
  /** Accumulated gradient of a leaf after `backward()`; null until then or after `zeroGrad`. */
  get grad(): Tensor<S, D, Dev> | null {
    return this.#grad as Tensor<S, D, Dev> | null;
  }
  set grad(value: AnyTensor | null) {
    this.#grad = value;
  }
  /** @internal the op that produced this tensor, when it is part of a recorded graph */
  readonly node: GradNode | null;
  /** @internal device storage, owned by the backend of `device` */
  storage: unknown;
  /** @internal */
  disposed = false;
  /** @internal how many times the data was replaced (PyTorch's version counter): graphs record it and backward compares */
  version = 0;
  /** @internal what replaced the data last, for backward's message */
  modifiedBy = "";

  /** @internal tensors are made by ops and creation functions */
  private constructor(shape: S, dtype: D, device: Dev, storage: unknown, node: GradNode | null) {
    this.shape = Object.freeze(shape.slice()) as unknown as S;
    this.dtype = dtype;
    this.device = device;
    this.storage = storage;
    this.node = node;
    this.requiresGrad = node !== null;
    track(this);
  }

  /** @internal */
  static _make(shape: readonly number[], dtype: DType, device: Device, storage: unknown, node: GradNode | null): AnyTensor {
    return new Tensor(shape, dtype, device, storage, node);
  }

  /** Number of elements. */
  get size(): number {
    return numel(this.shape);
  }

  get ndim(): S["length"] {
    return this.shape.length;
  }

  /**
   * Accumulates the gradient of this tensor into every leaf that requires one. With no argument a
   * non-scalar output is seeded with ones (as lucid does; PyTorch requires a seed); an explicit
   * seed must have this tensor's shape, dtype and device.
   */
  backward<T extends AnyTensor>(this: T, seed?: Tensor<T["shape"], T["dtype"], T["device"]>, options: { createGraph?: boolean; retainGraph?: boolean } = {}): void {
    // null means "no seed", as PyTorch's backward(None).
    if (seed != null && !(seed instanceof Tensor)) throw new Error(argumentErrors.seed("backward", show(seed)));
    const { createGraph, retainGraph } = readOptions("backward", options, ["createGraph", "retainGraph"]) as typeof options;
    if (!this.requiresGrad) throw new Error(argumentErrors.noGrad());
    if (seed != null) checkSeed("backward", seed, this);
    const g = seed ?? ops.onesLike(this);
    // PyTorch's default: a graph that is being differentiated again (createGraph) is kept.
    runBackward([this as AnyTensor], [g as AnyTensor], null, createGraph ?? false, retainGraph ?? createGraph ?? false);
  }

  /**
   * The data as a row-major typed array (CPU only; it is the tensor's own storage: do not write to
   * it). On a tensor typed `"webgpu"` the call does not compile: its `this` type is the message.
   */
  dataSync<T extends AnyTensor>(this: SyncReadable<"dataSync", T>): TypedArrayOf<T["dtype"]> {
    const t = this as AnyTensor;
    const data = t.readSync("dataSync");
    // The array is handed out and may be written: kept packings of it must check it (expose).
    backendFor(t.device).expose?.(t.storage);
    return data as TypedArrayOf<T["dtype"]>;
  }

  /** @internal */
  readSync(op: string): AnyTypedArray {
    this.assertAlive(op);
    const b = backendFor(this.device);
    if (!b.readSync) throw new Error(tensorErrors.syncRead(op, this.device));
    return b.readSync(this.storage, this.dtype, this.size);
  }

  /** A copy of the data as a row-major typed array, from any device. */
  async data(): Promise<TypedArrayOf<D>> {
    this.assertAlive("data");
    return (await backendFor(this.device).read(this.storage, this.dtype, this.size)) as TypedArrayOf<D>;
  }

  /** The value of a one-element tensor (CPU). */
  item<T extends AnyTensor>(this: SyncReadable<"item", T>): number {
    const t = this as AnyTensor;
    if (t.size !== 1) throw new Error(`item: the tensor has ${t.size} elements (shape ${formatShape(t.shape)}); item() needs exactly one`);
    return t.readSync("item")[0];
  }

  /** Nested arrays, as `tensor()` accepts them (CPU). */
  tolist<T extends AnyTensor>(this: SyncReadable<"tolist", T>): unknown {
    const t = this as AnyTensor;
    const data = t.readSync("tolist");
    const build = (dim: number, offset: number): unknown => {
      if (dim === t.shape.length) return data[offset];
      const stride = numel(t.shape.slice(dim + 1));
      return Array.from({ length: t.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /**
   * A copy on another device (this tensor if it is already there), detached from the graph like a
   * new leaf that keeps `requiresGrad`. Reading back from a GPU cannot be synchronous: use
   * `await t.toAsync("cpu")` there.
   */
  to<T extends Device>(device: T): Tensor<S, D, T> {
    return ops.toDevice(this, device) as unknown as Tensor<S, D, T>;
  }

  async toAsync<T extends Device>(device: T): Promise<Tensor<S, D, T>> {
    return (await ops.toDeviceAsync(this, device)) as unknown as Tensor<S, D, T>;
  }

  /** The same data, cut from the graph. On the CPU it shares the (immutable) storage; on a device it is a copy, so that every buffer has one owner. */
  detach(): Tensor<S, D, Dev> {
    this.assertAlive("detach");
    if (this.device !== "cpu") return noGrad(() => ops.clone(this)) as unknown as Tensor<S, D, Dev>;
    return Tensor._make(this.shape, this.dtype, this.device, this.storage, null) as unknown as Tensor<S, D, Dev>;
  }

  /** A copy that stays in the graph. */
  clone(): Tensor<S, D, Dev> {
    return ops.clone(this) as unknown as Tensor<S, D, Dev>;
  }

  /** Marks a leaf as needing gradients (PyTorch's requires_grad_). */
  requiresGrad_(value = true): this {
    if (this.node && !value) throw new Error("requiresGrad_: only leaf tensors can be changed; use detach()");
    this.requiresGrad = value;
    return this;
  }

  /**
   * Replaces this tensor's data with `value`'s (same shape, dtype and device), without recording
   * anything: how optimizers update parameters. `value` is consumed (disposed) unless it is used elsewhere.
   */
  assign<T extends AnyTensor>(this: T, value: Tensor<T["shape"], T["dtype"], T["device"]>): T {
    return replaceData(this, value as AnyTensor, "assign") as T;
  }

  /** Frees device memory now. Using the tensor afterwards is an error. */
  dispose(): void {
    release(this);
  }

  /** @internal */
  assertAlive(op: string): void {
    if (this.disposed) throw new Error(`${op}: the tensor was disposed`);
  }

  // ---- ops as methods (the same functions as the top-level ones) ----
  add<T extends AnyTensor, B extends AnyTensor | number>(this: T, other: BinaryOperand<"add", T["shape"], T["dtype"], T["device"], B>): Tensor<BroadcastResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.add(this, other as TensorOrNumber) as never; }
  sub<T extends AnyTensor, B extends AnyTensor | number>(this: T, other: BinaryOperand<"sub", T["shape"], T["dtype"], T["device"], B>): Tensor<BroadcastResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.sub(this, other as TensorOrNumber) as never; }
  mul<T extends AnyTensor, B extends AnyTensor | number>(this: T, other: BinaryOperand<"mul", T["shape"], T["dtype"], T["device"], B>): Tensor<BroadcastResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.mul(this, other as TensorOrNumber) as never; }
  div<T extends AnyTensor, B extends AnyTensor | number>(this: T, other: BinaryOperand<"div", T["shape"], T["dtype"], T["device"], B>): Tensor<BroadcastResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.div(this, other as TensorOrNumber) as never; }
  maximum<T extends AnyTensor, B extends AnyTensor | number>(this: T, other: BinaryOperand<"maximum", T["shape"], T["dtype"], T["device"], B>): Tensor<BroadcastResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.maximum(this, other as TensorOrNumber) as never; }
  minimum<T extends AnyTensor, B extends AnyTensor | number>(this: T, other: BinaryOperand<"minimum", T["shape"], T["dtype"], T["device"], B>): Tensor<BroadcastResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.minimum(this, other as TensorOrNumber) as never; }
  /** 1 where this > other, else 0, in this dtype. */
  gt<T extends AnyTensor, B extends AnyTensor | number>(this: T, other: BinaryOperand<"greater", T["shape"], T["dtype"], T["device"], B>): Tensor<BroadcastResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.greater(this, other as TensorOrNumber) as never; }
  lt<T extends AnyTensor, B extends AnyTensor | number>(this: T, other: BinaryOperand<"less", T["shape"], T["dtype"], T["device"], B>): Tensor<BroadcastResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.less(this, other as TensorOrNumber) as never; }
  eq<T extends AnyTensor, B extends AnyTensor | number>(this: T, other: BinaryOperand<"equal", T["shape"], T["dtype"], T["device"], B>): Tensor<BroadcastResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.equal(this, other as TensorOrNumber) as never; }
  neg(): Tensor<S, D, Dev> { return ops.neg(this) as never; }
  exp(): Tensor<S, D, Dev> { return ops.exp(this) as never; }
  log(): Tensor<S, D, Dev> { return ops.log(this) as never; }
  sqrt(): Tensor<S, D, Dev> { return ops.sqrt(this) as never; }
  abs(): Tensor<S, D, Dev> { return ops.abs(this) as never; }
  sign(): Tensor<S, D, Dev> { return ops.sign(this) as never; }
  tanh(): Tensor<S, D, Dev> { return ops.tanh(this) as never; }
  sigmoid(): Tensor<S, D, Dev> { return ops.sigmoid(this) as never; }
  relu(): Tensor<S, D, Dev> { return ops.relu(this) as never; }
  erf(): Tensor<S, D, Dev> { return ops.erf(this) as never; }
  square(): Tensor<S, D, Dev> { return ops.square(this) as never; }
  pow(exponent: number): Tensor<S, D, Dev> { return ops.pow(this, exponent) as never; }
  sum<T extends AnyTensor, const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(this: T, dims?: Dims, keepdim?: K): Tensor<ReduceResult<T["shape"], Dims, K>, T["dtype"], T["device"]> { return ops.sum(this, dims, keepdim) as never; }
  mean<T extends AnyTensor, const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(this: T, dims?: Dims, keepdim?: K): Tensor<ReduceResult<T["shape"], Dims, K>, T["dtype"], T["device"]> { return ops.mean(this, dims, keepdim) as never; }
  /** Largest value over dims (torch.amax). */
  max<T extends AnyTensor, const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(this: T, dims?: Dims, keepdim?: K): Tensor<ReduceResult<T["shape"], Dims, K>, T["dtype"], T["device"]> { return ops.max(this, dims, keepdim) as never; }
  min<T extends AnyTensor, const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(this: T, dims?: Dims, keepdim?: K): Tensor<ReduceResult<T["shape"], Dims, K>, T["dtype"], T["device"]> { return ops.min(this, dims, keepdim) as never; }
  /** Variance over dims, unbiased by default (correction 1), as torch.var. */
  var<T extends AnyTensor, const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(this: T, dims?: Dims, keepdim?: K, correction = 1): Tensor<ReduceResult<T["shape"], Dims, K>, T["dtype"], T["device"]> { return ops.variance(this, dims, keepdim, correction) as never; }
  argmax<T extends AnyTensor, const Dim extends number | undefined = undefined, K extends boolean = false>(this: T, dim?: Dim, keepdim?: K): Tensor<ReduceResult<T["shape"], Dim, K>, "int32", T["device"]> { return ops.argmax(this, dim, keepdim) as never; }
  matmul<T extends AnyTensor, B extends AnyTensor>(this: T, other: MatMulOperand<T["shape"], T["dtype"], T["device"], B>): Tensor<MatMulResult<T["shape"], OperandShape<B>>, T["dtype"], T["device"]> { return ops.matmul(this, other as AnyTensor) as never; }
  reshape<X extends AnyTensor, const T extends Shape>(this: X, shape: ReshapeTarget<X["shape"], T>): Tensor<ReshapeResult<X["shape"], T>, X["dtype"], X["device"]> { return ops.reshape(this, shape as Shape) as never; }
  view<X extends AnyTensor, const T extends Shape>(this: X, shape: ReshapeTarget<X["shape"], T>): Tensor<ReshapeResult<X["shape"], T>, X["dtype"], X["device"]> { return ops.reshape(this, shape as Shape) as never; }
  flatten<T extends AnyTensor, const Start extends number = 0, const End extends number = -1>(this: T, startDim?: Start, endDim?: End): Tensor<FlattenResult<T["shape"], Start, End>, T["dtype"], T["device"]> { return ops.flatten(this, startDim, endDim) as never; }
  permute<T extends AnyTensor, const P extends Shape>(this: T, perm: P): Tensor<PermuteResult<T["shape"], P>, T["dtype"], T["device"]> { return ops.permute(this, perm) as never; }
  transpose<T extends AnyTensor, const A extends number = -2, const B extends number = -1>(this: T, dim0?: A, dim1?: B): Tensor<TransposeResult<T["shape"], A, B>, T["dtype"], T["device"]> { return ops.transpose(this, dim0, dim1) as never; }
  unsqueeze(dim: number): Tensor<number[], D, Dev> { return ops.unsqueeze(this, dim) as never; }
  squeeze(dim?: number): Tensor<number[], D, Dev> { return ops.squeeze(this, dim) as never; }
  expand<const T extends Shape>(shape: T): Tensor<Mutable<T>, D, Dev> { return ops.expand(this, shape) as never; }
  cast<T extends DType>(dtype: T): Tensor<S, T, Dev> { return ops.cast(this, dtype) as never; }

  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)}, dtype=${this.dtype}, device=${this.device}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }
}

export type { AnyTypedArray };

/**
 * @internal `assign`, naming `by` as the change (an optimizer's step, loadStateDict) for the
 * message of a backward that needed the old data.
 */
export function replaceData(t: AnyTensor, value: AnyTensor, by: string): AnyTensor {
  if (!(value instanceof Tensor)) throw new Error(opErrors.notTensor("assign", "value", value));
  if (!sameShape(value.shape, t.shape) || value.dtype !== t.dtype || value.device !== t.device) {
    throw new Error(`assign: value has shape ${formatShape(value.shape)} (${value.dtype}, ${value.device}) but the tensor has shape ${formatShape(t.shape)} (${t.dtype}, ${t.device})`);
  }
  t.assertAlive("assign");
  value.assertAlive("assign");
  // CPU storage is immutable, so sharing it is safe; a device buffer gets one owner through a copy.
  if (t.device === "cpu") t.storage = value.storage;
  else moveStorage(t, noGrad(() => ops.clone(value)));
  markModified(t, by);
  return t;
}

/** @internal A seed (cotangent) must have its output's shape, dtype and device. */
export function checkSeed(op: string, seed: AnyTensor, output: AnyTensor): void {
  if (!sameShape(seed.shape, output.shape) || seed.dtype !== output.dtype || seed.device !== output.device) {
    const kind = (t: AnyTensor) => `${formatShape(t.shape)} (${t.dtype}, ${t.device})`;
    throw new Error(argumentErrors.seedMismatch(op, kind(seed), kind(output)));
  }
}

/** @internal Counts a change of `t`'s data (PyTorch's version counter); graphs that saved it refuse backward. */
export function markModified(t: AnyTensor, by: string): void {
  t.version++;
  t.modifiedBy = by;
}
