/**
 * conv2d, whole: its typed signature (the compile-time contract), its option resolution (the
 * run-time mirror of that contract) and its implementation.
 *
 * The signature:
 *
 *   const x = randn([8, 3, 32, 32]);             // Tensor<[8, 3, 32, 32]>
 *   const w = randn([16, 3, 3, 3]);
 *   conv2d(x, w, null, { stride: 2, padding: 1 }) // Tensor<[8, 16, 16, 16]>
 *   conv2d(x, randn([16, 4, 3, 3]))              // error at the weight argument:
 *     // "conv2d: input has 3 channels but weight expects 4 (weight [16, 4, 3, 3], groups 1)"
 *
 * How: every parameter's type is "the argument's own type, unless the check (types/shape/conv.ts)
 * blames this argument, then the message literal". TypeScript infers X, W, B, O from the branches
 * of those conditional types, then checks each argument against its resolved parameter type, so
 * a bad call prints `Argument of type 'Tensor<...>' is not assignable to parameter of type
 * '"conv2d: ..."'` at the offending argument, with the runtime's exact text.
 *
 * The resolution (resolveConv2d) has the same checks in the same order and the same catalogue
 * messages (types/errors.ts), so a call the compiler would reject throws the very text the editor
 * showed. Order: input (rank, dims) -> weight (rank, dims, dtype, device) -> channels -> output
 * size (only when stride, dilation and padding are valid) -> bias -> options (unknown keys, groups,
 * stride, dilation, padding, paddingMode, groups divides C_out, "same" needs stride 1,
 * reflect/circular limits). Everything runs before any allocation.
 *
 * The implementation: an explicit pad for reflect/replicate/circular padding, then the conv2d
 * primitive with zero padding folded in, or with a bias conv2dBias (the conv and the per-channel
 * add in one primitive, so a backend adds b as it writes the output), so every option's gradient
 * comes from the primitives' rules.
 */
import type { DType, Device, PaddingMode, Shape } from "../../types/core.js";
import type {
  Conv2dCheck,
  Conv2dKeeps,
  ConvTranspose2dCheck,
  ConvTranspose2dKeeps,
  ConvOp,
  OptionValues,
  TransposeOptionValues,
} from "../../types/shape/conv.js";
import type { GenericRoute, KeptSizes, RunTimeSizes, SizesRoute } from "../../types/shape/generic.js";
import { conv2dErrors, show } from "../../types/errors.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import { type Conv2dGeometry, type PadGeometry, convOutSize, padGeometry } from "../primitives/index.js";
import { apply, checkElementCount } from "../autograd/engine.js";
import { assertFloat, assertTensor, parsePads, parsePair } from "./arguments.js";
import { anyShape as elementwise } from "./elementwise.js";
import { anyShape as movement } from "./movement.js";

/** PyTorch's conv2d options (docs/conv2d-semantics.md, section 1). */
export interface Conv2dOptions {
  /** A positive integer, or [h, w]. Default 1. */
  stride?: number | readonly [number, number];
  /**
   * Non-negative integers: one for all sides, [h, w], or [top, bottom, left, right]; or "valid"
   * (no padding) or "same" (stride 1 only; d (k - 1) split with the extra row/column at the
   * bottom/right, as PyTorch does). Default 0.
   */
  padding?: number | readonly [number, number] | readonly [number, number, number, number] | "same" | "valid";
  /** A positive integer, or [h, w]. Default 1. */
  dilation?: number | readonly [number, number];
  /** Splits channels into independent groups; must divide both channel counts. Default 1. */
  groups?: number;
  /** How padded cells are filled. Default "zeros". */
  paddingMode?: PaddingMode;
}

type BiasDType<B> = B extends { dtype: infer D } ? D : never;
type BiasDevice<B> = B extends { device: infer D } ? D : never;
/**
 * The bias as checked: a bias typed `Tensor<...> | null` may be a tensor at run time, so its tensor
 * part is what must fit (run time refuses the same shape); undefined when it is only ever absent.
 */
type BiasOf<B> = [NonNullable<B>] extends [never] ? undefined : NonNullable<B>;

/**
 * nn.Conv2d's and nn.ConvTranspose2d's rules (src/nn/types.ts Conv2dFn, ConvTranspose2dFn), in two
 * parts. The spec, once per layer type: the weight shape, the bias as the check reads it, and the
 * option values of the layer's options (its weight, bias, dtype and device keys are not conv
 * options). The result, per input shape S: the op's check on float32 CPU tensors (the layer checks
 * its placement itself), so no Tensor type is built.
 */
export type ConvLayerSpec<Op extends ConvOp, Cout, WS, Bias extends boolean, O> = [
  Op,
  WS,
  Bias extends true ? { shape: [Cout] } : undefined,
  Op extends "conv2d" ? OptionValues<O, LayerKey> : TransposeOptionValues<O, LayerKey>,
];
type LayerKey = "weight" | "bias" | "dtype" | "device";
export type ConvLayerResultOf<S, Spec extends [ConvOp, unknown, unknown, readonly unknown[]]> = Spec[0] extends "conv2d"
  ? Conv2dCheck<S, Spec[1], Spec[2], Spec[3], "float32", "cpu", "float32", "cpu", "float32", "cpu">
  : ConvTranspose2dCheck<S, Spec[1], Spec[2], Spec[3], "float32", "cpu", "float32", "cpu", "float32", "cpu">;

/**
 * The check of one call; cached by TypeScript, so the four parameters share one evaluation. R is
 * the call's route (types/shape/generic.ts SizesRoute): under a generic H or W the rule runs on
 * the input with those sizes `number` (channels, weight, bias and options checked as for any call,
 * the sizes at run time).
 */
type Conv2dCheckOf<X extends AnyTensor, W extends AnyTensor, B, O extends readonly unknown[], R> = Conv2dCheck<
  R extends GenericRoute ? RunTimeSizes<X["shape"]> : X["shape"],
  W["shape"],
  BiasOf<B>,
  O,
  X["dtype"],
  X["device"],
  W["dtype"],
  W["device"],
  BiasDType<B>,
  BiasDevice<B>
>;

/**
 * One signature for literal, `number` and generic sizes (issue 19 item 5). Its last type
 * parameter, R, is the call's route, which no argument infers and the checker resolves from the
 * input's sizes (types/shape/generic.ts SizesRoute), so a bad call fails at one argument with the
 * catalogue's text on either route, never with an overload list. Each option is its own type
 * parameter: a literal's values are interned types, so two calls with the same options share every
 * cached step, where a whole options object (a new type per literal) would make each call start
 * over. Under a generic H or W an output size is the input's when the layer keeps sizes (stride 1,
 * padding d (k - 1) / 2 per side in total), else number.
 */
export type Conv2dSignature = <
  X extends AnyTensor,
  W extends AnyTensor,
  B extends AnyTensor | null | undefined = undefined,
  const S extends Conv2dOptions["stride"] = undefined,
  const P extends Conv2dOptions["padding"] = undefined,
  const D extends Conv2dOptions["dilation"] = undefined,
  const G extends Conv2dOptions["groups"] = undefined,
  // Any string, so that a misspelt mode ("mirror") is inferred and the check reports the
  // catalogue's message at the options argument; `string & {}` keeps the four modes as completions.
  const M extends Conv2dOptions["paddingMode"] | (string & {}) = undefined,
  R extends SizesRoute<X["shape"]> = GenericRoute,
>(
  input: ArgV<"input", X, W, B, [S, P, D, G, M, never], R, X>,
  weight: ArgV<"weight", X, W, B, [S, P, D, G, M, never], R, W>,
  bias?: ArgV<"bias", X, W, B, [S, P, D, G, M, never], R, B>,
  options?: ArgV<
    "options",
    X,
    W,
    B,
    [S, P, D, G, M, never],
    R,
    { stride?: S; padding?: P; dilation?: D; groups?: G; paddingMode?: M }
  >,
) => NoInfer<Conv2dOutputV<X, W, B, [S, P, D, G, M, never], R>>;

type ArgV<At extends string, X extends AnyTensor, W extends AnyTensor, B, V extends readonly unknown[], R, Self> =
  Conv2dCheckOf<X, W, B, V, R> extends { at: At; message: infer M extends string } ? M : Self;
/**
 * The result, computed as a shape first and bound by `infer` before Tensor<...> is written: a
 * Tensor reference whose argument is a conditional would be a deferred reference, which prints the
 * same but is not identical to the written type (an exact-type test fails on it).
 */
type Conv2dOutputV<X extends AnyTensor, W extends AnyTensor, B, V extends readonly unknown[], R> =
  Conv2dCheckOf<X, W, B, V, R> extends { ok: infer S extends Shape }
    ? (R extends GenericRoute ? KeptSizes<S, Conv2dKeeps<W["shape"], V>, X["shape"]> : S) extends infer O extends Shape
      ? Tensor<O, X["dtype"], X["device"]>
      : never
    : Tensor<number[], X["dtype"], X["device"]>;

export interface TensorMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: Device;
}

export interface ResolvedConv2d {
  /** The conv primitive's geometry; its padding is zero when `pad` does the padding instead. */
  readonly geometry: Conv2dGeometry;
  /** The explicit pad applied before the conv for reflect/replicate/circular padding (null for zeros). */
  readonly pad: PadGeometry | null;
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

/** stride or dilation as [h, w] (default 1), null when invalid. */
const pairOf = (v: unknown): [number, number] | null => (v === undefined ? [1, 1] : parsePair(v, 1));

/** [top, bottom, left, right], "same", or null when invalid. */
function padOf(v: unknown): [number, number, number, number] | "same" | null {
  if (v === undefined || v === "valid") return [0, 0, 0, 0];
  if (v === "same") return "same";
  return parsePads(v);
}

function checkMeta(
  which: "input" | "weight" | "bias",
  t: unknown,
  notTensor: (which: "input" | "weight" | "bias", value: string) => string = conv2dErrors.notTensor,
): TensorMeta {
  const m = t as TensorMeta | null;
  if (
    m === null ||
    typeof m !== "object" ||
    !Array.isArray(m.shape) ||
    typeof m.dtype !== "string" ||
    typeof m.device !== "string"
  ) {
    fail(notTensor(which, show(t)));
  }
  return m;
}

interface ParsedConv2dOptions {
  readonly groups: number | null;
  readonly stride: [number, number] | null;
  readonly dilation: [number, number] | null;
  readonly padding: [number, number, number, number] | "same" | null;
  readonly mode: PaddingMode | null;
}

function parseConv2dOptions(o: Record<string, unknown>): ParsedConv2dOptions {
  return {
    groups: o.groups === undefined ? 1 : isPos(o.groups) ? o.groups : null,
    stride: pairOf(o.stride),
    dilation: pairOf(o.dilation),
    padding: padOf(o.padding),
    mode:
      o.paddingMode === undefined
        ? "zeros"
        : MODES.includes(o.paddingMode as PaddingMode)
          ? (o.paddingMode as PaddingMode)
          : null,
  };
}

/** The first error of the options on their own (OptionsError at the type level), or null. */
function conv2dOwnError(o: Record<string, unknown>, p: ParsedConv2dOptions): string | null {
  const unknownKey = Object.keys(o).find((k) => !KNOWN.has(k));
  if (unknownKey !== undefined) return conv2dErrors.unknownOption(show(unknownKey));
  if (p.groups === null) return conv2dErrors.groups(show(o.groups));
  if (!p.stride) return conv2dErrors.pairOption("stride", show(o.stride));
  if (!p.dilation) return conv2dErrors.pairOption("dilation", show(o.dilation));
  if (!p.padding) return conv2dErrors.padding(show(o.padding));
  if (!p.mode) return conv2dErrors.paddingMode(show(o.paddingMode));
  return null;
}

/** Padding "same" with a stride other than 1 (SameStride at the type level), or null. */
function sameStrideError(o: Record<string, unknown>, p: ParsedConv2dOptions): string | null {
  return p.padding === "same" && p.stride && (p.stride[0] !== 1 || p.stride[1] !== 1)
    ? conv2dErrors.sameStride(show(o.stride))
    : null;
}

/**
 * What nn.Conv2d checks at construction, as PyTorch's constructor does: the options' own errors
 * and "same" with a stride, with the texts the first forward would throw (the rest needs the input).
 */
export function conv2dOptionsError(o: Record<string, unknown>): string | null {
  const parsed = parseConv2dOptions(o);
  return conv2dOwnError(o, parsed) ?? sameStrideError(o, parsed);
}

export function resolveConv2d(
  inputArg: unknown,
  weightArg: unknown,
  biasArg: unknown,
  optionsArg: unknown,
): ResolvedConv2d {
  const input = checkMeta("input", inputArg);
  const weight = checkMeta("weight", weightArg);
  const bias = biasArg === null || biasArg === undefined ? null : checkMeta("bias", biasArg);
  if (optionsArg === null || typeof optionsArg !== "object" || Array.isArray(optionsArg))
    fail(conv2dErrors.options(show(optionsArg)));
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
  const parsed = parseConv2dOptions(o);
  const { groups, stride, dilation, padding, mode } = parsed;

  if (groups !== null && c !== ci * groups) fail(conv2dErrors.channelMismatch(c, ci * groups, show(ws), groups));

  // Output size, when the options it needs are valid ("same" resolves d (k - 1) as PyTorch splits it).
  let pads: [number, number, number, number] | null = null;
  if (stride && dilation && padding && !(padding === "same" && (stride[0] !== 1 || stride[1] !== 1))) {
    if (padding === "same") {
      const th = dilation[0] * (kh - 1),
        tw = dilation[1] * (kw - 1);
      pads = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
    } else {
      pads = padding;
    }
    const oh = convOutSize(h, kh, stride[0], dilation[0], pads[0], pads[1]);
    const ow = convOutSize(w, kw, stride[1], dilation[1], pads[2], pads[3]);
    if (oh <= 0 || ow <= 0) {
      fail(
        conv2dErrors.outputSize(
          show([oh, ow]),
          show([h + pads[0] + pads[1], w + pads[2] + pads[3]]),
          show([dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1]),
          show(stride),
        ),
      );
    }
  }

  if (bias) {
    if (bias.shape.length !== 1 || bias.shape[0] !== co) fail(conv2dErrors.biasShape(co, show(bias.shape)));
    if (bias.dtype !== input.dtype) fail(conv2dErrors.dtypeMismatch("bias", bias.dtype, input.dtype));
    if (bias.device !== input.device) fail(conv2dErrors.deviceMismatch("bias", bias.device, input.device));
  }

  const ownError = conv2dOwnError(o, parsed);
  if (ownError !== null || !groups || !stride || !dilation || !padding || !mode)
    fail(ownError ?? "shapegrad internal error: conv2d options unresolved");
  if (co % groups !== 0) fail(conv2dErrors.groupsDivide(co, groups));
  const strideError = sameStrideError(o, parsed);
  if (strideError !== null) fail(strideError);
  if (!pads) throw new Error("shapegrad internal error: conv2d pads unresolved");
  const [top, bottom, left, right] = pads;
  if (mode === "reflect" && (top >= h || bottom >= h || left >= w || right >= w))
    fail(conv2dErrors.reflectLimit(show(pads), show([h, w])));
  if (mode === "circular" && (top > h || bottom > h || left > w || right > w))
    fail(conv2dErrors.circularLimit(show(pads), show([h, w])));

  const explicitPad = mode !== "zeros" && pads.some((p) => p > 0);
  const pad: PadGeometry | null = explicitPad ? padGeometry([n, c, h, w], [left, right, top, bottom], mode) : null;
  const inH = explicitPad ? h + top + bottom : h,
    inW = explicitPad ? w + left + right : w;
  const convPads = explicitPad ? [0, 0, 0, 0] : pads;
  const geometry: Conv2dGeometry = {
    batch: n,
    inChannels: c,
    inHeight: inH,
    inWidth: inW,
    outChannels: co,
    kernelHeight: kh,
    kernelWidth: kw,
    outHeight: convOutSize(inH, kh, stride[0], dilation[0], convPads[0], convPads[1]),
    outWidth: convOutSize(inW, kw, stride[1], dilation[1], convPads[2], convPads[3]),
    strideH: stride[0],
    strideW: stride[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
    padTop: convPads[0],
    padBottom: convPads[1],
    padLeft: convPads[2],
    padRight: convPads[3],
    groups,
  };
  const outShape = unbatched
    ? [co, geometry.outHeight, geometry.outWidth]
    : [n, co, geometry.outHeight, geometry.outWidth];
  return { geometry, pad, unbatched, outShape };
}

function conv2dAnyShape(input: AnyTensor, weight: AnyTensor, bias?: AnyTensor | null, options?: unknown): AnyTensor {
  assertTensor("conv2d", input, "input");
  assertTensor("conv2d", weight, "weight");
  if (bias !== undefined && bias !== null) assertTensor("conv2d", bias, "bias");
  const r = resolveConv2d(input, weight, bias ?? null, options ?? {});
  assertFloat("conv2d", input);
  const { reshape } = movement;
  let x = r.unbatched ? reshape(input, [1, ...input.shape]) : input;
  if (r.pad) x = apply("pad", [x], r.pad);
  // The ceiling's message names the op called, not the conv2dBias primitive (as apply would).
  if (bias) checkElementCount("conv2d", [x.shape[0], ...r.outShape.slice(-3)]);
  const y = bias ? apply("conv2dBias", [x, weight, bias], r.geometry) : apply("conv2d", [x, weight], r.geometry);
  return r.unbatched ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * 2-D convolution over an [N, C, H, W] (or unbatched [C, H, W]) input; see docs/conv2d-semantics.md.
 * @function
 */
export const conv2d = conv2dAnyShape as Conv2dSignature;

// convTranspose2d: the adjoint of conv2d in its input, run as the conv2dBackInput primitive with
// conv2d's geometry read backwards (the transposed input is conv2d's output gradient, the
// transposed output is conv2d's input), so its gradients and second derivatives are the conv
// family's closed rules and it runs on every conv kernel as is.

/** PyTorch's conv_transpose2d options (torch.nn.functional.conv_transpose2d). */
export interface ConvTranspose2dOptions {
  /** A positive integer, or [h, w]. Default 1. */
  stride?: number | readonly [number, number];
  /** Rows and columns cropped from each side of the full output: a non-negative integer or [h, w]. Default 0. */
  padding?: number | readonly [number, number];
  /** Rows and columns added at the bottom/right; each below the stride or the dilation. Default 0. */
  outputPadding?: number | readonly [number, number];
  /** Splits channels into independent groups; must divide C_in. Default 1. */
  groups?: number;
  /** A positive integer, or [h, w]. Default 1. */
  dilation?: number | readonly [number, number];
}

export interface ResolvedConvTranspose2d {
  /** The geometry of the conv2d whose input gradient this is. */
  readonly geometry: Conv2dGeometry;
  readonly unbatched: boolean;
  readonly outShape: number[];
}

const TRANSPOSE_KNOWN = new Set(["stride", "padding", "outputPadding", "groups", "dilation"]);

/** padding or outputPadding as [h, w] (default 0), null when invalid. */
function natPairOf(v: unknown): [number, number] | null {
  if (v === undefined) return [0, 0];
  if (isNat(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && isNat(v[0]) && isNat(v[1])) return [v[0], v[1]];
  return null;
}

interface ParsedTransposeOptions {
  readonly groups: number | null;
  readonly stride: [number, number] | null;
  readonly dilation: [number, number] | null;
  readonly padding: [number, number] | null;
  readonly outputPadding: [number, number] | null;
}

function parseTransposeOptions(o: Record<string, unknown>): ParsedTransposeOptions {
  return {
    groups: o.groups === undefined ? 1 : isPos(o.groups) ? o.groups : null,
    stride: pairOf(o.stride),
    dilation: pairOf(o.dilation),
    padding: natPairOf(o.padding),
    outputPadding: natPairOf(o.outputPadding),
  };
}

/** The first error of the options on their own (TransposeOptionsError at the type level), or null. */
function transposeOwnError(o: Record<string, unknown>, p: ParsedTransposeOptions): string | null {
  const E = conv2dErrors;
  const unknownKey = Object.keys(o).find((k) => !TRANSPOSE_KNOWN.has(k));
  if (unknownKey !== undefined) return E.transposeUnknownOption(show(unknownKey));
  if (p.groups === null) return E.transposeGroups(show(o.groups));
  if (!p.stride) return E.transposePairOption("stride", show(o.stride));
  if (!p.dilation) return E.transposePairOption("dilation", show(o.dilation));
  if (!p.padding) return E.transposePadOption("padding", show(o.padding));
  if (!p.outputPadding) return E.transposePadOption("outputPadding", show(o.outputPadding));
  return null;
}

/** outputPadding not below the stride nor the dilation in some dim (OutputPaddingStage), or null. */
function outputPaddingError({ stride, dilation, outputPadding: op }: ParsedTransposeOptions): string | null {
  if (!stride || !dilation || !op) return null;
  const tooLarge = (i: 0 | 1) => op[i] >= stride[i] && op[i] >= dilation[i];
  return tooLarge(0) || tooLarge(1)
    ? conv2dErrors.transposeOutputPadding(show(op), show(stride), show(dilation))
    : null;
}

/** What nn.ConvTranspose2d checks at construction: the options' own errors and outputPadding's limit. */
export function convTranspose2dOptionsError(o: Record<string, unknown>): string | null {
  const parsed = parseTransposeOptions(o);
  return transposeOwnError(o, parsed) ?? outputPaddingError(parsed);
}

/**
 * Every check of convTranspose2d, in the order of the type-level rule (input, weight, channels,
 * output size, bias, options), before anything is allocated.
 * H_out = (H - 1) s - 2 p + d (k - 1) + outputPadding + 1.
 */
export function resolveConvTranspose2d(
  inputArg: unknown,
  weightArg: unknown,
  biasArg: unknown,
  optionsArg: unknown,
): ResolvedConvTranspose2d {
  const E = conv2dErrors;
  const input = checkMeta("input", inputArg, E.transposeNotTensor);
  const weight = checkMeta("weight", weightArg, E.transposeNotTensor);
  const bias = biasArg === null || biasArg === undefined ? null : checkMeta("bias", biasArg, E.transposeNotTensor);
  if (optionsArg === null || typeof optionsArg !== "object" || Array.isArray(optionsArg))
    fail(E.transposeOptions(show(optionsArg)));
  const o = optionsArg as Record<string, unknown>;

  const xs = input.shape;
  if (xs.length !== 4 && xs.length !== 3) fail(E.transposeInputRank(xs.length, show(xs)));
  const badInputDim = xs.find((d) => !isNat(d));
  if (badInputDim !== undefined) fail(E.transposeInputDim(show(xs), show(badInputDim)));
  const unbatched = xs.length === 3;
  const [n, c, h, w] = unbatched ? [1, ...xs] : xs;

  const ws = weight.shape;
  if (ws.length !== 4) fail(E.transposeWeightRank(ws.length, show(ws)));
  const badWeightDim = ws.find((d) => !isPos(d));
  if (badWeightDim !== undefined) fail(E.transposeWeightDim(show(ws), show(badWeightDim)));
  if (weight.dtype !== input.dtype) fail(E.transposeDtypeMismatch("weight", weight.dtype, input.dtype));
  if (weight.device !== input.device) fail(E.transposeDeviceMismatch("weight", weight.device, input.device));
  const [wi, wo, kh, kw] = ws;
  if (c !== wi) fail(E.transposeChannelMismatch(c, wi, show(ws)));

  const parsed = parseTransposeOptions(o);
  const { groups, stride, dilation, padding, outputPadding } = parsed;

  let outH = 0,
    outW = 0;
  if (stride && dilation && padding && outputPadding) {
    // In BigInt: (H - 1) s passes 2^53 for large inputs, and the messages show the exact sizes the
    // compiler computes.
    const size = (i: 0 | 1, n: number, k: number) => {
      const B = BigInt;
      return (B(n) - 1n) * B(stride[i]) - 2n * B(padding[i]) + B(dilation[i]) * (B(k) - 1n) + B(outputPadding[i]) + 1n;
    };
    const [bigH, bigW] = [size(0, h, kh), size(1, w, kw)];
    const sizes = `[${bigH}, ${bigW}]`;
    if (bigH <= 0n || bigW <= 0n)
      fail(
        E.transposeOutputSize(
          sizes,
          show([h, w]),
          show(padding),
          show([dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1]),
        ),
      );
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    if (bigH > max || bigW > max) fail(E.transposeOutputLarge(sizes));
    [outH, outW] = [Number(bigH), Number(bigW)];
  }
  const outChannels = groups === null ? wo : wo * groups;
  if (bias) {
    if (bias.shape.length !== 1 || bias.shape[0] !== outChannels)
      fail(E.transposeBiasShape(outChannels, show(bias.shape)));
    if (bias.dtype !== input.dtype) fail(E.transposeDtypeMismatch("bias", bias.dtype, input.dtype));
    if (bias.device !== input.device) fail(E.transposeDeviceMismatch("bias", bias.device, input.device));
  }

  const ownError = transposeOwnError(o, parsed);
  if (ownError !== null || !groups || !stride || !dilation || !padding || !outputPadding)
    fail(ownError ?? "shapegrad internal error: convTranspose2d options unresolved");
  if (wi % groups !== 0) fail(E.transposeGroupsDivide(wi, groups));
  const limitError = outputPaddingError(parsed);
  if (limitError !== null) fail(limitError);

  // conv2d from [n, outChannels, outH, outW] to [n, c, h, w] with this weight ([c, wo, kh, kw] is
  // conv2d's [C_out, C_in / groups, kH, kW]); its bottom/right padding is p, so that conv2d's own
  // formula reads outputPadding back as the rows its floor drops (the ONNX rule relies on it).
  const geometry: Conv2dGeometry = {
    batch: n,
    inChannels: outChannels,
    inHeight: outH,
    inWidth: outW,
    outChannels: c,
    kernelHeight: kh,
    kernelWidth: kw,
    outHeight: h,
    outWidth: w,
    strideH: stride[0],
    strideW: stride[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
    padTop: padding[0],
    padBottom: padding[0],
    padLeft: padding[1],
    padRight: padding[1],
    groups,
  };
  const outShape = unbatched ? [outChannels, outH, outW] : [n, outChannels, outH, outW];
  return { geometry, unbatched, outShape };
}

function convTranspose2dAnyShape(
  input: AnyTensor,
  weight: AnyTensor,
  bias?: AnyTensor | null,
  options?: unknown,
): AnyTensor {
  assertTensor("convTranspose2d", input, "input");
  assertTensor("convTranspose2d", weight, "weight");
  if (bias !== undefined && bias !== null) assertTensor("convTranspose2d", bias, "bias");
  const r = resolveConvTranspose2d(input, weight, bias ?? null, options ?? {});
  assertFloat("convTranspose2d", input);
  const { reshape } = movement;
  const x = r.unbatched ? reshape(input, [1, ...input.shape]) : input;
  // The ceiling's message names the op called, not its primitive conv2dBackInput (as apply would).
  checkElementCount("convTranspose2d", [x.shape[0], ...r.outShape.slice(-3)]);
  let y = apply("conv2dBackInput", [x, weight], r.geometry);
  if (bias) y = elementwise.add(y, reshape(bias, [1, bias.shape[0], 1, 1]));
  return r.unbatched ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * Transposed 2-D convolution over an [N, C_in, H, W] (or unbatched [C_in, H, W]) input with a
 * weight [C_in, C_out / groups, kH, kW]; PyTorch's conv_transpose2d.
 * @function
 */
export const convTranspose2d = convTranspose2dAnyShape as ConvTranspose2dSignature;

/** The implementations, on tensors of any shape (nn's layers call them). */
export const anyShape = { conv2d: conv2dAnyShape, convTranspose2d: convTranspose2dAnyShape };

/** convTranspose2d's check of one call (types/shape/conv.ts), cached and routed as conv2d's is. */
type ConvTranspose2dCheckOf<
  X extends AnyTensor,
  W extends AnyTensor,
  B,
  O extends readonly unknown[],
  R,
> = ConvTranspose2dCheck<
  R extends GenericRoute ? RunTimeSizes<X["shape"]> : X["shape"],
  W["shape"],
  BiasOf<B>,
  O,
  X["dtype"],
  X["device"],
  W["dtype"],
  W["device"],
  BiasDType<B>,
  BiasDevice<B>
>;

/**
 * The typed form, built as Conv2dSignature: one signature, each option its own `const` type
 * parameter, each argument's type the message when the check blames it, the result's shape
 * computed; under a generic H or W an output size is H when stride 1 and d (k - 1) + outputPadding = 2 p.
 */
export type ConvTranspose2dSignature = <
  X extends AnyTensor,
  W extends AnyTensor,
  B extends AnyTensor | null | undefined = undefined,
  const S extends ConvTranspose2dOptions["stride"] = undefined,
  const P extends ConvTranspose2dOptions["padding"] = undefined,
  const OP extends ConvTranspose2dOptions["outputPadding"] = undefined,
  const G extends ConvTranspose2dOptions["groups"] = undefined,
  const D extends ConvTranspose2dOptions["dilation"] = undefined,
  R extends SizesRoute<X["shape"]> = GenericRoute,
>(
  input: TransposeArgV<"input", X, W, B, [S, P, OP, G, D, never], R, X>,
  weight: TransposeArgV<"weight", X, W, B, [S, P, OP, G, D, never], R, W>,
  bias?: TransposeArgV<"bias", X, W, B, [S, P, OP, G, D, never], R, B>,
  options?: TransposeArgV<
    "options",
    X,
    W,
    B,
    [S, P, OP, G, D, never],
    R,
    { stride?: S; padding?: P; outputPadding?: OP; groups?: G; dilation?: D }
  >,
) => NoInfer<ConvTranspose2dOutputV<X, W, B, [S, P, OP, G, D, never], R>>;

type TransposeArgV<
  At extends string,
  X extends AnyTensor,
  W extends AnyTensor,
  B,
  V extends readonly unknown[],
  R,
  Self,
> = ConvTranspose2dCheckOf<X, W, B, V, R> extends { at: At; message: infer M extends string } ? M : Self;
type ConvTranspose2dOutputV<X extends AnyTensor, W extends AnyTensor, B, V extends readonly unknown[], R> =
  ConvTranspose2dCheckOf<X, W, B, V, R> extends { ok: infer S extends Shape }
    ? (
        R extends GenericRoute ? KeptSizes<S, ConvTranspose2dKeeps<W["shape"], V>, X["shape"]> : S
      ) extends infer O extends Shape
      ? Tensor<O, X["dtype"], X["device"]>
      : never
    : Tensor<number[], X["dtype"], X["device"]>;
