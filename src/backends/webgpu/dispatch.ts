/**
 * Recording one kernel launch: the pipeline (compiled once per shader text and cached), the
 * parameter buffer, the bind group, and the compute pass.
 *
 * Binding convention of every shader here: @binding(0) the output (read_write), @binding(1) the
 * parameters `meta: array<u32>` (read-only storage, so any length works without uniform-buffer
 * padding rules), @binding(2) and @binding(3) the inputs (read-only).
 *
 * Parameter buffers are cached by content: a training loop launches the same shapes every step,
 * so after the first step no parameter buffer is created or written. The cache is bounded; an
 * evicted buffer is destroyed only after the commands that may still read it are submitted.
 */
import { gpu, onContextDestroyed, usage } from "./device.js";
import { commandEncoder, destroyLater, recordedDispatch } from "./memory.js";

const pipelines = new Map<string, GPUComputePipeline>();
const metas = new Map<string, GPUBuffer>();
const META_CACHE_SIZE = 4096;

onContextDestroyed(() => {
  pipelines.clear();
  metas.clear();
});

/** Workgroups in x and y for `count` workgroups: x stays within the 65535-per-dimension limit. */
export function grid(count: number): [number, number] {
  const x = Math.min(count, 65535);
  return [x, Math.ceil(count / x)];
}

export function pipeline(source: string): GPUComputePipeline {
  let p = pipelines.get(source);
  if (!p) {
    const device = gpu().device;
    const module = device.createShaderModule({ code: source });
    p = device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
    pipelines.set(source, p);
  }
  return p;
}

function metaBuffer(meta: Uint32Array, cacheKey?: string): GPUBuffer {
  const key = cacheKey ?? meta.join(",");
  let b = metas.get(key);
  if (b) {
    // Map iteration order is insertion order: re-inserting makes this the most recent entry.
    metas.delete(key);
    metas.set(key, b);
    return b;
  }
  const bytes = Math.max(16, Math.ceil(meta.byteLength / 16) * 16);
  b = gpu().device.createBuffer({ size: bytes, usage: usage.STORAGE, mappedAtCreation: true });
  new Uint32Array(b.getMappedRange()).set(meta);
  b.unmap();
  metas.set(key, b);
  if (metas.size > META_CACHE_SIZE) {
    const [oldKey, old] = metas.entries().next().value as [string, GPUBuffer];
    metas.delete(oldKey);
    destroyLater(old);
  }
  return b;
}

/** Number of cached pipelines (each distinct shader text compiles once). */
export function pipelineCount(): number {
  return pipelines.size;
}

/**
 * Records one dispatch of `source` over `workgroups` workgroups (laid out by `grid`), binding
 * `output`, the parameters and the inputs. `metaKey`, when given, identifies the parameters in the
 * cache instead of their full text (long parameter blocks such as conv tap tables).
 */
export function launch(
  source: string,
  output: GPUBuffer,
  meta: Uint32Array,
  inputs: readonly GPUBuffer[],
  workgroups: number,
  metaKey?: string,
): void {
  if (workgroups === 0) return;
  const p = pipeline(source);
  const entries: GPUBindGroupEntry[] = [
    { binding: 0, resource: { buffer: output } },
    { binding: 1, resource: { buffer: metaBuffer(meta, metaKey) } },
  ];
  inputs.forEach((buffer, i) => entries.push({ binding: 2 + i, resource: { buffer } }));
  const bindGroup = gpu().device.createBindGroup({ layout: p.getBindGroupLayout(0), entries });
  const pass = commandEncoder().beginComputePass();
  pass.setPipeline(p);
  pass.setBindGroup(0, bindGroup);
  const [x, y] = grid(workgroups);
  pass.dispatchWorkgroups(x, y);
  pass.end();
  recordedDispatch();
}
