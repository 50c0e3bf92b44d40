/**
 * exportOnnx on nn models: every layer the exporter writes as a named ONNX op (Gemm, LeakyRelu,
 * BatchNormalization, AveragePool, Flatten, Softmax, LogSoftmax) and the traced ones (Conv with
 * every option, MaxPool, Gelu as Erf, residual Add), run in onnxruntime-node and compared with
 * shapegrad's own forward pass, plus the typed ResNet-18 example.
 */
import { describe, expect, it } from "vitest";
import { add, manualSeed, noGrad, ones, randn, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { exportOnnx, traceOnnx } from "../../src/onnx/index.js";
import { writeOnnx } from "../../src/onnx/node.js";
import { resnet18 } from "../../examples/resnet18.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runBoth } from "./helpers.js";

type AnyModule = nn.Module & { forward(x: AnyTensor): AnyTensor };
const measured: string[] = [];

/** Training-mode batches move the running statistics away from 0 and 1, so evaluation has something to get right. */
function warmBatchNorm(model: AnyModule, shape: number[]): void {
  model.train();
  noGrad(() => {
    for (let i = 0; i < 3; i++) model.forward(randn(shape) as unknown as AnyTensor);
  });
  model.eval();
}

async function compare(name: string, model: AnyModule, shape: number[], ops: string[]): Promise<void> {
  const r = await runBoth(model, randn(shape));
  expect(r.onnxShape).toEqual(r.shape);
  measured.push(`${name}: max abs diff ${r.maxAbsDiff.toExponential(2)} (output scale ${r.scale.toFixed(2)})`);
  expect(r.maxAbsDiff).toBeLessThanOrEqual(2e-5 * Math.max(1, r.scale));
  const types = traceOnnx(model, shape).graph.nodes.map((n) => n.opType);
  for (const op of ops) expect(types, name).toContain(op);
}

describe("exportOnnx: nn models in onnxruntime", () => {
  manualSeed(11);

  it("a CNN with every layer kind", async () => {
    const model = nn.Sequential(
      nn.Conv2d(3, 8, 3, { padding: 1, paddingMode: "reflect" }),
      nn.BatchNorm2d(8),
      nn.LeakyReLU(0.2),
      nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
      nn.Conv2d(8, 8, 3, { padding: "same", dilation: 2, groups: 4, paddingMode: "circular" }),
      nn.GELU(),
      nn.AvgPool2d(2, { countIncludePad: false }),
      nn.Conv2d(8, 6, 1, { bias: false, paddingMode: "replicate" }),
      nn.Tanh(),
      nn.Flatten(),
      nn.Dropout(0.5),
      nn.Linear([6, 2, 2], 12),
      nn.Sigmoid(),
      nn.Linear(12, 5),
      nn.LogSoftmax(),
    ) as unknown as AnyModule;
    warmBatchNorm(model, [4, 3, 8, 8]);
    await compare(
      "every layer",
      model,
      [4, 3, 8, 8],
      [
        "Pad",
        "Conv",
        "BatchNormalization",
        "LeakyRelu",
        "MaxPool",
        "Concat",
        "Erf",
        "AveragePool",
        "Tanh",
        "Flatten",
        "Gemm",
        "Sigmoid",
        "LogSoftmax",
      ],
    );
  });

  it("average pooling in ceil mode keeps PyTorch's divisor (traced as Conv and Div)", async () => {
    const model = nn.Sequential(
      nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
      nn.Softmax(1),
    ) as unknown as AnyModule;
    await compare("avg pool ceil + softmax", model, [2, 3, 6, 6], ["Conv", "Div", "Softmax"]);
  });

  it("a residual block", async () => {
    const block = nn.Residual(
      nn.Sequential(
        nn.Conv2d(4, 4, 3, { padding: 1 }),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Conv2d(4, 4, 3, { padding: 1 }),
      ),
      nn.Sequential(nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4)),
    ) as unknown as AnyModule;
    warmBatchNorm(block, [2, 4, 5, 5]);
    await compare("residual", block, [2, 4, 5, 5], ["Conv", "BatchNormalization", "Add"]);
  });

  it("the typed ResNet-18 example", async () => {
    const model = resnet18(10) as unknown as AnyModule;
    warmBatchNorm(model, [2, 3, 32, 32]);
    await compare(
      "ResNet-18 (10 classes, 32x32)",
      model,
      [1, 3, 32, 32],
      ["Conv", "BatchNormalization", "MaxPool", "Add", "Gemm"],
    );
  }, 120_000);

  it("BatchNorm2d without running statistics normalises by the batch's own (the fused batchNormTrain as ONNX ops)", async () => {
    for (const affine of [true, false]) {
      const model = nn.Sequential(
        nn.Conv2d(3, 4, 3, { padding: 1 }),
        nn.BatchNorm2d(4, { trackRunningStats: false, affine }),
        nn.ReLU(),
      ) as unknown as AnyModule;
      model.eval();
      await compare(`batch-statistics BatchNorm2d, affine ${affine}`, model, [3, 3, 5, 5], ["ReduceMean", "Sqrt"]);
    }
  });

  it("dynamicBatch: exported at batch 2, the file runs at batch 1 and 5", async () => {
    const model = nn.Sequential(
      nn.Conv2d(3, 4, 3, { padding: 1 }),
      nn.BatchNorm2d(4),
      nn.ReLU(),
      nn.MaxPool2d(2),
      nn.Flatten(),
      nn.Linear([4, 3, 3], 6),
      nn.GELU(),
      nn.Linear(6, 3),
    ) as unknown as AnyModule;
    warmBatchNorm(model, [4, 3, 6, 6]);
    const graph = traceOnnx(model, [2, 3, 6, 6], { dynamicBatch: "batch" }).graph;
    expect(graph.inputs[0].dims).toEqual(["batch", 3, 6, 6]);
    expect(graph.outputs[0].dims).toEqual(["batch", 3]);
    for (const n of [1, 5]) {
      const r = await runBoth(model, randn([n, 3, 6, 6]), { dynamicBatch: "batch" }, [2, 3, 6, 6]);
      expect(r.onnxShape).toEqual([n, 3]);
      measured.push(
        `dynamic batch, run at ${n}: max abs diff ${r.maxAbsDiff.toExponential(2)} (output scale ${r.scale.toFixed(2)})`,
      );
      expect(r.maxAbsDiff).toBeLessThanOrEqual(2e-5 * Math.max(1, r.scale));
    }
  });

  it("dynamicBatch: a traced flatten becomes a Reshape to [-1, features]", () => {
    const f = (x: AnyTensor) => nn.functional.flatten(x, 1) as unknown as AnyTensor;
    const graph = traceOnnx(f, [2, 3, 4], { dynamicBatch: true }).graph;
    const reshape = graph.nodes.find((n) => n.opType === "Reshape")!;
    const shape = graph.initializers.find((t) => t.name === reshape.inputs[1])!;
    expect(Array.from(shape.data as BigInt64Array)).toEqual([-1n, 12n]);
  });

  it("dynamicBatch: refuses a model whose constants follow the batch size", () => {
    const f = (x: AnyTensor) => add(x, ones([x.shape[0], 3]) as never) as unknown as AnyTensor;
    expect(() => traceOnnx(f, [2, 3], { dynamicBatch: true })).toThrow(
      /dynamicBatch: constant .* depends on the batch size/,
    );
  });

  it("restores training mode and leaves no forward hooks behind", () => {
    const model = nn.Sequential(nn.Linear(3, 2), nn.LeakyReLU()) as unknown as AnyModule;
    model.train();
    exportOnnx(model, [1, 3]);
    expect(model.training).toBe(true);
    for (const [, m] of model.namedModules()) expect(Object.prototype.hasOwnProperty.call(m, "forward")).toBe(false);
  });

  it("writes a conv's bias as Conv's third input, as PyTorch's exporter does", () => {
    const model = nn.Sequential(
      nn.Conv2d(2, 3, 3),
      nn.ReLU(),
      nn.Conv2d(3, 4, 1, { bias: false }),
    ) as unknown as AnyModule;
    const graph = traceOnnx(model, [1, 2, 5, 5]).graph;
    expect(graph.nodes.map((n) => n.opType)).toEqual(["Conv", "Relu", "Conv", "Identity"]);
    expect(graph.nodes[0].inputs).toEqual(["input", "0.weight", "0.bias"]);
    expect(graph.initializers.find((t) => t.name === "0.bias")?.dims).toEqual([3]);
    expect(graph.nodes[2].inputs).toHaveLength(2);
  });

  it("names initializers by their state-dict names and writes a file", async () => {
    const model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 2)) as unknown as AnyModule;
    const names = traceOnnx(model, [1, 1, 4, 4]).graph.initializers.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["0.weight", "0.bias", "2.weight", "2.bias"]));
    const dir = mkdtempSync(path.join(tmpdir(), "shapegrad-onnx-"));
    try {
      const file = path.join(dir, "m.onnx");
      const n = await writeOnnx(file, model, [1, 1, 4, 4]);
      expect(readFileSync(file)).toEqual(Buffer.from(exportOnnx(model, [1, 1, 4, 4])));
      expect(n).toBe(readFileSync(file).length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports the measured differences", () => {
    console.log(`exportOnnx (nn models) vs onnxruntime-node, float32:\n  ${measured.join("\n  ")}`);
    expect(measured.length).toBe(8);
  });
});
