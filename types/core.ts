/**
 * The vocabulary every other type in shapegrad is built from. Pure types, no runtime.
 *
 * A dim is one of three things, and each behaves differently:
 * - a number literal (`32`): checked and computed by the compiler;
 * - `number`: known only at run time; it stays `number` through every op and is checked there;
 * - a generic type parameter (a batch `N`): passed through ops untouched.
 */
export type DType = "float32" | "float64" | "int32";
export type Device = "cpu" | "webgpu";
export type Shape = readonly number[];

/** The typed array that stores each dtype on the CPU. */
export interface DTypeArrays {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
}
export type TypedArrayOf<D extends DType> = DTypeArrays[D];
export type AnyTypedArray = Float32Array | Float64Array | Int32Array;

/** A nested number array of the given shape, as `tensor()` accepts it. */
export type NestedArray<S extends Shape> = S extends readonly [number, ...infer Rest extends Shape]
  ? readonly NestedArray<Rest>[]
  : number;

/** How conv2d fills the border it pads (PyTorch's padding_mode). */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** `readonly [2, 3]` -> `[2, 3]`: shapes in tensor types are plain tuples. */
export type Mutable<S extends Shape> = [...S];
