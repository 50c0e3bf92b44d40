/**
 * Max pooling: the forward, the scatter to each window's argmax and its adjoint the gather, each
 * one invocation per output element that searches its window.
 */
import type { KernelOutput, KernelTable } from "../../backend.js";
import type { Pool2dGeometry, Pool2dParams } from "../../primitives/index.js";
import { numel } from "../../runtime/shape.js";
import { launch } from "./dispatch.js";
import { type GpuInput, buffers, dtypeOf, perElement, shader } from "./launch-helpers.js";
import { type GpuStorage, allocate } from "./memory.js";
import { type PoolKernel, maxPool2dShader } from "./wgsl/pad-pool.js";

function pool(kind: PoolKernel) {
  return (inputs: readonly GpuInput[], p: Pool2dGeometry, out: KernelOutput): GpuStorage => {
    const t = dtypeOf(out.dtype),
      n = numel(out.shape);
    const ins = buffers(inputs);
    const y = allocate(n);
    const meta = Uint32Array.of(
      n,
      p.inHeight,
      p.inWidth,
      p.outHeight,
      p.outWidth,
      p.kernelHeight,
      p.kernelWidth,
      p.strideH,
      p.strideW,
      p.dilationH,
      p.dilationW,
      p.padTop,
      p.padLeft,
    );
    launch(
      shader(`maxPool2d:${kind}:${t}`, () => maxPool2dShader(kind, t)),
      y.buffer,
      meta,
      ins,
      perElement(n),
    );
    return y;
  };
}

export const pool2dKernels: Pick<KernelTable<GpuStorage>, keyof Pool2dParams> = {
  maxPool2d: pool("forward"),
  maxPool2dBackward: pool("backward"),
  maxPool2dSelect: pool("select"),
};
