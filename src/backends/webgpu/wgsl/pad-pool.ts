/**
 * pad2d and its adjoint, and the max-pooling family. All are gathers (one invocation per output
 * element, no atomics), so every output is written exactly once and results do not depend on
 * scheduling.
 */
import { type GpuDType, bindings, elementMain, scalarHelpers, wgslType } from "./common.js";

export const PAD_MODES = { zeros: 0, reflect: 1, replicate: 2, circular: 3 } as const;

/**
 * meta = [count, H, W, top, bottom, left, right, mode]. Along one axis of size n padded by lo
 * before and hi after, padded position lo + t copies input position src(t) (docs of the CPU
 * reference: reflect mirrors without repeating the edge, replicate clamps, circular wraps).
 */
const padAxis = `
fn srcIndex(t: i32, n: i32, mode: u32) -> i32 {
  if (t >= 0 && t < n) { return t; }
  switch mode {
    case 1u: { return select(2 * (n - 1) - t, -t, t < 0); }
    case 2u: { return select(n - 1, 0, t < 0); }
    case 3u: { return ((t % n) + n) % n; }
    default: { return -1; }
  }
}
// The padded positions (in input coordinates t, padded index lo + t) whose source is h, as three
// runs (start, length): the copy of h itself, the run in the leading pad, the run in the trailing
// pad. The regions are disjoint, so no position is counted twice.
fn sources(h: i32, n: i32, lo: i32, hi: i32, mode: u32) -> array<vec2<i32>, 3> {
  var runs = array<vec2<i32>, 3>(vec2<i32>(h, 1), vec2<i32>(0, 0), vec2<i32>(0, 0));
  if (mode == 1u) {
    if (h >= 1 && h <= lo) { runs[1] = vec2<i32>(-h, 1); }
    let t = 2 * (n - 1) - h;
    if (t >= n && t < n + hi) { runs[2] = vec2<i32>(t, 1); }
  } else if (mode == 2u) {
    if (h == 0) { runs[1] = vec2<i32>(-lo, lo); }
    if (h == n - 1) { runs[2] = vec2<i32>(n, hi); }
  } else if (mode == 3u) {
    if (h - n >= -lo) { runs[1] = vec2<i32>(h - n, 1); }
    if (h + n < n + hi) { runs[2] = vec2<i32>(h + n, 1); }
  }
  return runs;
}`;

export function pad2dShader(t: GpuDType): string {
  const body = `  let H = i32(prm[1]); let W = i32(prm[2]);
  let top = i32(prm[3]); let left = i32(prm[5]); let mode = prm[7];
  let PH = H + top + i32(prm[4]); let PW = W + left + i32(prm[6]);
  let i = i32(idx);
  let x = i % PW; let y = (i / PW) % PH; let plane = i / (PW * PH);
  let sy = srcIndex(y - top, H, mode);
  let sx = srcIndex(x - left, W, mode);
  var v = ${wgslType(t)}(0);
  if (sy >= 0 && sx >= 0) { v = src0[u32((plane * H + sy) * W + sx)]; }
  dst[idx] = v;`;
  return [bindings(t, [t]), padAxis, elementMain(body)].join("\n");
}

/** The adjoint: input cell (h, w) sums every padded cell that copied it. */
export function pad2dAdjointShader(t: GpuDType): string {
  const body = `  let H = i32(prm[1]); let W = i32(prm[2]);
  let top = i32(prm[3]); let bottom = i32(prm[4]); let left = i32(prm[5]); let right = i32(prm[6]);
  let mode = prm[7];
  let PH = H + top + bottom; let PW = W + left + right;
  let i = i32(idx);
  let w = i % W; let h = (i / W) % H; let plane = i / (W * H);
  let rows = sources(h, H, top, bottom, mode);
  let cols = sources(w, W, left, right, mode);
  var acc = ${wgslType(t)}(0);
  for (var a = 0; a < 3; a++) {
    for (var ry = rows[a].x; ry < rows[a].x + rows[a].y; ry++) {
      for (var b = 0; b < 3; b++) {
        for (var rx = cols[b].x; rx < cols[b].x + cols[b].y; rx++) {
          acc = acc + src0[u32((plane * PH + ry + top) * PW + rx + left)];
        }
      }
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
