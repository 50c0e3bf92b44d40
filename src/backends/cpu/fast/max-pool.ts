/** Max pooling's fast float32 calls: the windows' search (maxima and argmax) and the gradient's scatter. */
import type { Pool2dGeometry } from "../../../primitives/index.js";
import { allocateForOverwrite } from "../arrays.js";
import { check, COPY, F, output, planeItems } from "./kernel-calls.js";
import { layoutOverInputs } from "./resident-input.js";
import { fastRuntime } from "./workers.js";
import { EDGE_BYTES } from "./wasm/kernels.generated.js";

/** The in-range taps of every window row and column (reference/pool2d.ts windowTaps). */
export interface WindowTaps {
  rowStart: Int32Array;
  rowLo: Int32Array;
  rowHi: Int32Array;
  colStart: Int32Array;
  colLo: Int32Array;
  colHi: Int32Array;
}

/** MaxPool2d(2)'s windows (2x2 at stride 2, no padding), each whole inside x (ceil mode may add a
 * last one that is not): the vector paths of pool_argmax (mode 1) and pool_scatter_2x2. */
function wholeTwoByTwo(p: Pool2dGeometry): boolean {
  return (
    p.kernelHeight === 2 &&
    p.kernelWidth === 2 &&
    p.strideH === 2 &&
    p.strideW === 2 &&
    p.dilationH === 1 &&
    p.dilationW === 1 &&
    p.padTop === 0 &&
    p.padLeft === 0 &&
    2 * p.outHeight <= p.inHeight &&
    2 * p.outWidth <= p.inWidth
  );
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
  const fields = { x: gOff, a: aOff, y: dOff, inH: p.inHeight, inW: p.inWidth, outH: p.outHeight, outW: p.outWidth };
  // MaxPool2d(2): four windows a vector step, each dx cell stored once, where pool_scatter zeroes
  // the planes and then loads, adds and stores per window: 1.96% -> 1.49% of the demo step's CPU
  // samples (perf, 1 thread, load 13)
  const vector = wholeTwoByTwo(p);
  const kernel = vector ? "pool_scatter_2x2" : "pool_scatter";
  const params = vector
    ? rt.params("pool_scatter_2x2", {
        ...fields,
        ...job.fields,
        fill: 2 * p.outHeight < p.inHeight || 2 * p.outWidth < p.inWidth ? 1 : 0,
      })
    : rt.params("pool_scatter", { ...fields, ...job.fields });
  const dx = output(n);
  rt.run(kernel, params, job.items, L.scratch, L.scratchStride, COPY * n, dx.make);
  return dx.take(rt, dOff);
}

/**
 * Max pooling over float32 x [N, C, H, W] (see reference maxPool2dArgmax, whose rules and results
 * it matches exactly): `argmax`, flat indices into x per window (-1 for a window with no tap
 * inside), and `y`, the maxima (x at the argmax, -inf for an empty window). `t` is windowTaps(p).
 */
export function maxPool2dF32(
  p: Pool2dGeometry,
  x: Float32Array,
  t: WindowTaps,
): { argmax: Int32Array; y: Float32Array } {
  const planes = p.batch * p.channels;
  check("maxPool2dF32 x", x, planes * p.inHeight * p.inWidth);
  const n = planes * p.outHeight * p.outWidth;
  if (n === 0) return { argmax: new Int32Array(0), y: new Float32Array(0) };
  const tables = [t.rowStart, t.rowLo, t.rowHi, t.colStart, t.colLo, t.colHi];
  const rt = fastRuntime();
  // a conv's output the pool follows is usually still in the memory: read it there
  const {
    inputOffsets: [xOff],
    offsets: [tOff, iOff, yOff],
    L,
  } = layoutOverInputs(rt, EDGE_BYTES, [x], [3 * (p.outHeight + p.outWidth) * 4, n * 4, n * F]);
  let at = tOff / 4;
  for (const table of tables) {
    rt.I32.set(table, at);
    at += table.length;
  }
  const twoByTwo = wholeTwoByTwo(p);
  // three columns at stride 2 (ResNet's stem, 3x3 stride 2 padding 1): its windows with every column
  // inside x four at a time, ~4x the scalar windows' ~7 ns per tap (issue 23)
  const threeWide = p.kernelWidth === 3 && p.strideW === 2 && p.dilationW === 1;
  const job = planeItems(planes, p.inHeight * p.inWidth);
  const params = rt.params("pool_argmax", {
    x: xOff,
    a: tOff,
    y: iOff,
    inH: p.inHeight,
    inW: p.inWidth,
    outH: p.outHeight,
    outW: p.outWidth,
    dH: p.dilationH,
    dW: p.dilationW,
    mode: twoByTwo ? 1 : threeWide ? 2 : 0,
    maxima: yOff,
    ...job.fields,
  });
  // ~6 instructions per tap, as many as ~16 FLOPs of the GEMM
  const y = output(n);
  rt.run("pool_argmax", params, job.items, L.scratch, L.scratchStride, 16 * n * p.kernelHeight * p.kernelWidth, y.make);
  const argmax = allocateForOverwrite("int32", n) as Int32Array;
  argmax.set(rt.I32.subarray(iOff / 4, iOff / 4 + n));
  return { argmax, y: y.take(rt, yOff) };
}
