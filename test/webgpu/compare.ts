/**
 * Runs one primitive on both backends and compares: the CPU backend is the oracle.
 *
 * Input data comes from a seeded generator (the seed is what fast-check draws), so a failing case
 * is reproducible from the printed counterexample without storing arrays.
 */
import type { AnyTypedArray, DType } from "../../types/core.js";
import type { Kernel, KernelInput } from "../../src/backend.js";
import type { Primitive, PrimitiveParams } from "../../src/primitives/index.js";
import { shapeRules } from "../../src/primitives/index.js";
import { cpuKernels } from "../../src/backends/cpu/index.js";
import { type GpuStorage, liveBufferCount, webgpuBackend } from "../../src/backends/webgpu/index.js";
import { numel } from "../../src/runtime/shape.js";
import { rng } from "../helpers/random.js";

export { rng };

export interface HostTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: AnyTypedArray;
}

/** Uniform floats in [lo, hi), as float32. */
export function floats(shape: readonly number[], seed: number, lo = -1, hi = 1): HostTensor {
  const r = rng(seed);
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * r();
  return { shape, dtype: "float32", data };
}

/** Values drawn from a few levels, so that ties (max, argmax, pooling) really happen. */
export function levels(shape: readonly number[], seed: number, count = 4): HostTensor {
  const r = rng(seed);
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * count) - 1;
  return { shape, dtype: "float32", data };
}

export function ints(shape: readonly number[], seed: number, lo = -1000, hi = 1000): HostTensor {
  const r = rng(seed);
  const data = new Int32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + Math.floor((hi - lo + 1) * r());
  return { shape, dtype: "int32", data };
}

export interface Outcome {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly cpu: AnyTypedArray;
  readonly gpu: AnyTypedArray;
}

/** Runs `p` on the CPU and on WebGPU with the same inputs; every GPU buffer is released again. */
export async function runBoth<P extends Primitive>(
  p: P,
  inputs: readonly HostTensor[],
  params: PrimitiveParams[P],
): Promise<Outcome> {
  const live = liveBufferCount();
  const out = shapeRules[p](inputs, params);
  const cpuKernel = cpuKernels[p] as Kernel<P, AnyTypedArray>;
  const cpu = cpuKernel(
    inputs.map((x) => ({ storage: x.data.slice(), shape: x.shape, dtype: x.dtype })),
    params,
    out,
  );
  const gpuKernel = webgpuBackend.kernels[p] as Kernel<P, GpuStorage>;
  const gpuInputs: KernelInput<GpuStorage>[] = inputs.map((x) => ({
    storage: webgpuBackend.upload(x.data, x.dtype),
    shape: x.shape,
    dtype: x.dtype,
  }));
  const y = gpuKernel(gpuInputs, params, out);
  const gpu = await webgpuBackend.read(y, out.dtype, numel(out.shape));
  for (const x of gpuInputs) webgpuBackend.release(x.storage);
  webgpuBackend.release(y);
  // Every buffer a kernel makes for itself (split-K partials) must be released by it.
  if (liveBufferCount() !== live) throw new Error(`${p} leaked ${liveBufferCount() - live} GPU buffers`);
  return { shape: out.shape, dtype: out.dtype, cpu, gpu };
}

export interface Tolerance {
  /** relative to |cpu| */
  readonly rtol: number;
  /** absolute floor, for results near zero (sums that cancel) */
  readonly atol: number;
}

/** Exact equality (int32 results, copies, comparisons). */
export const EXACT: Tolerance = { rtol: 0, atol: 0 };

/**
 * The first element where the two disagree, as a message, or null. NaN must meet NaN and an
 * infinity the same infinity; finite values must satisfy |gpu - cpu| <= atol + rtol |cpu|.
 */
export function mismatch(o: Outcome, tol: Tolerance): string | null {
  if (o.cpu.length !== o.gpu.length) return `length ${o.gpu.length} != ${o.cpu.length}`;
  if (o.cpu.constructor !== o.gpu.constructor)
    return `array type ${o.gpu.constructor.name} != ${o.cpu.constructor.name}`;
  for (let i = 0; i < o.cpu.length; i++) {
    const c = o.cpu[i],
      g = o.gpu[i];
    const ok = Number.isNaN(c)
      ? Number.isNaN(g)
      : !Number.isFinite(c)
        ? g === c
        : Math.abs(g - c) <= tol.atol + tol.rtol * Math.abs(c);
    if (!ok) return `element ${i} of shape [${o.shape.join(", ")}]: webgpu ${g}, cpu ${c}`;
  }
  return null;
}
