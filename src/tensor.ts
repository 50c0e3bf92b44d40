/**
 * Tensor: an immutable view of device storage with a shape known to the compiler.
 *
 * `S` is the shape as a tuple of number literals (or `number` where only the run time knows),
 * `D` the dtype and `Dev` the device; all three are checked by the compiler and again at run time.
 * Tensors are never written in place by ops; `assign` (used by optimizers) swaps storage whole.
 *
 * This module holds the data and its reads; the ops and autograd entry points that are also
 * methods (`add`, `reshape`, `backward`, `to` ...) are installed, and declared on this class, by
 * src/ops/methods.ts, so that nothing here depends on the ops at run time.
 */
import type { AnyTypedArray, DType, Device, Shape, TypedArrayOf } from "../types/core.js";
import type { GradNode } from "./autograd/engine.js";
import { argumentErrors, tensorErrors } from "../types/errors.js";
import { backendFor } from "./runtime/devices.js";
import { release, track } from "./runtime/memory.js";
import { formatShape, numel, sameShape } from "./runtime/shape.js";
// Type only (no run-time import, no cycle): a program that sees this class sees its methods too.
import type {} from "./ops/methods.js";

export type AnyTensor = Tensor<Shape, DType, Device>;

/**
 * The `this` of a synchronous read: the tensor itself, or the catalogue's message when its type
 * says it lives on WebGPU, which has no synchronous read. A tensor typed with the whole `Device`
 * union may be on the CPU and stays readable (the run time checks).
 */
export type SyncReadable<Op extends string, T extends AnyTensor> = [T["device"]] extends ["webgpu"]
  ? [T["device"]] extends ["cpu"]
    ? T /* any */
    : ReturnType<typeof tensorErrors.syncRead<Op, "webgpu">>
  : T;

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
    // A frozen shape is another tensor's (an elementwise op's output is shaped like its input):
    // shared, as nothing can change it; any other is copied, as its maker may still hold it.
    this.shape = (Object.isFrozen(shape) ? shape : Object.freeze(shape.slice())) as unknown as S;
    this.dtype = dtype;
    this.device = device;
    this.storage = storage;
    this.node = node;
    this.requiresGrad = node !== null;
    track(this);
  }

  /** @internal */
  static _make(
    shape: readonly number[],
    dtype: DType,
    device: Device,
    storage: unknown,
    node: GradNode | null,
  ): AnyTensor {
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
    if (t.size !== 1)
      throw new Error(
        `item: the tensor has ${t.size} elements (shape ${formatShape(t.shape)}); item() needs exactly one`,
      );
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

  /** Marks a leaf as needing gradients (PyTorch's requires_grad_). */
  requiresGrad_(value = true): this {
    if (this.node && !value) throw new Error("requiresGrad_: only leaf tensors can be changed; use detach()");
    this.requiresGrad = value;
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

  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)}, dtype=${this.dtype}, device=${this.device}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }
}

export type { AnyTypedArray };

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
