/**
 * PyTorch's conv2d golden cases on the webgpu device through the public API (`tensor`, `conv2d`,
 * `backward`, `.grad`, `await data()`), in float32 with the same bound as the cpu's float32 run
 * (relative error <= 2e-4), and PyTorch's double-backward numbers (padAdjoint, the conv family
 * applied to its own gradients) within 1e-3.
 */
import { afterAll, describe, expect, it } from "vitest";
import { conv2d, gradients, mul, sum, tensor, tidy, type AnyTensor } from "../../src/index.js";
import type { Backend } from "../../src/backend.js";
import { registerBackend } from "../../src/runtime/devices.js";
import { liveBufferCount, webgpuBackend } from "../../src/backends/webgpu/index.js";
import { type ConvCase, type ConvFixture, decode, readFixture, relError } from "../reference/helpers.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
if (setup.available) registerBackend("webgpu", webgpuBackend as unknown as Backend);
afterAll(() => {
  registerBackend("webgpu", undefined);
  destroyWebGPU();
});

type Options = Parameters<typeof conv2d>[3];
const optionsOf = (c: ConvCase): Options => ({
  stride: c.stride,
  padding: c.padding,
  dilation: c.dilation,
  groups: c.groups,
  paddingMode: c.paddingMode,
});
const onGpu = (t: ConvCase["x"], requiresGrad = false): AnyTensor =>
  tensor(decode(t), { shape: t.shape, dtype: "float32", device: "webgpu", requiresGrad });
const callConv = conv2d as (...a: unknown[]) => AnyTensor;

async function check(c: ConvCase): Promise<void> {
  const x = onGpu(c.x, true),
    w = onGpu(c.w, true),
    b = c.b ? onGpu(c.b, true) : null,
    gy = onGpu(c.gy);
  // The memory model as a user meets it: the step runs in tidy(), which frees every intermediate
  // (the backward pass's included); what it returns and the gradients stay. Returning `out`
  // itself would keep its graph alive, so the result leaves the scope detached.
  const y = tidy(() => {
    const out = callConv(x, w, b, optionsOf(c));
    out.backward(gy);
    return out.detach();
  });
  expect(y.shape).toEqual(c.y.shape);
  expect(relError(await y.data(), decode(c.y)), `${c.id} y`).toBeLessThanOrEqual(2e-4);
  expect(relError(await x.grad!.data(), decode(c.gx)), `${c.id} gx`).toBeLessThanOrEqual(2e-4);
  expect(relError(await w.grad!.data(), decode(c.gw)), `${c.id} gw`).toBeLessThanOrEqual(2e-4);
  if (b && c.gb) expect(relError(await b.grad!.data(), decode(c.gb)), `${c.id} gb`).toBeLessThanOrEqual(2e-4);
  for (const t of [x.grad, w.grad, b?.grad, x, w, b, y, gy]) t?.dispose();
}

const fixtures = ["conv2d-torch.json", "conv2d-torch-big.json"].map((f) => readFixture<ConvFixture>(f));

describe.skipIf(!setup.available)(suiteTitle("PyTorch conv2d golden cases on webgpu", setup), () => {
  for (const [name, fixture] of [
    ["original 150", fixtures[0]],
    ["larger generated", fixtures[1]],
  ] as const) {
    it(`${name}: float32, relative error <= 2e-4, and every buffer freed`, async () => {
      const live = liveBufferCount();
      for (const c of fixture.cases) await check(c);
      expect(liveBufferCount()).toBe(live);
    });
  }

  interface DoubleCase extends ConvCase {
    u: ConvCase["x"];
    v: ConvCase["x"];
    ggx: ConvCase["x"];
    ggw: ConvCase["x"];
    ggy: ConvCase["x"];
  }
  it("double backward matches PyTorch within 1e-3 (float32)", async () => {
    for (const c of readFixture<{ cases: DoubleCase[] }>("conv2d-torch-double.json").cases) {
      const x = onGpu(c.x, true),
        w = onGpu(c.w, true),
        gy = onGpu(c.gy, true);
      const b = c.b ? onGpu(c.b, true) : null;
      const y = callConv(x, w, b, optionsOf(c));
      const [gx, gw] = gradients(y, [x, w], { seeds: [gy], createGraph: true });
      const l2 = sum(mul(gx, onGpu(c.u))).add(sum(mul(gw, onGpu(c.v))));
      const [ggx, ggw, ggy] = gradients(l2, [x, w, gy]);
      expect(relError(await ggx.data(), decode(c.ggx)), `${c.id} ggx`).toBeLessThanOrEqual(1e-3);
      expect(relError(await ggw.data(), decode(c.ggw)), `${c.id} ggw`).toBeLessThanOrEqual(1e-3);
      expect(relError(await ggy.data(), decode(c.ggy)), `${c.id} ggy`).toBeLessThanOrEqual(1e-3);
    }
  });
});
