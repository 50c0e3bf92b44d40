/**
 * Elementwise kernels: one WGSL shader per (op, dtypes, layout); broadcasting is read through
 * strides, and a flat variant skips the index arithmetic when every input is laid out like the output.
 */
import type { KernelOutput, KernelTable } from "../../backend.js";
import {
  type BinaryPrimitive,
  type UnaryPrimitive,
  binaryPrimitives,
  unaryPrimitives,
} from "../../primitives/index.js";
import { broadcastStrides, numel, sameShape } from "../../runtime/shape.js";
import { launch } from "./dispatch.js";
import { type GpuInput, buffers, dtypeOf, perElement, shader } from "./launch-helpers.js";
import { type GpuStorage, allocate } from "./memory.js";
import { type ElementwiseOp, elementwiseShader } from "./wgsl/elementwise.js";

/**
 * Runs an elementwise op producing `out`. `strides` gives, per input, the stride of each output
 * dim in that input (0 where broadcast); when every input is laid out like the output the flat
 * shader skips the index arithmetic.
 */
export function elementwise(
  op: ElementwiseOp,
  inputs: readonly GpuInput[],
  out: KernelOutput,
  strides: readonly (readonly number[])[],
  flat: boolean,
): GpuStorage {
  const inType = dtypeOf(inputs[0].dtype),
    outType = dtypeOf(out.dtype);
  const n = numel(out.shape);
  const ins = buffers(inputs);
  const y = allocate(n);
  const key = `ew:${op}:${inType}:${outType}:${flat ? "flat" : "strided"}`;
  const source = shader(key, () => elementwiseShader(op, inType, outType, !flat));
  const meta = flat ? [n] : [n, out.shape.length, ...out.shape, ...strides.flat()];
  launch(source, y.buffer, Uint32Array.from(meta), ins, perElement(n));
  return y;
}

function unary(op: ElementwiseOp) {
  return (inputs: readonly GpuInput[], _p: unknown, out: KernelOutput): GpuStorage =>
    elementwise(op, inputs, out, [], true);
}

function binary(op: ElementwiseOp) {
  return ([a, b]: readonly GpuInput[], _p: unknown, out: KernelOutput): GpuStorage => {
    const flat = sameShape(a.shape, out.shape) && sameShape(b.shape, out.shape);
    const strides = [broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape)];
    return elementwise(op, [a, b], out, strides, flat);
  };
}

export const elementwiseKernels = Object.fromEntries([
  ...unaryPrimitives.map((op) => [op, unary(op)]),
  ...binaryPrimitives.map((op) => [op, binary(op)]),
]) as Pick<KernelTable<GpuStorage>, UnaryPrimitive | BinaryPrimitive>;
