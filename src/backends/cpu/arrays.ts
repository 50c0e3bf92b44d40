import type { AnyTypedArray, DType } from "../../../types/core.js";

export function allocate(dtype: DType, size: number): AnyTypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
  }
}

/** Node's Buffer.allocUnsafeSlow: an ArrayBuffer of its own, not zero-filled. */
const allocUnsafeSlow = (globalThis as { Buffer?: { allocUnsafeSlow?: (bytes: number) => Uint8Array } }).Buffer
  ?.allocUnsafeSlow;

/**
 * An array of `size` elements every one of which the caller overwrites (the fast kernels' outputs,
 * the elementwise and movement kernels', uploads and fills, the fused optimizer steps). A new
 * typed array zero-fills its memory, and on memory the allocator reuses (a large array after a
 * collection) that is a memset the size of the output: ~0.5-0.9 ms for the 512-channel layer's
 * 9.4 MB weight gradient, ~10% of relu + mul on [64, 16, 12, 12]. In Node a non-pooled Buffer's
 * memory is not filled. Under 1,024 elements, and outside Node, `allocate`.
 */
export function allocateForOverwrite(dtype: DType, size: number): AnyTypedArray {
  if (allocUnsafeSlow === undefined || size < 1024) return allocate(dtype, size);
  const width = dtype === "float64" ? 8 : 4;
  const { buffer, byteOffset } = allocUnsafeSlow(size * width);
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, byteOffset, size);
    case "float64":
      return new Float64Array(buffer, byteOffset, size);
    case "int32":
      return new Int32Array(buffer, byteOffset, size);
  }
}
