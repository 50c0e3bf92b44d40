/**
 * The WebGPU backend. Storage is a GPU buffer (`GpuStorage`); every primitive has a WGSL kernel
 * (src/backends/webgpu/wgsl/), launched from one host module per primitive family, named as the
 * family's file in src/primitives/. Call `await initWebGPU()` once before using it; see
 * docs/webgpu.md for the memory model and the driver setup.
 */
import type { Backend, KernelTable } from "../../backend.js";
import { batchNormKernels } from "./batch-norm.js";
import { conv2dKernels } from "./conv2d.js";
import { elementwiseKernels } from "./elementwise.js";
import { interpolateKernels } from "./interpolate.js";
import { full } from "./launch-helpers.js";
import { matmulKernels } from "./matmul.js";
import { type GpuStorage, read, release, upload } from "./memory.js";
import { movementKernels } from "./movement.js";
import { normalizationKernels } from "./normalization.js";
import { padKernels } from "./pad.js";
import { pool2dKernels } from "./pool2d.js";
import { reduceKernels } from "./reduce.js";

export const webgpuKernels: KernelTable<GpuStorage> = {
  ...elementwiseKernels,
  ...reduceKernels,
  ...movementKernels,
  ...padKernels,
  ...matmulKernels,
  ...conv2dKernels,
  ...pool2dKernels,
  ...batchNormKernels,
  ...interpolateKernels,
  ...normalizationKernels,
};

export const webgpuBackend: Backend<GpuStorage> = {
  device: "webgpu",
  kernels: webgpuKernels,
  upload,
  full,
  read,
  release,
};

export {
  WEBGPU_FLOAT64_MESSAGE,
  type GemmAlgorithm,
  type WebGPUInitOptions,
  destroyWebGPU,
  initWebGPU,
  isWebGPUAvailable,
  isWebGPUInitialized,
  setGemmAlgorithm,
  webgpuAdapterDescription,
} from "./device.js";
export { GpuStorage, type WebGPUMemoryStats, emptyPool, flush, liveBufferCount, webgpuMemoryStats } from "./memory.js";
export { pipelineCount } from "./dispatch.js";
