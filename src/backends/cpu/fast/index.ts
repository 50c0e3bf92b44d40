/**
 * Fast float32 conv2d (forward, input gradient, weight gradient), batched matmul, max pooling's
 * search and large 2-D transposes on the CPU:
 * WebAssembly SIMD kernels (src/backends/cpu/fast/wasm) over one shared memory, split across a
 * worker pool when the work pays for it. Same contract as the reference kernels (NCHW / OIHW,
 * geometry from conv-geometry.ts), synchronous, inputs never modified, fresh outputs returned.
 *
 * Strategy per case (C_g = inChannels / groups, M_g = outChannels / groups, K = C_g kH kW,
 * N = outH outW):
 * - C_g = 1 (depthwise, with any channel multiplier; also the gradients of a conv of a 1-channel
 *   input, and its forward when it has few outputs or is 3x3 at stride 1): direct correlation per
 *   output plane over a zero-bordered copy of the input plane, vectorised along rows.
 * - otherwise forward = per (image, group) GEMM y[M_g x N] = W[M_g x K] im2col(x)[K x N], with the
 *   im2col written straight into the packed B panels: copied in runs from "wide" rows when the
 *   strides are equal and the planes wide (1x1 stride-1 convs read x itself), else gathered from
 *   zero-bordered planes without bounds checks (packGeometry).
 * - input gradient = forward conv of gy with the flipped, transposed kernel (padding d (k - 1) - pad)
 *   at stride 1 when the weights are at most twice the column matrix; otherwise (any stride) GEMM
 *   W^T gy then col2im, split by input channel and bands of rows so threads never add into the
 *   same pixels.
 * - weight gradient = GEMM gy[M_g x N] im2col(x)^T[N x K] summed over images, split by columns of dW.
 */
import type { Conv2dGeometry, Pool2dGeometry } from "../../../primitives/index.js";
import { allocateForOverwrite } from "../arrays.js";
import { FastMemoryExceeded, fastRuntime, type FastRuntime } from "./pool.js";
import { EDGE_BYTES, KC, MR, NR, TRANSPOSE_BAND } from "./wasm/kernels-wasm.js";

export { fastRuntime, resetFastRuntime, isShared, KEEP_BYTES, markExposed } from "./pool.js";

/** Total threads (the calling one included) the fast kernels may use; 1 disables the pool. */
export function setNumThreads(n: number): void {
  fastRuntime().setNumThreads(n);
}
export function getNumThreads(): number {
  return fastRuntime().numThreads;
}
/**
 * `fast()`, or `cut(parts)` when the fast call would need more than the WebAssembly memory holds
 * (a float32 matmul of [2^15, 2^14] by [2^14, 1] packs 4 GiB): `parts` cuts it into pieces of about
 * PART_BYTES each, at least 2.
 */
function fitted<T>(fast: () => T, cut: (parts: number) => T): T {
  try {
    return fast();
  } catch (e) {
    if (e instanceof FastMemoryExceeded) return cut(Math.max(2, Math.ceil(e.bytes / PART_BYTES)));
    throw e;
  }
}

/**
 * What a piece of a call cut for the memory aims at. Not just under 4 GiB: the memory never shrinks,
 * and on a loaded two-core machine one 1 GiB band of a 1x1 conv took 19 s where a 512 MiB one took
 * 3.6 s (page faults and memory pressure, not arithmetic).
 */
const PART_BYTES = 2 ** 29;

/**
 * `fast()`, or `reference()` when the fast call would need more than the WebAssembly memory holds.
 * The reference kernels use ordinary typed arrays, so every call within the element limit has a
 * kernel that can run it.
 */
export function orReference<T>(fast: () => T, reference: () => T): T {
  return fitted(fast, () => reference());
}

/** [start, end) of each of `parts` even pieces of `n` (parts <= n). */
function pieces(n: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => [Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)]);
}

/**
 * conv2dForwardF32 for any size: a call too large for the WebAssembly memory is cut into bands of
 * output rows, each a conv of its own over the input rows it reads (the 1x1 conv on
 * [1, 1, 2^15, 2^14] runs as eight bands of 512 MiB; a band that still does not fit is cut again),
 * and a single output row that does not fit runs on `reference` (with that row's geometry and input).
 */
export function conv2dForwardAnySize(g: Conv2dGeometry, x: Float32Array, w: Float32Array,
  reference: (g: Conv2dGeometry, x: Float32Array, w: Float32Array) => Float32Array): Float32Array {
  return fitted(() => conv2dForwardF32(g, x, w), (parts) => {
    if (g.outHeight < 2) return reference(g, x, w);
    const y = allocateForOverwrite("float32", g.batch * g.outChannels * g.outHeight * g.outWidth) as Float32Array;
    for (const [r0, r1] of pieces(g.outHeight, Math.min(parts, g.outHeight))) {
      const band = rowBand(g, r0, r1);
      const rows = (r1 - r0) * g.outWidth, plane = g.outHeight * g.outWidth;
      const part = band ? conv2dForwardAnySize(band.g, band.x(x), w, reference) : new Float32Array(g.batch * g.outChannels * rows);
      for (let i = 0; i < g.batch * g.outChannels; i++) y.set(part.subarray(i * rows, (i + 1) * rows), i * plane + r0 * g.outWidth);
    }
    return y;
  });
}

/**
 * Output rows [r0, r1) of the conv `g` as a conv of its own: output row r reads input rows
 * r sH - padTop + ki dH, so the band reads input rows [lo, hi) (clamped to the input) and keeps as
 * top padding the rows its first window starts above lo. Null when every row it reads is padding
 * (its output is 0). `x(input)` copies those input rows out of every plane.
 */
function rowBand(g: Conv2dGeometry, r0: number, r1: number) {
  const first = r0 * g.strideH - g.padTop;
  const lo = Math.max(0, first);
  const hi = Math.min(g.inHeight, (r1 - 1) * g.strideH - g.padTop + (g.kernelHeight - 1) * g.dilationH + 1);
  if (hi <= lo) return null;
  const inHeight = hi - lo, padTop = lo - first, outHeight = r1 - r0;
  const bandGeometry: Conv2dGeometry = {
    ...g, inHeight, outHeight, padTop,
    padBottom: Math.max(0, (outHeight - 1) * g.strideH + (g.kernelHeight - 1) * g.dilationH + 1 - padTop - inHeight),
  };
  return {
    g: bandGeometry,
    x(input: Float32Array): Float32Array {
      const planes = g.batch * g.inChannels, W = g.inWidth;
      if (planes === 1) return input.subarray(lo * W, hi * W); // one plane: its rows are contiguous
      const out = allocateForOverwrite("float32", planes * inHeight * W) as Float32Array;
      for (let i = 0; i < planes; i++) out.set(input.subarray((i * g.inHeight + lo) * W, (i * g.inHeight + hi) * W), i * inHeight * W);
      return out;
    },
  };
}

/**
 * matmulF32 for any size: a call too large for the WebAssembly memory is split along the batch,
 * or with one matrix along the rows of A (contiguous either way, so no copies in), into pieces of
 * about PART_BYTES (cut again if one still does not fit); a single row that does not fit runs on
 * `reference` (called with that row's operands).
 */
export function matmulAnySize(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number,
  reference: (a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number) => Float32Array): Float32Array {
  return fitted(() => matmulF32(a, b, batch, m, k, n), (parts) => {
    if (batch < 2 && m < 2) return reference(a, b, batch, m, k, n);
    const c = allocateForOverwrite("float32", batch * m * n) as Float32Array;
    if (batch > 1) {
      for (const [t0, t1] of pieces(batch, Math.min(parts, batch))) {
        c.set(matmulAnySize(a.subarray(t0 * m * k, t1 * m * k), b.subarray(t0 * k * n, t1 * k * n), t1 - t0, m, k, n, reference), t0 * m * n);
      }
    } else {
      for (const [r0, r1] of pieces(m, Math.min(parts, m))) c.set(matmulAnySize(a.subarray(r0 * k, r1 * k), b, 1, r1 - r0, k, n, reference), r0 * n);
    }
    return c;
  });
}

/** Terminates the pool's workers now (optional: they never keep the process alive). */
export function shutdownFastPool(): Promise<void> {
  return fastRuntime().shutdown();
}

/** Columns of C per work item: the packed B block is KC x BLOCK floats (at most 512 KiB, L2). */
const BLOCK = 256;
/** Fewest output channels worth a separate item when a conv is split along channels. */
const MIN_ROWS = 32;
/** Narrowest pixel block worth a separate item (each item packs its own B block). */
const MIN_BLOCK = 64;
/** Least FLOPs of an item for which a conv's job ends with narrow items (tailCut). */
const TAIL_WORK = 4e6;

/**
 * Items per parallel job: threads claim items dynamically, so with 8 per thread the last item to
 * finish idles the others for at most ~1/8 of a thread's share, also when a core is busy elsewhere.
 */
function itemsWanted(rt: FastRuntime): number {
  return 8 * rt.numThreads;
}

const ru = (n: number, m: number) => Math.ceil(n / m) * m;
/** Packing moves one float per element at roughly the time the GEMM spends on ~8 FLOPs. */
const PACK = 8;
/** A float of a zero-bordered copy or of a compaction (memory-bound jobs) counts as 32 FLOPs when
 * deciding whether to share the job: sharing them from ~100K floats made the 3x3 layers' 2-thread
 * calls 0.4-4.4% faster in paired A/Bs (the job alone: ~100 -> ~80 us for 200K floats). */
const COPY = 4 * PACK;
/** A float gathered from scattered taps (pack_b_gather) costs ~0.35-0.5 ns, as ~12 FLOPs of the
 * GEMM (measured on the 7x7 and 14x14 ResNet layers). */
const GATHER = 12;
const F = 4; // bytes per float

function check(name: string, arr: Float32Array | Int32Array, expected: number): void {
  if (arr.length !== expected) throw new RangeError(`${name}: expected ${expected} elements, got ${arr.length}`);
}

function convFlops(g: Conv2dGeometry): number {
  return 2 * g.batch * g.outChannels * g.outHeight * g.outWidth * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
}

function geomParams(g: Conv2dGeometry) {
  return {
    batch: g.batch, inC: g.inChannels, inH: g.inHeight, inW: g.inWidth, outC: g.outChannels,
    kH: g.kernelHeight, kW: g.kernelWidth, outH: g.outHeight, outW: g.outWidth,
    sH: g.strideH, sW: g.strideW, dH: g.dilationH, dW: g.dilationW, padT: g.padTop, padL: g.padLeft, groups: g.groups,
  };
}

/** Pixel blocks and channel blocks of a GEMM-shaped job so that there is work for every thread. */
function split(rt: FastRuntime, outer: number, n: number, m: number): { block: number; nBlocks: number; rows: number; mBlocks: number } {
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
 * Narrow blocks at the end of a forward conv's job (see narrowFirst in gen-wat.mjs): with one image
 * and group, the last items claimed are otherwise wide ones, and a thread that finds none left
 * waits up to a whole wide item (r2: 0.55 ms of a ~5 ms call) for the other's last. The first
 * (last claimed) `threads` pixel blocks, or with a single pixel block the first `threads` channel
 * blocks, are cut in four, when an item is at least TAIL_WORK FLOPs (`depth` = the GEMM's K):
 * smaller items cost more in per-item work than the wait they save (the 1x1 layer's 1 MFLOP
 * items: 0.97x).
 */
function narrowTail(rt: FastRuntime, outer: number, n: number, m: number, depth: number, sp: ReturnType<typeof split>) {
  const none = { ...sp, tail: 0, tailBlock: 0, tailM: 0, tailRows: 0 };
  if (outer !== 1) return none;
  const itemFlops = 2 * sp.rows * sp.block * depth;
  if (sp.nBlocks === 1) {
    // one pixel block, split along output channels (the 512-channel 7x7 layer): narrow the channels
    const c = tailCut(rt, itemFlops, m, sp.rows, MR);
    return c ? { ...none, tailM: c.count, tailRows: c.width, mBlocks: c.total } : none;
  }
  const c = tailCut(rt, itemFlops, n, sp.block, NR);
  return c ? { ...none, tail: c.count, tailBlock: c.width, nBlocks: c.total } : none;
}

/** cutInFour for a parallel job of items of `itemFlops` each; null on one thread or under TAIL_WORK. */
function tailCut(rt: FastRuntime, itemFlops: number, extent: number, size: number, unit: number) {
  return rt.numThreads > 1 && itemFlops >= TAIL_WORK ? cutInFour(rt.numThreads, extent, size, unit) : null;
}

/**
 * The first `threads` blocks of `size` along `extent`, cut into blocks a quarter as wide (rounded
 * up to `unit`): how many narrow blocks, their width, and the blocks in all; null when fewer than
 * one wide block would be left after them.
 */
function cutInFour(threads: number, extent: number, size: number, unit: number) {
  const covered = threads * size;
  if (extent - covered < size) return null;
  const width = ru(Math.ceil(size / 4), unit);
  const count = Math.ceil(covered / width);
  return { count, width, total: count + Math.ceil((extent - count * width) / size) };
}

/** Scratch for the depthwise kernels: the zero-bordered plane (rows hp, stride wp + 16, 16 floats
 * of tail slack) and one output row rounded up to 16 floats (see dw_conv in gen-wat.mjs). */
function planeScratch(g: Conv2dGeometry): number {
  const { hp, wp } = readExtent(g);
  return EDGE_BYTES + (hp * (wp + 16) + 16 + ru(g.outWidth, 16)) * F;
}

/** Rows and columns of the (zero-bordered) input the taps of all outputs read. */
function readExtent(g: Conv2dGeometry): { hp: number; wp: number } {
  return {
    hp: (g.outHeight - 1) * g.strideH + (g.kernelHeight - 1) * g.dilationH + 1,
    wp: (g.outWidth - 1) * g.strideW + (g.kernelWidth - 1) * g.dilationW + 1,
  };
}

/**
 * When both strides are equal (s) a conv's GEMM can run "wide" (see pack_b_wide in gen-wat.mjs):
 * over zero-bordered copies of x (at stride s > 1, its s x s phase planes), each Hp x Wp, with rows
 * of Wp output pixels of which the last Wp - outWidth are garbage. Every im2col row is then a
 * contiguous run of one plane, packed with plain vector copies. Without padding at stride 1 x is
 * read in place. The garbage columns cost GEMM work: worth it while they are under `maxExtra` of
 * the columns (10% for the weight gradient; see packGeometry for the forward).
 * `gg` is the geometry the kernels see (inH counts all s^2 phase planes of a channel).
 */
function wideGeometry(g: Conv2dGeometry, maxExtra = 0.1) {
  const s = g.strideH;
  const Hp = g.outHeight + Math.floor(((g.kernelHeight - 1) * g.dilationH) / s);
  const Wp = g.outWidth + Math.floor(((g.kernelWidth - 1) * g.dilationW) / s);
  const wide = g.strideW === s && Wp <= (1 + maxExtra) * g.outWidth;
  const gg: Conv2dGeometry = wide
    ? { ...g, inHeight: s * s * Hp, inWidth: Wp, outWidth: Wp, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0 }
    : g;
  const padCopy = wide && !(s === 1 && g.padTop === 0 && g.padLeft === 0 && g.inHeight === Hp && g.inWidth === Wp);
  // floats read past the last plane by the garbage columns
  const slack = (g.kernelWidth - 1) * g.dilationW + NR;
  return { s, Hp, Wp, wide, gg, padCopy, slack };
}

/**
 * The layout of x a forward GEMM conv packs from: "wide" (see wideGeometry) when it pays, else
 * zero-bordered planes cropped to the extent the taps read, Hq x Wq, so that pack_b_gather needs no
 * bounds checks (x itself when every tap falls inside it). `gg` is the geometry the kernels
 * see; `s` the phase count per side of the padded copy (1 unless wide at stride s).
 * Per pixel column of B (K floats) wide packing saves (GATHER - PACK) K FLOP-equivalents of
 * gathering and each garbage column costs the GEMM 2 Mg K: wide pays while the garbage fraction is
 * under (GATHER - PACK) / (2 Mg), at least 10% (so the demo's 16 -> 32 layer on 12x12, 20%
 * garbage, gathers: 1.06-1.09x forward, ~1.1x input gradient, against running wide).
 */
function packGeometry(g: Conv2dGeometry) {
  const wg = wideGeometry(g, Math.max(0.1, (GATHER - PACK) / (2 * (g.outChannels / g.groups))));
  if (wg.wide) return wg;
  const { hp: Hp, wp: Wp } = readExtent(g);
  const padCopy = g.padTop !== 0 || g.padLeft !== 0 || Hp > g.inHeight || Wp > g.inWidth;
  const gg: Conv2dGeometry = padCopy
    ? { ...g, inHeight: Hp, inWidth: Wp, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0 }
    : g;
  return { ...wg, s: 1, Hp, Wp, gg, padCopy, slack: 0 };
}

/**
 * A call's fresh output of `n` floats. A new array costs its first writes a page fault per 4 KiB
 * (0.3-0.7 ms per 800 KB measured here), serial work that would follow the kernels with the
 * workers idle: `make` allocates it and writes every page once, passed as the main job's
 * `meanwhile` so it overlaps the workers' items; `take` then fills it with one copy.
 */
function output(n: number) {
  let out: Float32Array | null = null;
  return {
    make(): void {
      out = allocateForOverwrite("float32", n) as Float32Array;
      for (let i = 0; i < n; i += 1024) out[i] = 0;
    },
    take(rt: FastRuntime, at: number): Float32Array {
      if (out === null) this.make();
      out!.set(rt.F32.subarray(at / F, at / F + n));
      return out!;
    },
  };
}

/** No infinity or NaN among the `n` floats at byte `at` (find_nonfinite; `flag`: 4 bytes of the call). */
function allFiniteAt(rt: FastRuntime, at: number, n: number, flag: number, scratch: number, stride: number): boolean {
  rt.I32[flag / 4] = 0;
  rt.run("find_nonfinite", rt.params({ x: at, y: flag, e0: n }), Math.ceil(n / 65536), scratch, stride, n);
  return rt.I32[flag / 4] === 0;
}

/** Lays out x's zero-bordered planes for a GEMM conv, wide or gathered (pad_input / pad_phases). */
function padPlanes(rt: FastRuntime, g: Conv2dGeometry, xOff: number, xpOff: number, Hp: number, Wp: number, s: number,
  scratch: number, stride: number): void {
  const planes = g.batch * g.inChannels;
  if (s === 1) {
    padInput(rt, { ...geomParams(g), x: xOff, y: xpOff }, planes, Hp, Wp, scratch, stride);
    return;
  }
  const p = rt.params({ ...geomParams(g), x: xOff, y: xpOff, e0: Hp, e1: Wp, e4: s });
  rt.run("pad_phases", p, planes, scratch, stride, COPY * planes * s * s * Hp * Wp);
}

/**
 * The items of a per-plane job (pad_input, pool_argmax, pool_scatter) over `planes` planes of
 * `planeFloats` each: ~4K floats of planes an item, as `fields` e2 (planes) and e3 (planes per
 * item) that planeRange() in gen-wat.mjs reads. A call from JS into wasm per plane cost as much as
 * padding a 14 x 14 plane (the demo's 2,048 small planes of its second layer's input gradient).
 */
function planeItems(planes: number, planeFloats: number) {
  const per = Math.max(1, Math.floor(4096 / Math.max(1, planeFloats)));
  return { fields: { e2: planes, e3: per }, items: Math.ceil(planes / per) };
}

/** `planes` zero-bordered rows x cols copies (pad_input; `fields` give x, y, inH, inW, padT, padL). */
function padInput(rt: FastRuntime, fields: Parameters<FastRuntime["params"]>[0], planes: number, rows: number, cols: number,
  scratch: number, stride: number): void {
  const job = planeItems(planes, rows * cols);
  const p = rt.params({ ...fields, e0: rows, e1: cols, ...job.fields });
  rt.run("pad_input", p, job.items, scratch, stride, COPY * planes * rows * cols);
}

/** A of the GEMM conv from the weights at wOff: rows = output channels (forward), or for the
 * stride-1 input gradient the flipped, transposed kernel (pack_a_flip). */
function packConvWeights(rt: FastRuntime, g: Conv2dGeometry, wOff: number, aOff: number, flip: boolean, scratch: number, stride: number): void {
  const Mg = g.outChannels / g.groups;
  const Cg = g.inChannels / g.groups;
  const KK = g.kernelHeight * g.kernelWidth;
  const K = Cg * KK;
  const aSize = g.groups * ru(Mg, MR) * K;
  if (flip) {
    // forward weights are [Cg_new... ] = [inChannels_new, Mg_new, kH, kW]: per group Cg rows of old in.
    const p = rt.params({ x: wOff, y: aOff, e0: Mg, e1: Cg, e2: KK });
    rt.run("pack_a_flip", p, g.groups * Math.ceil(Mg / MR), scratch, stride, PACK * aSize);
  } else if (g.groups === 1 || Mg % MR === 0) {
    const p = rt.params({ x: wOff, y: aOff, e0: g.outChannels, e1: K, e2: K, e3: 1 });
    rt.run("pack_a", p, Math.ceil(g.outChannels / MR), scratch, stride, PACK * aSize);
  } else {
    for (let gi = 0; gi < g.groups; gi++) {
      const p = rt.params({ x: wOff + gi * Mg * K * F, y: aOff + gi * ru(Mg, MR) * K * F, e0: Mg, e1: K, e2: K, e3: 1 });
      rt.run("pack_a", p, Math.ceil(Mg / MR), scratch, stride, PACK * Mg * K);
    }
  }
}

/**
 * y = conv(x, A) on the GEMM path where A is packed from `w` either directly (rows = output
 * channels) or, for the stride-1 input gradient, by pack_a_flip from the forward weights.
 */
function gemmConv(rt: FastRuntime, g: Conv2dGeometry, x: Float32Array, w: Float32Array, flip: boolean): Float32Array {
  const Mg = g.outChannels / g.groups;
  const Cg = g.inChannels / g.groups;
  const KK = g.kernelHeight * g.kernelWidth;
  const K = Cg * KK;
  const ySize = g.batch * g.outChannels * g.outHeight * g.outWidth;
  const aSize = g.groups * ru(Mg, MR) * K;
  const { s, Hp, Wp, wide, gg, padCopy, slack } = packGeometry(g);
  const compact = wide && Wp !== g.outWidth;
  const N = gg.outHeight * gg.outWidth;
  const sp = narrowTail(rt, g.batch * g.groups, N, Mg, K, split(rt, g.batch * g.groups, N, Mg));
  // Split along output channels, every channel block would pack the same B: pack it once instead.
  const prepack = sp.mBlocks > 1;
  const bBlocks = g.batch * g.groups * sp.nBlocks;
  // the pixels one image-group's blocks span (prepackAt in gen-wat.mjs)
  const capacity = sp.tail * sp.tailBlock + (sp.nBlocks - sp.tail) * sp.block;
  const bSize = prepack ? g.batch * g.groups * K * capacity : 0;
  const xpSize = padCopy ? g.batch * g.inChannels * s * s * Hp * Wp : 0;
  const ywSize = compact ? g.batch * g.outChannels * N : 0;
  const A = keptWeights(rt, w, flip ? `flip ${g.groups} ${Mg} ${Cg} ${KK}` : `fwd ${g.groups} ${Mg} ${K}`, aSize);
  const L = rt.layout(EDGE_BYTES + KC * sp.block * F,
    [(x.length + slack) * F, ...A.regions, ySize * F, bSize * F, (xpSize + slack) * F, ywSize * F]);
  const [xOff, wOff, aTmp, yOff, bOff, xpOff, ywOff] = L.offsets;
  rt.F32.set(x, xOff / F);
  const aOff = A.ready(wOff, aTmp, (wo, ao) => packConvWeights(rt, g, wo, ao, flip, L.scratch, L.scratchStride));
  if (padCopy) padPlanes(rt, g, xOff, xpOff, Hp, Wp, s, L.scratch, L.scratchStride);
  const p = rt.params({
    ...geomParams(gg), x: padCopy ? xpOff : xOff, a: aOff, y: compact ? ywOff : yOff,
    block: sp.block, nBlocks: sp.nBlocks, tail: sp.tail, tailBlock: sp.tailBlock, tailM: sp.tailM, tailRows: sp.tailRows,
    e0: sp.rows, e1: sp.mBlocks, e2: prepack ? bOff : 0, e3: wide ? 1 : 0, e4: s,
  });
  if (prepack) rt.run("pack_b_conv", p, bBlocks * Math.ceil(K / KC), L.scratch, L.scratchStride, (wide ? PACK : GATHER) * bSize);
  const y = output(ySize);
  rt.run("conv_fwd", p, bBlocks * sp.mBlocks, L.scratch, L.scratchStride, convFlops(g), y.make);
  if (compact) {
    const pc = rt.params({ x: ywOff, y: yOff, outH: g.outHeight, outW: g.outWidth, e1: Wp });
    rt.run("compact", pc, g.batch * g.outChannels, L.scratch, L.scratchStride, COPY * ywSize);
  }
  return y.take(rt, yOff);
}

/**
 * The packed form `key` of the weights `w` (`floats` long): kept from an earlier call, or packed
 * by this one into the kept region or, when too large to keep, into a region of the call.
 * Call before `layout` (a reservation moves the call's regions) and lay out `regions`: w itself
 * and the packing, each 0 bytes when not needed. `ready(wOff, tmp, pack)` then returns the packing's
 * offset, first copying w to wOff and running `pack(wOff, aOff)` when it is not kept yet.
 */
function keptWeights(rt: FastRuntime, w: Float32Array, key: string, floats: number) {
  const old = rt.packed(w, key);
  const at = old ?? rt.reservePacked(floats * F);
  const pack = old === undefined;
  return {
    regions: [pack ? w.length * F : 0, at === null ? floats * F : 0],
    ready(wOff: number, tmp: number, packInto: (wOff: number, aOff: number) => void): number {
      const aOff = at ?? tmp;
      if (pack) {
        rt.F32.set(w, wOff / F);
        packInto(wOff, aOff);
        if (at !== null) rt.markPacked(w, key, at);
      }
      return aOff;
    },
  };
}

/** out = per-plane correlations (dw_conv), see gen-wat.mjs for the S / e1 / e2 mapping. */
function planeConv(rt: FastRuntime, g: Conv2dGeometry, x: Float32Array, w: Float32Array, S: number, div: number, mul: number): Float32Array {
  const ySize = g.batch * g.outChannels * g.outHeight * g.outWidth;
  const L = rt.layout(planeScratch(g), [x.length * F, w.length * F, ySize * F]);
  const [xOff, wOff, yOff] = L.offsets;
  const f32 = rt.F32;
  f32.set(x, xOff / F);
  f32.set(w, wOff / F);
  // forward mode (one source per plane): the `div` planes of one input plane form one item
  const per = S === 1 ? div : 1;
  const p = rt.params({ ...geomParams(g), x: xOff, a: wOff, y: yOff, e0: S, e1: div, e2: mul, e3: per });
  const work = 2 * ySize * S * g.kernelHeight * g.kernelWidth;
  const y = output(ySize);
  rt.run("dw_conv", p, (g.batch * g.outChannels) / per, L.scratch, L.scratchStride, work, y.make);
  return y.take(rt, yOff);
}

/** y = conv2d(x, w) in float32 (no bias), x [N, C, H, W], w [O, C/groups, kH, kW]. */
export function conv2dForwardF32(g: Conv2dGeometry, x: Float32Array, w: Float32Array): Float32Array {
  const Cg = g.inChannels / g.groups;
  const Mg = g.outChannels / g.groups;
  check("conv2dForwardF32 x", x, g.batch * g.inChannels * g.inHeight * g.inWidth);
  check("conv2dForwardF32 w", w, g.outChannels * Cg * g.kernelHeight * g.kernelWidth);
  const rt = fastRuntime();
  // A single input channel feeding several outputs (a first layer such as the demo's 1 -> 16 5x5)
  // runs as a GEMM, which shares each gathered input float among the outputs where dw_conv reads
  // the plane once per output: 1.2-2.2x for 4 to 16 outputs, 5x5 and 7x7. Kept on the planes:
  // fewer outputs than the tile's rows, 3x3 at stride 1 (dw3x3_plane is as fast) and grouped
  // convs (their per-group GEMMs are too small: 0.6-0.95x).
  const unit3x3 = g.kernelHeight === 3 && g.kernelWidth === 3 && g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1;
  if (Cg === 1 && (g.groups > 1 || Mg < MR || unit3x3)) return planeConv(rt, g, x, w, 1, Mg, 1);
  return gemmConv(rt, g, x, w, false);
}

/** The geometry of the stride-1 input gradient seen as a forward conv of gy. */
function transposedGeometry(g: Conv2dGeometry): Conv2dGeometry {
  const padTop = (g.kernelHeight - 1) * g.dilationH - g.padTop;
  const padLeft = (g.kernelWidth - 1) * g.dilationW - g.padLeft;
  return {
    batch: g.batch, inChannels: g.outChannels, inHeight: g.outHeight, inWidth: g.outWidth,
    outChannels: g.inChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
    outHeight: g.inHeight, outWidth: g.inWidth, strideH: 1, strideW: 1, dilationH: g.dilationH, dilationW: g.dilationW,
    padTop, padLeft,
    // rows/cols past the end read as zero; only padTop/padLeft are used by the kernels
    padBottom: g.inHeight - 1 + (g.kernelHeight - 1) * g.dilationH - padTop - (g.outHeight - 1),
    padRight: g.inWidth - 1 + (g.kernelWidth - 1) * g.dilationW - padLeft - (g.outWidth - 1),
    groups: g.groups,
  };
}

/** dx = conv2d input gradient (transposed conv of gy with w), gy [N, O, oH, oW]. */
export function conv2dBackInputF32(g: Conv2dGeometry, gy: Float32Array, w: Float32Array): Float32Array {
  const Cg = g.inChannels / g.groups;
  const Mg = g.outChannels / g.groups;
  const KK = g.kernelHeight * g.kernelWidth;
  check("conv2dBackInputF32 gy", gy, g.batch * g.outChannels * g.outHeight * g.outWidth);
  check("conv2dBackInputF32 w", w, g.outChannels * Cg * KK);
  const rt = fastRuntime();
  const stride1 = g.strideH === 1 && g.strideW === 1;
  if (Cg === 1) {
    if (stride1) {
      const flipped = new Float32Array(w.length);
      for (let o = 0; o < g.outChannels; o++) for (let t = 0; t < KK; t++) flipped[o * KK + t] = w[o * KK + KK - 1 - t];
      return planeConv(rt, transposedGeometry(g), gy, flipped, Mg, 1, Mg);
    }
    const dxSize = g.batch * g.inChannels * g.inHeight * g.inWidth;
    const L = rt.layout(EDGE_BYTES, [gy.length * F, w.length * F, dxSize * F]);
    const [gOff, wOff, dOff] = L.offsets;
    rt.F32.set(gy, gOff / F);
    rt.F32.set(w, wOff / F);
    const p = rt.params({ ...geomParams(g), x: gOff, a: wOff, y: dOff, e0: Mg });
    const dx = output(dxSize);
    rt.run("dw_bwd_in", p, g.batch * g.inChannels, L.scratch, L.scratchStride, convFlops(g), dx.make);
    return dx.take(rt, dOff);
  }
  // Both routes run the same GEMM; they differ in the side work: the flipped conv re-lays out the
  // weights with a gather (~1 per weight, and kept for later calls with the same weights), col2im
  // scatters the GEMM's output (~1 per K x N per image, every call). Up to twice the columns'
  // size the re-layout costs about as much as one scatter, and nothing on the next call.
  const cols = g.batch * Cg * KK * g.outHeight * g.outWidth;
  if (stride1 && w.length <= 2 * cols) return gemmConv(rt, transposedGeometry(g), gy, w, true);
  return col2imBackInput(rt, g, gy, w);
}

function col2imBackInput(rt: FastRuntime, g: Conv2dGeometry, gy: Float32Array, w: Float32Array): Float32Array {
  const Cg = g.inChannels / g.groups;
  const Mg = g.outChannels / g.groups;
  const KK = g.kernelHeight * g.kernelWidth;
  const K = Cg * KK;
  const N = g.outHeight * g.outWidth;
  const outer = g.batch * g.groups;
  const chunks = rt.numThreads > 1 ? Math.min(Cg, Math.max(1, Math.ceil(itemsWanted(rt) / outer))) : 1;
  const cc = Math.ceil(Cg / chunks);
  const nChunks = Math.ceil(Cg / cc);
  const R = cc * KK;
  // cols buffer R x block stays under ~1 MiB per thread
  const block = Math.max(NR, Math.min(ru(N, NR), BLOCK, Math.floor(262144 / R / NR) * NR));
  const aPer = ru(R, MR) * Mg;
  const dxSize = g.batch * g.inChannels * g.inHeight * g.inWidth;
  const aSize = g.groups * nChunks * aPer;
  const A = keptWeights(rt, w, `transposed ${g.groups} ${Mg} ${Cg} ${KK} ${cc}`, aSize);
  const L = rt.layout(EDGE_BYTES + KC * block * F + R * block * F, [gy.length * F, ...A.regions, dxSize * F]);
  const [gOff, wOff, aTmp, dOff] = L.offsets;
  rt.F32.set(gy, gOff / F);
  rt.run("zero", rt.params({ y: dOff, e0: dxSize }), Math.ceil(dxSize / 65536), L.scratch, L.scratchStride, PACK * dxSize);
  const aOff = A.ready(wOff, aTmp, (wo, ao) => {
    for (let gi = 0; gi < g.groups; gi++) {
      for (let ch = 0; ch < nChunks; ch++) {
        const rows = (Math.min(Cg, (ch + 1) * cc) - ch * cc) * KK;
        // A[r][co] = W[g Mg + co][c0 KK + r]: rows of W^T are columns of W (stride K)
        const p = rt.params({
          x: wo + (gi * Mg * K + ch * cc * KK) * F, y: ao + (gi * nChunks + ch) * aPer * F, e0: rows, e1: Mg, e2: 1, e3: K,
        });
        rt.run("pack_a", p, Math.ceil(rows / MR), L.scratch, L.scratchStride, PACK * rows * Mg);
      }
    }
  });
  // Bands of output rows, run even bands then odd ones (see conv_bwd_in): more items than channel
  // chunks alone give (conv1 has 3 input channels), and the split depends on the shape only, so
  // every dx element sums its terms in the same order whatever the thread count.
  const bandRows = Math.max(1, Math.ceil(((g.kernelHeight - 1) * g.dilationH) / g.strideH), Math.ceil(g.outHeight / 16));
  const bands = Math.ceil(g.outHeight / bandRows);
  const dx = output(dxSize);
  for (const parity of [0, 1]) {
    const perParity = Math.ceil((bands - parity) / 2);
    if (perParity === 0) continue;
    const p = rt.params({ ...geomParams(g), x: gOff, a: aOff, y: dOff, block, e0: cc, e1: nChunks, e2: bandRows, e3: parity, e4: perParity });
    rt.run("conv_bwd_in", p, outer * nChunks * perParity, L.scratch, L.scratchStride, convFlops(g) * perParity / bands,
      parity === 0 ? dx.make : undefined);
  }
  return dx.take(rt, dOff);
}

/** dW = conv2d weight gradient, summed over the batch: [O, C/groups, kH, kW]. */
export function conv2dBackWeightF32(g: Conv2dGeometry, x: Float32Array, gy: Float32Array): Float32Array {
  const Cg = g.inChannels / g.groups;
  const Mg = g.outChannels / g.groups;
  const KK = g.kernelHeight * g.kernelWidth;
  const K = Cg * KK;
  const N = g.outHeight * g.outWidth;
  check("conv2dBackWeightF32 x", x, g.batch * g.inChannels * g.inHeight * g.inWidth);
  check("conv2dBackWeightF32 gy", gy, g.batch * g.outChannels * N);
  const rt = fastRuntime();
  const dwSize = g.outChannels * K;
  if (Cg === 1) {
    // few input planes (a 1-channel input): their output planes are shared out over several items,
    // which read each image's plane padded once beforehand (hp x (wp + 8), as dw_bwd_w pads)
    const per = Math.ceil(Mg / Math.max(1, Math.min(Mg, Math.ceil(itemsWanted(rt) / g.inChannels))));
    const { hp, wp } = readExtent(g);
    const ws = wp + 8;
    const xpSize = per < Mg ? g.batch * g.inChannels * hp * ws : 0;
    const L = rt.layout(planeScratch(g), [x.length * F, gy.length * F, dwSize * F, xpSize * F]);
    const [xOff, gOff, dOff, xpOff] = L.offsets;
    rt.F32.set(x, xOff / F);
    rt.F32.set(gy, gOff / F);
    if (xpSize > 0) {
      padInput(rt, { ...geomParams(g), x: xOff, y: xpOff }, g.batch * g.inChannels, hp, ws, L.scratch, L.scratchStride);
    }
    const p = rt.params({ ...geomParams(g), x: xOff, a: gOff, y: dOff, e0: Mg, e1: per, e2: xpSize > 0 ? xpOff : 0 });
    const dw = output(dwSize);
    rt.run("dw_bwd_w", p, g.inChannels * Math.ceil(Mg / per), L.scratch, L.scratchStride, convFlops(g), dw.make);
    return dw.take(rt, dOff);
  }
  const want = itemsWanted(rt);
  let block = Math.min(ru(K, NR), BLOCK);
  if (rt.numThreads > 1 && g.groups * Math.ceil(K / block) < want) {
    block = Math.max(NR, ru(Math.ceil((K * g.groups) / want), NR));
  }
  // as narrowTail for the forward: the last items claimed are narrow column blocks (same sums, in
  // the same order, whatever the split)
  const tail = g.groups === 1 ? tailCut(rt, 2 * Mg * block * g.batch * N, K, block, NR) : null;
  const nBlocks = tail?.total ?? Math.ceil(K / block);
  // Wide (see wideGeometry): pixels are the reduction here, so gy is widened with zeros on the
  // garbage pixels and the slack past the planes is zeroed: garbage pixels then add exactly 0 --
  // unless x holds an infinity or NaN (0 * inf = NaN), so such an x takes the general path (the
  // regions are laid out for the wide case either way).
  const geo = wideGeometry(g);
  const { s, Hp, Wp, slack } = geo;
  const Nwide = geo.wide ? g.outHeight * Wp : N;
  const aSize = g.batch * g.groups * ru(Mg, MR) * Nwide;
  const xpSize = geo.padCopy ? g.batch * g.inChannels * s * s * Hp * Wp : 0;
  const gwSize = geo.wide && Wp !== g.outWidth ? g.batch * g.outChannels * Nwide : 0;
  const L = rt.layout(EDGE_BYTES + KC * block * F,
    [(x.length + slack) * F, gy.length * F, aSize * F, dwSize * F, (xpSize + slack) * F, gwSize * F, F]);
  const [xOff, gOff0, aOff, dOff, xpOff, gwOff, flag] = L.offsets;
  const f32 = rt.F32;
  f32.set(x, xOff / F);
  f32.set(gy, gOff0 / F);
  const wide = geo.wide && allFiniteAt(rt, xOff, x.length, flag, L.scratch, L.scratchStride);
  const gg = wide ? geo.gg : g;
  const padCopy = wide && geo.padCopy;
  const Nw = wide ? Nwide : N;
  const widenGy = wide && Wp !== g.outWidth;
  if (wide) {
    const planes = padCopy ? xpOff + xpSize * F : xOff + x.length * F;
    f32.fill(0, planes / F, planes / F + slack);
    if (padCopy) padPlanes(rt, g, xOff, xpOff, Hp, Wp, s, L.scratch, L.scratchStride);
    if (widenGy) {
      padInput(rt, { x: gOff0, y: gwOff, inH: g.outHeight, inW: g.outWidth, padT: 0, padL: 0 }, g.batch * g.outChannels,
        g.outHeight, Wp, L.scratch, L.scratchStride);
    }
  }
  const gOff = widenGy ? gwOff : gOff0;
  if (Mg % MR === 0) {
    // gy is [batch * outChannels] rows of N pixels: one pass packs every (image, group)
    const rows = g.batch * g.outChannels;
    const p = rt.params({ x: gOff, y: aOff, e0: rows, e1: Nw, e2: Nw, e3: 1 });
    rt.run("pack_a", p, rows / MR, L.scratch, L.scratchStride, PACK * aSize);
  } else {
    for (let n = 0; n < g.batch; n++) {
      for (let gi = 0; gi < g.groups; gi++) {
        const p = rt.params({
          x: gOff + (n * g.outChannels + gi * Mg) * Nw * F, y: aOff + (n * g.groups + gi) * ru(Mg, MR) * Nw * F,
          e0: Mg, e1: Nw, e2: Nw, e3: 1,
        });
        rt.run("pack_a", p, Math.ceil(Mg / MR), L.scratch, L.scratchStride, PACK * Mg * Nw);
      }
    }
  }
  const p = rt.params({
    ...geomParams(gg), x: padCopy ? xpOff : xOff, a: aOff, y: dOff, block, nBlocks, tail: tail?.count ?? 0, tailBlock: tail?.width ?? 0,
    e3: wide ? 1 : 0, e4: s,
  });
  const dw = output(dwSize);
  rt.run("conv_bwd_w", p, g.groups * nBlocks, L.scratch, L.scratchStride, convFlops(g), dw.make);
  return dw.take(rt, dOff);
}

/** C[b] = A[b] B[b] for row-major A [batch, m, k] and B [batch, k, n]; returns [batch, m, n]. */
export function matmulF32(a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number): Float32Array {
  check("matmulF32 a", a, batch * m * k);
  check("matmulF32 b", b, batch * k * n);
  const cSize = batch * m * n;
  if (cSize === 0) return new Float32Array(0);
  if (k === 0) return new Float32Array(cSize);
  const rt = fastRuntime();
  const sp = split(rt, batch, n, m);
  const aSize = batch * ru(m, MR) * k;
  const L = rt.layout(EDGE_BYTES + KC * sp.block * F, [a.length * F, b.length * F, aSize * F, cSize * F]);
  const [aOff, bOff, pOff, cOff] = L.offsets;
  const f32 = rt.F32;
  f32.set(a, aOff / F);
  f32.set(b, bOff / F);
  if (m % MR === 0) {
    const p = rt.params({ x: aOff, y: pOff, e0: batch * m, e1: k, e2: k, e3: 1 });
    rt.run("pack_a", p, (batch * m) / MR, L.scratch, L.scratchStride, PACK * aSize);
  } else {
    for (let i = 0; i < batch; i++) {
      const p = rt.params({ x: aOff + i * m * k * F, y: pOff + i * ru(m, MR) * k * F, e0: m, e1: k, e2: k, e3: 1 });
      rt.run("pack_a", p, Math.ceil(m / MR), L.scratch, L.scratchStride, PACK * m * k);
    }
  }
  const p = rt.params({
    x: bOff, a: pOff, y: cOff, block: sp.block, nBlocks: sp.nBlocks, e0: m, e1: k, e2: n, e3: sp.rows, e4: sp.mBlocks,
  });
  const c = output(cSize);
  rt.run("matmul", p, batch * sp.nBlocks * sp.mBlocks, L.scratch, L.scratchStride, 2 * batch * m * k * n, c.make);
  return c.take(rt, cOff);
}

/** y [batch, cols, rows] = x [batch, rows, cols] transposed, in float32. */
export function transposeF32(x: Float32Array, batch: number, rows: number, cols: number): Float32Array {
  check("transposeF32 x", x, batch * rows * cols);
  if (x.length === 0) return new Float32Array(0);
  const rt = fastRuntime();
  const L = rt.layout(0, [x.length * F, x.length * F]);
  const [xOff, yOff] = L.offsets;
  rt.F32.set(x, xOff / F);
  const p = rt.params({ x: xOff, y: yOff, e0: rows, e1: cols });
  const y = output(x.length);
  rt.run("transpose", p, batch * Math.ceil(rows / TRANSPOSE_BAND), L.scratch, L.scratchStride, COPY * x.length, y.make);
  return y.take(rt, yOff);
}

/** The in-range taps of every window row and column (reference/pool2d.ts windowTaps). */
export interface WindowTaps {
  rowStart: Int32Array; rowLo: Int32Array; rowHi: Int32Array; colStart: Int32Array; colLo: Int32Array; colHi: Int32Array;
}

/**
 * Max pooling's gradient dx [N, C, H, W] from gy [N, C, oH, oW] and the forward's argmax (flat
 * indices into dx, -1 for a window with no cell), for windows that share no cell
 * (`windowsDisjoint`): every dx cell gets at most one term, so float32 is exact, as the reference's.
 */
export function maxPool2dBackwardF32(p: Pool2dGeometry, gy: Float32Array, argmax: Int32Array): Float32Array {
  const planes = p.batch * p.channels;
  const m = planes * p.outHeight * p.outWidth;
  const n = planes * p.inHeight * p.inWidth;
  check("maxPool2dBackwardF32 gy", gy, m);
  check("maxPool2dBackwardF32 argmax", argmax, m);
  if (n === 0) return new Float32Array(0);
  const rt = fastRuntime();
  const L = rt.layout(EDGE_BYTES, [m * F, m * 4, n * F]);
  const [gOff, aOff, dOff] = L.offsets;
  rt.F32.set(gy, gOff / F);
  rt.I32.set(argmax, aOff / 4);
  const job = planeItems(planes, p.inHeight * p.inWidth);
  const params = rt.params({ x: gOff, a: aOff, y: dOff, inH: p.inHeight, inW: p.inWidth, outH: p.outHeight, outW: p.outWidth, ...job.fields });
  const dx = output(n);
  rt.run("pool_scatter", params, job.items, L.scratch, L.scratchStride, COPY * n, dx.make);
  return dx.take(rt, dOff);
}

/**
 * Max pooling over float32 x [N, C, H, W] (see reference maxPool2dArgmax, whose rules and results
 * it matches exactly): `argmax`, flat indices into x per window (-1 for a window with no tap
 * inside), and `y`, the maxima (x at the argmax, -inf for an empty window). `t` is windowTaps(p).
 */
export function maxPool2dF32(p: Pool2dGeometry, x: Float32Array, t: WindowTaps): { argmax: Int32Array; y: Float32Array } {
  const planes = p.batch * p.channels;
  check("maxPool2dF32 x", x, planes * p.inHeight * p.inWidth);
  const n = planes * p.outHeight * p.outWidth;
  if (n === 0) return { argmax: new Int32Array(0), y: new Float32Array(0) };
  const tables = [t.rowStart, t.rowLo, t.rowHi, t.colStart, t.colLo, t.colHi];
  const rt = fastRuntime();
  const L = rt.layout(EDGE_BYTES, [x.length * F, 3 * (p.outHeight + p.outWidth) * 4, n * 4, n * F]);
  const [xOff, tOff, iOff, yOff] = L.offsets;
  rt.F32.set(x, xOff / F);
  let at = tOff / 4;
  for (const table of tables) {
    rt.I32.set(table, at);
    at += table.length;
  }
  // every window whole inside x (ceil mode may add a last one that is not)
  const twoByTwo = p.kernelHeight === 2 && p.kernelWidth === 2 && p.strideH === 2 && p.strideW === 2
    && p.dilationH === 1 && p.dilationW === 1 && p.padTop === 0 && p.padLeft === 0
    && 2 * p.outHeight <= p.inHeight && 2 * p.outWidth <= p.inWidth;
  const job = planeItems(planes, p.inHeight * p.inWidth);
  const params = rt.params({
    x: xOff, a: tOff, y: iOff, inH: p.inHeight, inW: p.inWidth, outH: p.outHeight, outW: p.outWidth, dH: p.dilationH, dW: p.dilationW,
    e0: twoByTwo ? 1 : 0, e1: yOff, ...job.fields,
  });
  // ~6 instructions per tap, as many as ~16 FLOPs of the GEMM
  const y = output(n);
  rt.run("pool_argmax", params, job.items, L.scratch, L.scratchStride, 16 * n * p.kernelHeight * p.kernelWidth, y.make);
  return { argmax: rt.I32.slice(iOff / 4, iOff / 4 + n), y: y.take(rt, yOff) };
}
