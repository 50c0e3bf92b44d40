/**
 * matmul, and the GEMM driver the conv family shares (tiled or direct, split-K when the output
 * alone has too few workgroups).
 */
import type { KernelOutput, KernelTable } from "../../backend.js";
import type { MatmulParams } from "../../primitives/index.js";
import { numel } from "../../runtime/shape.js";
import { gpu } from "./device.js";
import { launch } from "./dispatch.js";
import { type GpuInput, buffers, dtypeOf, full, perElement, shader } from "./launch-helpers.js";
import { type GpuStorage, allocate, release } from "./memory.js";
import { reduceStrided } from "./reduce.js";
import type { GpuDType } from "./wgsl/common.js";
import { type GemmLoaders, TILE, TILE_K, gemmShader, matmulLoaders } from "./wgsl/gemm.js";

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
export function gemm(
  loaders: GemmLoaders,
  inputs: readonly GpuInput[],
  t: GpuDType,
  shape: GemmShape,
  outCount: number,
  extra: readonly number[],
  extraKey?: string,
): GpuStorage {
  const { m, n, k, batches } = shape;
  // "auto": a 32x32 tile over a C with fewer than 16 rows or columns wastes most of its
  // invocations (the input gradient of a first conv layer has 1 row), so skinny products go direct.
  const chosen = gpu().gemm;
  const algorithm = chosen === "auto" ? (m < SKINNY || n < SKINNY ? "direct" : "tiled") : chosen;
  const perSplit =
    algorithm === "tiled" ? batches * Math.ceil(m / TILE) * Math.ceil(n / TILE) : perElement(batches * m * n);
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
  launch(
    source,
    y.buffer,
    meta,
    ins,
    perSplit * splits,
    extraKey === undefined ? undefined : `${loaders.name}:${head.join(",")}:${extraKey}`,
  );
  if (splits === 1) return y;
  // Sum the partial results [splits, outCount] over the first dim.
  const summed = reduceStrided("sum", y, t, t, [outCount], [1], [splits], [outCount]);
  // The partial results are internal: back to the pool (later kernels are recorded after the sum).
  release(y);
  return summed;
}

function matmul([a, b]: readonly GpuInput[], _p: unknown, out: KernelOutput): GpuStorage {
  const r = a.shape.length;
  const m = a.shape[r - 2],
    k = a.shape[r - 1],
    n = b.shape[r - 1];
  const batches = numel(a.shape.slice(0, r - 2));
  if (k === 0) return full(numel(out.shape), 0, out.dtype);
  return gemm(matmulLoaders, [a, b], dtypeOf(out.dtype), { m, n, k, batches }, numel(out.shape), []);
}

export const matmulKernels: Pick<KernelTable<GpuStorage>, keyof MatmulParams> = { matmul };
