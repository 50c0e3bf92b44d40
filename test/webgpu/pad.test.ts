/**
 * pad on WebGPU against the CPU backend (float32): forward and input gradient in every mode, with
 * negative pads, on 1 to 3 padded dims of 2-D to 5-D inputs, and the gradient of the gradient
 * (padAdjoint's rule runs pad on the device).
 */
import { afterAll, describe, expect, it } from "vitest";
import { gradients, mul, pad, sum, tensor, type AnyTensor } from "../../src/index.js";
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

const call = pad as unknown as (x: AnyTensor, pads: readonly number[], o: unknown) => AnyTensor;
const configs: [number[], number[], Record<string, unknown>][] = [
  [[2, 3, 4, 5], [1, 2, 3, 0], { value: 1.5 }],
  [[2, 3, 4, 5], [-1, 2, 0, 0, 1, -1], {}],
  [[7], [3, -2], { value: -2 }],
  [[1, 2, 4, 5], [2, -1, 3, 1], { mode: "reflect" }],
  [[3, 6], [5, -3], { mode: "reflect" }],
  [[2, 1, 2, 3], [4, 1, 2, 5], { mode: "replicate" }],
  [[1, 2, 2, 3, 4], [1, 1, 2, 0, 1, 3], { mode: "replicate" }],
  [[1, 2, 4, 5], [-2, 3, 2, -1], { mode: "circular" }],
  [[2, 2, 3, 4, 5], [5, 5, 4, 4, 3, 3], { mode: "circular" }],
];

describe.skipIf(!setup.available)(suiteTitle("pad: WebGPU vs CPU", setup), () => {
  for (const [shape, pads, o] of configs) {
    it(`${JSON.stringify(shape)} ${JSON.stringify(pads)} ${JSON.stringify(o)}`, async () => {
      const draw = rng(11);
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, () => draw() * 2 - 1);
      const run = async (device: "cpu" | "webgpu") => {
        const x = tensor(data, { shape, device }).requiresGrad_(true);
        const y = call(x, pads, o);
        const gy = tensor(
          Float32Array.from({ length: y.size }, (_, i) => Math.sin(i)),
          { shape: y.shape, device },
        );
        const [gx] = gradients(sum(mul(mul(y, y), gy)), [x], { createGraph: true });
        const [ggx] = gradients(sum(gx), [x]);
        return {
          shape: y.shape,
          y: Array.from(await y.data()),
          gx: Array.from(await gx.data()),
          ggx: Array.from(await ggx.data()),
        };
      };
      const cpu = await run("cpu");
      const gpu = await run("webgpu");
      expect(gpu.shape).toEqual(cpu.shape);
      for (const k of ["y", "gx", "ggx"] as const) {
        expect(gpu[k].length).toBe(cpu[k].length);
        cpu[k].forEach((v, i) => expect(Math.abs(gpu[k][i] - v)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(v)));
      }
    });
  }
});
