import { check, F, output, PACK, ru, split } from "./kernel-calls.js";
import { fastRuntime } from "./workers.js";
import { EDGE_BYTES, KC, MR } from "./wasm/kernels.generated.js";

/** C[b] = A[b] B[b] for row-major A [batch, m, k] and B [batch, k, n]; returns [batch, m, n]. */
export function matmulF32(
  a: Float32Array,
  b: Float32Array,
  batch: number,
  m: number,
  k: number,
  n: number,
): Float32Array {
  check("matmulF32 a", a, batch * m * k);
  check("matmulF32 b", b, batch * k * n);
  const cSize = batch * m * n;
  if (cSize === 0) return new Float32Array(0);
  if (k === 0) return new Float32Array(cSize);
  const rt = fastRuntime();
  const sp = split(rt, batch, n, m);
  const aSize = batch * ru(m, MR) * k;
  const L = rt.layout(EDGE_BYTES + KC * sp.block * F, [a.length * F, b.length * F, aSize * F, cSize * F]);
  const [aOff, bOff, pOff, cOff] = L.offsets;
  const f32 = rt.F32;
  f32.set(a, aOff / F);
  f32.set(b, bOff / F);
  if (m % MR === 0) {
    const p = rt.params("pack_a", { x: aOff, y: pOff, rows: batch * m, depth: k, rowStride: k, colStride: 1 });
    rt.run("pack_a", p, (batch * m) / MR, L.scratch, L.scratchStride, PACK * aSize);
  } else {
    for (let i = 0; i < batch; i++) {
      const p = rt.params("pack_a", {
        x: aOff + i * m * k * F,
        y: pOff + i * ru(m, MR) * k * F,
        rows: m,
        depth: k,
        rowStride: k,
        colStride: 1,
      });
      rt.run("pack_a", p, Math.ceil(m / MR), L.scratch, L.scratchStride, PACK * m * k);
    }
  }
  const p = rt.params("matmul", {
    x: bOff,
    a: pOff,
    y: cOff,
    block: sp.block,
    nBlocks: sp.nBlocks,
    m,
    k,
    n,
    rowsPerBlock: sp.rows,
    rowBlocks: sp.mBlocks,
  });
  const c = output(cSize);
  rt.run("matmul", p, batch * sp.nBlocks * sp.mBlocks, L.scratch, L.scratchStride, 2 * batch * m * k * n, c.make);
  return c.take(rt, cOff);
}
