/**
 * Winograd F(2x2, 3x3) for conv2d's 3x3 stride-1 dilation-1 float32 calls (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2015): per 2x2 output tile the GEMMs spend 16
 * multiplies per (output, input) channel pair where the direct conv spends 36: 2.25x fewer, on the
 * convs that are ~3/4 of a CNN's training step. The forward runs it, and so does the input gradient,
 * a forward conv of gy with the flipped, transposed kernel (padding 2 - p).
 *
 *   U = G g G^T (4x4, per (co, ci)), G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 *   V = B^T d B (4x4 input tile d, tiles at stride 2), M[xi] = U[xi] V[xi] summed over ci,
 *   Y = A^T M A (2x2), as wino_conv in scripts/wasm/gen-wat.mjs computes it.
 *
 * The transforms only add (and halve, exactly), so F(2x2, 3x3)'s float32 error stays near the
 * direct conv's (test/fast/winograd.test.ts bounds it by the fast path's 1e-4). F(4x4, 3x3) would
 * save 4x, with transform constants up to 8 that cost it 2-3 decimal digits: not used.
 *
 * Non-finite values: an infinity or NaN in x reaches the outputs whose receptive field holds it
 * (the transforms' zeros follow the taps), in w the outputs of its channel, as in the direct conv,
 * but there as NaN where the direct conv may give an infinity; and an input near the float32 limit can overflow in V. So an
 * output with any non-finite value is thrown away and the call returns null: the caller then runs
 * the direct path, which gives PyTorch's values. Finite outputs are the common case; the check is
 * one read of y.
 */
import { transposedGeometry, type Conv2dGeometry } from "../../../primitives/conv2d.js";
import { allFiniteAt, check, COPY, F, itemsWanted, output, PACK, padInput, ru } from "./kernel-calls.js";
import { residentInput } from "./resident-input.js";
import { fastRuntime, type FastRuntime } from "./workers.js";
import { EDGE_BYTES, MR, NR } from "./wasm/kernels.generated.js";

/** Most input channels: each GEMM runs its whole Cin deep in one $block call, whose B panel
 * (Cin x NR floats) then stays within L1 (16 KiB at 512, as KC keeps the direct GEMM's). */
const MAX_CHANNELS = 512;
/**
 * Fewest input and output channels: the 3-channel first layers and other thin convs keep the
 * direct path, where the transforms (per tile and channel) weigh most against the multiplies they
 * save (4 and 8 channels on 32x32 planes read 1.1-1.3x under heavy load: not measured well enough
 * to go below 16).
 */
const MIN_CHANNELS = 16;
/**
 * Fewest tiles: U is transformed once per weight array (twice per training step, forward and
 * flipped), Cout Cin 16 floats, which pays back only over enough tiles.
 */
const MIN_TILES = 16;
/**
 * The dispatch weighs the GEMMs' 16 multiplies per tile (tiles counted padded to rows of 4) against
 * the direct conv's 9 per output pixel, the transforms adding per tile a cost relative to the GEMMs'
 * of about TRANSFORM_WEIGHT (1 / Cin + 1 / Cout) (they run per channel, the GEMMs per channel
 * pair). Fitted on paired runs (bench/winograd-pair.mjs): the demo's 16 -> 32 forward on 12x12
 * without padding (1.41x fewer multiplies, 0.91-0.93x) stays direct, its input gradient (1.69x
 * fewer, 1.19-1.45x) and ResNet-18's 256-channel 4x4 layer at 64x64 (1.125x fewer, 1.17-1.31x) take
 * Winograd; 2x2 planes (0.56x) stay direct.
 */
const TRANSFORM_WEIGHT = 6;
/** Bytes of one item's V and M blocks kept under ~a core's L2. */
const BLOCK_BYTES = 512 * 1024;

/**
 * Floats after each xi's slice of the scratch (the forward's V and M, the weight gradient's dM and
 * V): a slice is a power of two bytes long at the usual channel counts and block sizes, so the
 * transforms' 16 stores (or loads) per tile and channel group, one per xi, fell in one cache set and
 * evicted one another (the weight gradient's transforms on bn's 32-channel layer ran 4x slower);
 * a line (16 floats) more puts the 16 streams in different sets.
 */
const SLICE_PAD = 16;

let enabled = true;
/** Turns the Winograd path off (and on again): for paired measurements against the direct path in
 * one build (bench/winograd-pair.mjs), and a way around it should it ever be suspected. */
export function setWinograd(on: boolean): void {
  enabled = on;
}

/** Which conv calls Winograd takes (docs/performance.md, "Winograd"). */
export function winogradFits(g: Conv2dGeometry): boolean {
  return winogradShape(g) && winogradPays(g, tileCounts(g).tiles, MIN_TILES);
}

/** 3x3, stride 1, dilation 1, one group, channels within bounds (and the path not switched off). */
function winogradShape(g: Conv2dGeometry): boolean {
  return (
    enabled &&
    g.kernelHeight === 3 &&
    g.kernelWidth === 3 &&
    g.strideH === 1 &&
    g.strideW === 1 &&
    g.dilationH === 1 &&
    g.dilationW === 1 &&
    g.groups === 1 &&
    g.padTop >= 0 &&
    g.padLeft >= 0 &&
    Math.min(g.inChannels, g.outChannels) >= MIN_CHANNELS &&
    g.inChannels <= MAX_CHANNELS
  );
}

/** At least `minTiles` tiles, and their multiplies and transforms fewer than the direct conv's. */
function winogradPays(g: Conv2dGeometry, tiles: number, minTiles: number): boolean {
  return (
    tiles >= minTiles &&
    16 * tiles * (1 + TRANSFORM_WEIGHT * (1 / g.inChannels + 1 / g.outChannels)) <=
      9 * g.batch * g.outHeight * g.outWidth
  );
}

/** Tile rows, tiles per row (rounded up to 4: four tiles a vector step) and tiles in all. */
function tileCounts(g: Conv2dGeometry) {
  const th = Math.ceil(g.outHeight / 2);
  const tw = ru(Math.ceil(g.outWidth / 2), 4);
  return { th, tw, tiles: g.batch * th * tw };
}

/** y = conv2d(x, w) (+ bias) by Winograd, or null when it does not apply (see fits) or gave a
 * non-finite value (the caller then runs the direct path). */
export function winogradForwardF32(
  g: Conv2dGeometry,
  x: Float32Array,
  w: Float32Array,
  bias?: Float32Array,
): Float32Array | null {
  if (!winogradFits(g)) return null;
  check("winogradForwardF32 x", x, g.batch * g.inChannels * g.inHeight * g.inWidth);
  check("winogradForwardF32 w", w, g.outChannels * g.inChannels * 9);
  if (bias) check("winogradForwardF32 bias", bias, g.outChannels);
  return winogradConv(fastRuntime(), g, x, w, false, bias);
}

/** dx = conv2d's input gradient by Winograd (transposedGeometry); null as for winogradForwardF32. */
export function winogradBackInputF32(g: Conv2dGeometry, gy: Float32Array, w: Float32Array): Float32Array | null {
  // transposedGeometry is the stride-1 gradient's forward conv: a strided one is not that
  // conv; a padding p > 2 would give it a padding 2 - p below 0
  if (g.strideH !== 1 || g.strideW !== 1 || g.padTop > 2 || g.padLeft > 2) return null;
  const t = transposedGeometry(g);
  if (!winogradFits(t)) return null;
  check("winogradBackInputF32 gy", gy, g.batch * g.outChannels * g.outHeight * g.outWidth);
  check("winogradBackInputF32 w", w, g.outChannels * g.inChannels * 9);
  return winogradConv(fastRuntime(), t, gy, w, true);
}

/** Tiles per item: a multiple of NR (whole B panels but the last), V and M under BLOCK_BYTES, and
 * with several threads enough items to share (itemsWanted). */
function tilesPerItem(rt: FastRuntime, g: Conv2dGeometry, tiles: number): number {
  const fit = Math.floor(BLOCK_BYTES / (16 * (g.inChannels + g.outChannels) * F) / NR) * NR;
  let nb = Math.min(Math.max(NR, fit), 128);
  if (rt.numThreads > 1) nb = Math.min(nb, Math.max(2 * NR, ru(Math.ceil(tiles / itemsWanted(rt)), NR)));
  return nb;
}

/**
 * The conv `g` (3x3, stride 1, any padding) of x with w, or with w flipped and transposed when
 * `flip` (w is then the forward weights [g.inChannels, g.outChannels, 3, 3] of the conv this one
 * is the input gradient of).
 */
function winogradConv(
  rt: FastRuntime,
  g: Conv2dGeometry,
  x: Float32Array,
  w: Float32Array,
  flip: boolean,
  bias?: Float32Array,
): Float32Array | null {
  const Ci = g.inChannels,
    Co = g.outChannels;
  const { th, tw, tiles } = tileCounts(g);
  const Hp = 2 * th + 2,
    Wp = 2 * tw + 2;
  const nb = tilesPerItem(rt, g, tiles);
  const ySize = g.batch * Co * g.outHeight * g.outWidth;
  const xpSize = g.batch * Ci * Hp * Wp;
  const uFloats = 16 * ru(Co, MR) * Ci;
  const key = `winograd ${flip ? "flip" : "fwd"} ${Co} ${Ci}`;
  const kept = rt.packed(w, key);
  const at = kept ?? rt.reservePacked(uFloats * F);
  const scratchBytes = EDGE_BYTES + 16 * ((Ci + Co) * nb + 2 * SLICE_PAD) * F;
  const xIn = residentInput(rt, x, scratchBytes);
  const L = rt.layout(
    scratchBytes,
    [
      kept === undefined ? w.length * F : 0,
      xIn.bytes,
      xpSize * F,
      at === null ? uFloats * F : 0,
      ySize * F,
      bias ? Co * F : 0,
      F,
    ],
    xIn.after,
  );
  const [wOff, xCopy, xpOff, uTmp, yOff, biasOff, flag] = L.offsets;
  const uOff = at ?? uTmp;
  if (kept === undefined) {
    // U = G g G^T per (co, ci), packed as the GEMMs' A (wino_weights): once per weight array
    rt.F32.set(w, wOff / F);
    const pw = rt.params("wino_weights", {
      x: wOff,
      y: uOff,
      inC: Ci,
      outC: Co,
      coStride: flip ? 9 : 9 * Ci,
      ciStride: flip ? 9 * Co : 9,
      flip: flip ? 1 : 0,
    });
    rt.run("wino_weights", pw, Math.ceil(Co / MR), L.scratch, L.scratchStride, PACK * uFloats);
    if (at !== null) rt.markPacked(w, key, at);
  }
  const xOff = xIn.place(xCopy);
  if (bias) rt.F32.set(bias, biasOff / F);
  const padX = { x: xOff, y: xpOff, inH: g.inHeight, inW: g.inWidth, padT: g.padTop, padL: g.padLeft };
  padInput(rt, padX, g.batch * Ci, Hp, Wp, L.scratch, L.scratchStride);
  const p = rt.params("wino_conv", {
    x: xpOff,
    a: uOff,
    y: yOff,
    batch: g.batch,
    inC: Ci,
    inH: Hp,
    inW: Wp,
    outC: Co,
    outH: g.outHeight,
    outW: g.outWidth,
    block: nb,
    tilesH: th,
    tilesW: tw,
    bias: bias ? biasOff : 0,
    slicePad: SLICE_PAD,
  });
  // the GEMMs' FLOPs, and the transforms' ~16 adds and moves per tile and channel as packing
  const work = 2 * 16 * Co * Ci * tiles + PACK * 16 * tiles * (Ci + Co);
  const y = output(ySize);
  rt.run("wino_conv", p, Math.ceil(tiles / nb), L.scratch, L.scratchStride, work, y.make);
  if (!allFiniteAt(rt, yOff, ySize, flag, L.scratch, L.scratchStride)) return null;
  return y.take(rt, yOff);
}

/**
 * Issue 23 (i23-wgrad): the weight gradient by Winograd. With dM = A dY A^T per output tile (the
 * adjoint of Y = A^T M A), dU[xi] = sum over tiles of dM[xi] V[xi]^T (16 GEMMs Cout x Cin, the
 * tiles deep, where the direct path's one GEMM is Cout x 9 Cin, the pixels deep: 16 / 9 of the
 * multiplies per tile of four pixels, 2.25x fewer), then dW = G^T dU G. V is the forward's input
 * transform; the conv and its thresholds are the forward's (winogradFits).
 *
 * The sum over the tiles is cut into lanes, each adding its tiles into its own dU, the lanes then
 * added in order: the lanes depend on the geometry only, so any thread count gives the same bits.
 */
export function winogradBackWeightF32(g: Conv2dGeometry, x: Float32Array, gy: Float32Array): Float32Array | null {
  if (!winogradWeightFits(g)) return null;
  check("winogradBackWeightF32 x", x, g.batch * g.inChannels * g.inHeight * g.inWidth);
  check("winogradBackWeightF32 gy", gy, g.batch * g.outChannels * g.outHeight * g.outWidth);
  return winogradWeightGrad(fastRuntime(), g, x, gy);
}

/** The weight gradient's tiles: rows of them need not be whole vector steps (its transforms take
 * one tile at a time), so unlike the forward's they are not rounded up to four per tile row. */
function weightTileCounts(g: Conv2dGeometry) {
  const th = Math.ceil(g.outHeight / 2);
  const tw = Math.ceil(g.outWidth / 2);
  return { th, tw, tiles: g.batch * th * tw };
}

/** Which conv calls take the Winograd weight gradient (docs/performance.md, "Winograd"). */
export function winogradWeightFits(g: Conv2dGeometry): boolean {
  return winogradShape(g) && winogradPays(g, weightTileCounts(g).tiles, MIN_WEIGHT_TILES);
}

/** Most lanes: work for four threads; each lane holds a dU of 16 Cout Cin floats. */
const MAX_LANES = 4;
/** Fewest tiles for the weight gradient: each lane's dU (16 Cout Cin floats, written, then read
 * by the lanes' sum) costs about as much as a GEMM this many tiles deep would. */
const MIN_WEIGHT_TILES = 64;
/** Fewest tiles per lane: below, a lane's dU (written and read once) weighs against its GEMMs. */
const MIN_LANE_TILES = 64;
/**
 * Floats of one xi's dM and V slices per tile block (the A and B one GEMM reads: kept in L2 while
 * the 16 GEMMs run one after another). Deeper blocks load and store the lane's dU fewer times: at
 * 256 channels dU is 4 MiB, beyond L2.
 */
const SLICE_FLOATS = 32 * 1024;

function winogradWeightGrad(
  rt: FastRuntime,
  g: Conv2dGeometry,
  x: Float32Array,
  gy: Float32Array,
): Float32Array | null {
  const Ci = g.inChannels,
    Co = g.outChannels;
  const { th, tw, tiles } = weightTileCounts(g);
  const Hp = 2 * th + 2,
    Wp = 2 * tw + 2;
  // 1, 2 or 4 lanes (an even split over two threads)
  const want = Math.min(MAX_LANES, Math.floor(tiles / MIN_LANE_TILES));
  const laneTiles = Math.ceil(tiles / (want >= 4 ? 4 : want >= 2 ? 2 : 1));
  const lanes = Math.ceil(tiles / laneTiles);
  const nb = Math.min(laneTiles, Math.max(4, Math.floor(SLICE_FLOATS / (Ci + Co))));
  const ldc = ru(Ci, 4);
  const xpSize = g.batch * Ci * Hp * Wp;
  const gpSize = g.batch * Co * 4 * th * tw;
  const partSize = lanes * 16 * Co * ldc;
  const dwSize = Co * Ci * 9;
  const L = rt.layout(EDGE_BYTES + 16 * ((ru(Co, MR) + ru(Ci, NR)) * nb + 2 * SLICE_PAD) * F, [
    x.length * F,
    xpSize * F,
    gy.length * F,
    gpSize === gy.length ? 0 : gpSize * F,
    partSize * F,
    dwSize * F,
    F,
  ]);
  const [xOff, xpOff, gOff, gpOff, partOff, dOff, flag] = L.offsets;
  rt.F32.set(x, xOff / F);
  rt.F32.set(gy, gOff / F);
  const padX = { x: xOff, y: xpOff, inH: g.inHeight, inW: g.inWidth, padT: g.padTop, padL: g.padLeft };
  padInput(rt, padX, g.batch * Ci, Hp, Wp, L.scratch, L.scratchStride);
  // dY zero-bordered to whole tiles: itself when the output's sizes are even
  const gpAt = gpSize === gy.length ? gOff : gpOff;
  if (gpAt !== gOff) {
    const padG = { x: gOff, y: gpOff, inH: g.outHeight, inW: g.outWidth, padT: 0, padL: 0 };
    padInput(rt, padG, g.batch * Co, 2 * th, 2 * tw, L.scratch, L.scratchStride);
  }
  const p = rt.params("wino_wgrad", {
    x: xpOff,
    a: gpAt,
    y: partOff,
    batch: g.batch,
    inC: Ci,
    inH: Hp,
    inW: Wp,
    outC: Co,
    block: nb,
    tilesH: th,
    tilesW: tw,
    laneTiles,
    slicePad: SLICE_PAD,
  });
  const dw = output(dwSize);
  rt.run("wino_wgrad", p, lanes, L.scratch, L.scratchStride, 2 * 16 * Co * Ci * tiles, dw.make);
  const po = rt.params("wino_wgrad_out", { x: partOff, y: dOff, inC: Ci, outC: Co, lanes });
  rt.run("wino_wgrad_out", po, Co, L.scratch, L.scratchStride, COPY * partSize);
  if (!allFiniteAt(rt, dOff, dwSize, flag, L.scratch, L.scratchStride)) return null;
  return dw.take(rt, dOff);
}
