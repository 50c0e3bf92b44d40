/**
 * Issue 19, compile-time: types that never claim what the value is not, and shape rules that
 * work in generic code. Part of `npm run typecheck`, so TypeScript 6 and 7 both check it: every
 * `Expect<Equal<...>>` is exact, and every `@ts-expect-error` line must fail to compile (an
 * unused one is itself an error). The failing lines quoted in the issue are here, each with the
 * behaviour it has now.
 */
import { add, flatten, matmul, maxPool2d, mean, mul, randn, tensor, zeros, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// ---- 1. Soundness: creation ops infer dtype and device from their arguments only.
// @ts-expect-error tensor([0, 2]) is float32; the annotation cannot make it int32
export const a1: Tensor<[2], "int32"> = tensor([0, 2]);
// @ts-expect-error randn([2]) is on the CPU; the annotation cannot move it
export const b1: Tensor<[2], "float32", "webgpu"> = randn([2]);
export const a2: Tensor<[2], "int32"> = tensor([0, 2], { dtype: "int32" });
export const z1: Tensor<[3], "float64"> = zeros([3], { dtype: "float64" });
// Class targets must be int32 in the type, so a float target is refused at the call.
// @ts-expect-error the target tensor([0, 2]) is float32
nn.functional.crossEntropy(randn([2, 5]), tensor([0, 2]));
nn.functional.crossEntropy(randn([2, 5]), tensor([0, 2], { dtype: "int32" }));

// Synchronous reads do not compile on a tensor typed "webgpu" (their `this` is the runtime's message).
declare const onGpu: Tensor<[2], "float32", "webgpu">;
// @ts-expect-error dataSync: tensors on webgpu can only be read asynchronously
onGpu.dataSync();
// @ts-expect-error item: tensors on webgpu can only be read asynchronously
onGpu.item();
// @ts-expect-error tolist: tensors on webgpu can only be read asynchronously
onGpu.tolist();
export const asyncRead: Promise<Float32Array> = onGpu.data();
declare const anywhere: Tensor<[2], "float64", "cpu" | "webgpu">;
export const maybeCpu: Float64Array = anywhere.dataSync(); // may be on the CPU: checked at run time

// ---- 2. Generic dims flow through the ops: a generic batch stays B, literal dims stay literal.
export function generic<B extends number>(
  x: Tensor<[B, 16, 8, 8]>,
  bias: Tensor<[16, 1, 1]>,
  v: Tensor<[B, 16]>,
  w: Tensor<[16, 4]>,
) {
  const s1 = add(x, x);
  const s2 = x.add(x);
  const s3 = mul(x, 2);
  const s4 = x.sub(1);
  const s5 = x.add(bias);
  const s6 = x.sub(x.mean([0, 2, 3], true)); // [B, 16, 8, 8] against [1, 16, 1, 1]
  const f = flatten(x, 1);
  const m = mean(x, [2, 3]);
  const mm = matmul(v, w);
  const r = x.reshape([-1, 1024]);
  const p = maxPool2d(x, { kernelSize: 2 });
  type Checks = [
    Expect<Equal<typeof s1, Tensor<[B, 16, 8, 8]>>>,
    Expect<Equal<typeof s2, Tensor<[B, 16, 8, 8]>>>,
    Expect<Equal<typeof s3, Tensor<[B, 16, 8, 8]>>>,
    Expect<Equal<typeof s4, Tensor<[B, 16, 8, 8]>>>,
    Expect<Equal<typeof s5, Tensor<[B, 16, 8, 8]>>>,
    Expect<Equal<typeof s6, Tensor<[B, 16, 8, 8]>>>,
    Expect<Equal<typeof f, Tensor<[B, 1024]>>>,
    Expect<Equal<typeof m, Tensor<[B, 16]>>>,
    Expect<Equal<typeof mm, Tensor<[B, 4]>>>,
    Expect<Equal<typeof r, Tensor<[B, 1024]>>>,
    Expect<Equal<typeof p, Tensor<[B, 16, 4, 4]>>>,
  ];
  // Literal mismatches are still errors under a generic batch.
  // @ts-expect-error add: shapes [B, 16, 8, 8] and [3, 1, 1] cannot be broadcast
  add(x, zeros([3, 1, 1]));
  // @ts-expect-error matmul: inner dims do not match (16 vs 5)
  matmul(v, zeros([5, 4]));
  // @ts-expect-error reshape: 1024 elements per batch item cannot fill rows of 1000
  x.reshape([-1, 1000]);
  return [s1, s2, s3, s4, s5, s6, f, m, mm, r, p] as const;
}

// ---- 2. spatial sizes written as `number` in generic code (docs/pytorch-guide.md).
export function runtimeSizes<N extends number>(x: Tensor<[N, 16, number, number]>) {
  const m = x.mean([2, 3]);
  const f = flatten(x, 1);
  const s = x.add(x);
  type Checks = [
    Expect<Equal<typeof m, Tensor<[N, 16]>>>,
    Expect<Equal<typeof f, Tensor<[N, number]>>>,
    Expect<Equal<typeof s, Tensor<[N, 16, number, number]>>>,
  ];
  return [m, f, s] as const;
}

// ---- 5. Messages of generic calls read as the literal ones, with the generic dim shown as `${B}`.
// (Mutual assignability: `Equal` itself stays undecided on types that hold B.)
export function messages<B extends number>() {
  type AddArg = Parameters<typeof add<[B, 16, 8, 8], "float32", "cpu", Tensor<[3, 1, 1]>>>[1];
  type AddText =
    `add: shapes [${B}, 16, 8, 8] and [3, 1, 1] cannot be broadcast (each pair of trailing dims must be equal or 1)`;
  type MatMulArg = Parameters<typeof matmul<[B, 16], "float32", "cpu", Tensor<[5, 4]>>>[1];
  type MatMulText = `matmul: inner dims do not match: [${B}, 16] @ [5, 4] (16 vs 5)`;
  return [
    (a: AddArg): AddText => a,
    (t: AddText): AddArg => t,
    (a: MatMulArg): MatMulText => a,
    (t: MatMulText): MatMulArg => t,
  ] as const;
}

// ---- 2. pooling shapes are computed (maxPool2d returned number[] for every input before).
export const pooled = maxPool2d(randn([2, 3, 9, 7]), { kernelSize: 3, stride: 2, padding: 1, ceilMode: true });
const halved = maxPool2d(randn([8, 16, 32, 32]), { kernelSize: 2 });
export type PoolChecks = [
  Expect<Equal<typeof pooled, Tensor<[2, 3, 5, 4]>>>,
  // A call, not an instantiation expression: that leaves the route parameter at its default.
  Expect<Equal<typeof halved, Tensor<[8, 16, 16, 16]>>>,
];
// @ts-expect-error maxPool2d: output size would be 0x0 (a 5x5 window on a 2x2 input)
maxPool2d(randn([2, 3, 2, 2]), { kernelSize: 5 });
