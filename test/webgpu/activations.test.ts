/**
 * silu, hardswish, hardsigmoid, relu6 and dropout2d on the webgpu device against the CPU: values
 * and first and second derivatives in float32 on inputs that include every kink exactly (the
 * compositions' masks must pick the same side on both devices), and dropout2d's channel structure.
 */
import { afterAll, describe, expect, it } from "vitest";
import { gradients, manualSeed, mul, sum, tensor, type AnyTensor, type Device } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import type { Backend } from "../../src/backend.js";
import { registerBackend } from "../../src/runtime/devices.js";
import { webgpuBackend } from "../../src/backends/webgpu/index.js";
import { rng } from "../helpers/random.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
if (setup.available) registerBackend("webgpu", webgpuBackend as unknown as Backend);
afterAll(() => {
  registerBackend("webgpu", undefined);
  destroyWebGPU();
});

const F = nn.functional as unknown as Record<string, (x: AnyTensor, ...args: unknown[]) => AnyTensor>;
const shape = [2, 3, 5, 7];
const n = shape.reduce((a, b) => a * b, 1);
const kinks = [-3, 0, 3, 6, -6, 7, -2.984375, 2.984375, 5.984375, 0.015625];

function inputs(seed: number): { x: Float32Array; gy: Float32Array; v: Float32Array } {
  const r = rng(seed);
  const draw = (lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
  const x = draw(-8, 8);
  kinks.forEach((k, i) => (x[i * 7] = k));
  return { x, gy: draw(-1, 1), v: draw(-1, 1) };
}

async function run(op: string, device: Device, seed: number): Promise<Float32Array[]> {
  const d = inputs(seed);
  const x = tensor(d.x, { shape, device, requiresGrad: true });
  const gy = tensor(d.gy, { shape, device, requiresGrad: true });
  const y = F[op](x);
  const [gx] = gradients(y, [x], { seeds: [gy], createGraph: true });
  const out = [y, gx];
  if (op !== "hardsigmoid") out.push(...gradients(sum(mul(gx, tensor(d.v, { shape, device }))), [x, gy]));
  return Promise.all(out.map(async (t) => Float32Array.from(await t.data())));
}

describe.skipIf(!setup.available)(suiteTitle("issue-21 activations on webgpu", setup), () => {
  for (const op of ["silu", "hardswish", "hardsigmoid", "relu6"]) {
    it(`${op}: value, gradient and double backward as on the CPU`, async () => {
      const cpu = await run(op, "cpu", 21);
      const gpu = await run(op, "webgpu", 21);
      expect(gpu.length).toBe(cpu.length);
      cpu.forEach((c, k) => {
        for (let i = 0; i < n; i++) {
          const err = Math.abs(gpu[k][i] - c[i]) / Math.max(1, Math.abs(c[i]));
          expect(err, `${op} output ${k} element ${i}: ${gpu[k][i]} vs ${c[i]}`).toBeLessThanOrEqual(1e-5);
        }
      });
    });
  }

  it("dropout2d zeroes whole channels and scales the others by 1/(1-p)", async () => {
    manualSeed(5);
    const x = tensor(new Float32Array(4 * 32 * 3 * 3).fill(2), { shape: [4, 32, 3, 3], device: "webgpu" });
    const y = await F.dropout2d(x, 0.5, true).data();
    let kept = 0;
    for (let ch = 0; ch < 4 * 32; ch++) {
      const v = y[ch * 9];
      expect(v === 0 || v === 4, `channel ${ch}: ${v}`).toBe(true);
      if (v !== 0) kept++;
      for (let k = 1; k < 9; k++) expect(y[ch * 9 + k]).toBe(v);
    }
    // 128 channels at keep probability 1/2: mean 64, standard deviation 5.7.
    expect(kept).toBeGreaterThan(64 - 25);
    expect(kept).toBeLessThan(64 + 25);
  });
});
