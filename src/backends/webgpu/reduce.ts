/**
 * Reductions: one invocation per output for short reductions, a workgroup per output for long ones.
 */
import type { KernelTable } from "../../backend.js";
import type { ReduceParams } from "../../primitives/index.js";
import { numel, stridesOf } from "../../runtime/shape.js";
import { launch } from "./dispatch.js";
import { type GpuInput, dtypeOf, fillInto, perElement, shader } from "./launch-helpers.js";
import { type GpuStorage, allocate, checkLive } from "./memory.js";
import type { GpuDType } from "./wgsl/common.js";
import { type ReduceOp, reduceShader } from "./wgsl/reduce.js";

/** Below this many reduced elements one invocation per output does the whole reduction. */
const WORKGROUP_REDUCE_FROM = 256;

function reduce(op: ReduceOp, x: GpuInput, dims: readonly number[], outType: GpuDType): GpuStorage {
  const inType = dtypeOf(x.dtype);
  const strides = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const keptShape = kept.map((i) => x.shape[i]);
  const redShape = dims.map((i) => x.shape[i]);
  return reduceStrided(
    op,
    x.storage,
    inType,
    outType,
    keptShape,
    kept.map((i) => strides[i]),
    redShape,
    dims.map((i) => strides[i]),
  );
}

/** The general reduction: outputs enumerate `keptShape`, each reduces over `redShape`, both read through strides. */
export function reduceStrided(
  op: ReduceOp,
  input: GpuStorage,
  inType: GpuDType,
  outType: GpuDType,
  keptShape: readonly number[],
  keptStrides: readonly number[],
  redShape: readonly number[],
  redStrides: readonly number[],
): GpuStorage {
  checkLive(input);
  const outputs = numel(keptShape),
    reduced = numel(redShape);
  const y = allocate(outputs);
  if (outputs === 0) return y;
  if (reduced === 0) {
    // An empty reduction is its identity: 0 for sum, -Infinity for max (as the CPU's fill).
    return fillInto(y, outputs, op === "sum" ? 0 : -Infinity, outType);
  }
  const byWorkgroup = reduced >= WORKGROUP_REDUCE_FROM;
  const source = shader(`reduce:${op}:${inType}:${outType}:${byWorkgroup}`, () =>
    reduceShader(op, inType, outType, byWorkgroup ? "workgroup" : "thread"),
  );
  const meta = [
    outputs,
    reduced,
    keptShape.length,
    redShape.length,
    ...keptShape,
    ...keptStrides,
    ...redShape,
    ...redStrides,
  ];
  launch(source, y.buffer, Uint32Array.from(meta), [input.buffer], byWorkgroup ? outputs : perElement(outputs));
  return y;
}

export const reduceKernels: Pick<KernelTable<GpuStorage>, keyof ReduceParams> = {
  sum: ([x], p, out) => reduce("sum", x, p.dims, dtypeOf(out.dtype)),
  max: ([x], p, out) => reduce("max", x, p.dims, dtypeOf(out.dtype)),
  argmax: ([x], p, out) => reduce("argmax", x, [p.dim], dtypeOf(out.dtype)),
};
