/**
 * The WebGPU backend. Storage is a GPU buffer (`GpuStorage`); every primitive has a WGSL kernel
 * (src/backends/webgpu/wgsl/). Call `await initWebGPU()` once before using it; see docs/webgpu.md
 * for the memory model and the driver setup.
 */
import type { Backend } from "../../backend.js";
import { webgpuKernels, full } from "./kernels.js";
import { type GpuStorage, read, release, upload } from "./memory.js";

export const webgpuBackend: Backend<GpuStorage> = {
  device: "webgpu",
  kernels: webgpuKernels,
  upload,
  full,
  read,
  release,
};

export {
  WEBGPU_FLOAT64_MESSAGE, type GemmAlgorithm, type WebGPUInitOptions,
  destroyWebGPU, initWebGPU, isWebGPUAvailable, isWebGPUInitialized, setGemmAlgorithm, webgpuAdapterDescription,
} from "./device.js";
export { GpuStorage, type WebGPUMemoryStats, emptyPool, flush, liveBufferCount, webgpuMemoryStats } from "./memory.js";
export { pipelineCount } from "./dispatch.js";
