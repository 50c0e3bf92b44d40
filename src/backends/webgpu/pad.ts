/**
 * Explicit padding of any dims, every mode, and its adjoint: one invocation per output element
 * (a gather in both directions, so no atomics). A scalar is padded as the one-element [1].
 */
import type { KernelOutput, KernelTable } from "../../backend.js";
import type { PadGeometry, PadParams } from "../../primitives/index.js";
import { numel } from "../../runtime/shape.js";
import { launch } from "./dispatch.js";
import { type GpuInput, buffers, dtypeOf, perElement, shader } from "./launch-helpers.js";
import { type GpuStorage, allocate } from "./memory.js";
import type { GpuDType } from "./wgsl/common.js";
import { PAD_MODES, padAdjointShader, padShader } from "./wgsl/pad-pool.js";

function padMeta(p: PadGeometry, count: number, t: GpuDType): Uint32Array {
  const dims =
    p.inShape.length === 0
      ? [[1, 1, 0, 0]]
      : p.inShape.map((s, d) => [s, s + p.before[d] + p.after[d], p.before[d], p.after[d]]);
  const fill = new Uint32Array((t === "float32" ? Float32Array.of(p.value) : Int32Array.of(p.value)).buffer)[0];
  const meta = Int32Array.from([count, dims.length, PAD_MODES[p.mode], fill, ...dims.flat()]);
  return new Uint32Array(meta.buffer);
}

function padding(kind: keyof PadParams) {
  return ([x]: readonly GpuInput[], p: PadGeometry, out: KernelOutput): GpuStorage => {
    const t = dtypeOf(out.dtype),
      n = numel(out.shape),
      rank = Math.max(p.inShape.length, 1);
    const y = allocate(n);
    if (n === 0) return y;
    const source =
      kind === "pad"
        ? shader(`pad:${t}`, () => padShader(t))
        : shader(`padAdjoint:${t}:${rank}`, () => padAdjointShader(t, rank));
    launch(source, y.buffer, padMeta(p, n, t), buffers([x]), perElement(n));
    return y;
  };
}

export const padKernels: Pick<KernelTable<GpuStorage>, keyof PadParams> = {
  pad: padding("pad"),
  padAdjoint: padding("padAdjoint"),
};
