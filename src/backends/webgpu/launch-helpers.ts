/**
 * The host side's shared steps of every WebGPU kernel: the shader text cache, the inputs'
 * buffers, the launch size, fills.
 */
import type { DType } from "../../../types/core.js";
import type { KernelInput } from "../../backend.js";
import { launch } from "./dispatch.js";
import { type GpuStorage, allocate, assertDType, checkLive } from "./memory.js";
import type { GpuDType } from "./wgsl/common.js";
import { WORKGROUP } from "./wgsl/common.js";
import { fillShader } from "./wgsl/elementwise.js";

/** A kernel input as the WebGPU backend receives it. */
export type GpuInput = KernelInput<GpuStorage>;

/** Shader texts are cached here by key so each is generated once (the pipeline cache keys on text). */
const shaders = new Map<string, string>();
export function shader(key: string, make: () => string): string {
  let s = shaders.get(key);
  if (s === undefined) shaders.set(key, (s = make()));
  return s;
}

export function dtypeOf(d: DType): GpuDType {
  assertDType(d);
  return d;
}

/** The inputs' buffers, after checking each is live: call before allocating the output, so a refused call leaks nothing. */
export function buffers(inputs: readonly GpuInput[]): GPUBuffer[] {
  return inputs.map((x) => {
    checkLive(x.storage);
    return x.storage.buffer;
  });
}

export const perElement = (n: number) => Math.ceil(n / WORKGROUP);

/** Fills `size` elements with `value`, stored as the dtype's bits (int32 wraps as Int32Array does). */
export function full(size: number, value: number, dtype: DType): GpuStorage {
  const t = dtypeOf(dtype);
  return fillInto(allocate(size), size, value, t);
}

export function fillInto(y: GpuStorage, size: number, value: number, dtype: GpuDType): GpuStorage {
  const bits = new Uint32Array((dtype === "float32" ? Float32Array.of(value) : Int32Array.of(value)).buffer);
  launch(
    shader(`fill:${dtype}`, () => fillShader(dtype)),
    y.buffer,
    Uint32Array.of(size, bits[0]),
    [],
    perElement(size),
  );
  return y;
}
