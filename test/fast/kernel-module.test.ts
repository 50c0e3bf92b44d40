// The kernels module is embedded once (shared memory) and its plain-memory build derived at load
// time by clearing one flag: both variants must validate and compute the same, bit for bit. The
// module comes in two builds, plain and FMA (the GEMM tile's multiply-adds fused, relaxed SIMD):
// each has both memory variants, and the two builds agree within float32 rounding, not bit for bit.
import { afterAll, describe, expect, it } from "vitest";
import { conv2dGeometry } from "../../src/primitives/index.js";
import {
  conv2dBackWeightF32,
  conv2dForwardF32,
  isShared,
  matmulF32,
  resetFastRuntime,
  setNumThreads,
  transposeF32,
} from "../../src/backends/cpu/fast/index.js";
import {
  kernelModuleBytes,
  memoryLimitsFlagOffset,
  relaxedSimd,
} from "../../src/backends/cpu/fast/wasm/kernel-module.js";
import { KERNELS_FMA_WASM_BASE64, KERNELS_WASM_BASE64 } from "../../src/backends/cpu/fast/wasm/kernels.generated.js";

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

/** A 3x3 p1 conv's forward and weight gradient, a batched matmul and a transpose: the GEMM tile, its
 * edges, both packings, and a kernel outside the GEMM. */
function workload(): () => Float32Array[] {
  const g = conv2dGeometry({
    input: [2, 6, 15, 13],
    weight: [10, 6, 3, 3],
    stride: [1, 1],
    dilation: [1, 1],
    padding: [1, 1, 1, 1],
    groups: 1,
  });
  const x = rand(2 * 6 * 15 * 13, 1),
    w = rand(10 * 6 * 9, 2),
    gy = rand(2 * 10 * 15 * 13, 3);
  const a = rand(3 * 37 * 29, 4),
    b = rand(3 * 29 * 41, 5),
    t = rand(2 * 70 * 33, 6);
  return () => [
    conv2dForwardF32(g, x, w),
    conv2dBackWeightF32(g, x, gy),
    matmulF32(a, b, 3, 37, 29, 41),
    transposeF32(t, 2, 70, 33),
  ];
}

describe("kernels module", () => {
  afterAll(() => {
    resetFastRuntime().adaptive = false;
  });

  it.each([false, true])(
    "the two variants differ only in the imported memory's shared flag, and both validate (fma %s)",
    (fma) => {
      expect(relaxedSimd()).toBe(true);
      const shared = kernelModuleBytes(true, fma);
      const plain = kernelModuleBytes(false, fma);
      const at = memoryLimitsFlagOffset(shared);
      expect(shared[at]).toBe(0x03); // a maximum follows, shared
      expect(plain[at]).toBe(0x01); // a maximum follows
      const differing = shared.reduce<number[]>((acc, b, i) => (b === plain[i] ? acc : [...acc, i]), []);
      expect(differing).toEqual([at]);
      expect(WebAssembly.validate(shared)).toBe(true);
      expect(WebAssembly.validate(plain)).toBe(true);
      const imports = (bytes: Uint8Array<ArrayBuffer>) => WebAssembly.Module.imports(new WebAssembly.Module(bytes));
      expect(imports(plain)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
      expect(imports(shared)).toEqual(imports(plain));
    },
  );

  it("the flag is found by parsing the module, wherever the import section lies", () => {
    // a custom section (id 0) in front of the sections moves every offset
    const bytes = kernelModuleBytes(true);
    const custom = [0, 4, 3, 0x61, 0x62, 0x63];
    const moved = new Uint8Array([...bytes.subarray(0, 8), ...custom, ...bytes.subarray(8)]);
    expect(memoryLimitsFlagOffset(moved)).toBe(memoryLimitsFlagOffset(bytes) + custom.length);
    expect(WebAssembly.validate(moved)).toBe(true);
  });

  it("both variants compute the same results", () => {
    const run = workload();
    const plainRuntime = resetFastRuntime({ shared: false });
    expect(isShared(plainRuntime)).toBe(false);
    const plain = run();
    const sharedRuntime = resetFastRuntime();
    sharedRuntime.adaptive = false;
    expect(isShared(sharedRuntime)).toBe(true);
    setNumThreads(1);
    const one = run();
    setNumThreads(2);
    const two = run();
    for (let i = 0; i < plain.length; i++) {
      expect(one[i]).toEqual(plain[i]);
      expect(two[i]).toEqual(plain[i]);
    }
  });

  it("Node gets the FMA build: relaxed SIMD is turned on and the tile fuses its multiply-adds", () => {
    // Node 20 validates relaxed SIMD only once relaxedSimd() has set V8's flag; Node >= 22 always
    expect(relaxedSimd()).toBe(true);
    expect(resetFastRuntime().fma).toBe(true);
    expect(resetFastRuntime({ fma: false }).fma).toBe(false);
    expect(KERNELS_FMA_WASM_BASE64).not.toBe(KERNELS_WASM_BASE64);
    // f32x4.relaxed_madd: the 0xfd prefix, then opcode 0x105 as LEB128 (0x85 0x02)
    const count = (bytes: Uint8Array) =>
      bytes.reduce((n, b, i) => n + (b === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02 ? 1 : 0), 0);
    expect(count(kernelModuleBytes(true, false))).toBe(0);
    // 8 per 4x8 tile, in tile and tile_direct
    expect(count(kernelModuleBytes(true, true))).toBeGreaterThanOrEqual(16);
  });

  it("the FMA and plain builds agree within float32 rounding, and each is deterministic over threads", () => {
    const run = workload();
    const results = [false, true].map((fma) => {
      const rt = resetFastRuntime({ fma });
      rt.adaptive = false;
      setNumThreads(1);
      const one = run();
      setNumThreads(2);
      const two = run();
      for (let i = 0; i < one.length; i++) expect(two[i]).toEqual(one[i]);
      return one;
    });
    let differ = 0;
    for (let i = 0; i < results[0].length; i++) {
      const [plain, fused] = [results[0][i], results[1][i]];
      expect(fused.length).toBe(plain.length);
      for (let j = 0; j < plain.length; j++) {
        // sums of 29 to 390 products of values in [-1, 1): a few float32 roundings apart
        expect(Math.abs(fused[j] - plain[j])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(plain[j])));
        if (fused[j] !== plain[j]) differ++;
      }
    }
    // one rounding per product-sum instead of two: some outputs must differ, or the FMA build is not running
    expect(differ).toBeGreaterThan(0);
  });
});
