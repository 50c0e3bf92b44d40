/**
 * matmul on the CPU: float32 on the fast WebAssembly GEMM (any size: it falls back on the
 * reference for what it does not serve), int32 exact, float64 on the reference loop.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { KernelTable } from "../../backend.js";
import type { MatmulParams } from "../../primitives/index.js";
import { numel } from "../../runtime/shape.js";
import { allocate } from "./arrays.js";
import * as fast from "./fast/index.js";
import { bothF32 } from "./float.js";
import { toInt32 } from "./reduce.js";

/** Batched [.., M, K] x [.., K, N] in i-k-j order, so the inner loop streams rows of b and y. */
function matmulReference(
  a: AnyTypedArray,
  b: AnyTypedArray,
  y: AnyTypedArray,
  batch: number,
  m: number,
  k: number,
  n: number,
): void {
  for (let t = 0; t < batch; t++) {
    const ao = t * m * k,
      bo = t * k * n,
      yo = t * m * n;
    for (let i = 0; i < m; i++) {
      for (let kk = 0; kk < k; kk++) {
        const aik = a[ao + i * k + kk];
        const br = bo + kk * n,
          yr = yo + i * n;
        for (let j = 0; j < n; j++) y[yr + j] += aik * b[br + j];
      }
    }
  }
}

/**
 * int32 matmul, exact, refused when a result leaves int32 (as int32Sum). Products reach 2^62, past
 * float64's 2^53: when |a| max * |b| max * k stays below 2^53 every product and partial sum is
 * exact in float64; otherwise each output is summed in BigInt.
 */
function int32Matmul(a: Int32Array, b: Int32Array, batch: number, m: number, k: number, n: number): Int32Array {
  const y = new Int32Array(batch * m * n);
  let amax = 0,
    bmax = 0;
  for (let i = 0; i < a.length; i++) amax = Math.max(amax, Math.abs(a[i]));
  for (let i = 0; i < b.length; i++) bmax = Math.max(bmax, Math.abs(b[i]));
  const exact = amax * bmax * k < 2 ** 53;
  const row = new Float64Array(n);
  for (let t = 0; t < batch; t++) {
    const ao = t * m * k,
      bo = t * k * n,
      yo = t * m * n;
    for (let i = 0; i < m; i++) {
      if (exact) {
        row.fill(0);
        for (let kk = 0; kk < k; kk++) {
          const aik = a[ao + i * k + kk],
            br = bo + kk * n;
          for (let j = 0; j < n; j++) row[j] += aik * b[br + j];
        }
      }
      for (let j = 0; j < n; j++) {
        let total: number | bigint = row[j];
        if (!exact) {
          let big = 0n;
          for (let kk = 0; kk < k; kk++) big += BigInt(a[ao + i * k + kk]) * BigInt(b[bo + kk * n + j]);
          total = big;
        }
        y[yo + i * n + j] = toInt32("matmul", total, yo + i * n + j);
      }
    }
  }
  return y;
}

export const matmulKernels: Pick<KernelTable<AnyTypedArray>, keyof MatmulParams> = {
  matmul: ([a, b], _p, out) => {
    const r = a.shape.length;
    const m = a.shape[r - 2],
      k = a.shape[r - 1],
      n = b.shape[r - 1];
    const batch = numel(a.shape.slice(0, r - 2));
    const f32 = bothF32(a, b);
    if (f32) {
      return fast.matmulAnySize(...f32, batch, m, k, n, (a32, b32, ...mkn) => {
        const y = allocate("float32", mkn[0] * mkn[1] * mkn[3]) as Float32Array;
        matmulReference(a32, b32, y, ...mkn);
        return y;
      });
    }
    if (a.storage instanceof Int32Array) return int32Matmul(a.storage, b.storage as Int32Array, batch, m, k, n);
    const y = allocate(out.dtype, numel(out.shape));
    matmulReference(a.storage, b.storage, y, batch, m, k, n);
    return y;
  },
};
