/**
 * What a device must provide. A backend owns its storage type (a typed array on the CPU, a GPU
 * buffer on WebGPU); tensors hold an opaque storage and never look inside it.
 */
import type { AnyTypedArray, DType, Device } from "../types/core.js";
import type { Primitive, PrimitiveParams } from "./primitives.js";

export interface KernelInput<Storage> {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface KernelOutput {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A kernel reads its inputs and returns a new storage of `out.shape` and `out.dtype`. Inputs are
 * never modified. The shape rule has already run, so a kernel may trust every shape.
 */
export type Kernel<P extends Primitive, Storage> = (
  inputs: readonly KernelInput<Storage>[],
  params: PrimitiveParams[P],
  out: KernelOutput,
) => Storage;

export type KernelTable<Storage> = { readonly [P in Primitive]: Kernel<P, Storage> };

export interface Backend<Storage = unknown> {
  readonly device: Device;
  readonly kernels: KernelTable<Storage>;
  /** Copies host data in. `data.length` is the element count. */
  upload(data: AnyTypedArray, dtype: DType): Storage;
  /** A new storage of `size` elements, every one equal to `value`. */
  full(size: number, value: number, dtype: DType): Storage;
  /** Host copy of the data, for any device. */
  read(storage: Storage, dtype: DType, size: number): Promise<AnyTypedArray>;
  /** Synchronous read; only backends whose memory the host can see provide it. */
  readSync?(storage: Storage, dtype: DType, size: number): AnyTypedArray;
  /**
   * `dataSync()` handed `storage` to the caller, who may write it from now on: caches derived from
   * its data must check it before use. Only backends with `readSync` need it.
   */
  expose?(storage: Storage): void;
  /** Frees device memory now. A no-op where the garbage collector owns memory. */
  release(storage: Storage): void;
}
