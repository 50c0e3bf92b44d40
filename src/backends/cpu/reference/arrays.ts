/** The floating-point storage the reference kernels read and write. */
export type FloatArray = Float32Array | Float64Array;

/**
 * A zeroed array of `size` elements with the same element type as `like`: kernels return the dtype
 * they were given. Internally they accumulate in float64 and round once on the way out, so a
 * float32 result carries a single rounding per element rather than one per multiply-add.
 */
export function allocLike<F extends FloatArray>(like: F, size: number): F {
  return (like instanceof Float32Array ? new Float32Array(size) : new Float64Array(size)) as F;
}

/** Rounds a float64 accumulator into a fresh array of `like`'s element type. */
export function castLike<F extends FloatArray>(like: F, acc: Float64Array): F {
  const out = allocLike(like, acc.length);
  out.set(acc);
  return out;
}

/** Throws if a caller broke a kernel's contract (the op layer validates, so this is a bug guard). */
export function assertKernel(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(`reference kernel: ${message}`);
}

/**
 * The two halves of every copy-shaped linear map in these kernels (im2col, padding, pooling's
 * argmax). `index[i]` names the source cell that destination cell i copies, or -1 for a constant 0.
 * gather is the map; scatterAdd is its exact adjoint (each destination's value flows back to the
 * source it copied, summed where several copied the same one).
 */
export function gather(index: Int32Array, src: FloatArray, srcBase: number, dst: Float64Array, dstBase: number): void {
  for (let i = 0; i < index.length; i++) {
    const t = index[i];
    dst[dstBase + i] = t < 0 ? 0 : src[srcBase + t];
  }
}

export function scatterAdd(
  index: Int32Array,
  src: FloatArray,
  srcBase: number,
  dst: FloatArray,
  dstBase: number,
): void {
  for (let i = 0; i < index.length; i++) {
    const t = index[i];
    if (t >= 0) dst[dstBase + t] += src[srcBase + i];
  }
}
