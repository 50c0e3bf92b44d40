/**
 * Tensor: an immutable view of device storage with a shape known to the compiler.
 *
 * `S` is the shape as a tuple of number literals (or `number` where only the run time knows),
 * `D` the dtype and `Dev` the device; all three are checked by the compiler and again at run time.
 */
import type { DType, Device, Shape } from "../types/core.js";

export class Tensor<S extends Shape = Shape, D extends DType = "float32", Dev extends Device = "cpu"> {
  readonly shape: S;
  readonly dtype: D;
  readonly device: Dev;
  /** @internal device storage, owned by the backend of `device` */
  storage: unknown;

  /** @internal tensors are made by ops and creation functions, never directly */
  constructor(shape: S, dtype: D, device: Dev, storage: unknown) {
    this.shape = shape;
    this.dtype = dtype;
    this.device = device;
    this.storage = storage;
  }
}
