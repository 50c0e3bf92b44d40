/**
 * pad (torch.nn.functional.pad): its typed signature (the shape rule of types/shape/pad.ts),
 * option resolution and implementation, the `pad` primitive (src/primitives/pad.ts has the math
 * of the four modes and of negative pads).
 *
 * `pads` lists (before, after) of the last dim first, then of the dim before it, and so on
 * outwards. "constant" pads any dims with `value`; the other modes follow PyTorch's dispatch:
 * 2 pads on a 2-D or 3-D input, 4 on a 3-D or 4-D input, 6 on a 4-D or 5-D input (the padded dims
 * plus a channel dim and an optional batch dim), with reflect's pad < size and circular's wrap at
 * most the cells kept after cropping. Checks run in the order of the type-level rule, before any
 * allocation.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Pad, PadKept, PadOptions, PadReached } from "../../types/shape/pad.js";
import type { GenericDims, RunTimeDims } from "../../types/shape/generic.js";
import type { IsMessage, OkShape } from "../../types/shape/show.js";
import type { AnyTensor, Tensor } from "../tensor.js";
import { apply } from "../autograd/engine.js";
import { argumentErrors, padErrors, show } from "../../types/errors.js";
import { type PadGeometry, type PadMode, padGeometry } from "../primitives/index.js";
import { isArray } from "../runtime/shape.js";
import { assertFloat, assertTensor } from "./arguments.js";

export type { PadMode, PadOptions };

/** pad's rule for an input shape, a pads tuple and an options object. */
export type PadShape<S extends Shape, P extends readonly number[], O = object> = Pad<S, P, O>;
type PadInput<S extends Shape, D extends DType, Dev extends Device, P extends readonly number[], O> =
  Pad<S, P, O> extends infer R ? (IsMessage<R> extends true ? R : Tensor<S, D, Dev>) : never;
type PadSignature = (<
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const P extends readonly number[],
  const O extends PadOptions = object,
>(
  x: PadInput<S, D, Dev, P, O>,
  pads: P,
  options?: O,
) => Tensor<OkShape<Pad<S, P, O>>, D, Dev>) &
  PadGenericSignature;
/**
 * pad of an input whose dims read by the rule include a type parameter (a generic H;
 * types/shape/generic.ts): the rule runs on the input's rank with `number` dims (pads, mode and
 * rank checked, sizes at run time); a reached dim padded by (0, 0) is kept, any other is number.
 * Calls whose reached dims are all literals or `number` cannot match it and keep the exact
 * signature and its errors.
 */
type PadGenericSignature = <
  S extends Shape,
  D extends DType,
  Dev extends Device,
  const P extends readonly number[],
  const O extends PadOptions = object,
>(
  x: Pad<RunTimeDims<S>, P, O> extends infer R ? (IsMessage<R> extends true ? R : Tensor<S, D, Dev>) : never,
  pads: P,
  options?: O,
  ...genericSizes: GenericDims<PadReached<S, P, O>>
) => Tensor<PadKept<S, P>, D, Dev>;

const KNOWN = ["mode", "value"];
const MODES: readonly PadMode[] = ["constant", "reflect", "replicate", "circular"];

function fail(message: string): never {
  throw new Error(message);
}

/** Checks pads and options against the input shape in the type-level rule's order; the primitive's geometry. */
export function resolvePad(shape: readonly number[], pads: unknown, options: unknown): PadGeometry {
  if (!isArray(pads) || !pads.every((v) => Number.isSafeInteger(v))) fail(padErrors.pads(show(pads)));
  const p = pads as readonly number[];
  const o = options ?? {};
  if (typeof o !== "object" || isArray(o)) fail(argumentErrors.options("pad", show(o)));
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key)) fail(argumentErrors.unknownOption("pad", show(key), KNOWN.join(", ")));
  }
  const { mode = "constant", value } = o as { mode?: unknown; value?: unknown };
  if (!MODES.includes(mode as PadMode)) fail(padErrors.mode(show(mode)));
  if (value !== undefined && typeof value !== "number") fail(padErrors.value(show(value)));
  const m = mode as PadMode;
  const rank = shape.length;
  if (p.length % 2 !== 0) fail(padErrors.oddLength(p.length));
  if (p.length > 2 * rank) fail(padErrors.tooLong(p.length, show(shape)));
  const k = p.length / 2;
  if (m !== "constant") {
    if (value !== undefined && value !== 0) fail(padErrors.valueWithMode(show(m), show(value)));
    if (!(k >= 1 && k <= 3 && (rank === k + 1 || rank === k + 2)))
      fail(padErrors.modeRank(show(m), p.length, show(shape)));
  }
  // PyTorch's reflect and replicate kernels accept an empty batch only (circular copies slices):
  // checked on each padded dim, innermost first, then on the channel dim before them.
  const empty = (d: number) => (m === "reflect" || m === "replicate") && d >= 0 && shape[d] === 0;
  for (let j = 0; j < k; j++) {
    const d = rank - 1 - j,
      n = shape[d],
      before = p[2 * j],
      after = p[2 * j + 1];
    if (empty(d)) fail(padErrors.emptyDim(show(m), show(shape)));
    if (m === "reflect" && (before >= n || after >= n)) fail(padErrors.reflectLimit(before, after, d, n, show(shape)));
    if (m === "circular") {
      const kept = n - Math.max(-before, 0) - Math.max(-after, 0);
      if (kept < 0 || before > kept || after > kept) fail(padErrors.circularLimit(before, after, d, kept, show(shape)));
    }
    const out = n + before + after;
    if (out < 0) fail(padErrors.outputSize(before, after, d, n, out, show(shape)));
  }
  if (empty(rank - k - 1)) fail(padErrors.emptyDim(show(m), show(shape)));
  return padGeometry(shape, p, m, m === "constant" ? (value ?? 0) : 0);
}

function padAnyShape(x: AnyTensor, pads: readonly number[], options?: unknown): AnyTensor {
  assertTensor("pad", x, "x");
  const geometry = resolvePad(x.shape, pads, options);
  assertFloat("pad", x);
  return apply("pad", [x], geometry);
}

export const anyShape = { pad: padAnyShape };

/**
 * Pads (or, with negative pads, crops) the trailing dims of `x`: torch.nn.functional.pad. See
 * docs/pad.md.
 * @function
 */
export const pad = padAnyShape as PadSignature;
