/**
 * cat, stack, split, chunk and narrow on the webgpu device against the CPU: the concat and slice
 * kernels move bits, so values, gradients and the gradient of a gradient must be equal exactly, in
 * float32 and int32, for every dim, zero-size pieces and runs long and short.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  cat,
  chunk,
  gradients,
  mul,
  narrow,
  split,
  stack,
  sum,
  tensor,
  type AnyTensor,
  type Device,
} from "../../src/index.js";
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

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The same draws on both devices. */
function data(shape: readonly number[], seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: numel(shape) }, () => r() * 2 - 1);
}

type Join = (xs: AnyTensor[]) => AnyTensor[];
const cases: { name: string; shapes: number[][]; f: Join }[] = [
  {
    name: "cat dim 1 (NCHW, channels)",
    shapes: [
      [2, 3, 4, 5],
      [2, 0, 4, 5],
      [2, 6, 4, 5],
    ],
    f: (xs) => [cat(xs, 1)],
  },
  {
    name: "cat dim -1 (short runs)",
    shapes: [
      [3, 4, 1],
      [3, 4, 2],
    ],
    f: (xs) => [cat(xs, -1)],
  },
  {
    name: "cat dim 0 (one run each)",
    shapes: [
      [5, 70],
      [3, 70],
    ],
    f: (xs) => [cat(xs, 0)],
  },
  {
    name: "stack dim 2",
    shapes: [
      [2, 3, 4],
      [2, 3, 4],
      [2, 3, 4],
    ],
    f: (xs) => [stack(xs, 2)],
  },
  { name: "split sections dim 1", shapes: [[2, 9, 3]], f: ([x]) => split(x, [2, 0, 7], 1) },
  { name: "chunk dim -1", shapes: [[4, 3, 11]], f: ([x]) => chunk(x, 4, -1) },
  { name: "narrow negative start", shapes: [[6, 40]], f: ([x]) => [narrow(x, 0, -4, 3)] },
];

async function run(c: (typeof cases)[number], device: Device): Promise<Float32Array[]> {
  const xs = c.shapes.map((s, i) => tensor(data(s, 10 + i), { shape: s, device, requiresGrad: true }));
  const ys = c.f(xs);
  const gys = ys.map((y, i) => tensor(data(y.shape, 50 + i), { shape: y.shape, device, requiresGrad: true }));
  const gs = gradients(ys, xs, { seeds: gys, createGraph: true });
  const s = gs
    .map((g, i) => sum(mul(g, tensor(data(g.shape, 90 + i), { shape: g.shape, device }))))
    .reduce((a, b) => a.add(b));
  const ggy = gradients(s, gys);
  return Promise.all([...ys, ...gs, ...ggy].map(async (t) => Float32Array.from(await t.data())));
}

describe.skipIf(!setup.available)(suiteTitle("cat, stack, split, chunk, narrow on webgpu", setup), () => {
  for (const c of cases) {
    it(`${c.name}: outputs, gradients, double backward equal the CPU's bit for bit`, async () => {
      const cpu = await run(c, "cpu");
      const gpu = await run(c, "webgpu");
      expect(gpu.length).toBe(cpu.length);
      cpu.forEach((want, k) => expect([...gpu[k]], `result ${k}`).toEqual([...want]));
    });
  }
  it("int32 moves exactly", async () => {
    const a = tensor(Int32Array.from([1, -2, 2147483647, -2147483648]), { shape: [2, 2], device: "webgpu" });
    const b = tensor(Int32Array.from([7, 8]), { shape: [2, 1], device: "webgpu" });
    const y = cat([a, b], 1);
    expect([...(await y.data())]).toEqual([1, -2, 7, 2147483647, -2147483648, 8]);
    const [p] = split(y, [1, 2], 1);
    expect([...(await p.data())]).toEqual([1, 2147483647]);
  });
});
