/**
 * conv2d as PyTorch defines it. All validation happens in resolveConv2d (before any allocation,
 * with the catalogue's messages); then an explicit pad2d for reflect/replicate/circular padding, the
 * conv2d primitive with zero padding folded in, and the bias as a broadcast add, so every option's
 * gradient comes from the primitives' rules.
 */
import type { Conv2dSignature } from "../../types/ops/conv2d.js";
import type { AnyTensor } from "../tensor.js";
import { apply } from "../autograd/engine.js";
import { add, assertFloat, assertTensor, reshape } from "./basic.js";
import { resolveConv2d } from "./conv2d-options.js";

function conv2dImpl(input: AnyTensor, weight: AnyTensor, bias?: AnyTensor | null, options?: unknown): AnyTensor {
  assertTensor("conv2d", input, "input");
  assertTensor("conv2d", weight, "weight");
  if (bias !== undefined && bias !== null) assertTensor("conv2d", bias, "bias");
  const r = resolveConv2d(input, weight, bias ?? null, options ?? {});
  assertFloat("conv2d", input);
  let x = r.unbatched ? reshape(input, [1, ...input.shape]) : input;
  if (r.pad) x = apply("pad2d", [x], r.pad);
  let y = apply("conv2d", [x, weight], r.geometry);
  if (bias) y = add(y, reshape(bias, [1, bias.shape[0], 1, 1]));
  return r.unbatched ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * 2-D convolution over an [N, C, H, W] (or unbatched [C, H, W]) input; see docs/conv2d-semantics.md.
 * @function
 */
export const conv2d: Conv2dSignature = conv2dImpl as unknown as Conv2dSignature;
