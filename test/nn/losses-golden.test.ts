/**
 * Every loss against PyTorch (test/fixtures/nn/losses.json, float64): the value for each
 * reduction and the gradient of sum(loss * gy) with respect to the input (and the target where
 * it is a float tensor).
 */
import { describe, expect, it } from "vitest";
import { gradients, tensor, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { expectClose, f64, fixture, i32, type Enc } from "./helpers.js";

interface LossCase {
  name: string;
  op: string;
  options: {
    reduction: "mean" | "sum" | "none";
    labelSmoothing?: number;
    posWeight?: boolean;
    weight?: boolean;
    ignoreIndex?: number;
  };
  inputs: Record<string, Enc>;
  consts: Record<string, Enc>;
  output: Enc;
  gy: Enc;
  grads: Record<string, Enc>;
}

const F = nn.functional;
const cases = fixture<LossCase[]>("losses.json");

function run(c: LossCase, leaves: Record<string, AnyTensor>): AnyTensor {
  const o = c.options;
  const input = leaves.input as never;
  switch (c.op) {
    case "crossEntropy":
      return F.crossEntropy(input, i32(c.consts.target) as never, {
        reduction: o.reduction,
        labelSmoothing: o.labelSmoothing,
        ignoreIndex: o.ignoreIndex,
        weight: o.weight ? (f64(c.consts.weight) as never) : null,
      });
    case "nllLoss":
      if (!o.weight && o.ignoreIndex === undefined) return F.nllLoss(input, i32(c.consts.target) as never, o.reduction);
      return F.nllLoss(input, i32(c.consts.target) as never, {
        reduction: o.reduction,
        ignoreIndex: o.ignoreIndex,
        weight: o.weight ? (f64(c.consts.weight) as never) : null,
      });
    case "mseLoss":
      return F.mseLoss(input, leaves.target, o.reduction);
    case "l1Loss":
      return F.l1Loss(input, leaves.target, o.reduction);
    case "binaryCrossEntropyWithLogits":
      return F.binaryCrossEntropyWithLogits(input, f64(c.consts.target), {
        reduction: o.reduction,
        posWeight: c.consts.posWeight ? (f64(c.consts.posWeight) as never) : null,
      });
    default:
      throw new Error(`unknown loss ${c.op}`);
  }
}

describe("losses vs PyTorch (float64)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const leaves: Record<string, AnyTensor> = {};
      for (const [k, v] of Object.entries(c.inputs)) leaves[k] = f64(v, true);
      const y = run(c, leaves);
      expectClose(y, c.output, 1e-12, "loss");
      const names = Object.keys(c.grads);
      const gs = gradients(
        y,
        names.map((n) => leaves[n]),
        { seeds: [f64(c.gy)] },
      );
      names.forEach((n, i) => expectClose(gs[i], c.grads[n], 1e-11, `grad ${n}`));
    });
  }

  it("refuses class targets out of range, of the wrong dtype or shape", () => {
    const logits = tensor([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    expect(() => F.crossEntropy(logits, tensor([0, 3], { dtype: "int32" }))).toThrow(
      "crossEntropy: target 3 at position 1 is not a class in [0, 3) nor ignoreIndex -100",
    );
    expect(() => F.crossEntropy(logits, tensor([0, -1], { dtype: "int32" }), { ignoreIndex: 5 })).toThrow(
      "crossEntropy: target -1 at position 1 is not a class in [0, 3) nor ignoreIndex 5",
    );
    expect(() => F.crossEntropy(logits, tensor([0, 1], { dtype: "int32" }), { weight: tensor([1, 2]) })).toThrow(
      "crossEntropy: weight must be float32 [3] on cpu (one value per class, like the input), got float32 [2] on cpu",
    );
    expect(() => F.nllLoss(logits, tensor([0, 1], { dtype: "int32" }), { ignoreIndex: 0.5 })).toThrow("nllLoss: ");
    expect(() => F.crossEntropy(logits, tensor([0, 1]) as never)).toThrow(
      "crossEntropy: class targets must be int32, got float32",
    );
    expect(() => F.nllLoss(logits, tensor([0, 1, 2], { dtype: "int32" }) as never)).toThrow(
      "nllLoss: target shape [3] does not fit input [2, 3] (expected [2])",
    );
    expect(() => F.mseLoss(logits, tensor([1, 2, 3]) as never)).toThrow(
      "mseLoss: target shape [3] does not match input shape [2, 3]",
    );
  });

  it("softmax and crossEntropy stay finite for huge logits (float32)", () => {
    const logits = tensor([
      [1e30, -1e30, 0],
      [88, 89, 90],
    ]);
    const p = F.softmax(logits, 1).dataSync();
    expect([...p].every(Number.isFinite)).toBe(true);
    const loss = F.crossEntropy(logits, tensor([1, 2], { dtype: "int32" }), { reduction: "none" }).dataSync();
    expect(loss[0]).toBeCloseTo(2e30, -25);
    expect(loss[1]).toBeCloseTo(Math.log(Math.exp(-2) + Math.exp(-1) + 1), 5);
  });
});
