/**
 * Movement: reshape (and a cast to the same dtype) shares the buffer; permute, expand and cast copy
 * through the elementwise shader; concat and slice copy runs (one launch per concat input).
 */
import type { KernelTable } from "../../backend.js";
import type { MovementParams } from "../../primitives/index.js";
import { broadcastStrides, numel, stridesOf } from "../../runtime/shape.js";
import { launch } from "./dispatch.js";
import { elementwise } from "./elementwise.js";
import { buffers, perElement, shader } from "./launch-helpers.js";
import { type GpuStorage, allocate, share } from "./memory.js";
import { runsCopyShader } from "./wgsl/elementwise.js";

/** `outer` runs of `width` elements, from `src` (runs srcStride apart from srcOffset) into `dst`. */
function copyRuns(
  dst: GpuStorage,
  dstOffset: number,
  dstStride: number,
  src: GPUBuffer,
  srcOffset: number,
  srcStride: number,
  outer: number,
  width: number,
): void {
  const n = outer * width;
  const meta = Uint32Array.of(n, width, srcStride, srcOffset, dstStride, dstOffset);
  launch(shader("runs-copy", runsCopyShader), dst.buffer, meta, [src], perElement(n));
}

export const movementKernels: Pick<KernelTable<GpuStorage>, keyof MovementParams> = {
  // Storage is never written after creation, so reshape shares the buffer (a second handle).
  reshape: ([x]) => share(x.storage),
  permute: ([x], p, out) => {
    const s = stridesOf(x.shape);
    return elementwise("copy", [x], out, [p.perm.map((d) => s[d])], false);
  },
  expand: ([x], _p, out) => elementwise("copy", [x], out, [broadcastStrides(x.shape, out.shape)], false),
  cast: ([x], p, out) => (x.dtype === p.dtype ? share(x.storage) : elementwise("cast", [x], out, [], true)),
  concat: (xs, p, out) => {
    const srcs = buffers(xs);
    const y = allocate(numel(out.shape));
    const outer = numel(out.shape.slice(0, p.dim)),
      inner = numel(out.shape.slice(p.dim + 1));
    const row = out.shape[p.dim] * inner;
    let offset = 0;
    xs.forEach((x, i) => {
      const width = x.shape[p.dim] * inner;
      copyRuns(y, offset, row, srcs[i], 0, width, outer, width);
      offset += width;
    });
    return y;
  },
  slice: ([x], p, out) => {
    const [src] = buffers([x]);
    const y = allocate(numel(out.shape));
    const outer = numel(x.shape.slice(0, p.dim)),
      inner = numel(x.shape.slice(p.dim + 1));
    copyRuns(y, 0, p.length * inner, src, p.start * inner, x.shape[p.dim] * inner, outer, p.length * inner);
    return y;
  },
};
