/**
 * conv2d's run-time validation and option resolution: the mirror of the compile-time rule in
 * types/shape/conv.ts, with the same checks in the same order and the same catalogue messages
 * (types/errors.ts), so a call the compiler would reject throws the very text the editor showed.
 *
 * Order: input (rank, dims) -> weight (rank, dims, dtype, device) -> channels -> output size (only
 * when stride, dilation and padding are valid) -> bias -> options (unknown keys, groups, stride,
 * dilation, padding, paddingMode, groups divides C_out, "same" needs stride 1, reflect/circular
 * limits). Everything runs before any allocation.
 */
import type { DType, Device, PaddingMode } from "../../types/core.js";
import { conv2dErrors, show } from "../../types/errors.js";
import { type Conv2dGeometry, type Pad2dGeometry, convOutSize } from "../primitives/index.js";

export interface TensorMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: Device;
}

export interface ResolvedConv2d {
  /** The conv primitive's geometry; its padding is zero when `pad` does the padding instead. */
  readonly geometry: Conv2dGeometry;
  /** The explicit pad applied before the conv for reflect/replicate/circular padding (null for zeros). */
  readonly pad: Pad2dGeometry | null;
  readonly unbatched: boolean;
  readonly outShape: number[];
}

const KNOWN = new Set(["stride", "padding", "dilation", "groups", "paddingMode"]);
const MODES: readonly PaddingMode[] = ["zeros", "reflect", "replicate", "circular"];

const isNat = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isPos = (v: unknown): v is number => isNat(v) && v >= 1;

function fail(message: string): never {
  throw new Error(message);
}

/** [h, w] from a number or a pair, null when invalid. */
function pairOf(v: unknown): [number, number] | null {
  if (v === undefined) return [1, 1];
  if (isPos(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && isPos(v[0]) && isPos(v[1])) return [v[0], v[1]];
  return null;
}

/** [top, bottom, left, right], "same", or null when invalid. */
function padOf(v: unknown): [number, number, number, number] | "same" | null {
  if (v === undefined || v === "valid") return [0, 0, 0, 0];
  if (v === "same") return "same";
  if (isNat(v)) return [v, v, v, v];
  if (Array.isArray(v) && v.length === 2 && isNat(v[0]) && isNat(v[1])) return [v[0], v[0], v[1], v[1]];
  if (Array.isArray(v) && v.length === 4 && v.every(isNat)) return [v[0], v[1], v[2], v[3]];
  return null;
}

function checkMeta(which: "input" | "weight" | "bias", t: unknown): TensorMeta {
  const m = t as TensorMeta | null;
  if (m === null || typeof m !== "object" || !Array.isArray(m.shape) || typeof m.dtype !== "string" || typeof m.device !== "string") {
    fail(conv2dErrors.notTensor(which, show(t)));
  }
  return m;
}

export function resolveConv2d(inputArg: unknown, weightArg: unknown, biasArg: unknown, optionsArg: unknown): ResolvedConv2d {
  const input = checkMeta("input", inputArg);
  const weight = checkMeta("weight", weightArg);
  const bias = biasArg === null || biasArg === undefined ? null : checkMeta("bias", biasArg);
  if (optionsArg === null || typeof optionsArg !== "object" || Array.isArray(optionsArg)) fail(conv2dErrors.options(show(optionsArg)));
  const o = optionsArg as Record<string, unknown>;

  // Input: [N, C, H, W] or unbatched [C, H, W]; dims are naturals (0 is a legal, if empty, size).
  const xs = input.shape;
  if (xs.length !== 4 && xs.length !== 3) fail(conv2dErrors.inputRank(xs.length, show(xs)));
  const badInputDim = xs.find((d) => !isNat(d));
  if (badInputDim !== undefined) fail(conv2dErrors.inputDim(show(xs), show(badInputDim)));
  const unbatched = xs.length === 3;
  const [n, c, h, w] = unbatched ? [1, ...xs] : xs;

  // Weight: [C_out, C_in / groups, kH, kW], positive dims, same dtype and device as the input.
  const ws = weight.shape;
  if (ws.length !== 4) fail(conv2dErrors.weightRank(ws.length, show(ws)));
  const badWeightDim = ws.find((d) => !isPos(d));
  if (badWeightDim !== undefined) fail(conv2dErrors.weightDim(show(ws), show(badWeightDim)));
  if (weight.dtype !== input.dtype) fail(conv2dErrors.dtypeMismatch("weight", weight.dtype, input.dtype));
  if (weight.device !== input.device) fail(conv2dErrors.deviceMismatch("weight", weight.device, input.device));
  const [co, ci, kh, kw] = ws;

  // Options parsed once; a bad value is reported at the options stage, after the shape checks.
  const groups = o.groups === undefined ? 1 : isPos(o.groups) ? o.groups : null;
  const stride = pairOf(o.stride);
  const dilation = pairOf(o.dilation);
  const padding = padOf(o.padding);
  const mode = o.paddingMode === undefined ? "zeros" : MODES.includes(o.paddingMode as PaddingMode) ? (o.paddingMode as PaddingMode) : null;

  if (groups !== null && c !== ci * groups) fail(conv2dErrors.channelMismatch(c, ci * groups, show(ws), groups));

  // Output size, when the options it needs are valid ("same" resolves d (k - 1) as PyTorch splits it).
  let pads: [number, number, number, number] | null = null;
  if (stride && dilation && padding && !(padding === "same" && (stride[0] !== 1 || stride[1] !== 1))) {
    if (padding === "same") {
      const th = dilation[0] * (kh - 1), tw = dilation[1] * (kw - 1);
      pads = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
    } else {
      pads = padding;
    }
    const oh = convOutSize(h, kh, stride[0], dilation[0], pads[0], pads[1]);
    const ow = convOutSize(w, kw, stride[1], dilation[1], pads[2], pads[3]);
    if (oh <= 0 || ow <= 0) {
      fail(conv2dErrors.outputSize(show([oh, ow]), show([h + pads[0] + pads[1], w + pads[2] + pads[3]]),
        show([dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1]), show(stride)));
    }
  }

  if (bias) {
    if (bias.shape.length !== 1 || bias.shape[0] !== co) fail(conv2dErrors.biasShape(co, show(bias.shape)));
    if (bias.dtype !== input.dtype) fail(conv2dErrors.dtypeMismatch("bias", bias.dtype, input.dtype));
    if (bias.device !== input.device) fail(conv2dErrors.deviceMismatch("bias", bias.device, input.device));
  }

  const unknownKey = Object.keys(o).find((k) => !KNOWN.has(k));
  if (unknownKey !== undefined) fail(conv2dErrors.unknownOption(show(unknownKey)));
  if (groups === null) fail(conv2dErrors.groups(show(o.groups)));
  if (!stride) fail(conv2dErrors.pairOption("stride", show(o.stride)));
  if (!dilation) fail(conv2dErrors.pairOption("dilation", show(o.dilation)));
  if (!padding) fail(conv2dErrors.padding(show(o.padding)));
  if (!mode) fail(conv2dErrors.paddingMode(show(o.paddingMode)));
  if (co % groups !== 0) fail(conv2dErrors.groupsDivide(co, groups));
  if (padding === "same" && (stride[0] !== 1 || stride[1] !== 1)) fail(conv2dErrors.sameStride(show(o.stride)));
  if (!pads) throw new Error("shapegrad internal error: conv2d pads unresolved");
  const [top, bottom, left, right] = pads;
  if (mode === "reflect" && (top >= h || bottom >= h || left >= w || right >= w)) fail(conv2dErrors.reflectLimit(show(pads), show([h, w])));
  if (mode === "circular" && (top > h || bottom > h || left > w || right > w)) fail(conv2dErrors.circularLimit(show(pads), show([h, w])));

  const explicitPad = mode !== "zeros" && pads.some((p) => p > 0);
  const pad: Pad2dGeometry | null = explicitPad ? { batch: n, channels: c, inHeight: h, inWidth: w, top, bottom, left, right, mode } : null;
  const inH = explicitPad ? h + top + bottom : h, inW = explicitPad ? w + left + right : w;
  const convPads = explicitPad ? [0, 0, 0, 0] : pads;
  const geometry: Conv2dGeometry = {
    batch: n, inChannels: c, inHeight: inH, inWidth: inW, outChannels: co, kernelHeight: kh, kernelWidth: kw,
    outHeight: convOutSize(inH, kh, stride[0], dilation[0], convPads[0], convPads[1]),
    outWidth: convOutSize(inW, kw, stride[1], dilation[1], convPads[2], convPads[3]),
    strideH: stride[0], strideW: stride[1], dilationH: dilation[0], dilationW: dilation[1],
    padTop: convPads[0], padBottom: convPads[1], padLeft: convPads[2], padRight: convPads[3], groups,
  };
  const outShape = unbatched ? [co, geometry.outHeight, geometry.outWidth] : [n, co, geometry.outHeight, geometry.outWidth];
  return { geometry, pad, unbatched, outShape };
}
