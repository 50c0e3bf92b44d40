/**
 * End-to-end on the webgpu device through the public API: a conv net with batch norm trains for
 * 200 Adam steps with a constant number of live GPU buffers, and the demo's network follows the
 * cpu run of the same seed step by step.
 */
import { afterAll, describe, expect, it } from "vitest";
import { manualSeed, tensor, tidy, type AnyTensor, type Device } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";
import type { Backend } from "../../src/backend.js";
import { registerBackend } from "../../src/runtime/devices.js";
import { liveBufferCount, webgpuBackend } from "../../src/backends/webgpu/index.js";
import { digitClassifier } from "../../examples/demo.js";
import { batches, loadMnist } from "../../examples/mnist.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
if (setup.available) registerBackend("webgpu", webgpuBackend as unknown as Backend);
afterAll(() => {
  registerBackend("webgpu", undefined);
  destroyWebGPU();
});

const BATCH = 8;
const data = loadMnist({ seed: 0 }).train;

/**
 * Small enough for a software driver to run 200 steps quickly, yet every kind of kernel a
 * training step uses: strided padded conv and its two gradients, batch norm (running statistics
 * updated in place every step), pooling, a linear layer, cross-entropy and Adam.
 */
function smallNet() {
  return nn.Sequential(
    nn.Conv2d(1, 4, 3, { stride: 2, padding: 1 }), // [N, 4, 14, 14]
    nn.BatchNorm2d(4),
    nn.ReLU(),
    nn.MaxPool2d(2), // [N, 4, 7, 7]
    nn.Flatten(),
    nn.Linear([4, 7, 7], 10),
  );
}

/** Both networks, seen through what the loop needs (their typed forward signatures differ). */
type Net = nn.Module & { forward(x: AnyTensor): AnyTensor };

/** Trains `steps` steps; returns each step's loss and the live-buffer count after it. */
async function train(
  device: Device,
  steps: number,
  makeModel: () => nn.Module,
): Promise<{ losses: number[]; live: number[] }> {
  manualSeed(0);
  const model = makeModel() as Net;
  // made before the move, as PyTorch code often does: to() keeps the parameter objects
  const opt = new optim.Adam(model.parameters(), { lr: 0.003 });
  model.to(device);
  const losses: number[] = [],
    live: number[] = [];
  let epoch = 0;
  while (losses.length < steps) {
    for (const b of batches(data, BATCH, ++epoch)) {
      if (losses.length === steps) break;
      const loss = tidy(() => {
        const x = tensor(b.images, { shape: [b.size, 1, 28, 28], device });
        const y = tensor(b.labels, { shape: [b.size], dtype: "int32", device });
        const l = nn.functional.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l.detach();
      }) as AnyTensor;
      losses.push((await loss.data())[0]);
      loss.dispose();
      live.push(device === "webgpu" ? liveBufferCount() : 0);
    }
  }
  return { losses, live };
}

describe.skipIf(!setup.available)(suiteTitle("training on webgpu", setup), () => {
  it("200 Adam steps hold a constant number of live GPU buffers", async () => {
    const { losses, live } = await train("webgpu", 200, smallNet);
    // After the first step (which creates the optimizer's moment buffers) nothing accumulates.
    expect(new Set(live.slice(1))).toEqual(new Set([live[1]]));
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-20))).toBeLessThan(mean(losses.slice(0, 20)));
  });

  it("the demo's network: the first 5 steps follow the cpu run of the same seed", async () => {
    const gpu = await train("webgpu", 5, digitClassifier);
    const cpu = await train("cpu", 5, digitClassifier);
    // float32 on both sides, summed in different orders; Adam's first steps amplify little.
    for (let i = 0; i < 5; i++)
      expect(Math.abs(gpu.losses[i] - cpu.losses[i])).toBeLessThan(1e-4 * (1 + i) * cpu.losses[i]);
  });
});
