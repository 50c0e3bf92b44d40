/**
 * Explicit padding, every mode, and its adjoint: one invocation per output element.
 */
import type { KernelOutput, KernelTable } from "../../backend.js";
import type { Pad2dGeometry, Pad2dParams } from "../../primitives/index.js";
import { numel } from "../../runtime/shape.js";
import { launch } from "./dispatch.js";
import { type GpuInput, buffers, dtypeOf, perElement, shader } from "./launch-helpers.js";
import { type GpuStorage, allocate } from "./memory.js";
import type { GpuDType } from "./wgsl/common.js";
import { PAD_MODES, pad2dAdjointShader, pad2dShader } from "./wgsl/pad-pool.js";

function padMeta(p: Pad2dGeometry, count: number): Uint32Array {
  return Uint32Array.of(count, p.inHeight, p.inWidth, p.top, p.bottom, p.left, p.right, PAD_MODES[p.mode]);
}

/** One invocation per output element, reading the element (pad2d) or summing the cells (adjoint) it maps to. */
function padding(kind: keyof Pad2dParams, source: (t: GpuDType) => string) {
  return ([x]: readonly GpuInput[], p: Pad2dGeometry, out: KernelOutput): GpuStorage => {
    const t = dtypeOf(out.dtype),
      n = numel(out.shape);
    const ins = buffers([x]);
    const y = allocate(n);
    launch(
      shader(`${kind}:${t}`, () => source(t)),
      y.buffer,
      padMeta(p, n),
      ins,
      perElement(n),
    );
    return y;
  };
}

export const pad2dKernels: Pick<KernelTable<GpuStorage>, keyof Pad2dParams> = {
  pad2d: padding("pad2d", pad2dShader),
  pad2dAdjoint: padding("pad2dAdjoint", pad2dAdjointShader),
};
