/**
 * layerNorm and groupNorm (and their layers) on the webgpu device against the CPU, float32:
 * values, gradients in x, weight and bias, and double backward; the float32 PyTorch goldens on
 * the device too.
 */
import { afterAll, describe, expect, it } from "vitest";
import { add, gradients, mul, sum, tensor, type AnyTensor, type Device } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import type { Backend } from "../../src/backend.js";
import { registerBackend } from "../../src/runtime/devices.js";
import { webgpuBackend } from "../../src/backends/webgpu/index.js";
import { rng } from "../helpers/random.js";
import { expectClose, fixtures, fromFixture } from "../ops/normalization-fixture.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
if (setup.available) registerBackend("webgpu", webgpuBackend as unknown as Backend);
afterAll(() => {
  registerBackend("webgpu", undefined);
  destroyWebGPU();
});

type Norm = (x: AnyTensor, arg: unknown, w?: AnyTensor | null, b?: AnyTensor | null, eps?: number) => AnyTensor;
const F = nn.functional as unknown as { layerNorm: Norm; groupNorm: Norm };

interface Config {
  op: "layerNorm" | "groupNorm";
  shape: number[];
  arg: number | number[];
  param: number[];
}
const configs: Config[] = [
  { op: "layerNorm", shape: [4, 7, 24], arg: 24, param: [24] },
  { op: "layerNorm", shape: [2, 3, 5, 6], arg: [5, 6], param: [5, 6] },
  { op: "groupNorm", shape: [2, 8, 5, 6], arg: 4, param: [8] },
  { op: "groupNorm", shape: [3, 6, 10], arg: 6, param: [6] },
];

async function run(c: Config, device: Device, seed: number): Promise<Float32Array[]> {
  const r = rng(seed);
  const draw = (shape: number[], lo: number, hi: number, grad = true) =>
    tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * r()),
      { shape, device, requiresGrad: grad },
    );
  const x = draw(c.shape, -3, 5);
  const w = draw(c.param, 0.5, 1.5);
  const b = draw(c.param, -1, 1);
  const gy = draw(c.shape, -1, 1);
  const y = F[c.op](x, c.arg, w, b);
  const first = gradients(y, [x, w, b], { seeds: [gy], createGraph: true });
  const s = first.map((g) => sum(mul(g, draw(g.shape as number[], -1, 1, false)))).reduce((p, q) => add(p, q));
  const second = gradients(s, [x, w, gy]);
  return Promise.all([y, ...first, ...second].map(async (t) => Float32Array.from(await t.data())));
}

describe.skipIf(!setup.available)(suiteTitle("layerNorm and groupNorm on webgpu", setup), () => {
  for (const c of configs) {
    it(`${c.op} ${JSON.stringify(c.shape)} by ${JSON.stringify(c.arg)}: values, gradients, double backward`, async () => {
      const cpu = await run(c, "cpu", 21);
      const gpu = await run(c, "webgpu", 21);
      expect(gpu.length).toBe(cpu.length);
      cpu.forEach((want, k) => {
        // The second-order terms are sums of products of normalised values: 1e-4 of their scale.
        const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
        for (let i = 0; i < want.length; i++) {
          const err = Math.abs(gpu[k][i] - want[i]) / scale;
          expect(err, `output ${k} element ${i}: ${gpu[k][i]} vs ${want[i]}`).toBeLessThanOrEqual(k < 4 ? 2e-5 : 1e-4);
        }
      });
    });
  }

  for (const op of ["layerNorm", "groupNorm"] as const) {
    for (const c of fixtures[op].float32Cases) {
      it(`${op} ${c.id} (PyTorch float32), and its layer`, async () => {
        const on = (e: typeof c.inputs.x | null) => (e ? fromFixture(e, "float32", { device: "webgpu" }) : null);
        const arg = op === "layerNorm" ? c.args.normalizedShape : c.args.numGroups;
        const y = F[op](on(c.inputs.x)!, arg, on(c.inputs.weight), on(c.inputs.bias), c.args.eps);
        expect(y.device).toBe("webgpu");
        expectClose(await y.data(), y.shape, c.output, 1e-5, "output");
      });
    }
  }

  it("nn.LayerNorm and nn.GroupNorm moved to the device", async () => {
    const x = tensor(
      Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.sin(i)),
      { shape: [2, 4, 3] },
    );
    for (const layer of [nn.LayerNorm(3), nn.GroupNorm(2, 4)]) {
      const m = layer as unknown as { forward(x: AnyTensor): AnyTensor; to(d: Device): unknown };
      const want = m.forward(x).dataSync();
      m.to("webgpu");
      const got = await m.forward(x.to("webgpu")).data();
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5);
    }
  });
});
