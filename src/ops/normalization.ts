/**
 * layerNorm and groupNorm (torch.nn.functional.layer_norm / group_norm): typed signatures (the
 * rules of types/shape/normalization.ts), argument resolution and implementation. nn.LayerNorm
 * and nn.GroupNorm call these.
 *
 * Both normalise rows of a 2-D view of the input: layerNorm the rows of [prod(lead dims),
 * prod(normalizedShape)], groupNorm those of [N * numGroups, C / numGroups * prod(spatial)]:
 *   y = (x - mean) / sqrt(var + eps),  var = mean((x - mean)^2)  (biased, as PyTorch)
 * then `* weight + bias`, per normalised element (layerNorm) or per channel (groupNorm). As a
 * composition of ops (reshape, mean, sub, mul, sqrt, div) every order of gradient, WebGPU and the
 * ONNX trace come from the primitives; that composition is the reference and the path of float64
 * and WebGPU. float32 CPU inputs take one primitive instead (rowNorm,
 * src/primitives/normalization.ts) on the CPU backend's fused loops
 * (src/backends/cpu/normalization.ts): ~6 broadcast passes forward and ~15 backward become 2 and
 * 2, 4.6-15x faster in paired runs under load (bench/RESULTS-norm.md).
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type {
  ChannelsOf,
  GroupNorm,
  LayerNorm,
  NormalizedShapeOf,
  NormParam,
  TrailingOf,
} from "../../types/shape/normalization.js";
import type { GenericDims, RunTimeDims } from "../../types/shape/generic.js";
import type { IsMessage } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import type { PrimitiveParams } from "../primitives/index.js";
import { rowNormLayout } from "../primitives/index.js";
import { formatShape, normErrors, show } from "../../types/errors.js";
import { apply, kernelInput, wrapStorage } from "../autograd/engine.js";
import { backendFor } from "../runtime/devices.js";
import { isArray, numel } from "../runtime/shape.js";
import { assertFloat, assertTensor } from "./arguments.js";
import { full } from "./creation.js";
import { add, div, mean, mul, reshape, sqrt, sub } from "./untyped.js";

type Kind<T extends AnyTensor> = `${T["dtype"]} on ${T["device"]}`;

/** A weight or bias argument as checked: itself, or the message of the check that blames it. */
type ParamArg<
  Op extends string,
  Which extends string,
  P,
  E extends Shape,
  D extends DType,
  Dev extends Device,
> = P extends AnyTensor
  ? NormParam<Op, Which, P["shape"], E> extends infer R
    ? R extends "ok"
      ? [P["dtype"], P["device"]] extends [D, Dev]
        ? P
        : ReturnType<typeof normErrors.paramKind<Op, Which, Kind<P>, `${D} on ${Dev}`>>
      : R
    : never
  : P;

type LayerNormInput<S extends Shape, D extends DType, Dev extends Device, N, In = Tensor<S, D, Dev>> =
  LayerNorm<S, N> extends infer R ? (IsMessage<R> extends true ? R : In) : never;
type GroupNormInput<S extends Shape, D extends DType, Dev extends Device, G extends number> =
  GroupNorm<S, G> extends infer R ? (IsMessage<R> extends true ? R : Tensor<S, D, Dev>) : never;

/**
 * layerNorm: first the signature for an input whose normalised dims include a type parameter (a
 * generic H; types/shape/generic.ts): normalizedShape is checked against the input's rank with
 * `number` dims, its sizes at run time. Calls whose normalised dims are literals or `number` cannot
 * match it (its last argument can never be given) and take the exact rule, last so that
 * `Parameters<typeof layerNorm<...>>` reads it.
 */
export type LayerNormSignature = (<
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const N extends number | readonly number[],
  W extends AnyTensor | null | undefined = undefined,
  B extends AnyTensor | null | undefined = undefined,
>(
  x: LayerNormInput<RunTimeDims<S>, D, Dev, N, Tensor<S, D, Dev>>,
  normalizedShape: N,
  weight?: ParamArg<"layerNorm", "weight", W, NormalizedShapeOf<N>, D, Dev>,
  bias?: ParamArg<"layerNorm", "bias", B, NormalizedShapeOf<N>, D, Dev>,
  eps?: number,
  ...genericSizes: GenericDims<TrailingOf<S, N>>
) => NoInfer<Tensor<S, D, Dev>>) &
  (<
    S extends Shape,
    D extends DType,
    Dev extends Device,
    const N extends number | readonly number[],
    W extends AnyTensor | null | undefined = undefined,
    B extends AnyTensor | null | undefined = undefined,
  >(
    x: LayerNormInput<S, D, Dev, N>,
    normalizedShape: N,
    weight?: ParamArg<"layerNorm", "weight", W, NormalizedShapeOf<N>, D, Dev>,
    bias?: ParamArg<"layerNorm", "bias", B, NormalizedShapeOf<N>, D, Dev>,
    eps?: number,
  ) => NoInfer<Tensor<S, D, Dev>>);

export type GroupNormSignature = <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const G extends number,
  W extends AnyTensor | null | undefined = undefined,
  B extends AnyTensor | null | undefined = undefined,
>(
  x: GroupNormInput<S, D, Dev, G>,
  numGroups: G,
  weight?: ParamArg<"groupNorm", "weight", W, [ChannelsOf<S>], D, Dev>,
  bias?: ParamArg<"groupNorm", "bias", B, [ChannelsOf<S>], D, Dev>,
  eps?: number,
) => NoInfer<Tensor<S, D, Dev>>;

/** normalizedShape as a list of positive integers (a number is a list of one). */
export function resolveNormalizedShape(op: string, normalizedShape: unknown): number[] {
  const list = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  if (!isArray(list) || list.length === 0 || !list.every((d) => Number.isSafeInteger(d) && (d as number) >= 1)) {
    throw new Error(normErrors.normalizedShape(op, show(normalizedShape)));
  }
  return list as number[];
}

export function resolveNumGroups(op: string, numGroups: unknown): number {
  if (!Number.isSafeInteger(numGroups) || (numGroups as number) < 1) {
    throw new Error(normErrors.numGroups(op, show(numGroups)));
  }
  return numGroups as number;
}

export function resolveEps(op: string, eps: unknown): number {
  if (typeof eps !== "number" || !Number.isFinite(eps) || eps <= 0) throw new Error(normErrors.eps(op, show(eps)));
  return eps;
}

/** A weight or bias: absent (null), or a tensor of the input's dtype and device and of shape `expected`. */
function resolveParam(
  op: string,
  which: "weight" | "bias",
  p: AnyTensor | null | undefined,
  x: AnyTensor,
  expected: readonly number[],
): AnyTensor | null {
  if (p === undefined || p === null) return null;
  assertTensor(op, p, which);
  if (p.shape.length !== expected.length || p.shape.some((d, i) => d !== expected[i])) {
    throw new Error(normErrors.paramShape(op, which, formatShape(expected), formatShape(p.shape)));
  }
  if (p.dtype !== x.dtype || p.device !== x.device) {
    throw new Error(normErrors.paramKind(op, which, `${p.dtype} on ${p.device}`, `${x.dtype} on ${x.device}`));
  }
  return p;
}

/** The checked arguments of a layerNorm call, in the order of the type-level rule. */
export interface LayerNormArgs {
  /** [rows, size]: the 2-D view whose rows are normalised. */
  readonly rows: number;
  readonly size: number;
  readonly weight: AnyTensor | null;
  readonly bias: AnyTensor | null;
  readonly eps: number;
}

export function resolveLayerNorm(
  x: AnyTensor,
  normalizedShape: unknown,
  weight: AnyTensor | null | undefined,
  bias: AnyTensor | null | undefined,
  eps: unknown,
): LayerNormArgs {
  const op = "layerNorm";
  assertTensor(op, x);
  assertFloat(op, x);
  const ns = resolveNormalizedShape(op, normalizedShape);
  const lead = x.shape.length - ns.length;
  if (lead < 0 || ns.some((d, i) => x.shape[lead + i] !== d)) {
    throw new Error(normErrors.trailingDims(show(normalizedShape), formatShape(x.shape)));
  }
  return {
    weight: resolveParam(op, "weight", weight, x, ns),
    bias: resolveParam(op, "bias", bias, x, ns),
    eps: resolveEps(op, eps),
    rows: numel(x.shape.slice(0, lead)),
    size: numel(ns),
  };
}

export interface GroupNormArgs {
  readonly groups: number;
  readonly weight: AnyTensor | null;
  readonly bias: AnyTensor | null;
  readonly eps: number;
}

export function resolveGroupNorm(
  x: AnyTensor,
  numGroups: unknown,
  weight: AnyTensor | null | undefined,
  bias: AnyTensor | null | undefined,
  eps: unknown,
): GroupNormArgs {
  const op = "groupNorm";
  assertTensor(op, x);
  assertFloat(op, x);
  const groups = resolveNumGroups(op, numGroups);
  if (x.shape.length < 2) throw new Error(normErrors.rank(formatShape(x.shape)));
  const c = x.shape[1];
  if (c % groups !== 0) throw new Error(normErrors.groupsDivide(groups, c, formatShape(x.shape)));
  return {
    groups,
    weight: resolveParam(op, "weight", weight, x, [c]),
    bias: resolveParam(op, "bias", bias, x, [c]),
    eps: resolveEps(op, eps),
  };
}

/** (v - mean(v)) / sqrt(var(v) + eps) over the last dim of v, with the biased variance. */
function normaliseLastDim(v: AnyTensor, eps: number): AnyTensor {
  const centered = sub(v, mean(v, -1, true));
  return div(centered, sqrt(add(mean(mul(centered, centered), -1, true), eps)));
}

/** y * weight + bias, the parameters viewed as `shape` when given (else they broadcast as they are). */
function affine(y: AnyTensor, weight: AnyTensor | null, bias: AnyTensor | null, shape?: readonly number[]): AnyTensor {
  if (weight) y = mul(y, shape ? reshape(weight, shape) : weight);
  if (bias) y = add(y, shape ? reshape(bias, shape) : bias);
  return y;
}

/** Whether x takes the fused rowNorm primitive: float32 on a backend with the loops (the CPU's). */
const fusable = (x: AnyTensor) => {
  const backend = backendFor(x.device);
  return x.dtype === "float32" && backend.rowNorm !== undefined && backend.batchNorm !== undefined;
};

/**
 * The rowNorm primitive on x (its layout [A, G, Cg, K] from `paramShape`, `groups` and `inner`):
 * the row statistics first (the gradient reuses them), then the primitive. A missing weight or
 * bias is a constant 1 or 0.
 */
function rowNormFused(
  x: AnyTensor,
  weight: AnyTensor | null,
  bias: AnyTensor | null,
  paramShape: readonly number[],
  groups: number,
  inner: number,
  eps: number,
): AnyTensor {
  const [a, , cg] = rowNormLayout(x.shape, numel(paramShape), { groups, inner });
  // the rows' statistics are batch norm's per-channel ones of x viewed as [1, rows, row length]
  const rows = { ...kernelInput(x), shape: [1, a * groups, cg * inner] };
  const { mean, variance } = backendFor(x.device).batchNorm!.channelStats(rows);
  const invstd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const constant = (v: number) => full(paramShape as number[], v, { dtype: x.dtype, device: x.device }) as AnyTensor;
  return apply("rowNorm", [x, weight ?? constant(1), bias ?? constant(0)], { eps, groups, inner, mean, invstd });
}

/** rowNorm's gradients by the fused loops, from the forward's statistics (not recorded: no graph). */
export function rowNormFusedGradient(
  g: AnyTensor,
  [x, weight]: readonly AnyTensor[],
  p: PrimitiveParams["rowNorm"],
  needs: readonly boolean[],
): (AnyTensor | null)[] {
  const loops = backendFor(x.device).rowNorm;
  if (!loops) throw new Error(`shapegrad internal error: rowNorm on ${x.device}, which has no fused norm loops`);
  const grads = loops.backward(kernelInput(x), kernelInput(g), kernelInput(weight), p, needs[0]);
  return [
    grads.input === null ? null : wrapStorage(x.shape, x.dtype, x.device, grads.input),
    needs[1] ? wrapStorage(weight.shape, x.dtype, x.device, grads.weight) : null,
    needs[2] ? wrapStorage(weight.shape, x.dtype, x.device, grads.bias) : null,
  ];
}

/** layerNorm, on the fused primitive where `allowFused` and x qualifies, else as the composition. */
const layerNormWith = (allowFused: boolean) =>
  function layerNorm(
    x: AnyTensor,
    normalizedShape: number | readonly number[],
    weight?: AnyTensor | null,
    bias?: AnyTensor | null,
    eps: number = 1e-5,
  ): AnyTensor {
    const a = resolveLayerNorm(x, normalizedShape, weight, bias, eps);
    const k = typeof normalizedShape === "number" ? 1 : normalizedShape.length;
    if (allowFused && fusable(x)) return rowNormFused(x, a.weight, a.bias, x.shape.slice(-k), 1, 1, a.eps);
    // One normalised dim is already the last dim; several are flattened into one row.
    const y =
      k === 1 ? normaliseLastDim(x, a.eps) : reshape(normaliseLastDim(reshape(x, [a.rows, a.size]), a.eps), x.shape);
    return affine(y, a.weight, a.bias);
  };

/** groupNorm, on the fused primitive where `allowFused` and x qualifies, else as the composition. */
const groupNormWith = (allowFused: boolean) =>
  function groupNorm(
    x: AnyTensor,
    numGroups: number,
    weight?: AnyTensor | null,
    bias?: AnyTensor | null,
    eps: number = 1e-5,
  ): AnyTensor {
    const a = resolveGroupNorm(x, numGroups, weight, bias, eps);
    const [n, c] = x.shape;
    const inner = numel(x.shape.slice(2));
    if (allowFused && fusable(x)) return rowNormFused(x, a.weight, a.bias, [c], a.groups, inner, a.eps);
    const rows = reshape(x, [n, a.groups, (c / a.groups) * inner]);
    const y = reshape(normaliseLastDim(rows, a.eps), x.shape);
    // The per-channel parameters broadcast as [C, 1, ..., 1] against [N, C, ...].
    return affine(y, a.weight, a.bias, [c, ...x.shape.slice(2).map(() => 1)]);
  };

const layerNormAnyShape = layerNormWith(true);
const groupNormAnyShape = groupNormWith(true);

/** The op compositions alone: the oracle the fused path is tested against (and bench/norm.mjs's baseline). */
export const reference = { layerNorm: layerNormWith(false), groupNorm: groupNormWith(false) };

/** The implementations, on tensors of any shape (nn.LayerNorm and nn.GroupNorm call these). */
export const anyShape = { layerNorm: layerNormAnyShape, groupNorm: groupNormAnyShape };

/**
 * Layer normalisation (torch.nn.functional.layer_norm): each slice over the last dims given by
 * `normalizedShape` is normalised to mean 0 and (biased) variance 1, then scaled by `weight` and
 * shifted by `bias` (both of shape normalizedShape, optional); `eps` defaults to 1e-5.
 * @function
 */
export const layerNorm = layerNormAnyShape as LayerNormSignature;
/**
 * Group normalisation (torch.nn.functional.group_norm) of an [N, C, ...] input: the channels are
 * split into `numGroups` groups and each (sample, group) is normalised over its channels and
 * positions, then scaled by `weight` and shifted by `bias` per channel ([C], optional); `eps`
 * defaults to 1e-5.
 * @function
 */
export const groupNorm = groupNormAnyShape as GroupNormSignature;
