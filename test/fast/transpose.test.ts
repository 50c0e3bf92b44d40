// Large float32 permutes that are (batched) 2-D transposes run on the wasm transpose kernel
// (src/backends/cpu/movement.ts); every other permutation stays on the strided loop. Both must put
// every element where the index arithmetic says, for random shapes (sizes not multiples of the
// 4 x 4 blocks or of the kernel's bands, size-1 dims) and random permutations.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import { setNumThreads, transposeF32 } from "../../src/backends/cpu/fast/index.js";
import { TRANSPOSE_BAND } from "../../src/backends/cpu/fast/wasm/kernels.generated.js";

/** Elements of a shape, computed here rather than by the code under test. */
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** x permuted by `perm`, by index arithmetic: y at output index i reads x at the permuted index. */
function permuted(x: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((d) => shape[d]);
  const stride = shape.map((_, d) => size(shape.slice(d + 1)));
  const y = new Float32Array(x.length);
  const index = outShape.map(() => 0);
  for (let i = 0; i < y.length; i++) {
    y[i] = x[perm.reduce((at, d, k) => at + index[k] * stride[d], 0)];
    for (let k = outShape.length - 1; k >= 0 && ++index[k] === outShape[k]; k--) index[k] = 0;
  }
  return y;
}

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i + 0.5);

describe("float32 transposes on the wasm kernel", () => {
  it("transposeF32 equals the index arithmetic, batched, across band and block edges", () => {
    setNumThreads(1);
    const dims = fc.tuple(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 2 * TRANSPOSE_BAND + 5 }),
      fc.integer({ min: 1, max: 70 }),
    );
    fc.assert(
      fc.property(dims, ([batch, rows, cols]) => {
        const x = iota(batch * rows * cols);
        expect(transposeF32(x, batch, rows, cols)).toEqual(permuted(x, [batch, rows, cols], [0, 2, 1]));
      }),
      { seed: 31, numRuns: 150 },
    );
  });

  it("permute gives the index arithmetic's result for any permutation of large and small tensors", () => {
    const shapes = fc
      .array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 4 })
      .filter((s) => size(s) <= 40000)
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.shuffledSubarray(
            shape.map((_, d) => d),
            { minLength: shape.length, maxLength: shape.length },
          ),
        ),
      );
    fc.assert(
      fc.property(shapes, ([shape, perm]) => {
        const x = iota(size(shape));
        const y = sg.tensor(x, { shape }).permute(perm as never) as sg.AnyTensor;
        expect(y.shape).toEqual(perm.map((d) => shape[d]));
        expect(y.dataSync()).toEqual(permuted(x, shape, perm));
      }),
      { seed: 32, numRuns: 200 },
    );
  });

  it("the linear layer's transposes ([64, 800] and back, a batch of them) take the kernel and agree", () => {
    for (const shape of [
      [64, 800],
      [800, 10],
      [3, 100, 33],
      [1, 64, 1, 800],
    ]) {
      const x = iota(size(shape));
      const perm = shape.map((_, d) => d);
      [perm[perm.length - 1], perm[perm.length - 2]] = [perm[perm.length - 2], perm[perm.length - 1]];
      expect(
        sg
          .tensor(x, { shape })
          .permute(perm as never)
          .dataSync(),
      ).toEqual(permuted(x, shape, perm));
    }
  });
});
