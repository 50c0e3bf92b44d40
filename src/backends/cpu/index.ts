/**
 * The CPU backend: storage is a typed array. Every primitive has a plain TypeScript kernel, the
 * oracle that every faster path is tested against; float32 convs and matmuls run on the fast
 * WebAssembly SIMD kernels (./fast) instead, float64 stays on the reference.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { Backend, KernelInput, KernelTable } from "../../backend.js";
import type { Conv2dGeometry } from "../conv-geometry.js";
import type { Pool2dGeometry } from "../../primitives.js";
import { numel } from "../../runtime/shape.js";
import { allocate, allocateForOverwrite } from "./arrays.js";
import { binaryKernel, castArray, unaryKernel } from "./elementwise.js";
import { argmaxKernel, int32Matmul, maxKernel, sumKernel } from "./reduce.js";
import { expandKernel, matmulReference, permuteKernel } from "./movement.js";
import * as reference from "./reference/index.js";
import * as fast from "./fast/index.js";
import { batchNormForward } from "./batch-norm.js";

type Float = Float32Array | Float64Array;

/** Kernels that only exist for floating point: an int32 input reaching them is a bug upstream. */
function float(x: KernelInput<AnyTypedArray>): Float {
  if (x.storage instanceof Int32Array) throw new Error("shapegrad internal error: float kernel called on int32");
  return x.storage;
}

/** Both operands float32: the case the fast kernels serve. */
function bothF32(a: KernelInput<AnyTypedArray>, b: KernelInput<AnyTypedArray>): [Float32Array, Float32Array] | null {
  return a.storage instanceof Float32Array && b.storage instanceof Float32Array ? [a.storage, b.storage] : null;
}

/**
 * Each window's argmax, remembered per input array: storage is immutable and the gradient rule
 * passes the forward's own params object, so backward (and double backward) reuse the forward's
 * search instead of repeating it. Held weakly: it goes when the input does.
 */
const argmaxCache = new WeakMap<Float, { params: Pool2dGeometry; argmax: Int32Array }>();
function poolArgmax(p: Pool2dGeometry, x: Float): Int32Array {
  const hit = argmaxCache.get(x);
  if (hit && hit.params === p) return hit.argmax;
  const argmax = x instanceof Float32Array
    ? fast.orReference(() => fast.maxPool2dF32(p, x, reference.windowTaps(p)).argmax, () => reference.maxPool2dArgmax(p, x))
    : reference.maxPool2dArgmax(p, x);
  argmaxCache.set(x, { params: p, argmax });
  return argmax;
}

/** The forward: float32 gets its maxima from the argmax search itself, which it caches. */
function maxPool2dForward(p: Pool2dGeometry, x: Float): Float {
  if (!(x instanceof Float32Array)) return reference.maxPool2d(p, x, poolArgmax(p, x));
  const { argmax, y } = fast.orReference(() => fast.maxPool2dF32(p, x, reference.windowTaps(p)), () => {
    const found = reference.maxPool2dArgmax(p, x);
    return { argmax: found, y: reference.maxPool2d(p, x, found) };
  });
  argmaxCache.set(x, { params: p, argmax });
  return y;
}

export const cpuKernels: KernelTable<AnyTypedArray> = {
  neg: unaryKernel("neg"), exp: unaryKernel("exp"), log: unaryKernel("log"), sqrt: unaryKernel("sqrt"),
  abs: unaryKernel("abs"), sign: unaryKernel("sign"), tanh: unaryKernel("tanh"), sigmoid: unaryKernel("sigmoid"),
  relu: unaryKernel("relu"), erf: unaryKernel("erf"),
  add: binaryKernel("add"), sub: binaryKernel("sub"), mul: binaryKernel("mul"), div: binaryKernel("div"),
  maximum: binaryKernel("maximum"), greater: binaryKernel("greater"), equal: binaryKernel("equal"),
  reluBackward: binaryKernel("reluBackward"),
  sum: sumKernel,
  max: maxKernel,
  argmax: argmaxKernel,
  // Storage is never written after creation, so a reshape can share it.
  reshape: ([x]) => x.storage,
  permute: permuteKernel,
  expand: expandKernel,
  cast: ([x], p) => castArray(x.storage, p.dtype),
  pad2d: ([x], p) => reference.pad2d(p, float(x)),
  pad2dAdjoint: ([x], p) => reference.pad2dAdjoint(p, float(x)),
  matmul: ([a, b], _p, out) => {
    const r = a.shape.length;
    const m = a.shape[r - 2], k = a.shape[r - 1], n = b.shape[r - 1];
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
  conv2d: ([x, w], g: Conv2dGeometry) => {
    const f32 = bothF32(x, w);
    return f32 ? fast.conv2dForwardAnySize(g, ...f32, reference.conv2dForward) : reference.conv2dForward(g, float(x), float(w));
  },
  conv2dBackInput: ([gy, w], g) => {
    const f32 = bothF32(gy, w);
    const plain = () => reference.conv2dBackInput(g, float(gy), float(w));
    return f32 ? fast.orReference(() => fast.conv2dBackInputF32(g, ...f32), plain) : plain();
  },
  conv2dBackWeight: ([x, gy], g) => {
    const f32 = bothF32(x, gy);
    const plain = () => reference.conv2dBackWeight(g, float(x), float(gy));
    return f32 ? fast.orReference(() => fast.conv2dBackWeightF32(g, ...f32), plain) : plain();
  },
  maxPool2d: ([x], p) => maxPool2dForward(p, float(x)),
  maxPool2dBackward: ([x, gy], p) => {
    const xs = float(x), g = float(gy), argmax = poolArgmax(p, xs);
    const plain = () => reference.maxPool2dBackward(p, xs, g, argmax);
    return g instanceof Float32Array && reference.windowsDisjoint(p)
      ? fast.orReference(() => fast.maxPool2dBackwardF32(p, g, argmax), plain)
      : plain();
  },
  maxPool2dSelect: ([x, g], p) => reference.maxPool2dSelect(p, float(x), float(g), poolArgmax(p, float(x))),
  batchNormTrain: ([x, w, b], p, out) => {
    const y = allocateForOverwrite(out.dtype, numel(out.shape)) as Float;
    batchNormForward(float(x), float(w), float(b), p.mean, p.invstd, x.shape[0], x.shape[1], numel(x.shape.slice(2)), y);
    return y;
  },
};

export const cpuBackend: Backend<AnyTypedArray> = {
  device: "cpu",
  kernels: cpuKernels,
  upload: (data, dtype) => {
    const y = allocateForOverwrite(dtype, data.length);
    y.set(data);
    return y;
  },
  full: (size, value, dtype) => allocateForOverwrite(dtype, size).fill(value),
  read: async (storage) => storage.slice(),
  readSync: (storage) => storage,
  expose: (storage) => {
    if (storage instanceof Float32Array) fast.markExposed(storage);
  },
  release: () => {},
};

