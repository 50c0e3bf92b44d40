import { describe, expect, it } from "vitest";
import * as sg from "../../src/index.js";

const arr = (t: sg.AnyTensor) => Array.from(t.dataSync());

describe("creation", () => {
  it("nested arrays give their shape, flat data takes options.shape, typed arrays keep their dtype", () => {
    const a = sg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe("float32");
    expect(sg.tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2] }).shape).toEqual([3, 2]);
    expect(sg.tensor(new Float64Array(4), { shape: [2, 2] }).dtype).toBe("float64");
    expect(sg.tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(sg.tensor(5).shape).toEqual([]);
  });
  it("refuses ragged, non-numeric, mismatched or non-integer int32 data with a clear message", () => {
    expect(() => sg.tensor([[1, 2], [3]] as never)).toThrow(
      "tensor: ragged nested array: [1] has length 1 but dim 1 has size 2",
    );
    expect(() => sg.tensor([1, 2, 3], { shape: [2, 2] })).toThrow(
      "tensor: data has 3 elements but shape [2, 2] needs 4",
    );
    expect(() => sg.tensor([1.5], { dtype: "int32" })).toThrow("tensor: int32 data must be integers");
    expect(() => sg.zeros([2, -1])).toThrow("zeros: every dim must be a non-negative integer below 2^53, got -1");
    expect(() => sg.tensor([1], { dtype: "int32", requiresGrad: true })).toThrow(
      "tensor: requiresGrad needs a floating-point dtype",
    );
  });
  it("arange, full, zeros, ones, randint", () => {
    expect(arr(sg.arange(5))).toEqual([0, 1, 2, 3, 4]);
    expect(arr(sg.arange(1, 2, 0.25))).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arr(sg.full([2], 7))).toEqual([7, 7]);
    const r = sg.randint(0, 3, [100]);
    expect(r.dtype).toBe("int32");
    expect(arr(r).every((v) => v >= 0 && v < 3)).toBe(true);
  });
});

describe("ops", () => {
  it("reshape infers -1 and refuses a wrong element count", () => {
    expect(sg.reshape(sg.zeros([2, 6]), [3, -1]).shape).toEqual([3, 4]);
    expect(() => sg.reshape(sg.zeros([2, 6]), [5, -1] as never)).toThrow(
      "reshape: cannot reshape [2, 6] (12 elements) into [5, -1]",
    );
  });
  it("broadcasting arithmetic and its errors", () => {
    const y = sg.add(sg.tensor([[1], [2]]), sg.tensor([10, 20, 30]));
    expect(y.shape).toEqual([2, 3]);
    expect(arr(y)).toEqual([11, 21, 31, 12, 22, 32]);
    expect(() => sg.add(sg.zeros([2, 3]), sg.zeros([4]) as never)).toThrow(
      "add: shapes [2, 3] and [4] cannot be broadcast",
    );
    expect(() => sg.add(sg.zeros([2]), sg.zeros([2], { dtype: "float64" }) as never)).toThrow(
      "add: dtype mismatch: float32 and float64",
    );
  });
  it("permute, transpose and matmul agree with hand computation", () => {
    const a = sg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(arr(sg.transpose(a))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(arr(sg.matmul(a, sg.tensor([[1], [0], [-1]])))).toEqual([-2, -2]);
    expect(sg.matmul(sg.zeros([5, 2, 3]), sg.zeros([3, 4])).shape).toEqual([5, 2, 4]);
    expect(sg.matmul(sg.zeros([3]), sg.zeros([3])).shape).toEqual([]);
    expect(() => sg.matmul(sg.zeros([2, 3]), sg.zeros([2, 3]) as never)).toThrow(
      "matmul: inner dims do not match: [2, 3] @ [2, 3] (3 vs 2)",
    );
  });
  it("reductions: sum, mean, amax, argmax (first maximum), var", () => {
    const a = sg.tensor([
      [1, 5, 5],
      [7, 2, 0],
    ]);
    expect(arr(sg.sum(a, 1))).toEqual([11, 9]);
    expect(sg.mean(a).item()).toBeCloseTo(10 / 3, 6);
    expect(arr(sg.max(a, 0))).toEqual([7, 5, 5]);
    expect(arr(sg.argmax(a, 1))).toEqual([1, 0]);
    expect(sg.argmax(a).item()).toBe(3);
    expect(a.var().item()).toBeCloseTo(37.333333 / 5, 5); // squared deviations from 10/3 sum to 37.33, over n - 1
  });
  it("int32 division is refused rather than truncated (PyTorch would return floats)", () => {
    expect(() => sg.div(sg.tensor([7, -7], { dtype: "int32" }), 2)).toThrow(
      "div: expected a floating-point tensor (float32 or float64), got int32",
    );
    expect(Array.from(sg.div(sg.tensor([7, -7], { dtype: "int32" }).cast("float32"), 2).dataSync())).toEqual([
      3.5, -3.5,
    ]);
  });
  it("max pooling with a huge window visits only the cells inside the input", () => {
    const x = sg.tensor(
      Array.from({ length: 36 }, (_, i) => i),
      { shape: [1, 1, 6, 6] },
    );
    expect(
      Array.from(
        sg
          .maxPool2d(x, { kernelSize: 2 ** 31 - 1, stride: 1, padding: 2 ** 30 - 1 })
          .dataSync()
          .slice(0, 1),
      ),
    ).toEqual([35]);
  });
  it("int32 max of all-negative values is the largest of them, not 0", () => {
    expect(
      arr(
        sg.max(
          sg.tensor(
            [
              [-5, -3],
              [-7, -9],
            ],
            { dtype: "int32" },
          ),
          1,
        ),
      ),
    ).toEqual([-3, -7]);
  });
  it("a conv whose input needs no gradient never computes one (the weight's is still exact)", () => {
    const x = sg.randn([1, 2, 5, 5], { dtype: "float64" });
    const w = sg.randn([3, 2, 3, 3], { dtype: "float64", requiresGrad: true });
    sg.conv2d(x, w).backward();
    expect(x.grad).toBeNull();
    expect(w.grad!.shape).toEqual([3, 2, 3, 3]);
  });
  it("NaN propagates through relu, max and maximum as in PyTorch", () => {
    const x = sg.tensor([NaN, -1, 2]);
    expect(arr(sg.relu(x))).toEqual([NaN, 0, 2]);
    expect(sg.max(x).item()).toBeNaN();
    expect(arr(sg.maximum(x, 0))).toEqual([NaN, 0, 2]);
    expect(sg.argmax(x).item()).toBe(0);
  });
  it("maxPool2d output size follows PyTorch, including ceil mode", () => {
    const x = sg.randn([1, 2, 7, 7]);
    expect(sg.maxPool2d(x, { kernelSize: 2 }).shape).toEqual([1, 2, 3, 3]);
    expect(sg.maxPool2d(x, { kernelSize: 2, ceilMode: true }).shape).toEqual([1, 2, 4, 4]);
    expect(sg.maxPool2d(sg.randn([2, 5, 5]), { kernelSize: 3, stride: 1, padding: 1 }).shape).toEqual([2, 5, 5]);
    // @ts-expect-error the compiler refuses it at the input with the same text
    expect(() => sg.maxPool2d(x, { kernelSize: 2, padding: 2 })).toThrow(
      "maxPool2d: padding [2, 2] must be at most half the kernel size [2, 2]",
    );
  });
});

describe("memory model", () => {
  it("disposing a tensor of a device that was torn down is a no-op, not an error", async () => {
    const { registerBackend } = await import("../../src/runtime/devices.js");
    const { cpuBackend } = await import("../../src/backends/cpu/index.js");
    const released: unknown[] = [];
    registerBackend("webgpu", {
      ...cpuBackend,
      device: "webgpu",
      release: (s: unknown) => {
        released.push(s);
      },
    } as never);
    const t = sg.ones([2], { device: "webgpu" });
    const u = sg.ones([2], { device: "webgpu" });
    u.dispose();
    expect(released.length).toBe(1);
    registerBackend("webgpu", undefined);
    expect(() => t.dispose()).not.toThrow();
    expect(released.length).toBe(1);
  });
  it("tidy disposes what it created and did not return, keeps what it returned and its graph", () => {
    const x = sg.tensor([1, 2, 3], { requiresGrad: true });
    let inner: sg.AnyTensor | null = null;
    const y = sg.tidy(() => {
      inner = sg.mul(x, 2);
      const unused = sg.exp(x);
      void unused;
      return sg.sum(sg.mul(inner, inner));
    });
    expect(y.disposed).toBe(false);
    expect(inner!.disposed).toBe(false); // part of y's graph
    y.backward();
    expect(arr(x.grad!)).toEqual([8, 16, 24]);
  });
  it("a disposed tensor refuses to be used, with the op named", () => {
    const t = sg.ones([2]);
    t.dispose();
    expect(() => t.dataSync()).toThrow("dataSync: the tensor was disposed");
    expect(() => sg.add(t, 1)).toThrow("add: first operand was disposed");
  });
  it("assign replaces a parameter's data without touching the graph", () => {
    const p = sg.tensor([1, 2], { requiresGrad: true });
    sg.noGrad(() => p.assign(sg.sub(p, 1)));
    expect(arr(p)).toEqual([0, 1]);
    expect(p.requiresGrad).toBe(true);
    expect(() => p.assign(sg.zeros([3]) as never)).toThrow("assign: value has shape [3]");
  });
  it("a result past the element ceiling is refused before allocation", () => {
    sg.setMaxElements(1000);
    try {
      expect(() => sg.zeros([100, 100])).toThrow(
        "zeros: result shape [100, 100] has 10000 elements, more than the limit of 1000",
      );
      expect(() => sg.matmul(sg.zeros([40, 1]), sg.zeros([1, 40]))).toThrow(
        "matmul: result shape [40, 40] has 1600 elements",
      );
    } finally {
      sg.setMaxElements(2 ** 31 - 1);
    }
  });
});
