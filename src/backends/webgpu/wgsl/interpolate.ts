/**
 * interpolate and its adjoint: both gathers, one invocation per element of the result, so no
 * atomics and no dependence on scheduling. The taps come from the host (the tables of
 * src/primitives/interpolate.ts, λ as float32 bits) in the parameter buffer:
 *   prm = [count, H, W, OH, OW, bilinear,
 *          i0h[OH], i1h[OH], λh[OH], i0w[OW], i1w[OW], λw[OW],
 *          (adjoint only) startH[H], endH[H], startW[W], endW[W]]
 * where [start, end) along an axis are the output positions that read input position h (i0 or
 * i1 equals h): a contiguous run, since i0 and i1 never decrease with the output position.
 */
import { type GpuDType, bindings, elementMain, wgslType } from "./common.js";

const HEADER = 6;

const tables = `
fn i0h(p: i32) -> i32 { return i32(prm[${HEADER}u + u32(p)]); }
fn i1h(p: i32) -> i32 { return i32(prm[${HEADER}u + prm[3] + u32(p)]); }
fn lh(p: i32) -> f32 { return bitcast<f32>(prm[${HEADER}u + 2u * prm[3] + u32(p)]); }
fn wbase() -> u32 { return ${HEADER}u + 3u * prm[3]; }
fn i0w(q: i32) -> i32 { return i32(prm[wbase() + u32(q)]); }
fn i1w(q: i32) -> i32 { return i32(prm[wbase() + prm[4] + u32(q)]); }
fn lw(q: i32) -> f32 { return bitcast<f32>(prm[wbase() + 2u * prm[4] + u32(q)]); }
// The weight output position p of an axis gives input position h: 1 - λ from i0, λ from i1.
fn weight(a: i32, b: i32, l: f32, h: i32) -> f32 {
  return select(0.0, 1.0 - l, a == h) + select(0.0, l, b == h);
}`;

export function interpolateShader(t: GpuDType): string {
  const T = wgslType(t);
  const body = `  let H = i32(prm[1]); let W = i32(prm[2]); let OH = i32(prm[3]); let OW = i32(prm[4]);
  let i = i32(idx);
  let q = i % OW; let p = (i / OW) % OH; let plane = i / (OW * OH);
  let base = plane * H * W;
  let r0 = base + i0h(p) * W; let c0 = i0w(q);
  if (prm[5] == 0u) { dst[idx] = src0[u32(r0 + c0)]; return; }
  let r1 = base + i1h(p) * W; let c1 = i1w(q);
  let h1 = lh(p); let w1 = lw(q);
  let h0 = 1.0 - h1; let w0 = 1.0 - w1;
  dst[idx] = ${T}(h0 * (w0 * f32(src0[u32(r0 + c0)]) + w1 * f32(src0[u32(r0 + c1)]))
             + h1 * (w0 * f32(src0[u32(r1 + c0)]) + w1 * f32(src0[u32(r1 + c1)])));`;
  return [bindings(t, [t]), tables, elementMain(body)].join("\n");
}

export function interpolateAdjointShader(t: GpuDType): string {
  const T = wgslType(t);
  const body = `  let H = i32(prm[1]); let W = i32(prm[2]); let OH = i32(prm[3]); let OW = i32(prm[4]);
  let ranges = wbase() + 3u * prm[4];
  let i = i32(idx);
  let w = i % W; let h = (i / W) % H; let plane = i / (W * H);
  let ps = i32(prm[ranges + u32(h)]); let pe = i32(prm[ranges + u32(H + h)]);
  let qs = i32(prm[ranges + u32(2 * H + w)]); let qe = i32(prm[ranges + u32(2 * H + W + w)]);
  var acc = 0.0;
  for (var p = ps; p < pe; p++) {
    let wh = weight(i0h(p), i1h(p), lh(p), h);
    let row = (plane * OH + p) * OW;
    var s = 0.0;
    for (var q = qs; q < qe; q++) {
      s = s + weight(i0w(q), i1w(q), lw(q), w) * f32(src0[u32(row + q)]);
    }
    acc = acc + wh * s;
  }
  dst[idx] = ${T}(acc);`;
  return [bindings(t, [t]), tables, elementMain(body)].join("\n");
}
