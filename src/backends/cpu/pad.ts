/** Explicit padding and its adjoint on the CPU: the reference kernels (./reference/pad.ts) for every float dtype. */
import type { AnyTypedArray } from "../../../types/core.js";
import type { KernelTable } from "../../backend.js";
import type { PadParams } from "../../primitives/index.js";
import { float } from "./float.js";
import * as reference from "./reference/index.js";

export const padKernels: Pick<KernelTable<AnyTypedArray>, keyof PadParams> = {
  pad: ([x], p) => reference.pad(p, float(x)),
  padAdjoint: ([x], p) => reference.padAdjoint(p, float(x)),
};
