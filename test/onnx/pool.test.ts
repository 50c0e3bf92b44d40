/**
 * Pooling with padding [top, bottom, left, right] exported to ONNX and run in onnxruntime-node:
 * every case of PyTorch's asymmetric goldens (test/fixtures/ops/*-asymmetric.json) as MaxPool with
 * explicit pads (never auto_pad), as AveragePool (nn.AvgPool2d) with explicit pads and
 * count_include_pad written, and as the traced avgPool2d (a depthwise Conv and a Div); plus ceil
 * mode with unequal sides and a dilated pad that ONNX Runtime only takes as an explicit Pad.
 */
import { describe, expect, it } from "vitest";
import { maxPool2d, nn, randn, type AnyTensor } from "../../src/index.js";
import { traceOnnx } from "../../src/onnx/index.js";
import { type GoldenTensor, goldenTensor, readOpsGolden } from "../helpers/goldens.js";
import { runBoth } from "./helpers.js";

type Options = Record<string, unknown>;
interface Case {
  id: string;
  inputs: { x: GoldenTensor };
  args: { options: Options };
  output: GoldenTensor;
}
const maxGolden = readOpsGolden<{ cases: Case[] }>("maxPool2d-asymmetric");
const avgGolden = readOpsGolden<{ cases: Case[] }>("avgPool2d-asymmetric");

const maxPool = (o: Options) => (x: AnyTensor) => maxPool2d(x as never, o as never) as unknown as AnyTensor;
const avgPool = (o: Options) => (x: AnyTensor) => nn.functional.avgPool2d(x, o as never) as unknown as AnyTensor;
const avgLayer = ({ kernelSize, ...rest }: Options) => nn.AvgPool2d(kernelSize as number, rest as never);

type Model = Parameters<typeof runBoth>[0];
/** Runs the export in onnxruntime (float32) and checks it against shapegrad and the golden (float64 values). */
async function check(model: Model, c: Case, op: string): Promise<void> {
  const x = goldenTensor(c.inputs.x, "float32");
  const r = await runBoth(model, x);
  expect(r.onnxShape).toEqual(c.output.shape);
  // the golden inputs are multiples of 1/64: max is exact, an average rounds once per term
  expect(r.maxAbsDiff).toBeLessThanOrEqual(op === "MaxPool" ? 0 : 1e-6 * Math.max(1, r.scale));
  const types = traceOnnx(model, c.inputs.x.shape).graph.nodes.map((n) => n.opType);
  expect(types).toContain(op);
}

describe("exportOnnx: pooling with asymmetric padding in onnxruntime", () => {
  for (const c of maxGolden.cases) {
    it(`maxPool2d ${c.id} (MaxPool)`, () => check(maxPool(c.args.options) as Model, c, "MaxPool"));
  }
  for (const c of avgGolden.cases) {
    it(`nn.AvgPool2d ${c.id} (AveragePool)`, () => check(avgLayer(c.args.options) as Model, c, "AveragePool"));
  }
  for (const c of avgGolden.cases.filter((_, i) => i % 4 === 0)) {
    it(`avgPool2d ${c.id} (traced: Conv, Div)`, () => check(avgPool(c.args.options) as Model, c, "Conv"));
  }

  const extra: [string, number[], Options, string[]][] = [
    ["ceil mode, unequal sides", [1, 2, 7, 8], { kernelSize: 3, stride: 2, padding: [0, 1, 1, 0], ceilMode: true }, []],
    [
      "dilated, ceil mode",
      [2, 1, 9, 9],
      { kernelSize: 2, stride: 3, dilation: 3, padding: [1, 0, 0, 1], ceilMode: true },
      [],
    ],
    // a side of 2 with kernel 2 (the dilated window is 4): ONNX Runtime wants pads below the kernel
    [
      "a pad as large as the kernel",
      [1, 2, 4, 7],
      { kernelSize: 2, stride: 1, dilation: 3, padding: [0, 0, 2, 1] },
      ["Pad"],
    ],
  ];
  for (const [name, shape, o, ops] of extra) {
    it(`maxPool2d ${name}`, async () => {
      const model = maxPool(o) as Model;
      const r = await runBoth(model, randn(shape));
      expect(r.onnxShape).toEqual(r.shape);
      expect(r.maxAbsDiff).toBe(0);
      const types = traceOnnx(model, shape).graph.nodes.map((n) => n.opType);
      for (const op of ["MaxPool", ...ops]) expect(types).toContain(op);
    });
  }
});
