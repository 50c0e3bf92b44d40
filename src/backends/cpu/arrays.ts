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
 * - caches keyed by an array (the fast runtime's packed weights, max pooling's argmax): each
 *   registers a `forget` callback (`onRecycle`), called when the array enters the pool, before
 *   anyone can reuse it.
 *
 * int32 arrays are pooled the same way: tensors' (indices, labels) and max pooling's argmax, which
 * its cache owns (`retain` when it remembers one, `release` when it forgets it) and which is as
 * large as the pooled output, 776 KiB of fresh memory a demo step before it was pooled.
 *
 * Bound: the pool holds at most `poolBytes` of free arrays (256 MiB, the WebGPU pool's budget);
 * an array released past it is left to the garbage collector. Only arrays of more than 64 bytes
 * are counted: V8 keeps smaller typed arrays in its heap, where they cost little, and gives larger
 * ones memory of their own, which costs a float32 add of two 1,000-element tensors ~40% of its CPU
 * time (5.1 us without the pool, 3.0 us with it, measured under load).
 */
const IN_HEAP_BYTES = 64;
let poolBytes = 256 * 2 ** 20;
type Pooled = Float32Array | Float64Array | Int32Array;

/** Owners of each array the pool may take back; absent: not ours, or pinned. */
const owners = new WeakMap<Pooled, number>();
const free: Record<DType, Map<number, Pooled[]>> = { float32: new Map(), float64: new Map(), int32: new Map() };
let freeBytes = 0;
let reuses = 0;
/**
 * Arrays handed out and not given back (nor pinned), and their bytes; with `peakHeldBytes` since
 * `resetPeak`, what a pass such as backward holds at its worst. An array whose owners were never
 * all disposed goes to the garbage collector still counted here: JavaScript tells no one.
 */
let heldArrays = 0;
let heldBytes = 0;
let peakHeldBytes = 0;
let peakHeldArrays = 0;
const forgetters: ((a: Pooled) => void)[] = [];
const dtypeOf = (a: Pooled): DType =>
  a instanceof Float32Array ? "float32" : a instanceof Float64Array ? "float64" : "int32";

function hold(a: Pooled): void {
  owners.set(a, 0);
  heldArrays++;
  heldBytes += a.byteLength;
  if (heldBytes > peakHeldBytes) {
    peakHeldBytes = heldBytes;
    peakHeldArrays = heldArrays;
  }
}

function unhold(a: Pooled): void {
  owners.delete(a);
  heldArrays--;
  heldBytes -= a.byteLength;
}

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
  if (size * (dtype === "float64" ? 8 : 4) <= IN_HEAP_BYTES) return fresh(dtype, size, false);
  const reused = free[dtype].get(size)?.pop();
  if (reused !== undefined) {
    freeBytes -= reused.byteLength;
    reuses++;
    hold(reused);
    return reused;
  }
  const made = fresh(dtype, size, false);
  hold(made);
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

/** A tensor (or a cache) now holds `a` (the CPU backend's `retain`). */
export function retain(a: AnyTypedArray): void {
  const n = owners.get(a);
  if (n !== undefined) owners.set(a, n + 1);
}

/** A tensor (or a cache) holding `a` let it go (the CPU backend's `release`): the last one returns it to the pool. */
export function release(a: AnyTypedArray): void {
  const n = owners.get(a);
  if (n === undefined) return;
  if (n > 1) {
    owners.set(a, n - 1);
    return;
  }
  unhold(a);
  // First, so that what a cache held for `a` (an argmax) is given back even when `a` itself is
  // left to the garbage collector, and counts against the bound before `a` does.
  for (const forget of forgetters) forget(a);
  if (freeBytes + a.byteLength > poolBytes) return;
  const lists = free[dtypeOf(a)];
  const list = lists.get(a.length);
  if (list) list.push(a);
  else lists.set(a.length, [a]);
  freeBytes += a.byteLength;
}

/** `a` was handed to a caller outside the library (`dataSync()`): it is never reused. */
export function pin(a: AnyTypedArray): void {
  if (owners.has(a)) unhold(a);
}

/** Registers a cache's way to drop what it keeps for an array, called as the array enters the pool. */
export function onRecycle(forget: (a: Pooled) => void): void {
  forgetters.push(forget);
}

/**
 * @internal The pool's state, for tests and benchmarks: its free arrays (int32 ones apart), arrays handed out again
 * since the start (reuses), arrays held now (handed out, not yet given back) and the most held
 * since `resetPeak` (bytes, and the arrays held at that moment).
 */
export function poolStats(): {
  freeBytes: number;
  freeArrays: number;
  freeInt32: number;
  budget: number;
  reuses: number;
  heldArrays: number;
  heldBytes: number;
  peakHeldBytes: number;
  peakHeldArrays: number;
} {
  const freeOf = (dtype: DType) => [...free[dtype].values()].reduce((n, l) => n + l.length, 0);
  const freeInt32 = freeOf("int32");
  const freeArrays = freeOf("float32") + freeOf("float64") + freeInt32;
  return {
    freeBytes,
    freeArrays,
    freeInt32,
    budget: poolBytes,
    reuses,
    heldArrays,
    heldBytes,
    peakHeldBytes,
    peakHeldArrays,
  };
}

/** @internal Starts a new peak of held arrays from what is held now. */
export function resetPeak(): void {
  peakHeldBytes = heldBytes;
  peakHeldArrays = heldArrays;
}

/**
 * @internal Sets the pool's budget in bytes and empties it (0 turns reuse off: every release is
 * left to the garbage collector, as before the pool). For tests and benchmarks.
 */
export function setPoolBytes(bytes: number): void {
  poolBytes = bytes;
  for (const lists of Object.values(free)) lists.clear();
  freeBytes = 0;
}

// Issue 23 (i23-step2): the optimizers' in-place updates.
/** Whether exactly one tensor holds `a`, an array of the pool's (not pinned by dataSync()): its holder may write it. */
export function soleOwner(a: AnyTypedArray): boolean {
  return owners.get(a) === 1;
}

/** `a`'s data was overwritten by its sole owner: every cache derived from it drops that, as when it enters the pool. */
export function rewritten(a: AnyTypedArray): void {
  for (const forget of forgetters) forget(a);
}
