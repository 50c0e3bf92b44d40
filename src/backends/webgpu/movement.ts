/**
 * Movement: reshape (and a cast to the same dtype) shares the buffer; permute, expand and cast copy
 * through the elementwise shader.
 */
import type { KernelTable } from "../../backend.js";
import type { MovementParams } from "../../primitives/index.js";
import { broadcastStrides, stridesOf } from "../../runtime/shape.js";
import { elementwise } from "./elementwise.js";
import { type GpuStorage, share } from "./memory.js";

export const movementKernels: Pick<KernelTable<GpuStorage>, keyof MovementParams> = {
  // Storage is never written after creation, so reshape shares the buffer (a second handle).
  reshape: ([x]) => share(x.storage),
  permute: ([x], p, out) => {
    const s = stridesOf(x.shape);
    return elementwise("copy", [x], out, [p.perm.map((d) => s[d])], false);
  },
  expand: ([x], _p, out) => elementwise("copy", [x], out, [broadcastStrides(x.shape, out.shape)], false),
  cast: ([x], p, out) => (x.dtype === p.dtype ? share(x.storage) : elementwise("cast", [x], out, [], true)),
};
