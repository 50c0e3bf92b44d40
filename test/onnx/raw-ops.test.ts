/**
 * exportOnnx on functions of raw ops (conv2d with every option, pools, activations, linear,
 * batch norm, residual adds), each run in onnxruntime-node and compared with shapegrad's output.
 * float32 throughout; the bound is relative to the output's largest magnitude, since ORT and
 * shapegrad sum the same products in different orders (a few ulps per accumulated term).
 */
import { describe, expect, it } from "vitest";
import {
  add,
  flatten,
  manualSeed,
  matmul,
  maxPool2d,
  randn,
  relu,
  sigmoid,
  tanh,
  transpose,
  type AnyTensor,
} from "../../src/index.js";
import { conv2d } from "../../src/ops/conv2d.js";
import * as F from "../../src/nn/functional-impl.js";
import { exportOnnx, traceOnnx } from "../../src/onnx/index.js";
import { runBoth } from "./helpers.js";

type Fn = (x: AnyTensor) => AnyTensor;
const conv = conv2d as unknown as (x: AnyTensor, w: AnyTensor, b?: AnyTensor | null, o?: object) => AnyTensor;
const leaf = (shape: number[]) => randn(shape, { requiresGrad: true }) as unknown as AnyTensor;

const results: string[] = [];

async function check(name: string, fn: Fn, inputShape: number[], ops: string[]): Promise<void> {
  const x = randn(inputShape) as unknown as AnyTensor;
  const r = await runBoth(fn, x);
  expect(r.onnxShape).toEqual(r.shape);
  // float32 rounding: a few ulps (2^-24 ~ 6e-8 each) per accumulated product; 2e-5 relative is far above it
  // and far below any wrong index, padding or weight.
  const bound = 2e-5 * Math.max(1, r.scale);
  results.push(`${name}: max abs diff ${r.maxAbsDiff.toExponential(2)} (output scale ${r.scale.toFixed(2)})`);
  expect(r.maxAbsDiff).toBeLessThanOrEqual(bound);
  const graph = traceOnnx(fn, inputShape).graph;
  const types = graph.nodes.map((n) => n.opType);
  for (const op of ops) expect(types).toContain(op);
}

describe("exportOnnx: raw ops in onnxruntime", () => {
  manualSeed(7);

  const convCases: [string, number[], number[], object, string[]][] = [
    ["stride 2, padding 1", [2, 3, 11, 9], [4, 3, 3, 3], { stride: 2, padding: 1 }, ["Conv"]],
    ["asymmetric padding", [1, 2, 7, 8], [3, 2, 3, 2], { padding: [0, 2, 1, 3], stride: [2, 1] }, ["Conv"]],
    ["dilation and groups", [2, 4, 12, 10], [6, 2, 3, 3], { dilation: [2, 3], groups: 2, padding: [1, 2] }, ["Conv"]],
    ["depthwise, same", [1, 5, 9, 9], [5, 1, 4, 4], { groups: 5, padding: "same" }, ["Conv"]],
    ["reflect", [2, 3, 6, 7], [2, 3, 3, 3], { padding: [2, 1], paddingMode: "reflect", stride: 2 }, ["Pad", "Conv"]],
    ["replicate", [1, 3, 5, 6], [2, 3, 3, 3], { padding: [1, 2, 0, 3], paddingMode: "replicate" }, ["Pad", "Conv"]],
    [
      "circular",
      [1, 2, 5, 6],
      [3, 2, 3, 3],
      { padding: [2, 1, 3, 2], paddingMode: "circular" },
      ["Slice", "Concat", "Conv"],
    ],
    [
      "circular, same, dilated",
      [2, 2, 7, 7],
      [2, 2, 3, 3],
      { padding: "same", paddingMode: "circular", dilation: 2 },
      ["Concat", "Conv"],
    ],
  ];
  for (const [name, xs, ws, options, ops] of convCases) {
    it(`conv2d ${name}, with bias`, async () => {
      const w = leaf(ws),
        b = leaf([ws[0]]);
      await check(`conv2d ${name}`, (x) => conv(x, w, b, options), xs, ops);
    });
  }

  it("unbatched conv2d input", async () => {
    const w = leaf([4, 3, 3, 3]);
    await check("conv2d unbatched", (x) => conv(x, w, null, { padding: 1 }), [3, 6, 6], ["Conv"]);
  });

  const poolCases: [string, number[], object][] = [
    ["2x2", [2, 3, 8, 8], { kernelSize: 2 }],
    ["3x3 stride 2 padding 1", [1, 2, 9, 7], { kernelSize: 3, stride: 2, padding: 1 }],
    ["ceil mode", [1, 2, 7, 7], { kernelSize: 2, ceilMode: true }],
    // ceil mode where PyTorch drops the last window (it would start in the right padding)
    ["ceil mode, dropped window", [1, 1, 5, 5], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }],
    ["dilated, ceil", [2, 2, 10, 9], { kernelSize: [2, 3], stride: [3, 2], dilation: 2, ceilMode: true }],
  ];
  for (const [name, xs, options] of poolCases) {
    it(`maxPool2d ${name}`, async () => {
      await check(`maxPool2d ${name}`, (x) => maxPool2d(x as never, options as never), xs, ["MaxPool"]);
    });
  }

  it("avgPool2d (count_include_pad and not, ceil mode)", async () => {
    await check(
      "avgPool2d",
      (x) => F.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
      [1, 3, 8, 8],
      ["Conv", "Div"],
    );
  });

  it("activations: relu, sigmoid, tanh, gelu (erf)", async () => {
    await check(
      "activations",
      (x) => add(add(relu(x as never), sigmoid(x as never)), add(tanh(x as never), F.gelu(x) as never)),
      [2, 3, 4],
      ["Relu", "Sigmoid", "Tanh", "Erf"],
    );
  });

  it("a small CNN: conv, batch norm (eval), relu, max pool, flatten, linear", async () => {
    const w1 = leaf([8, 3, 3, 3]),
      b1 = leaf([8]);
    const gamma = leaf([8]),
      beta = leaf([8]);
    const runningMean = randn([8]) as unknown as AnyTensor;
    // a positive variance: 0.5 + x^2
    const runningVar = add(randn([8]).square(), 0.5) as unknown as AnyTensor;
    const fcW = leaf([10, 8 * 4 * 4]),
      fcB = leaf([10]);
    const net: Fn = (x) => {
      let h = conv(x, w1, b1, { padding: 1 });
      h = F.batchNorm(h, runningMean, runningVar, { weight: gamma, bias: beta, training: false }).output;
      h = relu(h as never);
      h = maxPool2d(h as never, { kernelSize: 2 });
      h = flatten(h as never, 1);
      return F.linear(h, fcW, fcB);
    };
    await check("small CNN", net, [4, 3, 8, 8], ["Conv", "Relu", "MaxPool", "Reshape", "MatMul", "Add"]);
  });

  it("a residual block: relu(bn(conv(relu(conv(x)))) + x)", async () => {
    const w1 = leaf([4, 4, 3, 3]),
      w2 = leaf([4, 4, 3, 3]);
    const block: Fn = (x) => {
      const h = relu(conv(x, w1, null, { padding: 1 }) as never);
      return relu(add(conv(h, w2, null, { padding: 1 }) as never, x as never));
    };
    await check("residual", block, [2, 4, 6, 6], ["Conv", "Add", "Relu"]);
  });

  it("matmul with a transposed weight folds the transpose into the constant", () => {
    const w = leaf([5, 3]);
    const graph = traceOnnx((x: AnyTensor) => matmul(x as never, transpose(w as never, 0, 1) as never), [2, 3]).graph;
    expect(graph.nodes.map((n) => n.opType)).toEqual(["MatMul", "Identity"]);
    expect(graph.initializers.map((t) => t.dims)).toEqual([[3, 5]]);
  });

  it("refuses a model whose trace depends on the input's values (leakyRelu's comparison mask)", () => {
    expect(() => exportOnnx((x: AnyTensor) => F.leakyRelu(x, 0.1), [2, 3])).toThrow(/depends on the input's values/);
  });

  it("refuses an output that does not depend on the input", () => {
    const w = leaf([3]);
    expect(() => exportOnnx(() => w, [3])).toThrow(/does not depend on the input/);
  });

  it("reports the measured differences", () => {
    console.log(`exportOnnx vs onnxruntime-node (float32):\n  ${results.join("\n  ")}`);
    expect(results.length).toBeGreaterThan(10);
  });
});
