/**
 * What every call into the fast kernels shares: operand checks, the call's fresh output, the work
 * costs that decide whether a job is shared with the workers, and how GEMM-shaped and per-plane
 * jobs are cut into items.
 */
import { allocateForOverwrite } from "../arrays.js";
import type { FastRuntime, KernelParams } from "./workers.js";
import { MR, NR } from "./wasm/kernels.generated.js";

/** Columns of C per work item: the packed B block is KC x BLOCK floats (at most 512 KiB, L2). */
export const BLOCK = 256;
/** Fewest output channels worth a separate item when a conv is split along channels. */
const MIN_ROWS = 32;
/** Narrowest pixel block worth a separate item (each item packs its own B block). */
const MIN_BLOCK = 64;

/**
 * Items per parallel job: threads claim items dynamically, so with 8 per thread the last item to
 * finish idles the others for at most ~1/8 of a thread's share, also when a core is busy elsewhere.
 */
export function itemsWanted(rt: FastRuntime): number {
  return 8 * rt.numThreads;
}

export const ru = (n: number, m: number) => Math.ceil(n / m) * m;
/** Packing moves one float per element at roughly the time the GEMM spends on ~8 FLOPs. */
export const PACK = 8;
/** A float of a zero-bordered copy or of a compaction (memory-bound jobs) counts as 32 FLOPs when
 * deciding whether to share the job: sharing them from ~100K floats made the 3x3 layers' 2-thread
 * calls 0.4-4.4% faster in paired A/Bs (the job alone: ~100 -> ~80 us for 200K floats). */
export const COPY = 4 * PACK;
/** A float gathered from scattered taps (pack_b_gather) costs ~0.35-0.5 ns, as ~12 FLOPs of the
 * GEMM (measured on the 7x7 and 14x14 ResNet layers). */
export const GATHER = 12;
export const F = 4; // bytes per float

export function check(name: string, arr: Float32Array | Int32Array, expected: number): void {
  if (arr.length !== expected) throw new RangeError(`${name}: expected ${expected} elements, got ${arr.length}`);
}

/** Pixel blocks and channel blocks of a GEMM-shaped job so that there is work for every thread. */
export function split(
  rt: FastRuntime,
  outer: number,
  n: number,
  m: number,
): { block: number; nBlocks: number; rows: number; mBlocks: number } {
  const want = itemsWanted(rt);
  let block = Math.min(ru(n, NR), BLOCK);
  if (rt.numThreads > 1 && outer * Math.ceil(n / block) < want) {
    block = Math.min(block, Math.max(MIN_BLOCK, ru(Math.ceil(n / Math.ceil(want / outer)), NR)));
  }
  // as many blocks (or fewer), of even sizes (196 pixels: 56 + 56 + 56 + 28, not 64 + 64 + 64 + 4)
  block = ru(Math.ceil(n / Math.ceil(n / block)), NR);
  const nBlocks = Math.ceil(n / block);
  let rows = ru(m, MR);
  if (rt.numThreads > 1 && outer * nBlocks < want) {
    const mb = Math.max(1, Math.min(Math.ceil(want / (outer * nBlocks)), Math.floor(m / MIN_ROWS)));
    rows = ru(Math.ceil(m / mb), MR);
  }
  return { block, nBlocks, rows, mBlocks: Math.ceil(m / rows) };
}

/**
 * A call's fresh output of `n` floats. A new array costs its first writes a page fault per 4 KiB
 * (0.3-0.7 ms per 800 KB measured here), serial work that would follow the kernels with the
 * workers idle: `make` allocates it and writes every page once, passed as the main job's
 * `meanwhile` so it overlaps the workers' items; `take` then fills it with one copy, and leaves
 * the memory's copy resident for the next call to read in place (FastRuntime.residentAt).
 */
export function output(n: number) {
  let out: Float32Array | null = null;
  // arrow functions: `make` is handed to run() as a callback, detached from this object
  const make = (): Float32Array => {
    const fresh = allocateForOverwrite("float32", n) as Float32Array;
    for (let i = 0; i < n; i += 1024) fresh[i] = 0;
    out = fresh;
    return fresh;
  };
  const take = (rt: FastRuntime, at: number): Float32Array => {
    const y = out ?? make();
    y.set(rt.F32.subarray(at / F, at / F + n));
    rt.leftAt(y, at);
    return y;
  };
  return { make, take };
}

/**
 * The items of a per-plane job (pad_input, pool_argmax, pool_scatter) over `planes` planes of
 * `planeFloats` each: ~4K floats of planes an item, as the `fields` planes and planesPerItem that
 * planeRange() in scripts/wasm/gen-wat.mjs reads. A call from JS into wasm per plane cost as much as
 * padding a 14 x 14 plane (the demo's 2,048 small planes of its second layer's input gradient).
 */
export function planeItems(planes: number, planeFloats: number) {
  const per = Math.max(1, Math.floor(4096 / Math.max(1, planeFloats)));
  return { fields: { planes, planesPerItem: per }, items: Math.ceil(planes / per) };
}

/**
 * `planes` zero-bordered rows x cols copies (pad_input; `fields` give x, y, inH, inW, padT, padL,
 * or several parts that do: a conv's geometry and the offsets, see FastRuntime.params).
 */
export function padInput(
  rt: FastRuntime,
  fields: KernelParams<"pad_input"> | readonly KernelParams<"pad_input">[],
  planes: number,
  rows: number,
  cols: number,
  scratch: number,
  stride: number,
): void {
  const job = planeItems(planes, rows * cols);
  type Part = KernelParams<"pad_input">;
  const parts: readonly Part[] = Array.isArray(fields) ? (fields as readonly Part[]) : [fields as Part];
  const p = rt.params("pad_input", ...parts, { rows, cols }, job.fields);
  rt.run("pad_input", p, job.items, scratch, stride, COPY * planes * rows * cols);
}

/** No infinity or NaN among the `n` floats at byte `at` (find_nonfinite; `flag`: 4 bytes of the call). */
export function allFiniteAt(
  rt: FastRuntime,
  at: number,
  n: number,
  flag: number,
  scratch: number,
  stride: number,
): boolean {
  rt.I32[flag / 4] = 0;
  rt.run(
    "find_nonfinite",
    rt.params("find_nonfinite", { x: at, y: flag, count: n }),
    Math.ceil(n / 65536),
    scratch,
    stride,
    n,
  );
  return rt.I32[flag / 4] === 0;
}
