import { check, COPY, F, output } from "./kernel-calls.js";
import { fastRuntime } from "./workers.js";
import { TRANSPOSE_BAND } from "./wasm/kernels.generated.js";

/** y [batch, cols, rows] = x [batch, rows, cols] transposed, in float32. */
export function transposeF32(x: Float32Array, batch: number, rows: number, cols: number): Float32Array {
  check("transposeF32 x", x, batch * rows * cols);
  if (x.length === 0) return new Float32Array(0);
  const rt = fastRuntime();
  const L = rt.layout(0, [x.length * F, x.length * F]);
  const [xOff, yOff] = L.offsets;
  rt.F32.set(x, xOff / F);
  const p = rt.params("transpose", { x: xOff, y: yOff, rows, cols });
  const y = output(x.length);
  rt.run("transpose", p, batch * Math.ceil(rows / TRANSPOSE_BAND), L.scratch, L.scratchStride, COPY * x.length, y.make);
  return y.take(rt, yOff);
}
