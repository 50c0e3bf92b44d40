/**
 * The CPU backend: storage is a typed array. Every primitive has a plain TypeScript kernel, the
 * oracle that every faster path is tested against; float32 convs, matmuls and pooling run on the
 * fast WebAssembly SIMD kernels (./fast) instead, float64 stays on the reference. One module per
 * primitive family, named as the family's file in src/primitives/.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { Backend, KernelTable } from "../../backend.js";
import { allocateForOverwrite, pin, release, retain } from "./arrays.js";
import { batchNormKernels, batchNormLoops } from "./batch-norm.js";
import { conv2dKernels } from "./conv2d.js";
import { elementwiseKernels } from "./elementwise.js";
import * as fast from "./fast/index.js";
import { interpolateKernels } from "./interpolate.js";
import { matmulKernels } from "./matmul.js";
import { movementKernels } from "./movement.js";
import { normalizationKernels, rowNormLoops } from "./normalization.js";
import { optimizerSteps } from "./optimizer-steps.js";
import { padKernels } from "./pad.js";
import { pool2dKernels } from "./pool2d.js";
import { reduceKernels } from "./reduce.js";

export const cpuKernels: KernelTable<AnyTypedArray> = {
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

export const cpuBackend: Backend<AnyTypedArray> = {
  device: "cpu",
  kernels: cpuKernels,
  upload: (data, dtype) => {
    const y = allocateForOverwrite(dtype, data.length);
    y.set(data);
    return y;
  },
  full: (size, value, dtype) => allocateForOverwrite(dtype, size).fill(value),
  read: (storage) => Promise.resolve(storage.slice()),
  readSync: (storage) => storage,
  expose: (storage) => {
    pin(storage);
    if (storage instanceof Float32Array) fast.markExposed(storage);
  },
  retain,
  release,
  batchNorm: batchNormLoops,
  rowNorm: rowNormLoops,
  optimizerSteps,
};
