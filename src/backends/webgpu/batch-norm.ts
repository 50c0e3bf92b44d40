/** Training-mode batch norm: nn.functional.batchNorm creates this primitive for CPU tensors only (here it runs as ops). */
import type { KernelTable } from "../../backend.js";
import type { BatchNormParams } from "../../primitives/index.js";
import type { GpuStorage } from "./memory.js";

export const batchNormKernels: Pick<KernelTable<GpuStorage>, keyof BatchNormParams> = {
  batchNormTrain: () => {
    throw new Error("shapegrad internal error: batchNormTrain is a CPU primitive");
  },
  batchNormReluTrain: () => {
    throw new Error("shapegrad internal error: batchNormReluTrain is a CPU primitive");
  },
};
