/**
 * One GEMM template, C[b, m, n] = sum_k A[b, m, k] B[b, k, n], serving matmul and the whole conv2d
 * family (implicit GEMM: the im2col matrix is never built, `loadB` computes each element from the
 * input on the fly). A kernel is the template plus three WGSL functions, `loadA`, `loadB` and
 * `storeC`, which own the layouts.
 *
 * meta = [M, N, K, batches, kChunk, splits, outCount, ...loader parameters from index 7].
 *
 * Two algorithms over the same loaders:
 * - direct: one invocation per C element, a plain loop over k;
 * - tiled: a 16x16 workgroup computes a 32x32 tile of C, 2x2 per invocation in registers, walking
 *   k in steps of 16 through workgroup memory. Each A and B element is then read from memory once
 *   per tile instead of once per output, a 16x cut in global reads.
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
  /** WGSL defining loadA(b, m, k), loadB(b, k, n), storeC(b, m, n, v) over src0, src1, dst. */
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
  var acc = ${wt}(0);
  for (var k = k0; k < k1; k = k + 1u) {
    acc = acc + loadA(b, m, k) * loadB(b, k, n);
  }
  storeC(b, m, n, acc);
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
  var c00 = ${wt}(0); var c01 = ${wt}(0); var c10 = ${wt}(0); var c11 = ${wt}(0);
  let row = lid.y * 2u;
  let col = lid.x * 2u;
  for (var k0 = kBegin; k0 < kEnd; k0 = k0 + ${TILE_K}u) {
    for (var e = li; e < ${tileElems}u; e = e + 256u) {
      let am = m0 + e / ${TILE_K}u;
      let ak = k0 + e % ${TILE_K}u;
      var va = ${wt}(0);
      if (am < M && ak < kEnd) { va = loadA(b, am, ak); }
      tileA[e] = va;
      let bk = k0 + e / ${TILE}u;
      let bn = n0 + e % ${TILE}u;
      var vb = ${wt}(0);
      if (bk < kEnd && bn < N) { vb = loadB(b, bk, bn); }
      tileB[e] = vb;
    }
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
  if (m < M && n < N) { storeC(b, m, n, c00); }
  if (m < M && n + 1u < N) { storeC(b, m, n + 1u, c01); }
  if (m + 1u < M && n < N) { storeC(b, m + 1u, n, c10); }
  if (m + 1u < M && n + 1u < N) { storeC(b, m + 1u, n + 1u, c11); }
}`;
}

/** Batched row-major [b, M, K] x [b, K, N]; src0 = A, src1 = B. */
export const matmulLoaders: GemmLoaders = {
  name: "matmul",
  code: (t) => `
fn loadA(b: u32, m: u32, k: u32) -> ${t} { return src0[(b * prm[0] + m) * prm[2] + k]; }
fn loadB(b: u32, k: u32, n: u32) -> ${t} { return src1[(b * prm[2] + k) * prm[1] + n]; }
fn storeC(b: u32, m: u32, n: u32, v: ${t}) { dst[splitOffset + (b * prm[0] + m) * prm[1] + n] = v; }`,
};

/** Conv geometry fields in meta, after the GEMM header. */
const convFields = ["NB", "CIN", "H", "W", "COUT", "KH", "KW", "OH", "OW", "SH", "SW", "DH", "DW", "PT", "PL", "CING", "COUTG"] as const;
export type ConvField = (typeof convFields)[number];
export const CONV_META_FIELDS: readonly ConvField[] = convFields;

const convConsts = convFields.map((f, i) => `const ${f} = ${GEMM_META + i}u;`).join("\n");

/**
 * Input x [NB, CIN, H, W] of group g, channel ci of the group, at the tap (kh, kw) of output pixel
 * (oh, ow); zero in the padding. Shared by the forward and the weight gradient.
 */
const xTap = (t: string, x: string) => `
fn xTap(g: u32, b: u32, ci: u32, kh: u32, kw: u32, oh: u32, ow: u32) -> ${t} {
  let ih = i32(oh * prm[SH] + kh * prm[DH]) - i32(prm[PT]);
  let iw = i32(ow * prm[SW] + kw * prm[DW]) - i32(prm[PL]);
  if (ih < 0 || iw < 0 || ih >= i32(prm[H]) || iw >= i32(prm[W])) { return ${t}(0); }
  return ${x}[((b * prm[CIN] + g * prm[CING] + ci) * prm[H] + u32(ih)) * prm[W] + u32(iw)];
}`;

/**
 * conv2d: per group g (the GEMM batch), y[co, (n, oh, ow)] = sum over k = (ci, kh, kw) of
 * w[co, k] * x[n, ci, oh*sH - pT + kh*dH, ow*sW - pL + kw*dW]. M = COUTG, N = NB*OH*OW,
 * K = CING*KH*KW. Inputs: src0 = x, src1 = w.
 */
export const conv2dLoaders: GemmLoaders = {
  name: "conv2d",
  code: (t) => `${convConsts}${xTap(t, "src0")}
fn loadA(g: u32, m: u32, k: u32) -> ${t} { return src1[(g * prm[COUTG] + m) * prm[2] + k]; }
fn loadB(g: u32, k: u32, n: u32) -> ${t} {
  let kw = k % prm[KW]; let kh = (k / prm[KW]) % prm[KH]; let ci = k / (prm[KW] * prm[KH]);
  let ow = n % prm[OW]; let oh = (n / prm[OW]) % prm[OH]; let b = n / (prm[OW] * prm[OH]);
  return xTap(g, b, ci, kh, kw, oh, ow);
}
fn storeC(g: u32, m: u32, n: u32, v: ${t}) {
  let ow = n % prm[OW]; let oh = (n / prm[OW]) % prm[OH]; let b = n / (prm[OW] * prm[OH]);
  dst[splitOffset + ((b * prm[COUT] + g * prm[COUTG] + m) * prm[OH] + oh) * prm[OW] + ow] = v;
}`,
};

/**
 * conv2dBackWeight: gw[co, (ci, kh, kw)] = sum over k = (n, oh, ow) of gy[n, co, oh, ow] times the
 * x tap. M = COUTG, N = CING*KH*KW, K = NB*OH*OW. Inputs: src0 = x, src1 = gy.
 */
export const conv2dBackWeightLoaders: GemmLoaders = {
  name: "conv2dBackWeight",
  code: (t) => `${convConsts}${xTap(t, "src0")}
fn loadA(g: u32, m: u32, k: u32) -> ${t} {
  let ow = k % prm[OW]; let oh = (k / prm[OW]) % prm[OH]; let b = k / (prm[OW] * prm[OH]);
  return src1[((b * prm[COUT] + g * prm[COUTG] + m) * prm[OH] + oh) * prm[OW] + ow];
}
fn loadB(g: u32, k: u32, n: u32) -> ${t} {
  let kw = n % prm[KW]; let kh = (n / prm[KW]) % prm[KH]; let ci = n / (prm[KW] * prm[KH]);
  let ow = k % prm[OW]; let oh = (k / prm[OW]) % prm[OH]; let b = k / (prm[OW] * prm[OH]);
  return xTap(g, b, ci, kh, kw, oh, ow);
}
fn storeC(g: u32, m: u32, n: u32, v: ${t}) { dst[splitOffset + (g * prm[COUTG] + m) * prm[1] + n] = v; }`,
};

/**
 * conv2dBackInput: gx[ci, (n, ih, iw)] = sum over k = (co, kh, kw) of w[co, ci, kh, kw] times
 * gy[n, co, oh, ow] for the output pixel whose tap (kh, kw) lands on (ih, iw):
 * oh = (ih + pT - kh*dH) / sH when that is a non-negative integer below OH (else the term is 0).
 * M = CING, N = NB*H*W, K = COUTG*KH*KW. Inputs: src0 = gy, src1 = w.
 */
export const conv2dBackInputLoaders: GemmLoaders = {
  name: "conv2dBackInput",
  code: (t) => `${convConsts}
fn loadA(g: u32, m: u32, k: u32) -> ${t} {
  let kw = k % prm[KW]; let kh = (k / prm[KW]) % prm[KH]; let co = k / (prm[KW] * prm[KH]);
  return src1[(((g * prm[COUTG] + co) * prm[CING] + m) * prm[KH] + kh) * prm[KW] + kw];
}
fn loadB(g: u32, k: u32, n: u32) -> ${t} {
  let kw = k % prm[KW]; let kh = (k / prm[KW]) % prm[KH]; let co = k / (prm[KW] * prm[KH]);
  let iw = n % prm[W]; let ih = (n / prm[W]) % prm[H]; let b = n / (prm[W] * prm[H]);
  let th = i32(ih + prm[PT]) - i32(kh * prm[DH]);
  let tw = i32(iw + prm[PL]) - i32(kw * prm[DW]);
  if (th < 0 || tw < 0) { return ${t}(0); }
  let sh = prm[SH]; let sw = prm[SW];
  if (u32(th) % sh != 0u || u32(tw) % sw != 0u) { return ${t}(0); }
  let oh = u32(th) / sh; let ow = u32(tw) / sw;
  if (oh >= prm[OH] || ow >= prm[OW]) { return ${t}(0); }
  return src0[((b * prm[COUT] + g * prm[COUTG] + co) * prm[OH] + oh) * prm[OW] + ow];
}
fn storeC(g: u32, m: u32, n: u32, v: ${t}) {
  let iw = n % prm[W]; let ih = (n / prm[W]) % prm[H]; let b = n / (prm[W] * prm[H]);
  dst[splitOffset + ((b * prm[CIN] + g * prm[CING] + m) * prm[H] + ih) * prm[W] + iw] = v;
}`,
};
