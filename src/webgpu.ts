/**
 * The public WebGPU entry points. `initWebGPU()` acquires the device and registers its backend, so
 * that `{ device: "webgpu" }` works everywhere afterwards. The `webgpu` binding (Node) is an
 * optional peer dependency, imported only inside `initWebGPU`; browsers use `navigator.gpu`.
 */
import type { Backend } from "./backend.js";
import { registerBackend } from "./runtime/devices.js";
import * as gpu from "./backends/webgpu/index.js";

export type { WebGPUInitOptions, GemmAlgorithm, WebGPUMemoryStats } from "./backends/webgpu/index.js";
export { isWebGPUAvailable, liveBufferCount, webgpuMemoryStats, setGemmAlgorithm } from "./backends/webgpu/index.js";

/** Acquires a WebGPU device (idempotent) and makes "webgpu" a usable device; a clear Error when there is no adapter. */
export async function initWebGPU(options?: gpu.WebGPUInitOptions): Promise<void> {
  await gpu.initWebGPU(options);
  registerBackend("webgpu", gpu.webgpuBackend as unknown as Backend);
}

/** Releases the device and every GPU buffer; webgpu tensors become unusable until the next init. */
export function destroyWebGPU(): void {
  registerBackend("webgpu", undefined);
  gpu.destroyWebGPU();
}
