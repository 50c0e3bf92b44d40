// The kernels module is embedded once (shared memory) and its plain-memory build derived at load
// time by clearing one flag: both variants must validate and compute the same, bit for bit.
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
import { kernelModuleBytes, memoryLimitsFlagOffset } from "../../src/backends/cpu/fast/wasm/kernel-module.js";

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

describe("kernels module", () => {
  afterAll(() => {
    resetFastRuntime().adaptive = false;
  });

  it("the two variants differ only in the imported memory's shared flag, and both validate", () => {
    const shared = kernelModuleBytes(true);
    const plain = kernelModuleBytes(false);
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
  });

  it("the flag is found by parsing the module, wherever the import section lies", () => {
    // a custom section (id 0) in front of the sections moves every offset
    const bytes = kernelModuleBytes(true);
    const custom = [0, 4, 3, 0x61, 0x62, 0x63];
    const moved = new Uint8Array([...bytes.subarray(0, 8), ...custom, ...bytes.subarray(8)]);
    expect(memoryLimitsFlagOffset(moved)).toBe(memoryLimitsFlagOffset(bytes) + custom.length);
    expect(WebAssembly.validate(moved)).toBe(true);
  });

  it("both variants compute the same results", () => {
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
    const run = () => [
      conv2dForwardF32(g, x, w),
      conv2dBackWeightF32(g, x, gy),
      matmulF32(a, b, 3, 37, 29, 41),
      transposeF32(t, 2, 70, 33),
    ];
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
});
