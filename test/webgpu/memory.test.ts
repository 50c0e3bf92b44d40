/**
 * The backend's memory rules: reshape shares a buffer by reference count, release is idempotent,
 * released buffers are reused from the pool, use after release and float64 are clear errors, and
 * storages of a destroyed device are refused by kernels but ignored by release.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  type GpuStorage,
  WEBGPU_FLOAT64_MESSAGE,
  destroyWebGPU,
  initWebGPU,
  liveBufferCount,
  webgpuBackend,
  webgpuMemoryStats,
} from "../../src/backends/webgpu/index.js";
import { setupWebGPU, suiteTitle } from "./setup.js";
import { initWebGPU as initPublic, ones, tidy } from "../../src/index.js";

const setup = await setupWebGPU();
afterAll(() => destroyWebGPU());

const b = webgpuBackend;
const reshape = b.kernels.reshape;
const neg = b.kernels.neg;
const f32 = (storage: GpuStorage, shape: number[]) => ({ storage, shape, dtype: "float32" as const });

describe.skipIf(!setup.available)(suiteTitle("webgpu memory", setup), () => {
  it("reshape shares the buffer: it lives until both handles are released", async () => {
    const live = liveBufferCount();
    const x = b.upload(Float32Array.of(1, 2, 3, 4, 5, 6), "float32");
    const y = reshape([f32(x, [2, 3])], { shape: [3, 2] }, { shape: [3, 2], dtype: "float32" });
    expect(liveBufferCount()).toBe(live + 1);
    b.release(x);
    expect(liveBufferCount()).toBe(live + 1);
    expect([...(await b.read(y, "float32", 6))]).toEqual([1, 2, 3, 4, 5, 6]);
    b.release(y);
    b.release(y); // idempotent
    expect(liveBufferCount()).toBe(live);
  });

  it("released buffers are reused by size from the pool", () => {
    const x = b.upload(new Float32Array(1000), "float32");
    b.release(x);
    const pooled = webgpuMemoryStats().pooledBuffers;
    const y = b.full(1000, 1, "float32");
    expect(y.buffer).toBe(x.buffer);
    expect(webgpuMemoryStats().pooledBuffers).toBe(pooled - 1);
    b.release(y);
  });

  it("a released storage is refused by kernels with a clear error, and the refused call leaks nothing", () => {
    const x = b.full(4, 2, "float32");
    b.release(x);
    const live = liveBufferCount();
    expect(() => neg([f32(x, [4])], {}, { shape: [4], dtype: "float32" })).toThrow(
      "webgpu: a tensor was used after dispose()",
    );
    expect(liveBufferCount()).toBe(live);
  });

  it("tidy() frees what its function made when it throws: 300 throwing calls leave no buffer live (issue 24)", async () => {
    await initPublic(); // registers the backend for { device: "webgpu" }
    const live = liveBufferCount();
    for (let i = 0; i < 300; i++) {
      expect(() =>
        tidy(() => {
          ones([4], { device: "webgpu" }).add(1).mul(2);
          throw new Error("from user code");
        }),
      ).toThrow("from user code");
    }
    expect(liveBufferCount()).toBe(live);
  });

  it("float64 is refused with the exported message", () => {
    const live = liveBufferCount();
    expect(() => b.upload(new Float64Array(2), "float64")).toThrow(WEBGPU_FLOAT64_MESSAGE);
    expect(() => b.full(2, 0, "float64")).toThrow(WEBGPU_FLOAT64_MESSAGE);
    expect(liveBufferCount()).toBe(live);
  });

  it("storages of a destroyed device: kernels refuse them, release ignores them", async () => {
    const x = b.full(4, 3, "float32");
    destroyWebGPU();
    await initWebGPU();
    expect(liveBufferCount()).toBe(0);
    expect(() => neg([f32(x, [4])], {}, { shape: [4], dtype: "float32" })).toThrow(
      "webgpu: a tensor belongs to a WebGPU device that was destroyed",
    );
    expect(() => b.release(x)).not.toThrow();
    expect(liveBufferCount()).toBe(0);
    const y = b.full(3, 7, "int32");
    expect([...(await b.read(y, "int32", 3))]).toEqual([7, 7, 7]);
    b.release(y);
  });

  it("without initWebGPU the backend says so", () => {
    destroyWebGPU();
    expect(() => b.full(1, 0, "float32")).toThrow(
      "webgpu: the device is not initialised; call `await initWebGPU()` first",
    );
  });
});
