/** layerNorm and groupNorm: src/ops/normalization.ts creates rowNorm for CPU tensors only (here they run as ops). */
import type { KernelTable } from "../../backend.js";
import type { NormalizationParams } from "../../primitives/index.js";
import type { GpuStorage } from "./memory.js";

export const normalizationKernels: Pick<KernelTable<GpuStorage>, keyof NormalizationParams> = {
  rowNorm: () => {
    throw new Error("shapegrad internal error: rowNorm is a CPU primitive");
  },
};
