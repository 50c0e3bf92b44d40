/**
 * interpolate's fast float32 calls (the interp_fwd and interp_adj kernels of scripts/wasm/gen-wat.mjs):
 * the loops of ../interpolate.ts with the same float64 intermediates, in WebAssembly, the
 * contiguous pass two float64 lanes at a time and the planes shared with the workers. Their
 * results equal those loops' bit for bit (test/fast/interpolate.test.ts).
 */
import type { InterpolateGeometry, InterpolationTaps } from "../../../primitives/index.js";
import { check, COPY, F, output, planeItems } from "./kernel-calls.js";
import { fastRuntime } from "./workers.js";

/** The taps of both axes (interpolationTaps of p.height and p.width), which the caller computes. */
export interface AxisTaps {
  readonly rows: InterpolationTaps;
  readonly cols: InterpolationTaps;
}

/**
 * One call of either kernel, over planes of the input or the output size. Work counts as a copy
 * per float read and written plus one per value of the first pass.
 */
function run(
  kernel: "interp_fwd" | "interp_adj",
  p: InterpolateGeometry,
  { rows, cols }: AxisTaps,
  src: Float32Array,
): Float32Array {
  const { in: H, out: OH } = p.height,
    { in: W, out: OW } = p.width;
  const forward = kernel === "interp_fwd";
  const [fromPlane, toPlane] = forward ? [H * W, OH * OW] : [OH * OW, H * W];
  const planes = fromPlane === 0 ? 0 : src.length / fromPlane;
  check(`${kernel} input`, src, planes * fromPlane);
  const n = planes * toPlane;
  if (n === 0) return new Float32Array(n);
  const rt = fastRuntime();
  // scratch: t [H, OW] in float64, then (adjoint) one float64 row of W
  const L = rt.layout((H * OW + W) * 8, [src.length * F, n * F, 2 * (OW + OH) * 4, 2 * (OW + OH) * 8]);
  const [xOff, yOff, iOff, wOff] = L.offsets;
  rt.F32.set(src, xOff / F);
  let at = iOff / 4;
  for (const table of [cols.i0, cols.i1, rows.i0, rows.i1]) {
    rt.I32.set(table, at);
    at += table.length;
  }
  const f64 = new Float64Array(rt.F32.buffer, wOff, 2 * (OW + OH));
  f64.set(cols.lambda.map((l) => 1 - l));
  f64.set(cols.lambda, OW);
  f64.set(
    rows.lambda.map((l) => 1 - l),
    2 * OW,
  );
  f64.set(rows.lambda, 2 * OW + OH);
  const job = planeItems(planes, Math.max(fromPlane, toPlane));
  const params = rt.params(kernel, {
    x: xOff,
    y: yOff,
    a: iOff,
    inH: H,
    inW: W,
    outH: OH,
    outW: OW,
    weights: wOff,
    nearest: p.mode === "nearest" ? 1 : 0,
    ...job.fields,
  });
  const y = output(n);
  rt.run(kernel, params, job.items, L.scratch, L.scratchStride, COPY * (src.length + n + planes * H * OW), y.make);
  return y.take(rt, yOff);
}

/** y [N, C, outH, outW] from float32 x [N, C, H, W]. */
export const interpolateF32 = (p: InterpolateGeometry, taps: AxisTaps, x: Float32Array): Float32Array =>
  run("interp_fwd", p, taps, x);

/** gx [N, C, H, W] from float32 g [N, C, outH, outW]: the forward's adjoint. */
export const interpolateAdjointF32 = (p: InterpolateGeometry, taps: AxisTaps, g: Float32Array): Float32Array =>
  run("interp_adj", p, taps, g);
