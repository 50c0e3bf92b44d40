import type { AnyTypedArray } from "../../../types/core.js";
import type { PrimitiveParams } from "../../primitives.js";
import type { KernelInput, KernelOutput } from "../../backend.js";
import { broadcastStrides, numel, stridesOf } from "../../runtime/shape.js";
import { allocate } from "./arrays.js";
import { forEachRun } from "./strided.js";

/** Reading the input through permuted strides while writing the output in order. */
export function permuteKernel([x]: readonly KernelInput<AnyTypedArray>[], p: PrimitiveParams["permute"], out: KernelOutput): AnyTypedArray {
  const inStrides = stridesOf(x.shape);
  const y = allocate(out.dtype, numel(out.shape));
  const xs = x.storage;
  forEachRun(out.shape, [p.perm.map((d) => inStrides[d])], (i, [o], len, [s]) => {
    for (let k = 0; k < len; k++) y[i + k] = xs[o + k * s];
  });
  return y;
}

export function expandKernel([x]: readonly KernelInput<AnyTypedArray>[], _p: PrimitiveParams["expand"], out: KernelOutput): AnyTypedArray {
  const y = allocate(out.dtype, numel(out.shape));
  const xs = x.storage;
  forEachRun(out.shape, [broadcastStrides(x.shape, out.shape)], (i, [o], len, [s]) => {
    for (let k = 0; k < len; k++) y[i + k] = xs[o + k * s];
  });
  return y;
}

/** Batched [.., M, K] x [.., K, N] in i-k-j order, so the inner loop streams rows of b and y. */
export function matmulReference(a: AnyTypedArray, b: AnyTypedArray, y: AnyTypedArray, batch: number, m: number, k: number, n: number): void {
  for (let t = 0; t < batch; t++) {
    const ao = t * m * k, bo = t * k * n, yo = t * m * n;
    for (let i = 0; i < m; i++) {
      for (let kk = 0; kk < k; kk++) {
        const aik = a[ao + i * k + kk];
        const br = bo + kk * n, yr = yo + i * n;
        for (let j = 0; j < n; j++) y[yr + j] += aik * b[br + j];
      }
    }
  }
}
