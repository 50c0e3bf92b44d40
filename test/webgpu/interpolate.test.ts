/**
 * interpolate on WebGPU against the CPU backend (float32): the interpolate primitive's kernels
 * (src/backends/webgpu/interpolate.ts), forward, input gradient (the adjoint kernel) and second
 * order (the adjoint's gradient, the forward again), nearest and bilinear, up and down, with size
 * and scaleFactor, on planes that are not multiples of the workgroup.
 */
import { afterAll, describe, expect, it } from "vitest";
import { gradients, interpolate, mul, sum, tensor, type AnyTensor } from "../../src/index.js";
import { rng } from "../helpers/random.js";
import type { Backend } from "../../src/backend.js";
import { registerBackend } from "../../src/runtime/devices.js";
import { webgpuBackend } from "../../src/backends/webgpu/index.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
if (setup.available) registerBackend("webgpu", webgpuBackend as unknown as Backend);
afterAll(() => {
  registerBackend("webgpu", undefined);
  destroyWebGPU();
});

const call = interpolate as unknown as (x: AnyTensor, o: unknown) => AnyTensor;
const configs = [
  { scaleFactor: 2 },
  { scaleFactor: [1.7, 0.6] },
  { size: [5, 9], mode: "bilinear" },
  { scaleFactor: 1.5, mode: "bilinear", alignCorners: true },
  { size: 3, mode: "bilinear", alignCorners: false },
  { size: 1, mode: "bilinear" },
  { size: [3, 2] },
  { scaleFactor: 0.5, mode: "bilinear" },
  { scaleFactor: [4, 3], mode: "bilinear" },
  { size: [29, 8], mode: "bilinear", alignCorners: true },
];

describe.skipIf(!setup.available)(suiteTitle("interpolate: WebGPU vs CPU", setup), () => {
  for (const o of configs) {
    it(JSON.stringify(o), async () => {
      const draw = rng(7);
      const shape = [2, 3, 5, 7];
      const data = Float32Array.from({ length: 210 }, () => draw() * 2 - 1);
      const run = async (device: "cpu" | "webgpu") => {
        const x = tensor(data, { shape, device }).requiresGrad_(true);
        const y = call(x, o);
        const gy = tensor(
          Float32Array.from({ length: y.size }, (_, i) => Math.sin(i)),
          { shape: y.shape, device },
        );
        const [gx] = gradients(y, [x], { seeds: [gy.requiresGrad_(true)], createGraph: true });
        const v = tensor(
          Float32Array.from({ length: gx.size }, (_, i) => Math.cos(i)),
          { shape: gx.shape, device },
        );
        const [ggy] = gradients(sum(mul(gx, v)), [gy]);
        return {
          shape: y.shape,
          y: Array.from(await y.data()),
          gx: Array.from(await gx.data()),
          ggy: Array.from(await ggy.data()),
        };
      };
      const cpu = await run("cpu");
      const gpu = await run("webgpu");
      expect(gpu.shape).toEqual(cpu.shape);
      for (const k of ["y", "gx", "ggy"] as const) {
        cpu[k].forEach((v, i) => expect(Math.abs(gpu[k][i] - v)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(v)));
      }
    });
  }
});
