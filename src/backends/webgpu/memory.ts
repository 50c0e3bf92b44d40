/**
 * GPU memory: storages, the buffer pool, and the one command encoder that kernels record into.
 *
 * Model. A tensor owns a `GpuStorage`, a handle on a `Block` (one GPUBuffer). Handles are never
 * shared between tensors: `reshape` makes a second handle on the same block and counts a
 * reference, so `release` of one handle never frees memory another tensor still reads. When a
 * block's last handle is released, the buffer goes to a pool keyed by its byte size (training
 * loops allocate the same sizes every step, so they stop allocating after the first one) or, past
 * the pool's byte budget, is destroyed. `liveBufferCount()` counts blocks with a live handle.
 *
 * Ordering. Kernels are recorded into one pending command encoder and submitted together (on a
 * read, an upload, or every `FLUSH_EVERY` dispatches). Everything recorded runs in order, so a
 * pooled buffer can be handed to the next kernel at once. `queue.writeBuffer` however runs at
 * submit time, ahead of the still-pending encoder, so uploads flush first; and buffers are only
 * destroyed after the encoder that may use them is submitted (`destroyLater`).
 */
import type { AnyTypedArray, DType } from "../../../types/core.js";
import { MAP_MODE_READ, WEBGPU_FLOAT64_MESSAGE, currentContext, gpu, onContextDestroyed, usage } from "./device.js";

interface Block {
  readonly buffer: GPUBuffer;
  readonly bytes: number;
  readonly generation: number;
  refs: number;
}

/** A tensor's handle on GPU memory: `length` elements of 4 bytes (float32 or int32). */
export class GpuStorage {
  /** @internal */
  released = false;
  /** @internal */
  constructor(
    readonly block: Block,
    readonly length: number,
  ) {}
  get buffer(): GPUBuffer {
    return this.block.buffer;
  }
}

const FLUSH_EVERY = 64;
const BYTES_PER_ELEMENT = 4;

let encoder: GPUCommandEncoder | null = null;
let recorded = 0;
let toDestroy: GPUBuffer[] = [];
const pool = new Map<number, GPUBuffer[]>();
let pooledBytes = 0;
let pooledBuffers = 0;
let liveBlocks = 0;
let liveBytes = 0;

onContextDestroyed(() => {
  encoder = null;
  recorded = 0;
  toDestroy = [];
  pool.clear();
  pooledBytes = pooledBuffers = liveBlocks = liveBytes = 0;
});

export function assertDType(dtype: DType): asserts dtype is "float32" | "int32" {
  if (dtype === "float64") throw new Error(WEBGPU_FLOAT64_MESSAGE);
}

/** Whole buffers are bound, so sizes are rounded to 16 bytes (the strictest binding alignment). */
function roundBytes(elements: number): number {
  return Math.max(16, Math.ceil((elements * BYTES_PER_ELEMENT) / 16) * 16);
}

/** A fresh storage of `elements` elements (contents undefined: kernels write every element). */
export function allocate(elements: number): GpuStorage {
  const ctx = gpu();
  const bytes = roundBytes(elements);
  if (bytes > ctx.maxBindingBytes) {
    throw new Error(
      `webgpu: a tensor of ${elements} elements needs ${bytes} bytes, over the device's ${ctx.maxBindingBytes}-byte storage binding limit`,
    );
  }
  let buffer = pool.get(bytes)?.pop();
  if (buffer) {
    pooledBytes -= bytes;
    pooledBuffers--;
  } else {
    buffer = ctx.device.createBuffer({ size: bytes, usage: usage.STORAGE | usage.COPY_SRC | usage.COPY_DST });
  }
  liveBlocks++;
  liveBytes += bytes;
  return new GpuStorage({ buffer, bytes, generation: ctx.generation, refs: 1 }, elements);
}

/** A second handle on the same memory (reshape): the block lives until both are released. */
export function share(s: GpuStorage): GpuStorage {
  checkLive(s);
  s.block.refs++;
  return new GpuStorage(s.block, s.length);
}

/** Throws if a kernel is handed a storage that was released or belongs to a destroyed device. */
export function checkLive(s: GpuStorage): void {
  if (!(s instanceof GpuStorage))
    throw new Error("webgpu: a kernel input is not a webgpu storage (a cpu tensor reached the webgpu backend)");
  if (s.released) throw new Error("webgpu: a tensor was used after dispose()");
  if (s.block.generation !== gpu().generation)
    throw new Error("webgpu: a tensor belongs to a WebGPU device that was destroyed");
}

/** Idempotent, and silent for storages of a destroyed device (finalizers may run late). */
export function release(s: GpuStorage): void {
  if (!(s instanceof GpuStorage) || s.released) return;
  s.released = true;
  const ctx = currentContext();
  const block = s.block;
  if (!ctx || block.generation !== ctx.generation) return;
  if (--block.refs > 0) return;
  liveBlocks--;
  liveBytes -= block.bytes;
  if (pooledBytes + block.bytes <= ctx.poolBytes) {
    let list = pool.get(block.bytes);
    if (!list) pool.set(block.bytes, (list = []));
    list.push(block.buffer);
    pooledBytes += block.bytes;
    pooledBuffers++;
  } else {
    destroyLater(block.buffer);
  }
}

/** Destroys a buffer once the commands recorded so far (which may use it) are submitted. */
export function destroyLater(buffer: GPUBuffer): void {
  if (encoder) toDestroy.push(buffer);
  else buffer.destroy();
}

/** The pending command encoder; kernels record compute passes into it. */
export function commandEncoder(): GPUCommandEncoder {
  if (!encoder) encoder = gpu().device.createCommandEncoder();
  return encoder;
}

/** Called after each recorded dispatch: submits in batches so a long chain keeps the GPU busy. */
export function recordedDispatch(): void {
  if (++recorded >= FLUSH_EVERY) flush();
}

/** Submits everything recorded so far, then destroys what waited for that submission. */
export function flush(): void {
  const ctx = currentContext();
  if (encoder && ctx) ctx.device.queue.submit([encoder.finish()]);
  encoder = null;
  recorded = 0;
  for (const b of toDestroy) b.destroy();
  toDestroy = [];
}

export function upload(data: AnyTypedArray, dtype: DType): GpuStorage {
  assertDType(dtype);
  // The same conversion as the CPU backend's `typed.set(data)`: float32 rounds, int32 wraps.
  const typed =
    dtype === "float32"
      ? data instanceof Float32Array
        ? data
        : Float32Array.from(data)
      : data instanceof Int32Array
        ? data
        : Int32Array.from(data);
  const s = allocate(typed.length);
  if (typed.length > 0) {
    flush();
    gpu().device.queue.writeBuffer(s.buffer, 0, typed.buffer, typed.byteOffset, typed.byteLength);
  }
  return s;
}

function throwPendingErrors(): void {
  const ctx = gpu();
  if (ctx.errors.length > 0) {
    const messages = ctx.errors.splice(0);
    throw new Error(`webgpu: a GPU command failed: ${messages.join("; ")}`);
  }
}

export async function read(s: GpuStorage, dtype: DType, size: number): Promise<AnyTypedArray> {
  assertDType(dtype);
  checkLive(s);
  const out = dtype === "float32" ? new Float32Array(size) : new Int32Array(size);
  if (size === 0) return out;
  const ctx = gpu();
  const bytes = roundBytes(size);
  const staging = ctx.device.createBuffer({ size: bytes, usage: usage.MAP_READ | usage.COPY_DST });
  commandEncoder().copyBufferToBuffer(s.buffer, 0, staging, 0, Math.min(bytes, s.block.bytes));
  flush();
  try {
    await staging.mapAsync(MAP_MODE_READ);
    const mapped = staging.getMappedRange(0, size * BYTES_PER_ELEMENT);
    out.set(dtype === "float32" ? new Float32Array(mapped) : new Int32Array(mapped));
    staging.unmap();
  } catch (e) {
    throwPendingErrors();
    throw e;
  } finally {
    staging.destroy();
  }
  throwPendingErrors();
  return out;
}

/** Buffers held by live tensors (blocks with a live handle; reshapes share one). */
export function liveBufferCount(): number {
  return liveBlocks;
}

export interface WebGPUMemoryStats {
  readonly liveBuffers: number;
  readonly liveBytes: number;
  readonly pooledBuffers: number;
  readonly pooledBytes: number;
}

export function webgpuMemoryStats(): WebGPUMemoryStats {
  return { liveBuffers: liveBlocks, liveBytes, pooledBuffers, pooledBytes };
}

/** Destroys every pooled buffer (memory pressure, or before measuring). */
export function emptyPool(): void {
  for (const list of pool.values()) for (const b of list) destroyLater(b);
  pool.clear();
  pooledBytes = pooledBuffers = 0;
}
