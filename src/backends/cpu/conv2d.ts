/**
 * The conv family on the CPU: float32 on the fast kernels (./fast: WebAssembly SIMD GEMMs over
 * packed panels, worker threads), which fall back on the reference (./reference/conv2d.ts) for
 * what they do not serve; float64 on the reference.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { KernelTable } from "../../backend.js";
import type { Conv2dParams } from "../../primitives/index.js";
import * as fast from "./fast/index.js";
import { bothF32, float } from "./float.js";
import * as reference from "./reference/index.js";

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
    if (f32 && bias instanceof Float32Array) return fast.conv2dForwardAnySize(g, ...f32, reference.conv2dForward, bias);
    return reference.addConv2dBias(g, reference.conv2dForward(g, float(x), float(w)), float(b));
  },
  conv2dBackInput: ([gy, w], g) => {
    const f32 = bothF32(gy, w);
    const plain = () => reference.conv2dBackInput(g, float(gy), float(w));
    return f32 ? fast.orReference(() => fast.conv2dBackInputF32(g, ...f32), plain) : plain();
  },
  conv2dBackWeight: ([x, gy], g) => {
    const f32 = bothF32(x, gy);
    const plain = () => reference.conv2dBackWeight(g, float(x), float(gy));
    return f32 ? fast.orReference(() => fast.conv2dBackWeightF32(g, ...f32), plain) : plain();
  },
};
