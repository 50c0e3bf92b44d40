/**
 * Elementwise kernels. Broadcasting is read through strides (0 along repeated dims), walked with
 * an odometer over the output; equal shapes and scalar operands take a flat loop.
 */
import type { AnyTypedArray, DType } from "../../../types/core.js";
import type { BinaryPrimitive, UnaryPrimitive } from "../../primitives/index.js";
import { broadcastStrides, numel, sameShape } from "../../runtime/shape.js";
import { forEachRun } from "./strided.js";
import type { KernelInput, KernelOutput, KernelTable } from "../../backend.js";
import { allocateForOverwrite } from "./arrays.js";

/** erf by Abramowitz-Stegun 7.1.26 is only 1e-7 accurate; this uses W. J. Cody's rational fits (1e-16). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const p =
      (((0.185777706184603153 * t + 3.1611237438705656) * t + 113.864154151050156) * t + 377.485237685302021) * t +
      3209.37758913846947;
    const q =
      (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * p) / q;
  }
  if (ax >= 6) return Math.sign(x);
  let r: number;
  if (ax < 4) {
    // Cody's c8 is the leading coefficient of the numerator; c0..c7 follow in Horner order.
    const p =
      (((((((2.15311535474403846e-8 * ax + 5.64188496988670089e-1) * ax + 8.88314979438837594) * ax +
        66.1191906371416295) *
        ax +
        298.635138197400131) *
        ax +
        881.95222124176909) *
        ax +
        1712.04761263407058) *
        ax +
        2051.07837782607147) *
        ax +
      1230.33935479799725;
    const q =
      (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax +
        1621.38957456669019) *
        ax +
        3290.79923573345963) *
        ax +
        4362.61909014324716) *
        ax +
        3439.36767414372164) *
        ax +
      1230.33935480374942;
    r = p / q;
  } else {
    const z = 1 / (ax * ax);
    const p =
      ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z +
        1.25781726111229246e-1) *
        z +
        1.60837851487422766e-2) *
        z +
      6.58749161529837803e-4;
    const q =
      ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 5.27905102951428412e-1) * z +
        6.05183413124413191e-2) *
        z +
      2.33520497626869185e-3;
    r = (0.5641895835477563 - (z * p) / q) / ax;
  }
  const erfc = Math.exp(-ax * ax) * r;
  return x > 0 ? 1 - erfc : erfc - 1;
}

type Arr = AnyTypedArray;

/**
 * One explicit loop per op: a shared per-element closure would be megamorphic (one call site for
 * every op) and V8 would not inline it, costing several times the arithmetic.
 */
function unaryLoop(op: UnaryPrimitive, x: Arr, y: Arr, n: number): void {
  switch (op) {
    case "neg":
      for (let i = 0; i < n; i++) y[i] = -x[i];
      return;
    case "exp":
      for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]);
      return;
    case "log":
      for (let i = 0; i < n; i++) y[i] = Math.log(x[i]);
      return;
    case "sqrt":
      for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]);
      return;
    case "abs":
      for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]);
      return;
    // keeps NaN and signed zero, as torch.sign
    case "sign":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 ? 1 : v < 0 ? -1 : v;
      }
      return;
    case "tanh":
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
      return;
    // Two branches so that exp never overflows: both are exact rewrites of 1 / (1 + e^-x).
    case "sigmoid":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          y[i] = e / (1 + e);
        }
      }
      return;
    // NaN propagates, as in PyTorch
    case "relu":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 || v !== v ? v : 0;
      }
      return;
    case "erf":
      for (let i = 0; i < n; i++) y[i] = erf(x[i]);
      return;
  }
}

/** y[yo + k] = a[ao + k sa] op b[bo + k sb] for k < len (sa, sb are 0 for a broadcast operand). */
function binaryRun(
  op: BinaryPrimitive,
  y: Arr,
  yo: number,
  a: Arr,
  ao: number,
  sa: number,
  b: Arr,
  bo: number,
  sb: number,
  len: number,
): void {
  switch (op) {
    case "add":
      for (let k = 0; k < len; k++) y[yo + k] = a[ao + k * sa] + b[bo + k * sb];
      return;
    case "sub":
      for (let k = 0; k < len; k++) y[yo + k] = a[ao + k * sa] - b[bo + k * sb];
      return;
    case "mul":
      for (let k = 0; k < len; k++) y[yo + k] = a[ao + k * sa] * b[bo + k * sb];
      return;
    case "div":
      for (let k = 0; k < len; k++) y[yo + k] = a[ao + k * sa] / b[bo + k * sb];
      return;
    case "maximum":
      for (let k = 0; k < len; k++) {
        const u = a[ao + k * sa],
          v = b[bo + k * sb];
        y[yo + k] = u !== u || v !== v ? NaN : u > v ? u : v;
      }
      return;
    case "greater":
      for (let k = 0; k < len; k++) y[yo + k] = a[ao + k * sa] > b[bo + k * sb] ? 1 : 0;
      return;
    case "equal":
      for (let k = 0; k < len; k++) y[yo + k] = a[ao + k * sa] === b[bo + k * sb] ? 1 : 0;
      return;
    case "reluBackward":
      for (let k = 0; k < len; k++) {
        const v = a[ao + k * sa];
        y[yo + k] = v > 0 || v !== v ? b[bo + k * sb] : 0;
      }
      return;
  }
}

/** The four arithmetic ops, whose float32 results have their own loops (binaryRunF32). */
type Arithmetic = "add" | "sub" | "mul" | "div";
const isArithmetic = (op: BinaryPrimitive): op is Arithmetic =>
  op === "add" || op === "sub" || op === "mul" || op === "div";

/**
 * binaryRun of float32 add/sub/mul/div, with every operand a Float32Array so the loads and stores
 * are monomorphic (binaryRun sees every dtype and V8 compiles its element accesses generically:
 * ~5 ns an element on 1,000 elements, ~0.4 ns here), and the two strides the graph produces taken
 * apart: both contiguous (same shapes, or the contiguous part of a broadcast), and one operand
 * constant along the run (a conv bias, a per-channel scale), read once. The arithmetic is
 * binaryRun's: a double op of two floats rounded once to float32 is the float32 op (the double
 * result has more than 2 x 24 + 2 bits), so the results are the same bits.
 */
function binaryRunF32(
  op: Arithmetic,
  y: Float32Array,
  yo: number,
  a: Float32Array,
  ao: number,
  sa: number,
  b: Float32Array,
  bo: number,
  sb: number,
  len: number,
): void {
  if (sa === 1 && sb === 1) {
    switch (op) {
      case "add":
        for (let k = 0; k < len; k++) y[yo + k] = a[ao + k] + b[bo + k];
        return;
      case "sub":
        for (let k = 0; k < len; k++) y[yo + k] = a[ao + k] - b[bo + k];
        return;
      case "mul":
        for (let k = 0; k < len; k++) y[yo + k] = a[ao + k] * b[bo + k];
        return;
      case "div":
        for (let k = 0; k < len; k++) y[yo + k] = a[ao + k] / b[bo + k];
        return;
    }
  }
  if (sa === 1 && sb === 0) {
    const v = b[bo];
    switch (op) {
      case "add":
        for (let k = 0; k < len; k++) y[yo + k] = a[ao + k] + v;
        return;
      case "sub":
        for (let k = 0; k < len; k++) y[yo + k] = a[ao + k] - v;
        return;
      case "mul":
        for (let k = 0; k < len; k++) y[yo + k] = a[ao + k] * v;
        return;
      case "div":
        for (let k = 0; k < len; k++) y[yo + k] = a[ao + k] / v;
        return;
    }
  }
  if (sa === 0 && sb === 1) {
    const u = a[ao];
    switch (op) {
      case "add":
        for (let k = 0; k < len; k++) y[yo + k] = u + b[bo + k];
        return;
      case "sub":
        for (let k = 0; k < len; k++) y[yo + k] = u - b[bo + k];
        return;
      case "mul":
        for (let k = 0; k < len; k++) y[yo + k] = u * b[bo + k];
        return;
      case "div":
        for (let k = 0; k < len; k++) y[yo + k] = u / b[bo + k];
        return;
    }
  }
  binaryRun(op, y, yo, a, ao, sa, b, bo, sb, len);
}

/**
 * binaryRunF32 of equal shapes (offsets 0, both contiguous), eight elements a round: the plain
 * loop pays a loop test and three bounds checks per element; unrolled, a float32 add of 1,000
 * elements took 0.8 ns an element instead of 1.8 (CPU time, loaded machine), and with the offsets
 * of binaryRunF32 kept 1.1. Same operations on the same elements: the same bits.
 */
function sameShapeF32(op: Arithmetic, y: Float32Array, a: Float32Array, b: Float32Array): void {
  const n = y.length;
  let k = 0;
  switch (op) {
    case "add":
      for (; k + 8 <= n; k += 8) {
        y[k] = a[k] + b[k];
        y[k + 1] = a[k + 1] + b[k + 1];
        y[k + 2] = a[k + 2] + b[k + 2];
        y[k + 3] = a[k + 3] + b[k + 3];
        y[k + 4] = a[k + 4] + b[k + 4];
        y[k + 5] = a[k + 5] + b[k + 5];
        y[k + 6] = a[k + 6] + b[k + 6];
        y[k + 7] = a[k + 7] + b[k + 7];
      }
      for (; k < n; k++) y[k] = a[k] + b[k];
      return;
    case "sub":
      for (; k + 8 <= n; k += 8) {
        y[k] = a[k] - b[k];
        y[k + 1] = a[k + 1] - b[k + 1];
        y[k + 2] = a[k + 2] - b[k + 2];
        y[k + 3] = a[k + 3] - b[k + 3];
        y[k + 4] = a[k + 4] - b[k + 4];
        y[k + 5] = a[k + 5] - b[k + 5];
        y[k + 6] = a[k + 6] - b[k + 6];
        y[k + 7] = a[k + 7] - b[k + 7];
      }
      for (; k < n; k++) y[k] = a[k] - b[k];
      return;
    case "mul":
      for (; k + 8 <= n; k += 8) {
        y[k] = a[k] * b[k];
        y[k + 1] = a[k + 1] * b[k + 1];
        y[k + 2] = a[k + 2] * b[k + 2];
        y[k + 3] = a[k + 3] * b[k + 3];
        y[k + 4] = a[k + 4] * b[k + 4];
        y[k + 5] = a[k + 5] * b[k + 5];
        y[k + 6] = a[k + 6] * b[k + 6];
        y[k + 7] = a[k + 7] * b[k + 7];
      }
      for (; k < n; k++) y[k] = a[k] * b[k];
      return;
    case "div":
      for (; k + 8 <= n; k += 8) {
        y[k] = a[k] / b[k];
        y[k + 1] = a[k + 1] / b[k + 1];
        y[k + 2] = a[k + 2] / b[k + 2];
        y[k + 3] = a[k + 3] / b[k + 3];
        y[k + 4] = a[k + 4] / b[k + 4];
        y[k + 5] = a[k + 5] / b[k + 5];
        y[k + 6] = a[k + 6] / b[k + 6];
        y[k + 7] = a[k + 7] / b[k + 7];
      }
      for (; k < n; k++) y[k] = a[k] / b[k];
      return;
  }
}

/**
 * relu and its gradient on the bits of float32, without a branch: on random signs the
 * compare-and-branch of the plain loops mispredicts half the time (~7.7 ns an element here, ~1.9
 * on the bits). For an IEEE single b as an int32: b < 0 is the sign; |b| > 0x7f800000 a NaN;
 * 0 < b <= 0x7f800000 a positive number up to +inf. relu keeps b when its sign is clear or it is a
 * NaN (NaN propagates), else gives +0 (also for -0).
 */
const reluBits = (b: number): number => b & (~(b >> 31) | ((0x7f800000 - (b & 0x7fffffff)) >> 31));

/**
 * Eight elements a round, as sameShapeF32 (the loop test and bounds checks of a plain loop cost as
 * much as the bit arithmetic): 1.2 ns an element instead of 1.4-1.6 (relu of 36,864, CPU time).
 */
function reluBitsF32(x: Float32Array, y: Float32Array): void {
  const xb = new Int32Array(x.buffer, x.byteOffset, x.length);
  const yb = new Int32Array(y.buffer, y.byteOffset, y.length);
  const n = xb.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    yb[i] = reluBits(xb[i]);
    yb[i + 1] = reluBits(xb[i + 1]);
    yb[i + 2] = reluBits(xb[i + 2]);
    yb[i + 3] = reluBits(xb[i + 3]);
    yb[i + 4] = reluBits(xb[i + 4]);
    yb[i + 5] = reluBits(xb[i + 5]);
    yb[i + 6] = reluBits(xb[i + 6]);
    yb[i + 7] = reluBits(xb[i + 7]);
  }
  for (; i < n; i++) yb[i] = reluBits(xb[i]);
}

/** g's bits where y > 0 (-b < 0 and ~b < 0, which also excludes -0 = 0x80000000) or y is a NaN, else +0. */
const reluGradBits = (b: number, g: number): number => g & (((-b & ~b) | (0x7f800000 - (b & 0x7fffffff))) >> 31);

/** reluBackward(y, g) of equal shapes, eight elements a round as reluBitsF32. */
function reluBackwardBitsF32(y: Float32Array, g: Float32Array, out: Float32Array): void {
  const yb = new Int32Array(y.buffer, y.byteOffset, y.length);
  const gb = new Int32Array(g.buffer, g.byteOffset, g.length);
  const ob = new Int32Array(out.buffer, out.byteOffset, out.length);
  const n = yb.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    ob[i] = reluGradBits(yb[i], gb[i]);
    ob[i + 1] = reluGradBits(yb[i + 1], gb[i + 1]);
    ob[i + 2] = reluGradBits(yb[i + 2], gb[i + 2]);
    ob[i + 3] = reluGradBits(yb[i + 3], gb[i + 3]);
    ob[i + 4] = reluGradBits(yb[i + 4], gb[i + 4]);
    ob[i + 5] = reluGradBits(yb[i + 5], gb[i + 5]);
    ob[i + 6] = reluGradBits(yb[i + 6], gb[i + 6]);
    ob[i + 7] = reluGradBits(yb[i + 7], gb[i + 7]);
  }
  for (; i < n; i++) ob[i] = reluGradBits(yb[i], gb[i]);
}

/** int32 results are truncated toward zero by the Int32Array store, as a C cast. */
function unaryKernel(op: UnaryPrimitive) {
  return (inputs: readonly KernelInput<AnyTypedArray>[], _p: unknown, out: KernelOutput): AnyTypedArray => {
    const x = inputs[0].storage;
    const y = allocateForOverwrite(out.dtype, x.length);
    if (op === "relu" && x instanceof Float32Array && y instanceof Float32Array) reluBitsF32(x, y);
    else unaryLoop(op, x, y, x.length);
    return y;
  };
}

function binaryKernel(op: BinaryPrimitive) {
  return (inputs: readonly KernelInput<AnyTypedArray>[], _p: unknown, out: KernelOutput): AnyTypedArray => {
    const a = inputs[0],
      b = inputs[1];
    const y = allocateForOverwrite(out.dtype, numel(out.shape));
    const as = a.storage,
      bs = b.storage;
    if (isArithmetic(op) && as instanceof Float32Array && bs instanceof Float32Array && y instanceof Float32Array) {
      if (sameShape(a.shape, b.shape)) sameShapeF32(op, y, as, bs);
      else
        forEachRun(
          out.shape,
          [broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape)],
          (yo, [ao, bo], len, [sa, sb]) => {
            binaryRunF32(op, y, yo, as, ao, sa, bs, bo, sb, len);
          },
        );
    } else if (sameShape(a.shape, b.shape)) {
      if (
        op === "reluBackward" &&
        as instanceof Float32Array &&
        bs instanceof Float32Array &&
        y instanceof Float32Array
      )
        reluBackwardBitsF32(as, bs, y);
      else binaryRun(op, y, 0, as, 0, 1, bs, 0, 1, y.length);
    } else {
      forEachRun(
        out.shape,
        [broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape)],
        (yo, [ao, bo], len, [sa, sb]) => {
          binaryRun(op, y, yo, as, ao, sa, bs, bo, sb, len);
        },
      );
    }
    return y;
  };
}

export const elementwiseKernels: Pick<KernelTable<AnyTypedArray>, UnaryPrimitive | BinaryPrimitive> = {
  neg: unaryKernel("neg"),
  exp: unaryKernel("exp"),
  log: unaryKernel("log"),
  sqrt: unaryKernel("sqrt"),
  abs: unaryKernel("abs"),
  sign: unaryKernel("sign"),
  tanh: unaryKernel("tanh"),
  sigmoid: unaryKernel("sigmoid"),
  relu: unaryKernel("relu"),
  erf: unaryKernel("erf"),
  add: binaryKernel("add"),
  sub: binaryKernel("sub"),
  mul: binaryKernel("mul"),
  div: binaryKernel("div"),
  maximum: binaryKernel("maximum"),
  greater: binaryKernel("greater"),
  equal: binaryKernel("equal"),
  reluBackward: binaryKernel("reluBackward"),
};

/** Converts between dtypes; float to int32 truncates toward zero (as PyTorch's .to(torch.int32)). */
export function castArray(x: AnyTypedArray, dtype: DType): AnyTypedArray {
  const y = allocateForOverwrite(dtype, x.length);
  if (dtype === "int32") for (let i = 0; i < x.length; i++) y[i] = Math.trunc(x[i]);
  else y.set(x);
  return y;
}
