/** The CPU backend's float arrays, as the kernels that exist only for floating point take them. */
import type { AnyTypedArray } from "../../../types/core.js";
import type { KernelInput } from "../../backend.js";

export type Float = Float32Array | Float64Array;

/** An input's array, for a kernel that only exists for floating point: int32 reaching it is a bug upstream. */
export function float(x: KernelInput<AnyTypedArray>): Float {
  if (x.storage instanceof Int32Array) throw new Error("shapegrad internal error: float kernel called on int32");
  return x.storage;
}

/** Both operands' arrays when both are float32: the case the fast kernels serve. */
export function bothF32(
  a: KernelInput<AnyTypedArray>,
  b: KernelInput<AnyTypedArray>,
): [Float32Array, Float32Array] | null {
  return a.storage instanceof Float32Array && b.storage instanceof Float32Array ? [a.storage, b.storage] : null;
}
