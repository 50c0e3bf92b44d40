/**
 * maxPool2d and avgPool2d with padding [top, bottom, left, right] on WebGPU against the CPU backend
 * (float32): forward, input gradient and the gradient of the gradient (maxPool2dBackward's rule
 * runs the select on the device), over ONNX SAME_UPPER / SAME_LOWER pads, explicit ones, dilation
 * and ceil mode.
 */
import { afterAll, describe, expect, it } from "vitest";
import { gradients, maxPool2d, mul, nn, sum, tensor, type AnyTensor } from "../../src/index.js";
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

type Pool = (x: AnyTensor, o: Record<string, unknown>) => AnyTensor;
const maxPool = maxPool2d as unknown as Pool;
const avgPool = nn.functional.avgPool2d as unknown as Pool;
const configs: [string, Pool, number[], Record<string, unknown>][] = [
  ["max SAME_UPPER k2 s2", maxPool, [1, 2, 5, 5], { kernelSize: 2, stride: 2, padding: [0, 1, 0, 1] }],
  ["max SAME_LOWER k3 s2", maxPool, [2, 2, 6, 6], { kernelSize: 3, stride: 2, padding: [1, 0, 1, 0] }],
  ["max explicit", maxPool, [2, 1, 5, 6], { kernelSize: 3, stride: 2, padding: [1, 0, 0, 2] }],
  ["max dilated SAME", maxPool, [1, 1, 6, 5], { kernelSize: 3, stride: 1, dilation: 2, padding: [2, 2, 2, 2] }],
  ["max ceil", maxPool, [1, 2, 7, 8], { kernelSize: 3, stride: 2, padding: [0, 1, 1, 0], ceilMode: true }],
  ["avg SAME_UPPER", avgPool, [1, 1, 5, 6], { kernelSize: 4, stride: 1, padding: [1, 2, 1, 2] }],
  [
    "avg exclude pad",
    avgPool,
    [1, 2, 7, 8],
    { kernelSize: 5, stride: 3, padding: [2, 2, 2, 1], countIncludePad: false },
  ],
  ["avg ceil", avgPool, [1, 2, 6, 5], { kernelSize: [2, 3], stride: 2, padding: [0, 1, 2, 0], ceilMode: true }],
];

describe.skipIf(!setup.available)(suiteTitle("pooling with asymmetric padding: WebGPU vs CPU", setup), () => {
  for (const [name, op, shape, o] of configs) {
    it(`${name} ${JSON.stringify(shape)} ${JSON.stringify(o)}`, async () => {
      const draw = rng(17);
      const n = shape.reduce((a, b) => a * b, 1);
      // distinct values, so both devices pick the same argmax
      const data = Float32Array.from({ length: n }, (_, i) => i / 8 - n / 16);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(draw() * (i + 1));
        [data[i], data[j]] = [data[j], data[i]];
      }
      const run = async (device: "cpu" | "webgpu") => {
        const x = tensor(data, { shape, device }).requiresGrad_(true) as unknown as AnyTensor;
        const y = op(x, o);
        const gy = tensor(
          Float32Array.from({ length: y.size }, (_, i) => Math.sin(i)),
          { shape: y.shape, device },
        );
        const [gx] = gradients(sum(mul(mul(y, y), gy)), [x], { createGraph: true });
        const [ggx] = gradients(sum(mul(gx, gx)), [x]);
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
        cpu[k].forEach((v, i) => expect(Math.abs(gpu[k][i] - v)).toBeLessThanOrEqual(1e-4 + 1e-5 * Math.abs(v)));
      }
    });
  }
});
