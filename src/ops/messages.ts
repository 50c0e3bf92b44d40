/**
 * Error messages of the general tensor ops (conv2d's live in src/errors.ts). Each is written once
 * here and thrown by the runtime; a message names the op, the rule and the numbers.
 */
import { formatShape } from "../runtime/shape.js";

type Dims = readonly number[];

export const opErrors = {
  broadcast: (op: string, a: Dims, b: Dims) =>
    `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast (each pair of trailing dims must be equal or 1)`,
  // Generic and `as const`, so that types/ can show the very same text as a compile error.
  dtypeMismatch: <Op extends string, A extends string, B extends string>(op: Op, a: A, b: B) =>
    `${op}: dtype mismatch: ${a} and ${b} (convert one with .cast())` as const,
  deviceMismatch: <Op extends string, A extends string, B extends string>(op: Op, a: A, b: B) =>
    `${op}: device mismatch: ${a} and ${b} (move one with .to())` as const,
  dimOutOfRange: (op: string, dim: number, rank: number) =>
    `${op}: dim ${dim} is out of range for a tensor of rank ${rank} (expected an integer in [${-Math.max(rank, 1)}, ${Math.max(rank, 1) - 1}])`,
  duplicateDim: (op: string, dim: number) => `${op}: dim ${dim} is repeated`,
  reshapeCount: (op: string, from: Dims, to: Dims) =>
    `${op}: cannot reshape ${formatShape(from)} (${from.reduce((a, b) => a * b, 1)} elements) into ${formatShape(to)}`,
  reshapeInfer: (op: string, to: Dims) => `${op}: only one dim can be -1 in ${formatShape(to)}`,
  badDim: (op: string, what: string, value: unknown) =>
    `${op}: ${what} must be a non-negative integer below 2^53, got ${String(value)}`,
  permutation: (op: string, perm: Dims, rank: number) =>
    `${op}: ${formatShape(perm)} is not a permutation of the ${rank} dims`,
  expand: (op: string, from: Dims, to: Dims) =>
    `${op}: cannot expand ${formatShape(from)} to ${formatShape(to)} (only size-1 dims can grow, and the rank cannot shrink)`,
  matmul: (a: Dims, b: Dims) =>
    `matmul: inner dims do not match: ${formatShape(a)} @ ${formatShape(b)} (${a[a.length - 1]} vs ${b.length === 1 ? b[0] : b[b.length - 2]})`,
  matmulRank: (a: Dims, b: Dims) => `matmul: both operands need at least 1 dim, got ${formatShape(a)} and ${formatShape(b)}`,
  notFloat: (op: string, dtype: string) => `${op}: expected a floating-point tensor (float32 or float64), got ${dtype}`,
  emptyReduce: (op: string, shape: Dims) => `${op}: cannot reduce an empty tensor of shape ${formatShape(shape)}`,
  noGradFloat: (dtype: string) => `tensor: requiresGrad needs a floating-point dtype, got ${dtype}`,
  float64OnDevice: (device: string) => `${device}: float64 is not supported on this device (WGSL has no 64-bit floats); use float32`,
};
