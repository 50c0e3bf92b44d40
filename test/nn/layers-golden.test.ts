/**
 * Every layer and activation against PyTorch (test/fixtures/nn/layers.json, float64): the output
 * y for fixed inputs and the gradients of sum(y * gy) for a fixed gy, with respect to the input
 * and every parameter.
 */
import { describe, it } from "vitest";
import { gradients, noGrad, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { expectClose, f64, fixture, type Enc } from "./helpers.js";

const F = nn.functional as unknown as Record<string, (...args: unknown[]) => AnyTensor>;

interface LayerCase {
  name: string;
  op: string;
  options: Record<string, unknown>;
  inputs: Record<string, Enc>;
  params: Record<string, Enc>;
  output: Enc;
  gy: Enc;
  grads: Record<string, Enc>;
  state?: { runningMean: Enc; runningVar: Enc };
  stateAfter?: { runningMean: Enc; runningVar: Enc };
  firstBatch?: Enc | null;
}

const cases = fixture<LayerCase[]>("layers.json");

function run(c: LayerCase, leaves: Record<string, AnyTensor>): AnyTensor {
  const { x } = leaves;
  const o = c.options;
  switch (c.op) {
    case "linear":
      return F.linear(x, leaves.weight, leaves.bias ?? null);
    case "relu":
    case "sigmoid":
    case "tanh":
      return F[c.op](x);
    case "leakyRelu":
      return F.leakyRelu(x, o.negativeSlope);
    case "gelu":
      return F.gelu(x, o.approximate);
    case "maxPool2d":
    case "avgPool2d":
      return F[c.op](x, o);
    case "adaptiveAvgPool2d":
      return F.adaptiveAvgPool2d(x, o.outputSize);
    case "flatten":
      return F.flatten(x, o.startDim, o.endDim);
    case "softmax":
    case "logSoftmax":
      return F[c.op](x, o.dim);
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

describe("layers vs PyTorch (float64)", () => {
  for (const c of cases.filter((c) => c.op !== "batchNorm2d")) {
    it(c.name, () => {
      const leaves: Record<string, AnyTensor> = {};
      for (const [k, v] of Object.entries({ ...c.inputs, ...c.params })) leaves[k] = f64(v, true);
      const y = run(c, leaves);
      expectClose(y, c.output, 1e-12, "output");
      const names = Object.keys(c.grads);
      const gs = gradients(
        y,
        names.map((n) => leaves[n]),
        { seeds: [f64(c.gy)] },
      );
      names.forEach((n, i) => expectClose(gs[i], c.grads[n], 1e-11, `grad ${n}`));
    });
  }

  for (const c of cases.filter((c) => c.op === "batchNorm2d")) {
    it(c.name, () => {
      const o = c.options as { affine: boolean; momentum: number | null; eps: number; training: boolean };
      const bn = nn.BatchNorm2d(c.inputs.x.shape[1], {
        affine: o.affine,
        momentum: o.momentum,
        eps: o.eps,
        dtype: "float64",
      });
      noGrad(() => {
        if (o.affine) {
          bn.weight!.assign(f64(c.params.weight));
          bn.bias!.assign(f64(c.params.bias));
        }
      });
      bn.runningMean = f64(c.state!.runningMean);
      bn.runningVar = f64(c.state!.runningVar);
      bn.train(o.training);
      if (c.firstBatch) bn.forward(f64(c.firstBatch));
      const x = f64(c.inputs.x, true);
      const y = bn.forward(x) as AnyTensor;
      expectClose(y, c.output, 1e-12, "output");
      const names = Object.keys(c.grads);
      const leaves: Record<string, AnyTensor> = { x, weight: bn.weight!, bias: bn.bias! };
      const gs = gradients(
        y,
        names.map((n) => leaves[n]),
        { seeds: [f64(c.gy)] },
      );
      names.forEach((n, i) => expectClose(gs[i], c.grads[n], 1e-10, `grad ${n}`));
      expectClose(bn.runningMean, c.stateAfter!.runningMean, 1e-12, "running mean");
      expectClose(bn.runningVar, c.stateAfter!.runningVar, 1e-12, "running var");
    });
  }
});
