/**
 * The fuzz's invalid calls (test/reliability/fuzz.test.ts) written with literal shapes: each one
 * fails to compile, and the offending argument's parameter type is the catalogue's message, the
 * same text the runtime throws. Values the type-level arithmetic must refuse (1.5, -1, 2^53, 1e21)
 * give that message too, never a wrong number.
 */
import { expectError, expectType } from "tsd";
import { add, conv2d, matmul, mul, type Tensor } from "../../src/index.js";

type T<
  S extends readonly number[],
  D extends "float32" | "float64" | "int32" = "float32",
  Dev extends "cpu" | "webgpu" = "cpu",
> = Tensor<[...S], D, Dev>;
declare const x: T<[8, 3, 32, 32]>;
declare const w: T<[16, 3, 3, 3]>;
declare const w4: T<[16, 4, 3, 3]>;

// ---- valid calls keep exact numbers, up to 2^53 - 1
expectType<Tensor<[8, 16, 16, 16], "float32", "cpu">>(conv2d(x, w, null, { stride: 2, padding: 1 }));
declare const tall: T<[1, 1, 9007199254740991, 1]>;
declare const k1: T<[1, 1, 1, 1]>;
expectType<Tensor<[1, 1, 9007199254740991, 1], "float32", "cpu">>(conv2d(tall, k1));

// ---- channels, groups, bias, dtypes, devices
expectError(conv2d(x, w4));
declare const w6: T<[6, 1, 3, 3]>;
expectType<Tensor<[8, 6, 30, 30], "float32", "cpu">>(conv2d(x, w6, null, { groups: 3 }));
declare const wg: T<[16, 1, 3, 3]>;
expectError(conv2d(x, wg, null, { groups: 3 }));
declare const b15: T<[15]>;
expectError(conv2d(x, w, b15));
declare const w64: T<[16, 3, 3, 3], "float64">;
expectError(conv2d(x, w64));
declare const wgpu: T<[16, 3, 3, 3], "float32", "webgpu">;
expectError(conv2d(x, wgpu));
declare const x2d: T<[3, 32]>;
expectError(conv2d(x2d, w));

// ---- kernel larger than the padded input, padding past reflect / circular limits, "same" with stride
declare const small: T<[1, 3, 4, 4]>;
declare const w7: T<[2, 3, 7, 7]>;
expectError(conv2d(small, w7));
expectError(conv2d(small, w7, null, { padding: 1 }));
declare const w3: T<[2, 3, 3, 3]>;
expectError(conv2d(small, w3, null, { padding: 4, paddingMode: "reflect" }));
expectError(conv2d(small, w3, null, { padding: 5, paddingMode: "circular" }));
expectError(conv2d(small, w3, null, { padding: "same", stride: 2 }));

// ---- option values the arithmetic must refuse: zero, negative, non-integer, 2^53, 1e21
expectError(conv2d(x, w, null, { stride: 0 }));
expectError(conv2d(x, w, null, { stride: 1.5 }));
expectError(conv2d(x, w, null, { padding: -1 }));
expectError(conv2d(x, w, null, { dilation: 9007199254740992 }));
expectError(conv2d(x, w, null, { groups: 1e21 }));
// The catalogue's paddingMode message at the options argument (its text is checked under TS 6 and
// TS 7 by test-d/messages/conv2d-errors.ts, case "paddingMode unknown").
expectError(conv2d(x, w, null, { paddingMode: "mirror" }));

// ---- dims the arithmetic must refuse
declare const frac: T<[1, 3, 1.5, 8]>;
expectError(conv2d(frac, w));
declare const negW: T<[16, 3, -1, 3]>;
expectError(conv2d(x, negW));
declare const hugeH: T<[1, 3, 1e21, 8]>;
expectError(conv2d(hugeH, w));
declare const past: T<[1, 3, 9007199254740992, 8]>;
expectError(conv2d(past, w));

// ---- elementwise and matmul: a dtype or device mix is an error at the second operand
declare const f32: T<[2, 3]>;
declare const f64: T<[2, 3], "float64">;
declare const gpu: T<[2, 3], "float32", "webgpu">;
expectError(add(f32, f64));
expectError(mul(f32, gpu));
expectError(matmul(f32, f64));
