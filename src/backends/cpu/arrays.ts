import type { AnyTypedArray, DType } from "../../../types/core.js";

/** Largest element count a CPU tensor may have: typed arrays index with 32-bit lengths here. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export function allocate(dtype: DType, size: number): AnyTypedArray {
  switch (dtype) {
    case "float32": return new Float32Array(size);
    case "float64": return new Float64Array(size);
    case "int32": return new Int32Array(size);
  }
}
