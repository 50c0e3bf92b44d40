/** Which backend serves each device. The CPU is always there; WebGPU registers itself on init. */
import type { Device } from "../../types/core.js";
import type { Backend } from "../backend.js";
import { cpuBackend } from "../backends/cpu/index.js";
import { opErrors } from "../../types/errors.js";

const backends: { [D in Device]?: Backend } = { cpu: cpuBackend as Backend };

export function registerBackend(device: Device, backend: Backend | undefined): void {
  backends[device] = backend;
}

export function backendFor(device: Device): Backend {
  const b = backends[device];
  if (!b) throw new Error(opErrors.deviceNotInitialised(device));
  return b;
}

/**
 * Frees storage on its device's backend; a no-op when that device is no longer registered (it was
 * destroyed, and its buffers with it). Safe from a FinalizationRegistry callback, which must never throw.
 */
export function releaseOn(device: Device, storage: unknown): void {
  backends[device]?.release(storage);
}

/** A tensor now holds `storage` (src/runtime/memory.ts): counted where the backend shares storage. */
export function retainOn(device: Device, storage: unknown): void {
  backends[device]?.retain?.(storage);
}
