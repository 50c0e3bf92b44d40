/**
 * The conv family on the CPU: float32 on the fast kernels (./fast: WebAssembly SIMD GEMMs over
 * packed panels, worker threads), which fall back on the reference (./reference/conv2d.ts) for
 * what they do not serve; float64 on the reference.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { KernelTable } from "../../backend.js";
import type { Conv2dGeometry, Conv2dParams } from "../../primitives/index.js";
import { prepareChannelSums } from "./fast/channel-sums.js";
import * as fast from "./fast/index.js";
import { bothF32, float } from "./float.js";
import * as reference from "./reference/index.js";

// Issue 23 (i23-demo): the bias gradient alongside the conv's backward.
/** Geometries of float32 conv2dBias calls: the rule passes the forward's own params object to the backward. */
const withBias = new WeakSet<Conv2dGeometry>();
/**
 * conv2dBias's backward is [conv2dBackInput(gy, w), conv2dBackWeight(x, gy), sum(gy, [0, 2, 3])],
 * in that order, and gy (a max pool's gradient) is usually still in the fast kernels' memory when
 * the first of them runs, but not after: their calls lay out memory over it. So the first computes
 * the bias's sums there (fast/channel-sums.ts), which the sum then takes instead of copying gy in.
 */
function biasGradientAhead(g: Conv2dGeometry, gy: Float32Array): void {
  if (withBias.has(g)) prepareChannelSums(gy, g.batch, g.outChannels, g.outHeight * g.outWidth);
}

export const conv2dKernels: Pick<KernelTable<AnyTypedArray>, keyof Conv2dParams> = {
  conv2d: ([x, w], g) => {
    const f32 = bothF32(x, w);
    return f32
      ? fast.conv2dForwardAnySize(g, ...f32, reference.conv2dForward)
      : reference.conv2dForward(g, float(x), float(w));
  },
  conv2dBias: ([x, w, b], g) => {
    const f32 = bothF32(x, w);
    const bias = b.storage;
    if (f32 && bias instanceof Float32Array) {
      withBias.add(g);
      return fast.conv2dForwardAnySize(g, ...f32, reference.conv2dForward, bias);
    }
    return reference.addConv2dBias(g, reference.conv2dForward(g, float(x), float(w)), float(b));
  },
  conv2dBackInput: ([gy, w], g) => {
    const f32 = bothF32(gy, w);
    if (f32) biasGradientAhead(g, f32[0]);
    const plain = () => reference.conv2dBackInput(g, float(gy), float(w));
    return f32 ? fast.orReference(() => fast.conv2dBackInputF32(g, ...f32), plain) : plain();
  },
  conv2dBackWeight: ([x, gy], g) => {
    const f32 = bothF32(x, gy);
    if (f32) biasGradientAhead(g, f32[1]);
    const plain = () => reference.conv2dBackWeight(g, float(x), float(gy));
    return f32 ? fast.orReference(() => fast.conv2dBackWeightF32(g, ...f32), plain) : plain();
  },
};
