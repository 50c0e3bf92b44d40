/**
 * Issue 24, item 3: valid float32 calls whose fast-kernel memory would pass the 4 GiB a 32-bit
 * WebAssembly memory holds run on the reference kernels instead of throwing. The dispatch is
 * checked cheaply under a lowered limit (every fast kernel, forward and backward, against the
 * float64 result), and once for real with the matmul and 1x1 conv.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as sg from "../../src/index.js";
import { fastRuntime, resetFastRuntime } from "../../src/backends/cpu/fast/index.js";

const FOUR_GIB = 2 ** 32;
afterEach(() => {
  fastRuntime().maxBytes = FOUR_GIB;
});

function worstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Every output and gradient of a small float32 model next to its float64 twin. */
function run(dtype: "float32" | "float64") {
  sg.manualSeed(3);
  const x = sg.randn([2, 3, 12, 12]).cast(dtype).requiresGrad_();
  const w = sg.randn([8, 3, 3, 3]).cast(dtype).requiresGrad_();
  const dw = sg.randn([8, 1, 3, 3]).cast(dtype).requiresGrad_();
  const m = sg.randn([72, 40]).cast(dtype).requiresGrad_();
  const h = sg.conv2d(x, w, null, { padding: 1 });
  const d = sg.conv2d(h, dw, null, { groups: 8, stride: 2 }); // depthwise: the plane kernels
  const p = sg.maxPool2d(sg.relu(h), { kernelSize: 2 }); // [2, 8, 6, 6]
  const y = sg.add(sg.matmul(sg.reshape(p, [2, 288]).reshape([8, 72]), m).sum(), d.sum());
  const t = sg.transpose(sg.randn([64, 80]).cast(dtype), 0, 1); // a 2-D transpose of 5,120 floats
  y.backward();
  return [y, h, d, p, t, x.grad!, w.grad!, dw.grad!, m.grad!].map((v) => Array.from(v.dataSync() as ArrayLike<number>));
}

describe("float32 calls past the WebAssembly memory run on the reference kernels", () => {
  it("under a lowered limit every fast kernel falls back: conv2d (GEMM and depthwise, both gradients), maxPool2d and its gradient, matmul, transpose", () => {
    const wide = run("float64");
    const fastResults = run("float32");
    const rt = fastRuntime();
    const before = rt.byteLength;
    rt.maxBytes = 4096; // less than any of these calls lays out
    const fallback = run("float32");
    expect(rt.byteLength).toBe(before); // nothing grew
    for (let i = 0; i < wide.length; i++) {
      expect(worstDiff(fallback[i], wide[i])).toBeLessThan(1e-3);
      expect(worstDiff(fastResults[i], wide[i])).toBeLessThan(1e-3);
    }
    // and above the limit again, the fast kernels give what they gave before
    rt.maxBytes = FOUR_GIB;
    expect(run("float32")).toEqual(fastResults);
  });

  it("a conv too large for the memory runs as bands of output rows: exact on integer data at every limit (padding, stride 2, dilation 2)", () => {
    const rt = resetFastRuntime();
    rt.adaptive = false;
    // small integers: every product and partial sum is exact in float32, so any misplaced row shows
    const ints = (n: number, seed: number) =>
      Float32Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 7) - 3);
    const x = sg.tensor(ints(2 * 4 * 41 * 23, 1), { dtype: "float32" }).reshape([2, 4, 41, 23]);
    const w = sg.tensor(ints(6 * 4 * 3 * 3, 2), { dtype: "float32" }).reshape([6, 4, 3, 3]);
    const opts = { padding: [3, 1], stride: [2, 1], dilation: [2, 1] } as const;
    const exact = Array.from(sg.conv2d(x.cast("float64"), w.cast("float64"), null, opts).dataSync());
    for (const limit of [2 ** 14, 2 ** 15, 2 ** 16, 2 ** 17, 2 ** 18]) {
      rt.maxBytes = limit;
      expect(Array.from(sg.conv2d(x, w, null, opts).dataSync()), `limit ${limit}`).toEqual(exact);
      expect(rt.byteLength).toBeLessThanOrEqual(Math.max(limit, 2 ** 20)); // 16 pages to start with
    }
    // and a matmul split along the batch and then the rows of A
    const a = sg.tensor(ints(3 * 37 * 50, 3), { dtype: "float32" }).reshape([3, 37, 50]);
    const b = sg.tensor(ints(3 * 50 * 29, 4), { dtype: "float32" }).reshape([3, 50, 29]);
    const product = Array.from(sg.matmul(a.cast("float64"), b.cast("float64")).dataSync());
    for (const limit of [2 ** 14, 2 ** 15, 2 ** 16]) {
      rt.maxBytes = limit;
      expect(Array.from(sg.matmul(a, b).dataSync()), `limit ${limit}`).toEqual(product);
    }
  });

  it("matmul of [2^15, 2^14] by [2^14, 1] (the issue's case: 4 GiB packed) gives the right answer", () => {
    const a = sg.full([2 ** 15, 2 ** 14], 0.5);
    const b = sg.ones([2 ** 14, 1]);
    const c = sg.matmul(a, b).dataSync();
    expect(c.length).toBe(2 ** 15);
    expect(c.every((v) => v === 2 ** 13)).toBe(true);
  }, 400_000); // 2 GiB operands: tens of seconds of page faults on a loaded shared machine

  it("a 1x1 conv on [1, 1, 2^15, 2^14] gives the right answer", () => {
    const x = sg.full([1, 1, 2 ** 15, 2 ** 14], 1.5);
    const w = sg.full([1, 1, 1, 1], -2);
    const y = sg.conv2d(x, w).dataSync();
    expect(y.length).toBe(2 ** 29);
    let bad = 0;
    for (let i = 0; i < y.length; i += 997) if (y[i] !== -3) bad++;
    expect(bad).toBe(0);
    expect(y[y.length - 1]).toBe(-3);
  }, 400_000); // 2 GiB operands: tens of seconds of page faults on a loaded shared machine
});

describe("entries once listed as gaps in docs/reliability.md", () => {
  it("maxPool2d with a 2^31 kernel and 2^30 padding on 6 x 6 (listed as a hang) gives the plane's maximum, and its gradient", () => {
    sg.manualSeed(5);
    const x = sg.randn([1, 1, 6, 6], { requiresGrad: true });
    const y = sg.maxPool2d(x, { kernelSize: 2 ** 31, padding: 2 ** 30 });
    expect(y.shape).toEqual([1, 1, 1, 1]);
    const values = Array.from(x.dataSync());
    expect(y.item()).toBe(Math.max(...values));
    y.sum().backward();
    const g = Array.from(x.grad!.dataSync());
    expect(g.filter((v) => v === 1).length).toBe(1);
    expect(g[values.indexOf(Math.max(...values))]).toBe(1);
  });
});
