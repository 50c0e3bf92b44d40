/** Explicit padding and its adjoint on the CPU: the reference kernels (./reference/pad2d.ts) for every dtype. */
import type { AnyTypedArray } from "../../../types/core.js";
import type { KernelTable } from "../../backend.js";
import type { Pad2dParams } from "../../primitives/index.js";
import { float } from "./float.js";
import * as reference from "./reference/index.js";

export const pad2dKernels: Pick<KernelTable<AnyTypedArray>, keyof Pad2dParams> = {
  pad2d: ([x], p) => reference.pad2d(p, float(x)),
  pad2dAdjoint: ([x], p) => reference.pad2dAdjoint(p, float(x)),
};
