/**
 * Tensor: an immutable view of device storage with a shape known to the compiler.
 *
 * `S` is the shape as a tuple of number literals (or `number` where only the run time knows),
 * `D` the dtype and `Dev` the device; all three are checked by the compiler and again at run time.
 * Tensors are never written in place by ops; `assign` (used by optimizers) swaps storage whole.
 */
import type { AnyTypedArray, DType, Device, Shape, TypedArrayOf } from "../types/core.js";
import type { GradNode } from "./autograd/engine.js";
import { runBackward, noGrad } from "./autograd/engine.js";
import { backendFor } from "./runtime/devices.js";
import { moveStorage, release, track } from "./runtime/memory.js";
import { formatShape, numel, sameShape } from "./runtime/shape.js";
import * as ops from "./ops/basic.js";
import type { BroadcastResult, FlattenResult, MatMulResult, Mutable, PermuteResult, ReduceResult, ReshapeResult, TransposeResult } from "./ops/shape-types.js";

export type AnyTensor = Tensor<Shape, DType, Device>;

export class Tensor<S extends Shape = Shape, D extends DType = "float32", Dev extends Device = "cpu"> {
  readonly shape: S;
  readonly dtype: D;
  readonly device: Dev;
  /** Whether gradients flow to this tensor. Leaves get it from `requiresGrad: true`; op results inherit it. */
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf after `backward()`; null until then or after `zeroGrad`. */
  grad: Tensor<S, D, Dev> | null = null;
  /** @internal the op that produced this tensor, when it is part of a recorded graph */
  readonly node: GradNode | null;
  /** @internal device storage, owned by the backend of `device` */
  storage: unknown;
  /** @internal */
  disposed = false;

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
  backward(seed?: Tensor<S, D, Dev>, options: { createGraph?: boolean } = {}): void {
    if (!this.requiresGrad) {
      throw new Error("backward: this tensor does not require grad (no input had requiresGrad: true, or it was computed under noGrad)");
    }
    if (seed !== undefined && (!sameShape(seed.shape, this.shape) || seed.dtype !== this.dtype || seed.device !== this.device)) {
      throw new Error(`backward: the seed gradient has shape ${formatShape(seed.shape)} (${seed.dtype}, ${seed.device}) but the tensor has shape ${formatShape(this.shape)} (${this.dtype}, ${this.device})`);
    }
    const g = seed ?? ops.onesLike(this);
    runBackward([this as AnyTensor], [g as AnyTensor], null, options.createGraph ?? false);
  }

  /** The data as a row-major typed array (CPU only; it is the tensor's own storage: do not write to it). */
  dataSync(): TypedArrayOf<D> {
    this.assertAlive("dataSync");
    const b = backendFor(this.device);
    if (!b.readSync) throw new Error(`dataSync: tensors on ${this.device} can only be read asynchronously; use \`await t.data()\``);
    return b.readSync(this.storage, this.dtype, this.size) as TypedArrayOf<D>;
  }

  /** A copy of the data as a row-major typed array, from any device. */
  async data(): Promise<TypedArrayOf<D>> {
    this.assertAlive("data");
    return (await backendFor(this.device).read(this.storage, this.dtype, this.size)) as TypedArrayOf<D>;
  }

  /** The value of a one-element tensor (CPU). */
  item(): number {
    if (this.size !== 1) throw new Error(`item: the tensor has ${this.size} elements (shape ${formatShape(this.shape)}); item() needs exactly one`);
    return this.dataSync()[0];
  }

  /** Nested arrays, as `tensor()` accepts them (CPU). */
  tolist(): unknown {
    const data = this.dataSync();
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return data[offset];
      const stride = numel(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
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
  assign(value: Tensor<S, D, Dev>): this {
    if (!sameShape(value.shape, this.shape) || value.dtype !== this.dtype || value.device !== this.device) {
      throw new Error(`assign: value has shape ${formatShape(value.shape)} (${value.dtype}, ${value.device}) but the tensor has shape ${formatShape(this.shape)} (${this.dtype}, ${this.device})`);
    }
    this.assertAlive("assign");
    value.assertAlive("assign");
    // CPU storage is immutable, so sharing it is safe; a device buffer gets one owner through a copy.
    if (this.device === "cpu") this.storage = value.storage;
    else moveStorage(this, noGrad(() => ops.clone(value)));
    return this;
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
  add<S2 extends Shape>(other: Tensor<S2, D, Dev> | number): Tensor<BroadcastResult<S, S2>, D, Dev> { return ops.add(this, other) as never; }
  sub<S2 extends Shape>(other: Tensor<S2, D, Dev> | number): Tensor<BroadcastResult<S, S2>, D, Dev> { return ops.sub(this, other) as never; }
  mul<S2 extends Shape>(other: Tensor<S2, D, Dev> | number): Tensor<BroadcastResult<S, S2>, D, Dev> { return ops.mul(this, other) as never; }
  div<S2 extends Shape>(other: Tensor<S2, D, Dev> | number): Tensor<BroadcastResult<S, S2>, D, Dev> { return ops.div(this, other) as never; }
  maximum<S2 extends Shape>(other: Tensor<S2, D, Dev> | number): Tensor<BroadcastResult<S, S2>, D, Dev> { return ops.maximum(this, other) as never; }
  minimum<S2 extends Shape>(other: Tensor<S2, D, Dev> | number): Tensor<BroadcastResult<S, S2>, D, Dev> { return ops.minimum(this, other) as never; }
  /** 1 where this > other, else 0, in this dtype. */
  gt<S2 extends Shape>(other: Tensor<S2, D, Dev> | number): Tensor<BroadcastResult<S, S2>, D, Dev> { return ops.greater(this, other) as never; }
  lt<S2 extends Shape>(other: Tensor<S2, D, Dev> | number): Tensor<BroadcastResult<S, S2>, D, Dev> { return ops.less(this, other) as never; }
  eq<S2 extends Shape>(other: Tensor<S2, D, Dev> | number): Tensor<BroadcastResult<S, S2>, D, Dev> { return ops.equal(this, other) as never; }
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
  sum<const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(dims?: Dims, keepdim?: K): Tensor<ReduceResult<S, Dims, K>, D, Dev> { return ops.sum(this, dims, keepdim) as never; }
  mean<const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(dims?: Dims, keepdim?: K): Tensor<ReduceResult<S, Dims, K>, D, Dev> { return ops.mean(this, dims, keepdim) as never; }
  /** Largest value over dims (torch.amax). */
  max<const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(dims?: Dims, keepdim?: K): Tensor<ReduceResult<S, Dims, K>, D, Dev> { return ops.max(this, dims, keepdim) as never; }
  min<const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(dims?: Dims, keepdim?: K): Tensor<ReduceResult<S, Dims, K>, D, Dev> { return ops.min(this, dims, keepdim) as never; }
  /** Variance over dims, unbiased by default (correction 1), as torch.var. */
  var<const Dims extends number | readonly number[] | undefined = undefined, K extends boolean = false>(dims?: Dims, keepdim?: K, correction = 1): Tensor<ReduceResult<S, Dims, K>, D, Dev> { return ops.variance(this, dims, keepdim, correction) as never; }
  argmax<const Dim extends number | undefined = undefined, K extends boolean = false>(dim?: Dim, keepdim?: K): Tensor<ReduceResult<S, Dim, K>, "int32", Dev> { return ops.argmax(this, dim, keepdim) as never; }
  matmul<S2 extends Shape>(other: Tensor<S2, D, Dev>): Tensor<MatMulResult<S, S2>, D, Dev> { return ops.matmul(this, other) as never; }
  reshape<const T extends Shape>(shape: T): Tensor<ReshapeResult<S, T>, D, Dev> { return ops.reshape(this, shape) as never; }
  view<const T extends Shape>(shape: T): Tensor<ReshapeResult<S, T>, D, Dev> { return ops.reshape(this, shape) as never; }
  flatten<const Start extends number = 0, const End extends number = -1>(startDim?: Start, endDim?: End): Tensor<FlattenResult<S, Start, End>, D, Dev> { return ops.flatten(this, startDim, endDim) as never; }
  permute<const P extends Shape>(perm: P): Tensor<PermuteResult<S, P>, D, Dev> { return ops.permute(this, perm) as never; }
  transpose<const A extends number = -2, const B extends number = -1>(dim0?: A, dim1?: B): Tensor<TransposeResult<S, A, B>, D, Dev> { return ops.transpose(this, dim0, dim1) as never; }
  unsqueeze(dim: number): Tensor<number[], D, Dev> { return ops.unsqueeze(this, dim) as never; }
  squeeze(dim?: number): Tensor<number[], D, Dev> { return ops.squeeze(this, dim) as never; }
  expand<const T extends Shape>(shape: T): Tensor<Mutable<T>, D, Dev> { return ops.expand(this, shape) as never; }
  cast<T extends DType>(dtype: T): Tensor<S, T, Dev> { return ops.cast(this, dtype) as never; }

  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)}, dtype=${this.dtype}, device=${this.device}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }
}

export type { AnyTypedArray };
