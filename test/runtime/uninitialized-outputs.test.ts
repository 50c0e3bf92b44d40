// Elementwise and movement kernels, upload and full allocate their outputs without zero-filling
// them from 1,024 elements (allocateForOverwrite in src/backends/cpu/arrays.ts), so each must write
// every element. Here every unary and binary primitive (and cast) runs on 3,000 elements,
// same-shape and broadcast, and must equal the same kernel run on pieces of 1,000 (zero-filled
// outputs), bit for bit; permute and expand must equal their definitions, index by index.
import { describe, expect, it } from "vitest";
import { cpuBackend, cpuKernels } from "../../src/backends/cpu/index.js";
import { castArray } from "../../src/backends/cpu/elementwise.js";
import { binaryPrimitives, unaryPrimitives } from "../../src/primitives/index.js";
import type { AnyTypedArray, DType } from "../../types/core.js";

const ROWS = 3,
  COLS = 1000;

function values(dtype: DType, seed: number): AnyTypedArray {
  const a =
    dtype === "int32"
      ? new Int32Array(ROWS * COLS)
      : dtype === "float64"
        ? new Float64Array(ROWS * COLS)
        : new Float32Array(ROWS * COLS);
  for (let i = 0; i < a.length; i++)
    a[i] = dtype === "int32" ? ((i * 7919 + seed) % 41) - 20 : Math.sin(i * 12.9898 + seed) * 4;
  return a;
}
const input = (storage: AnyTypedArray, shape: number[], dtype: DType) => ({ storage, shape, dtype });
/** toEqual tells +0 from -0 and takes NaN for NaN: equal values bit for bit, payloads aside. */
const sameBits = (got: AnyTypedArray, want: AnyTypedArray) => expect(Array.from(got)).toEqual(Array.from(want));
/** Dirties freed memory, so that an element a kernel leaves unwritten is likely not a zero. */
const dirty = () => {
  for (let i = 0; i < 8; i++) Buffer.allocUnsafeSlow(4 * ROWS * COLS).fill(0xff);
};

describe("elementwise outputs on memory that is not zero-filled", () => {
  for (const dtype of ["float32", "float64", "int32"] as const) {
    it(`every unary and binary primitive writes every element (${dtype})`, () => {
      const x = values(dtype, 1),
        y = values(dtype, 2);
      const row = (a: AnyTypedArray, r: number) => a.subarray(r * COLS, (r + 1) * COLS);
      for (const op of unaryPrimitives) {
        dirty();
        const whole = cpuKernels[op]([input(x, [ROWS, COLS], dtype)], {}, { shape: [ROWS, COLS], dtype });
        for (let r = 0; r < ROWS; r++)
          sameBits(row(whole, r), cpuKernels[op]([input(row(x, r), [COLS], dtype)], {}, { shape: [COLS], dtype }));
      }
      for (const op of binaryPrimitives) {
        dirty();
        const out = { shape: [ROWS, COLS], dtype };
        const same = cpuKernels[op]([input(x, [ROWS, COLS], dtype), input(y, [ROWS, COLS], dtype)], {}, out);
        const broadcast = cpuKernels[op]([input(x, [ROWS, COLS], dtype), input(row(y, 0), [COLS], dtype)], {}, out);
        for (let r = 0; r < ROWS; r++) {
          const piece = { shape: [COLS], dtype };
          sameBits(
            row(same, r),
            cpuKernels[op]([input(row(x, r), [COLS], dtype), input(row(y, r), [COLS], dtype)], {}, piece),
          );
          sameBits(
            row(broadcast, r),
            cpuKernels[op]([input(row(x, r), [COLS], dtype), input(row(y, 0), [COLS], dtype)], {}, piece),
          );
        }
      }
      dirty();
      const to: DType = dtype === "int32" ? "float32" : "int32";
      const cast = castArray(x, to);
      for (let r = 0; r < ROWS; r++) sameBits(row(cast, r), castArray(row(x, r), to));
    });
  }
});

describe("movement outputs on memory that is not zero-filled", () => {
  for (const dtype of ["float32", "float64", "int32"] as const) {
    it(`permute and expand write every element (${dtype})`, () => {
      const x = values(dtype, 3); // [3, 10, 100]
      dirty();
      // [3, 10, 100] -> [100, 10, 3]: not a batched 2-D transpose, so the strided loop (every dtype)
      const permuted = cpuKernels.permute(
        [input(x, [3, 10, 100], dtype)],
        { perm: [2, 1, 0] },
        { shape: [100, 10, 3], dtype },
      );
      const want = values(dtype, 0);
      for (let k = 0; k < 100; k++)
        for (let j = 0; j < 10; j++) for (let i = 0; i < 3; i++) want[(k * 10 + j) * 3 + i] = x[(i * 10 + j) * 100 + k];
      sameBits(permuted, want);
      dirty();
      // [3, 1, 1000] -> [3, 2, 1000]: each row twice
      const expanded = cpuKernels.expand(
        [input(x, [3, 1, 1000], dtype)],
        { shape: [3, 2, 1000] },
        { shape: [3, 2, 1000], dtype },
      );
      for (let r = 0; r < ROWS; r++)
        for (const copy of [0, 1]) {
          sameBits(
            expanded.subarray((2 * r + copy) * COLS, (2 * r + copy + 1) * COLS),
            x.subarray(r * COLS, (r + 1) * COLS),
          );
        }
      dirty();
      sameBits(cpuBackend.upload(x, dtype), x);
      dirty();
      sameBits(cpuBackend.full(ROWS * COLS, -2, dtype), values(dtype, 0).fill(-2));
    });
  }
});
