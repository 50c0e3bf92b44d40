/**
 * shapegrad/models on the webgpu device: MobileNetV3-Small and RegNetY-400MF (grouped and
 * depthwise convolutions, squeeze-excitation, Hardswish/Hardsigmoid) moved with `.to("webgpu")`
 * give torchvision's float32 eval-mode logits (test/fixtures/models/), as on the CPU.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type * as nn from "../../src/nn/index.js";
import * as models from "../../src/models/index.js";
import type { Tensor } from "../../src/index.js";
import type { Backend } from "../../src/backend.js";
import { registerBackend } from "../../src/runtime/devices.js";
import { webgpuBackend } from "../../src/backends/webgpu/index.js";
import { hashedInput, hashedState } from "../models/weights.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
if (setup.available) registerBackend("webgpu", webgpuBackend as unknown as Backend);
afterAll(() => {
  registerBackend("webgpu", undefined);
  destroyWebGPU();
});

interface Golden {
  input: { shape: number[]; logits32: { shape: number[]; data: number[] } };
}
interface Classifier extends nn.Module {
  forward(x: Tensor<[number, 3, number, number], "float32", "webgpu">): Tensor<number[], "float32", "webgpu">;
}
const CASES: [string, () => Classifier][] = [
  ["mobilenetV3Small", () => models.mobilenetV3Small({ numClasses: 10 })],
  ["regnetY400mf", () => models.regnetY400mf({ numClasses: 10 })],
];

describe.skipIf(!setup.available)(suiteTitle("shapegrad/models on webgpu vs torchvision", setup), () => {
  it.each(CASES)(
    "%s: eval-mode logits",
    async (name, build) => {
      const g = JSON.parse(readFileSync(new URL(`../fixtures/models/${name}.json`, import.meta.url), "utf8")) as Golden;
      const model = build();
      model.loadStateDict(hashedState([...model.stateDict()].map(([k, t]) => [k, t.shape] as const)));
      model.to("webgpu").eval();
      const y = model.forward(hashedInput("input", g.input.shape).to("webgpu"));
      expect([...y.shape]).toEqual(g.input.logits32.shape);
      const got = await y.data();
      const scale = Math.max(1, ...g.input.logits32.data.map(Math.abs));
      const worst = Math.max(...g.input.logits32.data.map((e, i) => Math.abs(got[i] - e)));
      expect(worst / scale).toBeLessThan(1e-5);
    },
    300_000,
  );
});
