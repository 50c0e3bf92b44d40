/**
 * conv2d's fast float32 calls: forward, input gradient and weight gradient.
 *
 * Strategy per case (C_g = inChannels / groups, M_g = outChannels / groups, K = C_g kH kW,
 * N = outH outW):
 * - C_g = 1 (depthwise, with any channel multiplier; also the gradients of a conv of a 1-channel
 *   input, and its forward when it has few outputs or is 3x3 at stride 1): direct correlation per
 *   output plane over a zero-bordered copy of the input plane, vectorised along rows.
 * - otherwise forward = per (image, group) GEMM y[M_g x N] = W[M_g x K] im2col(x)[K x N]: when the
 *   stride is 1 and the planes wide, every im2col row is a run of "wide" rows, which the
 *   micro-kernel reads in place (block_direct; 1x1 stride-1 convs read x itself); else the im2col
 *   is gathered from zero-bordered planes without bounds checks straight into packed B panels
 *   (packGeometry).
 * - input gradient = forward conv of gy with the flipped, transposed kernel (padding d (k - 1) - pad)
 *   at stride 1 when the weights are at most twice the column matrix; otherwise (any stride) GEMM
 *   W^T gy then col2im, split by input channel and bands of rows so threads never add into the
 *   same pixels.
 * - weight gradient = GEMM gy[M_g x N] im2col(x)^T[N x K] summed over images, split by columns of dW.
 */
import { convFlops, transposedGeometry, type Conv2dGeometry } from "../../../primitives/conv2d.js";
import {
  allFiniteAt,
  BLOCK,
  check,
  COPY,
  F,
  GATHER,
  itemsWanted,
  output,
  PACK,
  padInput,
  planeItems,
  ru,
  split,
} from "./kernel-calls.js";
import { residentInput } from "./resident-input.js";
import { fastRuntime, type FastRuntime } from "./workers.js";
import { EDGE_BYTES, KC, MR, NR } from "./wasm/kernels.generated.js";
import { winogradBackInputF32, winogradBackWeightF32, winogradForwardF32 } from "./winograd.js";

/** Most input planes one dw_conv item takes (planeGroup): items of more planes balance worse. */
const PLANE_GROUP = 16;
/** Least FLOPs of an item for which a conv's job ends with narrow items (tailCut). */
const TAIL_WORK = 4e6;

function geomParams(g: Conv2dGeometry) {
  return {
    batch: g.batch,
    inC: g.inChannels,
    inH: g.inHeight,
    inW: g.inWidth,
    outC: g.outChannels,
    kH: g.kernelHeight,
    kW: g.kernelWidth,
    outH: g.outHeight,
    outW: g.outWidth,
    sH: g.strideH,
    sW: g.strideW,
    dH: g.dilationH,
    dW: g.dilationW,
    padT: g.padTop,
    padL: g.padLeft,
    groups: g.groups,
  };
}

/**
 * Narrow blocks at the end of a forward conv's job (see narrowFirst in scripts/wasm/gen-wat.mjs): with one image
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
 * of tail slack) and one output row rounded up to 16 floats (see dw_conv in scripts/wasm/gen-wat.mjs). */
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
 * When both strides are equal (s) a conv's GEMM can run "wide" (the layout above pad_phases in scripts/wasm/gen-wat.mjs):
 * over zero-bordered copies of x (at stride s > 1, its s x s phase planes), each Hp x Wp, with rows
 * of Wp output pixels of which the last Wp - outWidth are garbage. Every im2col row is then a
 * contiguous run of one plane: the forward's micro-kernel reads it in place (block_direct), the
 * weight gradient packs it with plain vector copies. Without padding at stride 1 x is read in place. The garbage columns cost GEMM work: worth it while they are under `maxExtra` of
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
 * see; `s` the phase count per side of the padded copy (always 1: wide only at stride 1).
 * Per pixel column of B (K floats) running wide saves GATHER K FLOP-equivalents of gathering (its
 * B is read in place, not packed) and each garbage column costs the GEMM 2 Mg K: wide pays while
 * the garbage fraction is under GATHER / (2 Mg), at least 10% (so the demo's 16 -> 32 layer on
 * 12x12, 20% garbage, gathers: 1.06-1.09x forward, ~1.1x input gradient, against running wide
 * when wide B was packed).
 * At stride s > 1 the forward gathers: wide there needs the s^2 phase planes (pad_phases) and, when
 * outW is not a multiple of NR, a compaction pass; gathering from one zero-bordered copy measured
 * 0.93-1.22x (CPU, paired through the API, both orders, load 11-14) on the 64 -> 128 downsample
 * and 1.02-1.09x on ResNet's 7x7 stem (session 18). The weight gradient still runs wide on phases.
 */
function packGeometry(g: Conv2dGeometry) {
  const wg = wideGeometry(g, Math.max(0.1, GATHER / (2 * (g.outChannels / g.groups))));
  if (wg.wide && wg.s === 1) return wg;
  const { hp: Hp, wp: Wp } = readExtent(g);
  const padCopy = g.padTop !== 0 || g.padLeft !== 0 || Hp > g.inHeight || Wp > g.inWidth;
  const gg: Conv2dGeometry = padCopy
    ? { ...g, inHeight: Hp, inWidth: Wp, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0 }
    : g;
  return { ...wg, wide: false, s: 1, Hp, Wp, gg, padCopy, slack: 0 };
}

/** Lays out x's zero-bordered planes for a GEMM conv, wide or gathered (pad_input / pad_phases). */
function padPlanes(
  rt: FastRuntime,
  g: Conv2dGeometry,
  xOff: number,
  xpOff: number,
  Hp: number,
  Wp: number,
  s: number,
  scratch: number,
  stride: number,
): void {
  const planes = g.batch * g.inChannels;
  if (s === 1) {
    padInput(rt, [geomParams(g), { x: xOff, y: xpOff }], planes, Hp, Wp, scratch, stride);
    return;
  }
  const p = rt.params("pad_phases", geomParams(g), { x: xOff, y: xpOff, phaseRows: Hp, phaseCols: Wp, stride: s });
  rt.run("pad_phases", p, planes, scratch, stride, COPY * planes * s * s * Hp * Wp);
}

/** A of the GEMM conv from the weights at wOff: rows = output channels (forward), or for the
 * stride-1 input gradient the flipped, transposed kernel (pack_a_flip). */
function packConvWeights(
  rt: FastRuntime,
  g: Conv2dGeometry,
  wOff: number,
  aOff: number,
  flip: boolean,
  scratch: number,
  stride: number,
): void {
  const Mg = g.outChannels / g.groups;
  const Cg = g.inChannels / g.groups;
  const KK = g.kernelHeight * g.kernelWidth;
  const K = Cg * KK;
  const aSize = g.groups * ru(Mg, MR) * K;
  if (flip) {
    // forward weights are [Cg_new... ] = [inChannels_new, Mg_new, kH, kW]: per group Cg rows of old in.
    const p = rt.params("pack_a_flip", { x: wOff, y: aOff, inPerGroup: Mg, outPerGroup: Cg, taps: KK });
    rt.run("pack_a_flip", p, g.groups * Math.ceil(Mg / MR), scratch, stride, PACK * aSize);
  } else if (g.groups === 1 || Mg % MR === 0) {
    const p = rt.params("pack_a", { x: wOff, y: aOff, rows: g.outChannels, depth: K, rowStride: K, colStride: 1 });
    rt.run("pack_a", p, Math.ceil(g.outChannels / MR), scratch, stride, PACK * aSize);
  } else {
    for (let gi = 0; gi < g.groups; gi++) {
      const p = rt.params("pack_a", {
        x: wOff + gi * Mg * K * F,
        y: aOff + gi * ru(Mg, MR) * K * F,
        rows: Mg,
        depth: K,
        rowStride: K,
        colStride: 1,
      });
      rt.run("pack_a", p, Math.ceil(Mg / MR), scratch, stride, PACK * Mg * K);
    }
  }
}

/**
 * y = conv(x, A) (+ bias) on the GEMM path where A is packed from `w` either directly (rows = output
 * channels) or, for the stride-1 input gradient, by pack_a_flip from the forward weights.
 */
function gemmConv(
  rt: FastRuntime,
  g: Conv2dGeometry,
  x: Float32Array,
  w: Float32Array,
  flip: boolean,
  bias?: Float32Array,
): Float32Array {
  const Mg = g.outChannels / g.groups;
  const Cg = g.inChannels / g.groups;
  const KK = g.kernelHeight * g.kernelWidth;
  const K = Cg * KK;
  const ySize = g.batch * g.outChannels * g.outHeight * g.outWidth;
  const aSize = g.groups * ru(Mg, MR) * K;
  const { s, Hp, Wp, wide, gg, padCopy, slack } = packGeometry(g);
  const compact = wide && Wp !== g.outWidth;
  // A wide output with garbage columns is stored straight into the dense planes by conv_fwd
  // (block_direct_dense), the bias added there too, when the row-aligned panels' edge columns
  // (a row's last outW mod 8, computed 8 wide) waste no more than the garbage columns would: no
  // wide output, no compaction job, barrier and pass. Otherwise (28- or 14-wide rows) the wide
  // output is compacted.
  const W = g.outWidth;
  const dense = compact && ((NR - (W % NR)) % NR) / W <= (Wp - W) / Wp;
  const N = gg.outHeight * gg.outWidth;
  const sp = narrowTail(rt, g.batch * g.groups, N, Mg, K, split(rt, g.batch * g.groups, N, Mg));
  // A wide B is read in place (block_direct); otherwise, split along output channels, every
  // channel block would pack the same B: pack it once instead.
  const prepack = !wide && sp.mBlocks > 1;
  const bBlocks = g.batch * g.groups * sp.nBlocks;
  // the pixels one image-group's blocks span (prepackAt in scripts/wasm/gen-wat.mjs)
  const capacity = sp.tail * sp.tailBlock + (sp.nBlocks - sp.tail) * sp.block;
  const bSize = prepack ? g.batch * g.groups * K * capacity : 0;
  const xpSize = padCopy ? g.batch * g.inChannels * s * s * Hp * Wp : 0;
  const ywSize = compact && !dense ? g.batch * g.outChannels * N : 0;
  // the bias is added by conv_fwd unless the output is compacted (which adds it as it compacts)
  const biasInKernel = bias !== undefined && (dense || !compact);
  const A = keptWeights(rt, w, flip ? `flip ${g.groups} ${Mg} ${Cg} ${KK}` : `fwd ${g.groups} ${Mg} ${K}`, aSize);
  const scratchBytes = EDGE_BYTES + (wide ? 0 : KC * sp.block * F);
  // x is often the output the op before left in the memory (a conv after a conv, a pool, a BN)
  const xIn = residentInput(rt, x, scratchBytes);
  // the garbage columns of a wide x read in place reach `slack` floats past its end: keep them
  // inside the memory whether x is copied or resident
  const L = rt.layout(
    scratchBytes,
    [
      xIn.after ? 0 : (x.length + slack) * F,
      ...A.regions,
      ySize * F,
      bSize * F,
      (xpSize + slack) * F,
      ywSize * F,
      bias ? bias.length * F : 0,
      wide ? K * F : 0,
    ],
    xIn.after && xIn.after + slack * F,
  );
  const [xCopy, wOff, aTmp, yOff, bOff, xpOff, ywOff, biasOff, offsetsOff] = L.offsets;
  const xOff = xIn.place(xCopy);
  if (wide) wideRowOffsets(rt.I32, offsetsOff / F, g, Hp, Wp, s);
  const aOff = A.ready(wOff, aTmp, (wo, ao) => packConvWeights(rt, g, wo, ao, flip, L.scratch, L.scratchStride));
  if (padCopy) padPlanes(rt, g, xOff, xpOff, Hp, Wp, s, L.scratch, L.scratchStride);
  const p = rt.params("conv_fwd", geomParams(gg), {
    x: padCopy ? xpOff : xOff,
    a: aOff,
    y: ywSize ? ywOff : yOff,
    block: sp.block,
    nBlocks: sp.nBlocks,
    tail: sp.tail,
    tailBlock: sp.tailBlock,
    tailM: sp.tailM,
    tailRows: sp.tailRows,
    rowsPerBlock: sp.rows,
    rowBlocks: sp.mBlocks,
    prepacked: prepack ? bOff : 0,
    wide: wide ? 1 : 0,
    offsets: wide ? offsetsOff : 0,
    stride: s,
    denseW: dense ? g.outWidth : 0,
    biasAt: biasInKernel ? biasOff : 0,
  });
  if (biasInKernel) rt.F32.set(bias, biasOff / F);
  if (prepack) rt.run("pack_b_conv", p, bBlocks * Math.ceil(K / KC), L.scratch, L.scratchStride, GATHER * bSize);
  const y = output(ySize);
  rt.run("conv_fwd", p, bBlocks * sp.mBlocks, L.scratch, L.scratchStride, convFlops(g), y.make);
  if (ywSize) {
    // with the bias added to each plane as it is compacted (one job and one pass less than addBias)
    if (bias) rt.F32.set(bias, biasOff / F);
    const pc = rt.params("compact", {
      x: ywOff,
      y: yOff,
      outH: g.outHeight,
      outW: g.outWidth,
      wideWidth: Wp,
      bias: bias ? biasOff : 0,
      channels: g.outChannels,
    });
    rt.run("compact", pc, g.batch * g.outChannels, L.scratch, L.scratchStride, COPY * ywSize);
  }
  return y.take(rt, yOff);
}

/**
 * The byte offset of each im2col row k = (c, i, j) of a wide conv in its (phase) planes, Hp x Wp
 * each, s x s of them per channel (the wide layout): row k of B is the run of floats from
 * x + offset_k + the pixel's index, which block_direct reads in place.
 */
function wideRowOffsets(i32: Int32Array, at: number, g: Conv2dGeometry, Hp: number, Wp: number, s: number): void {
  const taps = g.kernelHeight * g.kernelWidth;
  const K = (g.inChannels / g.groups) * taps;
  for (let k = 0; k < K; k++) {
    const c = Math.floor(k / taps),
      t = k % taps;
    const hh = Math.floor(t / g.kernelWidth) * g.dilationH,
      ww = (t % g.kernelWidth) * g.dilationW;
    const phase = (c * s + (hh % s)) * s + (ww % s);
    i32[at + k] = (phase * Hp * Wp + Math.floor(hh / s) * Wp + Math.floor(ww / s)) * F;
  }
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

/** out = per-plane correlations (dw_conv) (+ bias), see dw_conv in scripts/wasm/gen-wat.mjs for sources / outputsPerStep / sourceStep. */
function planeConv(
  rt: FastRuntime,
  g: Conv2dGeometry,
  x: Float32Array,
  w: Float32Array,
  S: number,
  div: number,
  mul: number,
  bias?: Float32Array,
): Float32Array {
  const ySize = g.batch * g.outChannels * g.outHeight * g.outWidth;
  const xIn = residentInput(rt, x, planeScratch(g));
  const L = rt.layout(planeScratch(g), [xIn.bytes, w.length * F, ySize * F, bias ? bias.length * F : 0], xIn.after);
  const [xCopy, wOff, yOff, biasOff] = L.offsets;
  const xOff = xIn.place(xCopy);
  const f32 = rt.F32;
  f32.set(w, wOff / F);
  // the 3x3 stride-1 kernel adds the bias as it stores (dw3x3_plane_bias); the general one is
  // followed by an add_bias job
  const biasInKernel = bias !== undefined && S === 1 && unit3x3(g);
  if (biasInKernel) f32.set(bias, biasOff / F);
  // forward mode (one source per plane): the `div` planes of one input plane go to one item, and
  // so do the planes of several input planes, as long as there are items for every thread: each
  // item zeroes its padded plane's border once (see dw_conv), which at a plane an item took a
  // third of the depthwise 256-channel 28x28 layer's kernel time
  const per = S === 1 ? div * planeGroup(g.inChannels, g.batch, itemsWanted(rt)) : 1;
  const p = rt.params("dw_conv", geomParams(g), {
    x: xOff,
    a: wOff,
    y: yOff,
    sources: S,
    outputsPerStep: div,
    sourceStep: mul,
    planesPerItem: per,
    biasAt: biasInKernel ? biasOff : 0,
  });
  const work = 2 * ySize * S * g.kernelHeight * g.kernelWidth;
  const y = output(ySize);
  rt.run("dw_conv", p, (g.batch * g.outChannels) / per, L.scratch, L.scratchStride, work, y.make);
  if (bias && !biasInKernel) addBias(rt, g, yOff, bias, biasOff, L);
  return y.take(rt, yOff);
}

/** A 3x3 kernel at stride 1, dilation 1: what dw_conv runs on dw3x3_plane (isUnit3x3 in scripts/wasm/gen-wat.mjs). */
function unit3x3(g: Conv2dGeometry): boolean {
  return (
    g.kernelHeight === 3 &&
    g.kernelWidth === 3 &&
    g.strideH === 1 &&
    g.strideW === 1 &&
    g.dilationH === 1 &&
    g.dilationW === 1
  );
}

/**
 * The most input planes (a divisor of `planes`, at most PLANE_GROUP) one item of a per-plane job
 * takes while the job keeps `want` items; 1 when it has fewer planes than that.
 */
function planeGroup(planes: number, images: number, want: number): number {
  let best = 1;
  for (let k = 2; k <= PLANE_GROUP; k++) if (planes % k === 0 && (images * planes) / k >= want) best = k;
  return best;
}

/**
 * conv2dBias's bias added in place to the output planes at `yOff` (add_bias), from a copy at
 * `biasOff`, before the output is copied out: shared with the workers by planes. The JavaScript
 * loop it replaces (adding while copying out) ran on the calling thread at ~1 ns a float, which
 * made the bias cost more than the conv on the 1-channel first layer [32, 1, 28, 28] -> 16.
 */
function addBias(
  rt: FastRuntime,
  g: Conv2dGeometry,
  yOff: number,
  bias: Float32Array,
  biasOff: number,
  L: { scratch: number; scratchStride: number },
): void {
  rt.F32.set(bias, biasOff / F);
  const planes = g.batch * g.outChannels,
    plane = g.outHeight * g.outWidth;
  const job = planeItems(planes, plane);
  const p = rt.params("add_bias", { y: yOff, a: biasOff, plane, channels: g.outChannels }, job.fields);
  rt.run("add_bias", p, job.items, L.scratch, L.scratchStride, COPY * planes * plane);
}

/**
 * y = conv2d(x, w) in float32, x [N, C, H, W], w [O, C/groups, kH, kW]; with `bias` [O] added to
 * every output channel as the output leaves WebAssembly memory (conv2dBias).
 */
export function conv2dForwardF32(
  g: Conv2dGeometry,
  x: Float32Array,
  w: Float32Array,
  bias?: Float32Array,
): Float32Array {
  const viaWinograd = winogradForwardF32(g, x, w, bias);
  if (viaWinograd) return viaWinograd;
  const Cg = g.inChannels / g.groups;
  const Mg = g.outChannels / g.groups;
  check("conv2dForwardF32 x", x, g.batch * g.inChannels * g.inHeight * g.inWidth);
  check("conv2dForwardF32 w", w, g.outChannels * Cg * g.kernelHeight * g.kernelWidth);
  if (bias) check("conv2dForwardF32 bias", bias, g.outChannels);
  const rt = fastRuntime();
  // A single input channel feeding several outputs (a first layer such as the demo's 1 -> 16 5x5)
  // runs as a GEMM, which shares each gathered input float among the outputs where dw_conv reads
  // the plane once per output: 1.2-2.2x for 4 to 16 outputs, 5x5 and 7x7. Kept on the planes:
  // fewer outputs than the tile's rows, 3x3 at stride 1 (dw3x3_plane is as fast) and grouped
  // convs (their per-group GEMMs are too small: 0.6-0.95x).
  if (Cg === 1 && (g.groups > 1 || Mg < MR || unit3x3(g))) return planeConv(rt, g, x, w, 1, Mg, 1, bias);
  return gemmConv(rt, g, x, w, false, bias);
}

/** dx = conv2d input gradient (transposed conv of gy with w), gy [N, O, oH, oW]. */
export function conv2dBackInputF32(g: Conv2dGeometry, gy: Float32Array, w: Float32Array): Float32Array {
  const viaWinograd = winogradBackInputF32(g, gy, w);
  if (viaWinograd) return viaWinograd;
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
    const p = rt.params("dw_bwd_in", geomParams(g), { x: gOff, a: wOff, y: dOff, multiplier: Mg });
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
  rt.run(
    "zero",
    rt.params("zero", { y: dOff, count: dxSize }),
    Math.ceil(dxSize / 65536),
    L.scratch,
    L.scratchStride,
    PACK * dxSize,
  );
  const aOff = A.ready(wOff, aTmp, (wo, ao) => {
    for (let gi = 0; gi < g.groups; gi++) {
      for (let ch = 0; ch < nChunks; ch++) {
        const rows = (Math.min(Cg, (ch + 1) * cc) - ch * cc) * KK;
        // A[r][co] = W[g Mg + co][c0 KK + r]: rows of W^T are columns of W (stride K)
        const p = rt.params("pack_a", {
          x: wo + (gi * Mg * K + ch * cc * KK) * F,
          y: ao + (gi * nChunks + ch) * aPer * F,
          rows,
          depth: Mg,
          rowStride: 1,
          colStride: K,
        });
        rt.run("pack_a", p, Math.ceil(rows / MR), L.scratch, L.scratchStride, PACK * rows * Mg);
      }
    }
  });
  // Bands of output rows, run even bands then odd ones (see conv_bwd_in): more items than channel
  // chunks alone give (conv1 has 3 input channels), and the split depends on the shape only, so
  // every dx element sums its terms in the same order whatever the thread count.
  const bandRows = Math.max(
    1,
    Math.ceil(((g.kernelHeight - 1) * g.dilationH) / g.strideH),
    Math.ceil(g.outHeight / 16),
  );
  const bands = Math.ceil(g.outHeight / bandRows);
  const dx = output(dxSize);
  for (const parity of [0, 1]) {
    const perParity = Math.ceil((bands - parity) / 2);
    if (perParity === 0) continue;
    const p = rt.params("conv_bwd_in", geomParams(g), {
      x: gOff,
      a: aOff,
      y: dOff,
      block,
      chunkChannels: cc,
      chunks: nChunks,
      bandRows,
      parity,
      bandsPerParity: perParity,
    });
    rt.run(
      "conv_bwd_in",
      p,
      outer * nChunks * perParity,
      L.scratch,
      L.scratchStride,
      (convFlops(g) * perParity) / bands,
      parity === 0 ? dx.make : undefined,
    );
  }
  return dx.take(rt, dOff);
}

/** dW = conv2d weight gradient, summed over the batch: [O, C/groups, kH, kW]. */
export function conv2dBackWeightF32(g: Conv2dGeometry, x: Float32Array, gy: Float32Array): Float32Array {
  const viaWinograd = winogradBackWeightF32(g, x, gy);
  if (viaWinograd) return viaWinograd;
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
    // gy is often the gradient a max pool just left in the memory (the demo's first layer)
    const gyIn = residentInput(rt, gy, planeScratch(g));
    const L = rt.layout(planeScratch(g), [x.length * F, gyIn.bytes, dwSize * F, xpSize * F], gyIn.after);
    const [xOff, gCopy, dOff, xpOff] = L.offsets;
    rt.F32.set(x, xOff / F);
    const gOff = gyIn.place(gCopy);
    if (xpSize > 0) {
      padInput(rt, [geomParams(g), { x: xOff, y: xpOff }], g.batch * g.inChannels, hp, ws, L.scratch, L.scratchStride);
    }
    const p = rt.params("dw_bwd_w", geomParams(g), {
      x: xOff,
      a: gOff,
      y: dOff,
      multiplier: Mg,
      outPerItem: per,
      padded: xpSize > 0 ? xpOff : 0,
    });
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
  const L = rt.layout(EDGE_BYTES + KC * block * F, [
    (x.length + slack) * F,
    gy.length * F,
    aSize * F,
    dwSize * F,
    (xpSize + slack) * F,
    gwSize * F,
    F,
  ]);
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
      padInput(
        rt,
        { x: gOff0, y: gwOff, inH: g.outHeight, inW: g.outWidth, padT: 0, padL: 0 },
        g.batch * g.outChannels,
        g.outHeight,
        Wp,
        L.scratch,
        L.scratchStride,
      );
    }
  }
  const gOff = widenGy ? gwOff : gOff0;
  if (Mg % MR === 0) {
    // gy is [batch * outChannels] rows of N pixels: one pass packs every (image, group)
    const rows = g.batch * g.outChannels;
    const p = rt.params("pack_a", { x: gOff, y: aOff, rows, depth: Nw, rowStride: Nw, colStride: 1 });
    rt.run("pack_a", p, rows / MR, L.scratch, L.scratchStride, PACK * aSize);
  } else {
    for (let n = 0; n < g.batch; n++) {
      for (let gi = 0; gi < g.groups; gi++) {
        const p = rt.params("pack_a", {
          x: gOff + (n * g.outChannels + gi * Mg) * Nw * F,
          y: aOff + (n * g.groups + gi) * ru(Mg, MR) * Nw * F,
          rows: Mg,
          depth: Nw,
          rowStride: Nw,
          colStride: 1,
        });
        rt.run("pack_a", p, Math.ceil(Mg / MR), L.scratch, L.scratchStride, PACK * Mg * Nw);
      }
    }
  }
  const p = rt.params("conv_bwd_w", geomParams(gg), {
    x: padCopy ? xpOff : xOff,
    a: aOff,
    y: dOff,
    block,
    nBlocks,
    tail: tail?.count ?? 0,
    tailBlock: tail?.width ?? 0,
    wide: wide ? 1 : 0,
    stride: s,
  });
  const dw = output(dwSize);
  rt.run("conv_bwd_w", p, g.groups * nBlocks, L.scratch, L.scratchStride, convFlops(g), dw.make);
  return dw.take(rt, dOff);
}
