/**
 * The conv family as GEMMs whose loaders read the convolution's taps in place (no im2col buffer).
 */
import type { KernelOutput, KernelTable } from "../../backend.js";
import type { Conv2dGeometry, Conv2dParams } from "../../primitives/index.js";
import { broadcastStrides, numel } from "../../runtime/shape.js";
import { elementwise } from "./elementwise.js";
import { type GpuInput, dtypeOf } from "./launch-helpers.js";
import { gemm } from "./matmul.js";
import { type GpuStorage, release } from "./memory.js";
import {
  CONV_META_FIELDS,
  type ConvField,
  conv2dBackInputLoaders,
  conv2dBackWeightLoaders,
  conv2dLoaders,
  inputTaps,
  outputTaps,
} from "./wgsl/gemm.js";

/** The conv fields the loaders read, then the tap table (see wgsl/gemm.ts). */
function convMeta(g: Conv2dGeometry, taps: "input" | "output"): number[] {
  const fields: Record<ConvField, number> = {
    NB: g.batch,
    CIN: g.inChannels,
    H: g.inHeight,
    W: g.inWidth,
    COUT: g.outChannels,
    KH: g.kernelHeight,
    KW: g.kernelWidth,
    OH: g.outHeight,
    OW: g.outWidth,
    SH: g.strideH,
    SW: g.strideW,
    DH: g.dilationH,
    DW: g.dilationW,
    PT: g.padTop,
    PL: g.padLeft,
    CING: g.inChannels / g.groups,
    COUTG: g.outChannels / g.groups,
  };
  const table =
    taps === "input"
      ? inputTaps(fields.CING, g.inHeight, g.inWidth, g.kernelHeight, g.kernelWidth, g.dilationH, g.dilationW)
      : outputTaps(
          fields.COUTG,
          fields.CING,
          g.outHeight,
          g.outWidth,
          g.kernelHeight,
          g.kernelWidth,
          g.dilationH,
          g.dilationW,
        );
  return [...CONV_META_FIELDS.map((f) => fields[f]), ...table];
}

/** Parameters are cached by this key: the geometry determines the whole parameter block. */
function convKey(g: Conv2dGeometry): string {
  return Object.values(g).join(",");
}

function conv2d([x, w]: readonly GpuInput[], g: Conv2dGeometry, out: KernelOutput): GpuStorage {
  const cing = g.inChannels / g.groups,
    coutg = g.outChannels / g.groups;
  return gemm(
    conv2dLoaders,
    [x, w],
    dtypeOf(out.dtype),
    {
      m: coutg,
      n: g.batch * g.outHeight * g.outWidth,
      k: cing * g.kernelHeight * g.kernelWidth,
      batches: g.groups,
    },
    numel(out.shape),
    convMeta(g, "input"),
    convKey(g),
  );
}

/**
 * conv2dBias as the conv then the broadcast add of b over channels (the CPU adds it in WebAssembly
 * memory before its output copy): the GEMM's store is shared by every loader, and the add is one memory-bound pass.
 */
function conv2dBias([x, w, b]: readonly GpuInput[], g: Conv2dGeometry, out: KernelOutput): GpuStorage {
  const y = conv2d([x, w], g, out);
  const perChannel = [1, g.outChannels, 1, 1];
  const sum = elementwise(
    "add",
    [
      { storage: y, shape: out.shape, dtype: out.dtype },
      { ...b, shape: perChannel },
    ],
    out,
    [broadcastStrides(out.shape, out.shape), broadcastStrides(perChannel, out.shape)],
    false,
  );
  // the conv's result is internal: back to the pool (the add is recorded before any later kernel)
  release(y);
  return sum;
}

function conv2dBackInput([gy, w]: readonly GpuInput[], g: Conv2dGeometry, out: KernelOutput): GpuStorage {
  const cing = g.inChannels / g.groups,
    coutg = g.outChannels / g.groups;
  return gemm(
    conv2dBackInputLoaders,
    [gy, w],
    dtypeOf(out.dtype),
    {
      m: cing,
      n: g.batch * g.inHeight * g.inWidth,
      k: coutg * g.kernelHeight * g.kernelWidth,
      batches: g.groups,
    },
    numel(out.shape),
    convMeta(g, "output"),
    convKey(g),
  );
}

function conv2dBackWeight([x, gy]: readonly GpuInput[], g: Conv2dGeometry, out: KernelOutput): GpuStorage {
  const cing = g.inChannels / g.groups,
    coutg = g.outChannels / g.groups;
  return gemm(
    conv2dBackWeightLoaders,
    [x, gy],
    dtypeOf(out.dtype),
    {
      m: coutg,
      n: cing * g.kernelHeight * g.kernelWidth,
      k: g.batch * g.outHeight * g.outWidth,
      batches: g.groups,
    },
    numel(out.shape),
    convMeta(g, "input"),
    convKey(g),
  );
}

export const conv2dKernels: Pick<KernelTable<GpuStorage>, keyof Conv2dParams> = {
  conv2d,
  conv2dBias,
  conv2dBackInput,
  conv2dBackWeight,
};
