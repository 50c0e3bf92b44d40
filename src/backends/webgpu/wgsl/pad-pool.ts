/**
 * pad and its adjoint, and the max-pooling family. All are gathers (one invocation per output
 * element, no atomics), so every output is written exactly once and results do not depend on
 * scheduling.
 */
import { type GpuDType, bindings, elementMain, scalarHelpers, wgslType } from "./common.js";

export const PAD_MODES = { constant: 0, reflect: 1, replicate: 2, circular: 3 } as const;

/**
 * meta = [count, rank, mode, fill bits, then per dim, outermost first: in, out, before, after]
 * (before and after as i32 bits; negative crops). The index maps are the CPU reference's
 * (src/primitives/pad.ts has the math): reflect and replicate pad from the whole input then crop,
 * circular crops then wraps what is left.
 */
const padAxis = `
fn dimAt(d: u32) -> vec4<i32> {
  let b = 4u + 4u * d;
  return vec4<i32>(i32(prm[b]), i32(prm[b + 1u]), bitcast<i32>(prm[b + 2u]), bitcast<i32>(prm[b + 3u]));
}
// Output position i of a dim (n, out, before, after) copies input position srcIndex(i), or -1: the fill.
fn srcIndex(i: i32, g: vec4<i32>, mode: u32) -> i32 {
  let n = g.x; let before = g.z;
  if (mode == 3u) {
    let c0 = max(-before, 0); let kept = n - c0 - max(-g.w, 0);
    return c0 + (((i - max(before, 0)) % kept) + kept) % kept;
  }
  let t = i - before;
  if (t >= 0 && t < n) { return t; }
  switch mode {
    case 1u: { return select(2 * (n - 1) - t, -t, t < 0); }
    case 2u: { return select(n - 1, 0, t < 0); }
    default: { return -1; }
  }
}
// The output positions of a dim that copy input position h, as up to three runs (start, length).
fn sources(h: i32, g: vec4<i32>, mode: u32) -> array<vec2<i32>, 3> {
  var runs = array<vec2<i32>, 3>(vec2<i32>(0, 0), vec2<i32>(0, 0), vec2<i32>(0, 0));
  let n = g.x; let out = g.y; let before = g.z;
  if (mode == 3u) {
    let c0 = max(-before, 0); let kept = n - c0 - max(-g.w, 0); let k = h - c0;
    if (k < 0 || k >= kept) { return runs; }
    for (var j = 0; j < 3; j++) {
      let p = k + max(before, 0) + (j - 1) * kept;
      if (p >= 0 && p < out) { runs[j] = vec2<i32>(p, 1); }
    }
  } else if (mode == 1u) {
    // t = h itself, its mirror -h before the input, its mirror 2(n-1) - h after it.
    let ts = array<i32, 3>(h, select(h, -h, h > 0), select(h, 2 * (n - 1) - h, h < n - 1));
    for (var j = 0; j < 3; j++) {
      let p = ts[j] + before;
      if ((j == 0 || ts[j] != h) && p >= 0 && p < out) { runs[j] = vec2<i32>(p, 1); }
    }
  } else {
    // constant: t = h; replicate: every t <= 0 copies cell 0 and every t >= n - 1 cell n - 1.
    var lo = h + before; var hi = h + before;
    if (mode == 2u && h == 0) { lo = 0; }
    if (mode == 2u && h == n - 1) { hi = out - 1; }
    lo = max(lo, 0); hi = min(hi, out - 1);
    if (lo <= hi) { runs[0] = vec2<i32>(lo, hi - lo + 1); }
  }
  return runs;
}`;

/** One invocation per output element: the input cell it copies, or the fill. */
export function padShader(t: GpuDType): string {
  const body = `  let rank = prm[1]; let mode = prm[2];
  var rem = idx; var src = 0; var stride = 1; var inside = true;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let g = dimAt(u32(d));
    let s = srcIndex(i32(rem % u32(g.y)), g, mode);
    rem = rem / u32(g.y);
    if (s < 0) { inside = false; }
    src = src + s * stride; stride = stride * g.x;
  }
  var v = bitcast<${wgslType(t)}>(prm[3]);
  if (inside) { v = src0[u32(src)]; }
  dst[idx] = v;`;
  return [bindings(t, [t]), padAxis, elementMain(body)].join("\n");
}

/**
 * The adjoint, for a fixed rank: input cell h sums the output cells that copied it, the product
 * over dims of each dim's runs, walked with an odometer (k[d] counts through dim d's runs).
 */
export function padAdjointShader(t: GpuDType, rank: number): string {
  const body = `  let mode = prm[2];
  var runs: array<array<vec2<i32>, 3>, ${rank}>;
  var total: array<i32, ${rank}>;
  var k: array<i32, ${rank}>;
  var rem = idx;
  var empty = false;
  for (var d = ${rank - 1}; d >= 0; d--) {
    let g = dimAt(u32(d));
    let h = i32(rem % u32(g.x));
    rem = rem / u32(g.x);
    runs[d] = sources(h, g, mode);
    total[d] = runs[d][0].y + runs[d][1].y + runs[d][2].y;
    k[d] = 0;
    if (total[d] == 0) { empty = true; }
  }
  var acc = ${wgslType(t)}(0);
  var more = !empty;
  while (more) {
    var off = 0;
    for (var d = 0; d < ${rank}; d++) {
      var r = 0; var j = k[d];
      while (j >= runs[d][r].y) { j -= runs[d][r].y; r++; }
      off = off * dimAt(u32(d)).y + runs[d][r].x + j;
    }
    acc = acc + src0[u32(off)];
    var d = ${rank - 1};
    loop {
      k[d]++;
      if (k[d] < total[d]) { break; }
      k[d] = 0;
      d--;
      if (d < 0) { more = false; break; }
    }
  }
  dst[idx] = acc;`;
  return [bindings(t, [t]), padAxis, elementMain(body)].join("\n");
}

/**
 * meta = [count, H, W, OH, OW, KH, KW, sH, sW, dH, dW, padTop, padLeft]. The window argmax is the
 * CPU reference's scan exactly: in-range cells in row-major window order, starting at the first
 * in-range cell with best = -Infinity, moving on a strictly greater value or a NaN.
 */
const windowArgmax = (t: string) => `
fn windowArgmax(plane: u32, oh: u32, ow: u32) -> i32 {
  let H = i32(prm[1]); let W = i32(prm[2]);
  var best = lowest();
  var at = -1;
  for (var ki = 0u; ki < prm[5]; ki++) {
    let ih = i32(oh * prm[7] + ki * prm[9]) - i32(prm[11]);
    if (ih < 0 || ih >= H) { continue; }
    for (var kj = 0u; kj < prm[6]; kj++) {
      let iw = i32(ow * prm[8] + kj * prm[10]) - i32(prm[12]);
      if (iw < 0 || iw >= W) { continue; }
      let cell = ih * W + iw;
      let v: ${t} = src0[plane * u32(H * W) + u32(cell)];
      if (at < 0) { at = cell; }
      if (v > best || isNanT(v)) { best = v; at = cell; }
    }
  }
  return at;
}`;

export type PoolKernel = "forward" | "backward" | "select";

export function maxPool2dShader(kind: PoolKernel, t: GpuDType): string {
  const wt = wgslType(t);
  let body: string;
  if (kind === "forward") {
    body = `  let OH = prm[3]; let OW = prm[4];
  let ow = idx % OW; let oh = (idx / OW) % OH; let plane = idx / (OW * OH);
  let at = windowArgmax(plane, oh, ow);
  var v = lowest();
  if (at >= 0) { v = src0[plane * prm[1] * prm[2] + u32(at)]; }
  dst[idx] = v;`;
  } else if (kind === "select") {
    body = `  let OH = prm[3]; let OW = prm[4];
  let ow = idx % OW; let oh = (idx / OW) % OH; let plane = idx / (OW * OH);
  let at = windowArgmax(plane, oh, ow);
  var v = ${wt}(0);
  if (at >= 0) { v = src1[plane * prm[1] * prm[2] + u32(at)]; }
  dst[idx] = v;`;
  } else {
    // Gather form of the scatter gx[argmax(o)] += gy[o]: input cell (ih, iw) visits the windows
    // that contain it (tap ki reaches it from row oh = (ih + padTop - ki*dH) / sH when that divides)
    // and takes gy of those whose argmax it is.
    body = `  let H = prm[1]; let W = prm[2]; let OH = i32(prm[3]); let OW = i32(prm[4]);
  let iw = idx % W; let ih = (idx / W) % H; let plane = idx / (W * H);
  let cell = i32(ih * W + iw);
  var acc = ${wt}(0);
  for (var ki = 0u; ki < prm[5]; ki++) {
    let th = i32(ih + prm[11]) - i32(ki * prm[9]);
    if (th < 0 || th % i32(prm[7]) != 0 || th / i32(prm[7]) >= OH) { continue; }
    let oh = u32(th / i32(prm[7]));
    for (var kj = 0u; kj < prm[6]; kj++) {
      let tw = i32(iw + prm[12]) - i32(kj * prm[10]);
      if (tw < 0 || tw % i32(prm[8]) != 0 || tw / i32(prm[8]) >= OW) { continue; }
      let ow = u32(tw / i32(prm[8]));
      if (windowArgmax(plane, oh, ow) == cell) {
        acc = acc + src1[(plane * u32(OH) + oh) * u32(OW) + ow];
      }
    }
  }
  dst[idx] = acc;`;
  }
  const inputs: GpuDType[] = kind === "forward" ? [t] : [t, t];
  return [bindings(t, inputs), scalarHelpers(t), windowArgmax(wt), elementMain(body)].join("\n");
}
