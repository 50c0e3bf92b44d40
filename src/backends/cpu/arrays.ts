import type { AnyTypedArray, DType } from "../../../types/core.js";

/** Node's Buffer.allocUnsafeSlow: an ArrayBuffer of its own, not zero-filled. */
const allocUnsafeSlow = (globalThis as { Buffer?: { allocUnsafeSlow?: (bytes: number) => Uint8Array } }).Buffer
  ?.allocUnsafeSlow;

/**
 * Float storage reuse. A training step makes the same array sizes every step; a fresh array costs
 * a page fault per 4 KiB on its first writes (the profile's `make`, 12.8% of the BN CNN's step) and
 * garbage to collect (6.3%). So the float arrays this module makes are counted by owner, and one
 * whose last owner lets go comes back here, to be handed out again for the same length.
 *
 * Owners are tensors: each tensor made around an array counts one (`retain`, from
 * src/runtime/memory.ts's `track`; a reshape or detach shares its input's array and counts
 * another), and each `dispose()`, `tidy()` release or storage replacement gives one back
 * (`release`). JavaScript has no reference counts, so a tensor nobody disposes is never counted
 * down: its array goes to the garbage collector as before, never to the pool. That makes the pool
 * safe by construction for code that does not dispose, and tidy() training loops (as PyTorch's
 * refcounted frees at the end of a step) get their arrays back.
 *
 * What else may hold an array and so forbids its reuse:
 * - the caller of `dataSync()`: `pin` (the CPU backend's `expose`) takes the array out of the
 *   pool's accounting for good;
 * - caches keyed by an array (the fast runtime's packed weights): each registers a `forget`
 *   callback (`onRecycle`), called when the array enters the pool, before anyone can reuse it.
 *   Max pooling's argmax cache needs none: it is read only for a graph node's own params and
 *   input, and that input tensor, alive, still holds the array.
 *
 * Bound: the pool holds at most `poolBytes` of free arrays (256 MiB, the WebGPU pool's budget);
 * an array released past it is left to the garbage collector. Only arrays of more than 64 bytes
 * are counted: V8 keeps smaller typed arrays in its heap, where they cost little, and gives larger
 * ones memory of their own, which costs a float32 add of two 1,000-element tensors ~40% of its CPU
 * time (5.1 us without the pool, 3.0 us with it, measured under load).
 */
const IN_HEAP_BYTES = 64;
let poolBytes = 256 * 2 ** 20;
type Float = Float32Array | Float64Array;

/** Owners of each array the pool may take back; absent: not ours, or pinned. */
const owners = new WeakMap<Float, number>();
const free = { float32: new Map<number, Float32Array[]>(), float64: new Map<number, Float64Array[]>() };
let freeBytes = 0;
let reuses = 0;
const forgetters: ((a: Float) => void)[] = [];

function fresh(dtype: DType, size: number, zeroed: boolean): AnyTypedArray {
  if (zeroed || allocUnsafeSlow === undefined || size < 1024) {
    switch (dtype) {
      case "float32":
        return new Float32Array(size);
      case "float64":
        return new Float64Array(size);
      case "int32":
        return new Int32Array(size);
    }
  }
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

/** A free array of this dtype and length from the pool, counted as ours with no owner yet, or a new one. */
function take(dtype: DType, size: number): AnyTypedArray {
  if (dtype === "int32" || size * (dtype === "float64" ? 8 : 4) <= IN_HEAP_BYTES) return fresh(dtype, size, false);
  const reused = free[dtype].get(size)?.pop();
  if (reused !== undefined) {
    freeBytes -= reused.byteLength;
    reuses++;
    owners.set(reused, 0);
    return reused;
  }
  const made = fresh(dtype, size, false) as Float;
  owners.set(made, 0);
  return made;
}

/**
 * A new zero-filled array of `size` elements, never from the pool: host data on its way to an
 * upload, and kernels that accumulate into their output.
 */
export function allocate(dtype: DType, size: number): AnyTypedArray {
  return fresh(dtype, size, true);
}

/**
 * An array of `size` elements every one of which the caller overwrites (the fast kernels' outputs,
 * the elementwise and movement kernels', uploads and fills, the fused optimizer steps): a reused
 * one as it was left, or a new one not zero-filled. A new typed array zero-fills its memory, and on
 * memory the allocator reuses (a large array after a collection) that is a memset the size of the
 * output: ~0.5-0.9 ms for the 512-channel layer's 9.4 MB weight gradient, ~10% of relu + mul on
 * [64, 16, 12, 12]. In Node a non-pooled Buffer's memory is not filled. Under 1,024 elements, and
 * outside Node, a new array is zero-filled.
 */
export function allocateForOverwrite(dtype: DType, size: number): AnyTypedArray {
  return take(dtype, size);
}

/** A tensor now holds `a` (the CPU backend's `retain`). */
export function retain(a: AnyTypedArray): void {
  const n = owners.get(a as Float);
  if (n !== undefined) owners.set(a as Float, n + 1);
}

/** A tensor holding `a` let it go (the CPU backend's `release`): the last one returns it to the pool. */
export function release(a: AnyTypedArray): void {
  const f = a as Float;
  const n = owners.get(f);
  if (n === undefined) return;
  if (n > 1) {
    owners.set(f, n - 1);
    return;
  }
  owners.delete(f);
  if (freeBytes + f.byteLength > poolBytes) return;
  for (const forget of forgetters) forget(f);
  const lists: Map<number, Float[]> = f instanceof Float32Array ? free.float32 : free.float64;
  const list = lists.get(f.length);
  if (list) list.push(f);
  else lists.set(f.length, [f]);
  freeBytes += f.byteLength;
}

/** `a` was handed to a caller outside the library (`dataSync()`): it is never reused. */
export function pin(a: AnyTypedArray): void {
  owners.delete(a as Float);
}

/** Registers a cache's way to drop what it keeps for an array, called as the array enters the pool. */
export function onRecycle(forget: (a: Float) => void): void {
  forgetters.push(forget);
}

/** @internal The pool's state (reuses: arrays handed out again since the start), for tests and benchmarks. */
export function poolStats(): { freeBytes: number; freeArrays: number; budget: number; reuses: number } {
  let freeArrays = 0;
  for (const lists of [free.float32, free.float64] as Map<number, Float[]>[])
    for (const l of lists.values()) freeArrays += l.length;
  return { freeBytes, freeArrays, budget: poolBytes, reuses };
}

/**
 * @internal Sets the pool's budget in bytes and empties it (0 turns reuse off: every release is
 * left to the garbage collector, as before the pool). For tests and benchmarks.
 */
export function setPoolBytes(bytes: number): void {
  poolBytes = bytes;
  free.float32.clear();
  free.float64.clear();
  freeBytes = 0;
}
