/**
 * convTranspose2d on the webgpu device against the cpu: every float64 case of the PyTorch fixture
 * (test/fixtures/ops/convTranspose2d.json) in float32, the output, the gradients of input, weight
 * and bias, and the second-order gradients, each within 1e-4 relative of the cpu's float32 run
 * (and the outputs within 2e-4 of PyTorch's numbers).
 */
import { afterAll, describe, expect, it } from "vitest";
import { convTranspose2d, gradients, mul, sum, tensor, type AnyTensor, type Device } from "../../src/index.js";
import type { Backend } from "../../src/backend.js";
import { registerBackend } from "../../src/runtime/devices.js";
import { webgpuBackend } from "../../src/backends/webgpu/index.js";
import { relError } from "../reference/helpers.js";
import { type Case as FullCase, type FixtureTensor as T, fixture } from "../ops/convTranspose2d-fixture.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
if (setup.available) registerBackend("webgpu", webgpuBackend as unknown as Backend);
afterAll(() => {
  registerBackend("webgpu", undefined);
  destroyWebGPU();
});

type Case = Required<Pick<FullCase, "gy" | "double">> & FullCase;
const cases = fixture.cases as Case[];
const convT = convTranspose2d as unknown as (x: AnyTensor, w: AnyTensor, b?: AnyTensor | null, o?: object) => AnyTensor;

/** Output, first-order gradients and second-order gradients, read back as Float64Arrays. */
async function run(c: Case, device: Device): Promise<Float64Array[]> {
  const on = (t: T, requiresGrad = false) =>
    tensor(Float32Array.from(t.data), { shape: t.shape, dtype: "float32", device, requiresGrad });
  const x = on(c.inputs.input, true),
    w = on(c.inputs.weight, true),
    gy = on(c.gy, true);
  const b = c.inputs.bias ? on(c.inputs.bias, true) : null;
  const y = convT(x, w, b, c.args.options);
  const firsts = gradients(y, b ? [x, w, b] : [x, w], { seeds: [gy], createGraph: true });
  const [gx, gw] = firsts;
  const l2 = sum(mul(gx, on(c.double.v.input))).add(sum(mul(gw, on(c.double.v.weight))));
  const seconds = gradients(l2, [x, w, gy]);
  return Promise.all([y, ...firsts, ...seconds].map(async (t) => Float64Array.from(await t.data())));
}

describe.skipIf(!setup.available)(suiteTitle("convTranspose2d on webgpu vs cpu", setup), () => {
  it("every fixture case: output, gradients, second-order gradients", async () => {
    for (const c of cases) {
      const [gpu, cpu] = [await run(c, "webgpu"), await run(c, "cpu")];
      expect(relError(gpu[0], Float64Array.from(c.output.data)), `${c.id} vs PyTorch`).toBeLessThanOrEqual(2e-4);
      expect(gpu.length).toBe(cpu.length);
      gpu.forEach((g, i) => expect(relError(g, cpu[i]), `${c.id} result ${i}`).toBeLessThanOrEqual(1e-4));
    }
  });
});
