/**
 * Elementwise kernels. Broadcasting is read through strides (0 along repeated dims), walked with
 * an odometer over the output; equal shapes and scalar operands take a flat loop.
 */
import type { AnyTypedArray, DType } from "../../../types/core.js";
import type { BinaryPrimitive, UnaryPrimitive } from "../../primitives.js";
import { broadcastStrides, numel, sameShape } from "../../runtime/shape.js";
import type { KernelInput, KernelOutput } from "../../backend.js";
import { allocate } from "./arrays.js";

/** erf by Abramowitz-Stegun 7.1.26 is only 1e-7 accurate; this uses W. J. Cody's rational fits (1e-16). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const p = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const q = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return x * p / q;
  }
  if (ax >= 6) return Math.sign(x);
  let r: number;
  if (ax < 4) {
    // Cody's c8 is the leading coefficient of the numerator; c0..c7 follow in Horner order.
    const p = ((((((((2.15311535474403846e-8 * ax + 5.64188496988670089e-1) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725);
    const q = ((((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942);
    r = p / q;
  } else {
    const z = 1 / (ax * ax);
    const p = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z + 1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
    const q = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z + 6.05183413124413191e-2) * z + 2.33520497626869185e-3;
    r = (0.5641895835477563 - z * p / q) / ax;
  }
  const erfc = Math.exp(-ax * ax) * r;
  return x > 0 ? 1 - erfc : erfc - 1;
}

const unaryFns: { readonly [P in UnaryPrimitive]: (x: number) => number } = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x), // keeps NaN and signed zero, as torch.sign
  tanh: Math.tanh,
  // Two branches so that exp never overflows: both forms are exact rewrites of 1/(1+e^-x).
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : x !== x ? x : 0), // NaN propagates, as in PyTorch
  step: (x) => (x > 0 ? 1 : 0),
  erf,
};

const binaryFns: { readonly [P in BinaryPrimitive]: (a: number, b: number) => number } = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  greater: (a, b) => (a > b ? 1 : 0),
  equal: (a, b) => (a === b ? 1 : 0),
};

/** int32 results are truncated toward zero, as a C cast (PyTorch's integer semantics for div are not needed here). */
export function unaryKernel(op: UnaryPrimitive) {
  const f = unaryFns[op];
  return (inputs: readonly KernelInput<AnyTypedArray>[], _p: unknown, out: KernelOutput): AnyTypedArray => {
    const x = inputs[0].storage;
    const y = allocate(out.dtype, x.length);
    for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
    return y;
  };
}

export function binaryKernel(op: BinaryPrimitive) {
  const f = binaryFns[op];
  return (inputs: readonly KernelInput<AnyTypedArray>[], _p: unknown, out: KernelOutput): AnyTypedArray => {
    const [a, b] = inputs;
    const n = numel(out.shape);
    const y = allocate(out.dtype, n);
    const as = a.storage, bs = b.storage;
    if (sameShape(a.shape, b.shape)) {
      for (let i = 0; i < n; i++) y[i] = f(as[i], bs[i]);
    } else if (as.length === 1 && sameShape(b.shape, out.shape)) {
      const s = as[0];
      for (let i = 0; i < n; i++) y[i] = f(s, bs[i]);
    } else if (bs.length === 1 && sameShape(a.shape, out.shape)) {
      const s = bs[0];
      for (let i = 0; i < n; i++) y[i] = f(as[i], s);
    } else {
      walkBroadcast(out.shape, [broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape)], (i, [ia, ib]) => {
        y[i] = f(as[ia], bs[ib]);
      });
    }
    return y;
  };
}

/**
 * Calls `visit(outIndex, inputOffsets)` for every element of `shape` in row-major order, keeping
 * each input's offset up to date incrementally (an odometer: only the dims that roll over move).
 * The innermost dim runs as a plain loop.
 */
export function walkBroadcast(shape: readonly number[], strides: readonly (readonly number[])[], visit: (i: number, offsets: number[]) => void): void {
  const rank = shape.length, n = numel(shape);
  if (n === 0) return;
  const offsets = strides.map(() => 0);
  if (rank === 0) { visit(0, offsets); return; }
  const index = new Array<number>(rank).fill(0);
  const inner = shape[rank - 1];
  const innerStrides = strides.map((s) => s[rank - 1]);
  for (let i = 0; i < n;) {
    const base = offsets.slice();
    for (let k = 0; k < inner; k++, i++) {
      visit(i, offsets);
      for (let j = 0; j < offsets.length; j++) offsets[j] += innerStrides[j];
    }
    for (let j = 0; j < offsets.length; j++) offsets[j] = base[j];
    // carry into the outer dims
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      for (let j = 0; j < offsets.length; j++) offsets[j] += strides[j][d];
      if (index[d] < shape[d]) break;
      for (let j = 0; j < offsets.length; j++) offsets[j] -= strides[j][d] * shape[d];
      index[d] = 0;
    }
  }
}

/** Converts between dtypes; float to int32 truncates toward zero (as PyTorch's .to(torch.int32)). */
export function castArray(x: AnyTypedArray, dtype: DType): AnyTypedArray {
  const y = allocate(dtype, x.length);
  if (dtype === "int32") for (let i = 0; i < x.length; i++) y[i] = Math.trunc(x[i]);
  else y.set(x);
  return y;
}
