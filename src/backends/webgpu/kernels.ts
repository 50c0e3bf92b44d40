/**
 * The host side of every WebGPU kernel: work out the launch parameters, pick the cached pipeline
 * for this (kernel, dtype, variant), record the dispatch, return the new storage. Nothing here
 * waits for the GPU; only `read` does.
 */
import type { DType } from "../../../types/core.js";
import type { KernelInput, KernelOutput, KernelTable } from "../../backend.js";
import type { Pool2dGeometry } from "../../primitives/index.js";
import { binaryPrimitives, unaryPrimitives } from "../../primitives/index.js";
import { broadcastStrides, numel, sameShape, stridesOf } from "../../runtime/shape.js";
import type { Conv2dGeometry, Pad2dGeometry } from "../../primitives/index.js";
import { gpu } from "./device.js";
import { launch } from "./dispatch.js";
import { type GpuStorage, allocate, assertDType, checkLive, release, share } from "./memory.js";
import type { GpuDType } from "./wgsl/common.js";
import { WORKGROUP } from "./wgsl/common.js";
import { type ElementwiseOp, elementwiseShader, fillShader } from "./wgsl/elementwise.js";
import {
  CONV_META_FIELDS, type ConvField, type GemmLoaders, TILE, TILE_K,
  conv2dBackInputLoaders, conv2dBackWeightLoaders, conv2dLoaders, gemmShader, inputTaps, matmulLoaders, outputTaps,
} from "./wgsl/gemm.js";
import { PAD_MODES, type PoolKernel, maxPool2dShader, pad2dAdjointShader, pad2dShader } from "./wgsl/pad-pool.js";
import { type ReduceOp, reduceShader } from "./wgsl/reduce.js";

type In = KernelInput<GpuStorage>;

/** Shader texts are cached here by key so each is generated once (the pipeline cache keys on text). */
const shaders = new Map<string, string>();
function shader(key: string, make: () => string): string {
  let s = shaders.get(key);
  if (s === undefined) shaders.set(key, (s = make()));
  return s;
}

function dtypeOf(d: DType): GpuDType {
  assertDType(d);
  return d;
}

/** The inputs' buffers, after checking each is live: call before allocating the output, so a refused call leaks nothing. */
function buffers(inputs: readonly In[]): GPUBuffer[] {
  return inputs.map((x) => {
    checkLive(x.storage);
    return x.storage.buffer;
  });
}

const perElement = (n: number) => Math.ceil(n / WORKGROUP);

// ---------------------------------------------------------------- elementwise and movement

/**
 * Runs an elementwise op producing `out`. `strides` gives, per input, the stride of each output
 * dim in that input (0 where broadcast); when every input is laid out like the output the flat
 * shader skips the index arithmetic.
 */
function elementwise(op: ElementwiseOp, inputs: readonly In[], out: KernelOutput, strides: readonly (readonly number[])[], flat: boolean): GpuStorage {
  const inType = dtypeOf(inputs[0].dtype), outType = dtypeOf(out.dtype);
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
  return (inputs: readonly In[], _p: unknown, out: KernelOutput): GpuStorage => elementwise(op, inputs, out, [], true);
}

function binary(op: ElementwiseOp) {
  return ([a, b]: readonly In[], _p: unknown, out: KernelOutput): GpuStorage => {
    const flat = sameShape(a.shape, out.shape) && sameShape(b.shape, out.shape);
    const strides = [broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape)];
    return elementwise(op, [a, b], out, strides, flat);
  };
}

/** Fills `size` elements with `value`, stored as the dtype's bits (int32 wraps as Int32Array does). */
export function full(size: number, value: number, dtype: DType): GpuStorage {
  const t = dtypeOf(dtype);
  return fillInto(allocate(size), size, value, t);
}

// ---------------------------------------------------------------- reductions

/** Below this many reduced elements one invocation per output does the whole reduction. */
const WORKGROUP_REDUCE_FROM = 256;

function reduce(op: ReduceOp, x: In, dims: readonly number[], outType: GpuDType): GpuStorage {
  const inType = dtypeOf(x.dtype);
  const strides = stridesOf(x.shape);
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const keptShape = kept.map((i) => x.shape[i]);
  const redShape = dims.map((i) => x.shape[i]);
  return reduceStrided(op, x.storage, inType, outType, keptShape, kept.map((i) => strides[i]), redShape, dims.map((i) => strides[i]));
}

/** The general reduction: outputs enumerate `keptShape`, each reduces over `redShape`, both read through strides. */
function reduceStrided(
  op: ReduceOp, input: GpuStorage, inType: GpuDType, outType: GpuDType,
  keptShape: readonly number[], keptStrides: readonly number[], redShape: readonly number[], redStrides: readonly number[],
): GpuStorage {
  checkLive(input);
  const outputs = numel(keptShape), reduced = numel(redShape);
  const y = allocate(outputs);
  if (outputs === 0) return y;
  if (reduced === 0) {
    // An empty reduction is its identity: 0 for sum, -Infinity for max (as the CPU's fill).
    return fillInto(y, outputs, op === "sum" ? 0 : -Infinity, outType);
  }
  const byWorkgroup = reduced >= WORKGROUP_REDUCE_FROM;
  const source = shader(`reduce:${op}:${inType}:${outType}:${byWorkgroup}`, () =>
    reduceShader(op, inType, outType, byWorkgroup ? "workgroup" : "thread"));
  const meta = [outputs, reduced, keptShape.length, redShape.length, ...keptShape, ...keptStrides, ...redShape, ...redStrides];
  launch(source, y.buffer, Uint32Array.from(meta), [input.buffer], byWorkgroup ? outputs : perElement(outputs));
  return y;
}

function fillInto(y: GpuStorage, size: number, value: number, dtype: GpuDType): GpuStorage {
  const bits = new Uint32Array((dtype === "float32" ? Float32Array.of(value) : Int32Array.of(value)).buffer);
  launch(shader(`fill:${dtype}`, () => fillShader(dtype)), y.buffer, Uint32Array.of(size, bits[0]), [], perElement(size));
  return y;
}

// ---------------------------------------------------------------- GEMM family

/** Aim for at least this many workgroups before splitting k (enough to fill a real GPU's cores). */
const SPLIT_TARGET_WORKGROUPS = 64;
/** Rows or columns below which the tiled GEMM runs the direct one instead. */
const SKINNY = 16;
/** Never split k below this many per chunk: each split costs a partial C and a reduction. */
const SPLIT_MIN_CHUNK = 256;

interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly batches: number;
}

/**
 * Runs C = A B through `loaders`, writing `outCount` elements, with split-K when C alone has too
 * few workgroups to keep a GPU busy.
 */
function gemm(loaders: GemmLoaders, inputs: readonly In[], t: GpuDType, shape: GemmShape, outCount: number, extra: readonly number[], extraKey?: string): GpuStorage {
  const { m, n, k, batches } = shape;
  // "auto": a 32x32 tile over a C with fewer than 16 rows or columns wastes most of its
  // invocations (the input gradient of a first conv layer has 1 row), so skinny products go direct.
  const chosen = gpu().gemm;
  const algorithm = chosen === "auto" ? (m < SKINNY || n < SKINNY ? "direct" : "tiled") : chosen;
  const perSplit = algorithm === "tiled"
    ? batches * Math.ceil(m / TILE) * Math.ceil(n / TILE)
    : perElement(batches * m * n);
  let splits = 1;
  if (perSplit < SPLIT_TARGET_WORKGROUPS && k >= 2 * SPLIT_MIN_CHUNK) {
    splits = Math.min(Math.ceil(SPLIT_TARGET_WORKGROUPS / perSplit), Math.floor(k / SPLIT_MIN_CHUNK));
  }
  const chunk = Math.ceil(k / splits / TILE_K) * TILE_K;
  splits = Math.ceil(k / chunk);
  const source = shader(`gemm:${loaders.name}:${t}:${algorithm}`, () => gemmShader(loaders, t, algorithm));
  const head = [m, n, k, batches, chunk, splits, outCount];
  const meta = Uint32Array.from([...head, ...extra]);
  const ins = buffers(inputs);
  const y = allocate(outCount * splits);
  launch(source, y.buffer, meta, ins, perSplit * splits, extraKey === undefined ? undefined : `${loaders.name}:${head.join(",")}:${extraKey}`);
  if (splits === 1) return y;
  // Sum the partial results [splits, outCount] over the first dim.
  const summed = reduceStrided("sum", y, t, t, [outCount], [1], [splits], [outCount]);
  // The partial results are internal: back to the pool (later kernels are recorded after the sum).
  release(y);
  return summed;
}

/** The conv fields the loaders read, then the tap table (see wgsl/gemm.ts). */
function convMeta(g: Conv2dGeometry, taps: "input" | "output"): number[] {
  const fields: Record<ConvField, number> = {
    NB: g.batch, CIN: g.inChannels, H: g.inHeight, W: g.inWidth, COUT: g.outChannels,
    KH: g.kernelHeight, KW: g.kernelWidth, OH: g.outHeight, OW: g.outWidth,
    SH: g.strideH, SW: g.strideW, DH: g.dilationH, DW: g.dilationW, PT: g.padTop, PL: g.padLeft,
    CING: g.inChannels / g.groups, COUTG: g.outChannels / g.groups,
  };
  const table = taps === "input"
    ? inputTaps(fields.CING, g.inHeight, g.inWidth, g.kernelHeight, g.kernelWidth, g.dilationH, g.dilationW)
    : outputTaps(fields.COUTG, fields.CING, g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth, g.dilationH, g.dilationW);
  return [...CONV_META_FIELDS.map((f) => fields[f]), ...table];
}

/** Parameters are cached by this key: the geometry determines the whole parameter block. */
function convKey(g: Conv2dGeometry): string {
  return Object.values(g).join(",");
}

function conv2d([x, w]: readonly In[], g: Conv2dGeometry, out: KernelOutput): GpuStorage {
  const cing = g.inChannels / g.groups, coutg = g.outChannels / g.groups;
  return gemm(conv2dLoaders, [x, w], dtypeOf(out.dtype), {
    m: coutg, n: g.batch * g.outHeight * g.outWidth, k: cing * g.kernelHeight * g.kernelWidth, batches: g.groups,
  }, numel(out.shape), convMeta(g, "input"), convKey(g));
}

function conv2dBackInput([gy, w]: readonly In[], g: Conv2dGeometry, out: KernelOutput): GpuStorage {
  const cing = g.inChannels / g.groups, coutg = g.outChannels / g.groups;
  return gemm(conv2dBackInputLoaders, [gy, w], dtypeOf(out.dtype), {
    m: cing, n: g.batch * g.inHeight * g.inWidth, k: coutg * g.kernelHeight * g.kernelWidth, batches: g.groups,
  }, numel(out.shape), convMeta(g, "output"), convKey(g));
}

function conv2dBackWeight([x, gy]: readonly In[], g: Conv2dGeometry, out: KernelOutput): GpuStorage {
  const cing = g.inChannels / g.groups, coutg = g.outChannels / g.groups;
  return gemm(conv2dBackWeightLoaders, [x, gy], dtypeOf(out.dtype), {
    m: coutg, n: cing * g.kernelHeight * g.kernelWidth, k: g.batch * g.outHeight * g.outWidth, batches: g.groups,
  }, numel(out.shape), convMeta(g, "input"), convKey(g));
}

function matmul([a, b]: readonly In[], _p: unknown, out: KernelOutput): GpuStorage {
  const r = a.shape.length;
  const m = a.shape[r - 2], k = a.shape[r - 1], n = b.shape[r - 1];
  const batches = numel(a.shape.slice(0, r - 2));
  if (k === 0) return full(numel(out.shape), 0, out.dtype);
  return gemm(matmulLoaders, [a, b], dtypeOf(out.dtype), { m, n, k, batches }, numel(out.shape), []);
}

// ---------------------------------------------------------------- padding and pooling

function padMeta(p: Pad2dGeometry, count: number): Uint32Array {
  return Uint32Array.of(count, p.inHeight, p.inWidth, p.top, p.bottom, p.left, p.right, PAD_MODES[p.mode]);
}

function pad2d([x]: readonly In[], p: Pad2dGeometry, out: KernelOutput): GpuStorage {
  const t = dtypeOf(out.dtype), n = numel(out.shape);
  const ins = buffers([x]);
  const y = allocate(n);
  launch(shader(`pad2d:${t}`, () => pad2dShader(t)), y.buffer, padMeta(p, n), ins, perElement(n));
  return y;
}

function pad2dAdjoint([gy]: readonly In[], p: Pad2dGeometry, out: KernelOutput): GpuStorage {
  const t = dtypeOf(out.dtype), n = numel(out.shape);
  const ins = buffers([gy]);
  const y = allocate(n);
  launch(shader(`pad2dAdjoint:${t}`, () => pad2dAdjointShader(t)), y.buffer, padMeta(p, n), ins, perElement(n));
  return y;
}

function pool(kind: PoolKernel) {
  return (inputs: readonly In[], p: Pool2dGeometry, out: KernelOutput): GpuStorage => {
    const t = dtypeOf(out.dtype), n = numel(out.shape);
    const ins = buffers(inputs);
    const y = allocate(n);
    const meta = Uint32Array.of(n, p.inHeight, p.inWidth, p.outHeight, p.outWidth, p.kernelHeight, p.kernelWidth,
      p.strideH, p.strideW, p.dilationH, p.dilationW, p.padTop, p.padLeft);
    launch(shader(`maxPool2d:${kind}:${t}`, () => maxPool2dShader(kind, t)), y.buffer, meta, ins, perElement(n));
    return y;
  };
}

// ---------------------------------------------------------------- the table

type ElementwiseKernels = { readonly [P in (typeof unaryPrimitives)[number] | (typeof binaryPrimitives)[number]]: KernelTable<GpuStorage>[P] };
const elementwiseKernels = Object.fromEntries([
  ...unaryPrimitives.map((op) => [op, unary(op)]),
  ...binaryPrimitives.map((op) => [op, binary(op)]),
]) as ElementwiseKernels;

export const webgpuKernels: KernelTable<GpuStorage> = {
  ...elementwiseKernels,
  sum: ([x], p, out) => reduce("sum", x, p.dims, dtypeOf(out.dtype)),
  max: ([x], p, out) => reduce("max", x, p.dims, dtypeOf(out.dtype)),
  argmax: ([x], p, out) => reduce("argmax", x, [p.dim], dtypeOf(out.dtype)),
  // Storage is never written after creation, so reshape shares the buffer (a second handle).
  reshape: ([x]) => share(x.storage),
  permute: ([x], p, out) => {
    const s = stridesOf(x.shape);
    return elementwise("copy", [x], out, [p.perm.map((d) => s[d])], false);
  },
  expand: ([x], _p, out) => elementwise("copy", [x], out, [broadcastStrides(x.shape, out.shape)], false),
  cast: ([x], p, out) => (x.dtype === p.dtype ? share(x.storage) : elementwise("cast", [x], out, [], true)),
  pad2d,
  pad2dAdjoint,
  matmul,
  conv2d,
  conv2dBackInput,
  conv2dBackWeight,
  maxPool2d: pool("forward"),
  maxPool2dBackward: pool("backward"),
  maxPool2dSelect: pool("select"),
  // nn.functional.batchNorm creates this primitive for CPU tensors only (elsewhere it runs as ops).
  batchNormTrain: () => { throw new Error("shapegrad internal error: batchNormTrain is a CPU primitive"); },
};
