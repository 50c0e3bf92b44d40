/**
 * One GEMM template, C[b, m, n] = sum_k A[b, m, k] B[b, k, n], serving matmul and the whole conv2d
 * family (implicit GEMM: the im2col matrix is never built, `loadB` reads each element from the
 * input on the fly). A kernel is the template plus its loaders, which own the layouts:
 *
 *   struct RowInfo, fn rowInfo(b, m) -> RowInfo     what row m needs, worked out once
 *   struct ColInfo, fn colInfo(b, n) -> ColInfo     what column n needs, worked out once
 *   fn loadA(r: RowInfo, k) -> T,  fn loadB(c: ColInfo, k) -> T,  fn storeC(r, c, v)
 *
 * Splitting the index arithmetic this way matters: decomposing a flat index into (batch, row,
 * column) costs integer divisions, which are slow on every GPU and very slow on CPU drivers. Each
 * invocation decomposes its rows and columns once per tile; inside the k loop a load is an add, and
 * for convolutions a lookup in a tap table (k -> offset and tap position) that the host computes
 * once per geometry and ships after the parameters.
 *
 * prm = [M, N, K, batches, kChunk, splits, outCount, ...loader parameters from index 7].
 *
 * Two algorithms over the same loaders:
 * - direct: one invocation per C element, a plain loop over k;
 * - tiled: a 16x16 workgroup computes a 32x32 tile of C, 2x2 per invocation in registers, walking
 *   k in steps of 16 through workgroup memory. Each A and B element is then read from memory once
 *   per tile instead of once per output, a 16x cut in global reads. In the tile loads each
 *   invocation always fetches the same column of B (and the same two rows of A), so its ColInfo
 *   and RowInfos are computed once per tile.
 * Split-K: when C has few tiles but k is long (a weight gradient sums over batch x output pixels),
 * the k range is cut into `splits` chunks that run in parallel and write partial C's one after
 * another ([splits, outCount]); the host then sums them with the reduce kernel.
 */
import { type GpuDType, WORKGROUP, bindings, wgslType } from "./common.js";

export type GemmAlgorithm = "tiled" | "direct";
export const GEMM_META = 7;
export const TILE = 32;
export const TILE_K = 16;

export interface GemmLoaders {
  /** A stable name for this loader set (part of the pipeline key). */
  readonly name: string;
  /** WGSL defining RowInfo, ColInfo, rowInfo, colInfo, loadA, loadB and storeC over src0, src1, dst. */
  readonly code: (t: string) => string;
}

/** The split index s, which storeC adds as s * outCount to its offset. */
const splitState = "var<private> splitOffset: u32;";

export function gemmShader(loaders: GemmLoaders, t: GpuDType, algorithm: GemmAlgorithm): string {
  const wt = wgslType(t);
  const head = [bindings(t, [t, t]), splitState, loaders.code(wt)].join("\n");
  if (algorithm === "direct") {
    return `${head}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let M = prm[0]; let N = prm[1]; let K = prm[2];
  let idx = (wg.x + wg.y * nwg.x) * ${WORKGROUP}u + li;
  let perSplit = prm[3] * M * N;
  if (idx >= perSplit * prm[5]) { return; }
  let s = idx / perSplit;
  let r = idx % perSplit;
  let b = r / (M * N);
  let m = (r / N) % M;
  let n = r % N;
  splitOffset = s * prm[6];
  let k0 = s * prm[4];
  let k1 = min(K, k0 + prm[4]);
  let ri = rowInfo(b, m);
  let ci = colInfo(b, n);
  var acc = ${wt}(0);
  for (var k = k0; k < k1; k = k + 1u) {
    acc = acc + loadA(ri, k) * loadB(ci, k);
  }
  storeC(ri, ci, acc);
}`;
  }
  const tileElems = TILE * TILE_K;
  return `${head}
var<workgroup> tileA: array<${wt}, ${tileElems}>; // [${TILE} m][${TILE_K} k]
var<workgroup> tileB: array<${wt}, ${tileElems}>; // [${TILE_K} k][${TILE} n]
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let M = prm[0]; let N = prm[1]; let K = prm[2];
  let tilesM = (M + ${TILE - 1}u) / ${TILE}u;
  let tilesN = (N + ${TILE - 1}u) / ${TILE}u;
  let perSplit = prm[3] * tilesM * tilesN;
  let tile = wg.x + wg.y * nwg.x;
  if (tile >= perSplit * prm[5]) { return; }
  let s = tile / perSplit;
  let r = tile % perSplit;
  let b = r / (tilesM * tilesN);
  let m0 = ((r / tilesN) % tilesM) * ${TILE}u;
  let n0 = (r % tilesN) * ${TILE}u;
  splitOffset = s * prm[6];
  let kBegin = s * prm[4];
  let kEnd = min(K, kBegin + prm[4]);
  // Tile loads: element e = li + 256 i of A is row e / ${TILE_K}, k e % ${TILE_K}; of B, k e / ${TILE}, column e % ${TILE}.
  let am0 = m0 + li / ${TILE_K}u;
  let am1 = am0 + ${256 / TILE_K}u;
  let ak = li % ${TILE_K}u;
  let bn = n0 + li % ${TILE}u;
  let bk = li / ${TILE}u;
  let rowA0 = rowInfo(b, min(am0, M - 1u));
  let rowA1 = rowInfo(b, min(am1, M - 1u));
  let colB = colInfo(b, min(bn, N - 1u));
  var c00 = ${wt}(0); var c01 = ${wt}(0); var c10 = ${wt}(0); var c11 = ${wt}(0);
  let row = lid.y * 2u;
  let col = lid.x * 2u;
  for (var k0 = kBegin; k0 < kEnd; k0 = k0 + ${TILE_K}u) {
    let ka = k0 + ak;
    var va0 = ${wt}(0);
    var va1 = ${wt}(0);
    if (ka < kEnd) {
      if (am0 < M) { va0 = loadA(rowA0, ka); }
      if (am1 < M) { va1 = loadA(rowA1, ka); }
    }
    tileA[li] = va0;
    tileA[li + 256u] = va1;
    let kb0 = k0 + bk;
    let kb1 = kb0 + ${256 / TILE}u;
    var vb0 = ${wt}(0);
    var vb1 = ${wt}(0);
    if (bn < N) {
      if (kb0 < kEnd) { vb0 = loadB(colB, kb0); }
      if (kb1 < kEnd) { vb1 = loadB(colB, kb1); }
    }
    tileB[li] = vb0;
    tileB[li + 256u] = vb1;
    workgroupBarrier();
    for (var kk = 0u; kk < ${TILE_K}u; kk = kk + 1u) {
      let a0 = tileA[row * ${TILE_K}u + kk];
      let a1 = tileA[(row + 1u) * ${TILE_K}u + kk];
      let b0 = tileB[kk * ${TILE}u + col];
      let b1 = tileB[kk * ${TILE}u + col + 1u];
      c00 = c00 + a0 * b0; c01 = c01 + a0 * b1;
      c10 = c10 + a1 * b0; c11 = c11 + a1 * b1;
    }
    workgroupBarrier();
  }
  let m = m0 + row;
  let n = n0 + col;
  if (m < M) {
    let ri = rowInfo(b, m);
    if (n < N) { storeC(ri, colInfo(b, n), c00); }
    if (n + 1u < N) { storeC(ri, colInfo(b, n + 1u), c01); }
  }
  if (m + 1u < M) {
    let ri = rowInfo(b, m + 1u);
    if (n < N) { storeC(ri, colInfo(b, n), c10); }
    if (n + 1u < N) { storeC(ri, colInfo(b, n + 1u), c11); }
  }
}`;
}

/** Batched row-major [b, M, K] x [b, K, N]; src0 = A, src1 = B. */
export const matmulLoaders: GemmLoaders = {
  name: "matmul",
  code: (t) => `
struct RowInfo { a: u32, c: u32 }
struct ColInfo { b: u32, n: u32 }
fn rowInfo(b: u32, m: u32) -> RowInfo { let r = b * prm[0] + m; return RowInfo(r * prm[2], r * prm[1]); }
fn colInfo(b: u32, n: u32) -> ColInfo { return ColInfo(b * prm[2] * prm[1] + n, n); }
fn loadA(r: RowInfo, k: u32) -> ${t} { return src0[r.a + k]; }
fn loadB(c: ColInfo, k: u32) -> ${t} { return src1[c.b + k * prm[1]]; }
fn storeC(r: RowInfo, c: ColInfo, v: ${t}) { dst[splitOffset + r.c + c.n] = v; }`,
};

/** Conv geometry fields in prm, after the GEMM header; the tap table follows them (at TAPS). */
const convFields = [
  "NB",
  "CIN",
  "H",
  "W",
  "COUT",
  "KH",
  "KW",
  "OH",
  "OW",
  "SH",
  "SW",
  "DH",
  "DW",
  "PT",
  "PL",
  "CING",
  "COUTG",
] as const;
export type ConvField = (typeof convFields)[number];
export const CONV_META_FIELDS: readonly ConvField[] = convFields;
/** Index in prm of the first tap-table entry. */
export const CONV_TAPS = GEMM_META + convFields.length;

const convConsts = [...convFields.map((f, i) => `const ${f} = ${GEMM_META + i}u;`), `const TAPS = ${CONV_TAPS}u;`].join(
  "\n",
);

/**
 * Tap table of the forward and the weight gradient, over t = (ci, kh, kw) of one group's filter:
 * 3 entries each, [ci*H*W + kh*dH*W + kw*dW, kh*dH, kw*dW] (the input offset of the tap from the
 * window's corner, and the tap's position for the bounds check).
 */
export function inputTaps(
  cing: number,
  h: number,
  w: number,
  kh: number,
  kw: number,
  dh: number,
  dw: number,
): number[] {
  const out: number[] = [];
  for (let c = 0; c < cing; c++)
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) out.push(c * h * w + i * dh * w + j * dw, i * dh, j * dw);
  return out;
}

/**
 * Tap table of the input gradient, over k = (co, kh, kw) of one group: 4 entries each,
 * [co*OH*OW (offset of gy's channel), kh*dH, kw*dW, co*CING*KH*KW + kh*KW + kw (offset in w)].
 */
export function outputTaps(
  coutg: number,
  cing: number,
  oh: number,
  ow: number,
  kh: number,
  kw: number,
  dh: number,
  dw: number,
): number[] {
  const out: number[] = [];
  for (let c = 0; c < coutg; c++)
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) out.push(c * oh * ow, i * dh, j * dw, c * cing * kh * kw + i * kw + j);
  return out;
}

/**
 * conv2d: per group g (the GEMM batch), y[co, (n, oh, ow)] = sum over k = (ci, kh, kw) of
 * w[co, k] * x[n, ci, oh*sH - pT + kh*dH, ow*sW - pL + kw*dW] (0 outside the input).
 * M = COUTG, N = NB*OH*OW, K = CING*KH*KW. Inputs: src0 = x, src1 = w. Taps: inputTaps.
 */
export const conv2dLoaders: GemmLoaders = {
  name: "conv2d",
  code: (t) => `${convConsts}
struct RowInfo { w: u32, y: u32 }
// x: offset of the window's corner (may be negative: padding); ih0/iw0: its position.
struct ColInfo { x: i32, ih0: i32, iw0: i32, y: u32 }
fn rowInfo(g: u32, m: u32) -> RowInfo {
  let co = g * prm[COUTG] + m;
  return RowInfo(co * prm[2], co * prm[OH] * prm[OW]);
}
fn colInfo(g: u32, n: u32) -> ColInfo {
  let plane = prm[OH] * prm[OW];
  let b = n / plane;
  let p = n - b * plane;
  let oh = p / prm[OW];
  let ow = p - oh * prm[OW];
  let ih0 = i32(oh * prm[SH]) - i32(prm[PT]);
  let iw0 = i32(ow * prm[SW]) - i32(prm[PL]);
  let x = i32((b * prm[CIN] + g * prm[CING]) * prm[H] * prm[W]) + ih0 * i32(prm[W]) + iw0;
  return ColInfo(x, ih0, iw0, b * prm[COUT] * plane + p);
}
fn loadA(r: RowInfo, k: u32) -> ${t} { return src1[r.w + k]; }
fn loadB(c: ColInfo, k: u32) -> ${t} {
  let ih = c.ih0 + i32(prm[TAPS + 3u * k + 1u]);
  let iw = c.iw0 + i32(prm[TAPS + 3u * k + 2u]);
  if (ih < 0 || iw < 0 || ih >= i32(prm[H]) || iw >= i32(prm[W])) { return ${t}(0); }
  return src0[u32(c.x + i32(prm[TAPS + 3u * k]))];
}
fn storeC(r: RowInfo, c: ColInfo, v: ${t}) { dst[splitOffset + r.y + c.y] = v; }`,
};

/**
 * conv2dBackWeight: gw[co, (ci, kh, kw)] = sum over k = (n, oh, ow) of gy[n, co, oh, ow] times the
 * x tap. M = COUTG, N = CING*KH*KW, K = NB*OH*OW. Inputs: src0 = x, src1 = gy. Taps: inputTaps,
 * indexed by the column.
 */
export const conv2dBackWeightLoaders: GemmLoaders = {
  name: "conv2dBackWeight",
  code: (t) => `${convConsts}
struct RowInfo { gy: u32, w: u32 }
struct ColInfo { x: u32, dy: i32, dx: i32, n: u32 }
fn rowInfo(g: u32, m: u32) -> RowInfo {
  let co = g * prm[COUTG] + m;
  return RowInfo(co * prm[OH] * prm[OW], co * prm[1]);
}
fn colInfo(g: u32, n: u32) -> ColInfo {
  let x = g * prm[CING] * prm[H] * prm[W] + prm[TAPS + 3u * n];
  return ColInfo(x, i32(prm[TAPS + 3u * n + 1u]), i32(prm[TAPS + 3u * n + 2u]), n);
}
fn loadA(r: RowInfo, k: u32) -> ${t} {
  let plane = prm[OH] * prm[OW];
  let b = k / plane;
  return src1[b * prm[COUT] * plane + r.gy + (k - b * plane)];
}
fn loadB(c: ColInfo, k: u32) -> ${t} {
  let plane = prm[OH] * prm[OW];
  let b = k / plane;
  let p = k - b * plane;
  let oh = p / prm[OW];
  let ow = p - oh * prm[OW];
  let ih = i32(oh * prm[SH]) - i32(prm[PT]) + c.dy;
  let iw = i32(ow * prm[SW]) - i32(prm[PL]) + c.dx;
  if (ih < 0 || iw < 0 || ih >= i32(prm[H]) || iw >= i32(prm[W])) { return ${t}(0); }
  let corner = i32(b * prm[CIN] * prm[H] * prm[W] + c.x) + (ih - c.dy) * i32(prm[W]) + (iw - c.dx);
  return src0[u32(corner)];
}
fn storeC(r: RowInfo, c: ColInfo, v: ${t}) { dst[splitOffset + r.w + c.n] = v; }`,
};

/**
 * conv2dBackInput: gx[ci, (n, ih, iw)] = sum over k = (co, kh, kw) of w[co, ci, kh, kw] times
 * gy[n, co, oh, ow] for the output pixel whose tap (kh, kw) lands on (ih, iw):
 * oh = (ih + pT - kh*dH) / sH when that is a non-negative integer below OH (else the term is 0).
 * M = CING, N = NB*H*W, K = COUTG*KH*KW. Inputs: src0 = gy, src1 = w. Taps: outputTaps.
 */
export const conv2dBackInputLoaders: GemmLoaders = {
  name: "conv2dBackInput",
  code: (t) => `${convConsts}
struct RowInfo { w: u32, x: u32 }
struct ColInfo { gy: u32, th: i32, tw: i32, x: u32 }
fn rowInfo(g: u32, m: u32) -> RowInfo {
  let khw = prm[KH] * prm[KW];
  return RowInfo(g * prm[COUTG] * prm[CING] * khw + m * khw, (g * prm[CING] + m) * prm[H] * prm[W]);
}
fn colInfo(g: u32, n: u32) -> ColInfo {
  let plane = prm[H] * prm[W];
  let b = n / plane;
  let p = n - b * plane;
  let ih = p / prm[W];
  let iw = p - ih * prm[W];
  let gy = (b * prm[COUT] + g * prm[COUTG]) * prm[OH] * prm[OW];
  return ColInfo(gy, i32(ih + prm[PT]), i32(iw + prm[PL]), b * prm[CIN] * plane + p);
}
fn loadA(r: RowInfo, k: u32) -> ${t} { return src1[r.w + prm[TAPS + 4u * k + 3u]]; }
fn loadB(c: ColInfo, k: u32) -> ${t} {
  let th = c.th - i32(prm[TAPS + 4u * k + 1u]);
  let tw = c.tw - i32(prm[TAPS + 4u * k + 2u]);
  if (th < 0 || tw < 0) { return ${t}(0); }
  var oh = u32(th);
  var ow = u32(tw);
  let sh = prm[SH];
  let sw = prm[SW];
  if (sh != 1u) {
    if (oh % sh != 0u) { return ${t}(0); }
    oh = oh / sh;
  }
  if (sw != 1u) {
    if (ow % sw != 0u) { return ${t}(0); }
    ow = ow / sw;
  }
  if (oh >= prm[OH] || ow >= prm[OW]) { return ${t}(0); }
  return src0[c.gy + prm[TAPS + 4u * k] + oh * prm[OW] + ow];
}
fn storeC(r: RowInfo, c: ColInfo, v: ${t}) { dst[splitOffset + r.x + c.x] = v; }`,
};
