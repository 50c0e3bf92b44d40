/**
 * Explicit padding, every mode, and its adjoint: one invocation per output element.
 */
import type { KernelOutput, KernelTable } from "../../backend.js";
import type { Pad2dGeometry, Pad2dParams } from "../../primitives/index.js";
import { numel } from "../../runtime/shape.js";
import { launch } from "./dispatch.js";
import { type In, buffers, dtypeOf, perElement, shader } from "./launch-helpers.js";
import { type GpuStorage, allocate } from "./memory.js";
import { PAD_MODES, pad2dAdjointShader, pad2dShader } from "./wgsl/pad-pool.js";

function padMeta(p: Pad2dGeometry, count: number): Uint32Array {
  return Uint32Array.of(count, p.inHeight, p.inWidth, p.top, p.bottom, p.left, p.right, PAD_MODES[p.mode]);
}

function pad2d([x]: readonly In[], p: Pad2dGeometry, out: KernelOutput): GpuStorage {
  const t = dtypeOf(out.dtype), n = numel(out.shape);
  const ins = buffers([x]);
  const y = allocate(n);
  launch(shader(`pad2d:${t}`, () => pad2dShader(t)), y.buffer, padMeta(p, n), ins, perElement(n));
  return y;
}

function pad2dAdjoint([gy]: readonly In[], p: Pad2dGeometry, out: KernelOutput): GpuStorage {
  const t = dtypeOf(out.dtype), n = numel(out.shape);
  const ins = buffers([gy]);
  const y = allocate(n);
  launch(shader(`pad2dAdjoint:${t}`, () => pad2dAdjointShader(t)), y.buffer, padMeta(p, n), ins, perElement(n));
  return y;
}

export const pad2dKernels: Pick<KernelTable<GpuStorage>, keyof Pad2dParams> = { pad2d, pad2dAdjoint };
