/**
 * Train mode of shapegrad/models: one SGD step on a tiny batch lowers the loss of every builder,
 * the segmentation ones' (`out` plus 0.5 `aux`, per pixel) included (the same dropout masks
 * before and after, from the same seed), batch norm uses and tracks the
 * batch statistics, dropout makes train-mode forwards differ and eval-mode ones agree; and
 * StochasticDepth (torchvision.ops.stochastic_depth, "row") drops whole samples.
 */
import { describe, expect, it } from "vitest";
import { add, manualSeed, mul, ones, randn, sum, tensor, type AnyTensor, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";
import * as models from "../../src/models/index.js";
import { nnErrors } from "../../types/errors.js";
import { ALL_BUILDERS, type AnyModel } from "./builders.js";

/** GoogLeNet's logits with its auxiliary heads' (torchvision's train-mode output). */
interface WithAuxHeads {
  forwardWithAux(x: Tensor<[number, 3, number, number], "float32", "cpu">): {
    logits: AnyTensor;
    aux1: AnyTensor;
    aux2: AnyTensor;
  };
}

/**
 * The training loss of each builder as torchvision's references train it: the cross-entropy of
 * the logits, plus 0.3 times each auxiliary head's for GoogLeNet; for a segmentation model the
 * per-pixel cross-entropy of `out`, plus 0.5 times `aux`'s (labels [N, H, W]).
 */
function trainLoss(model: AnyModel, x: Tensor<[number, 3, number, number]>) {
  const [n, , h, w] = x.shape;
  const ce = (logits: AnyTensor, labels: Tensor<number[], "int32">) => nn.functional.crossEntropy(logits, labels);
  const classes = tensor([0, 1, 2, 3], { dtype: "int32" });
  if ("forwardWithAux" in model) {
    const out = (model as AnyModel & WithAuxHeads).forwardWithAux(x);
    return add(ce(out.logits, classes), mul(add(ce(out.aux1, classes), ce(out.aux2, classes)), 0.3));
  }
  const y = model.forward(x);
  if ("shape" in y) return ce(y, classes);
  const pixels = new Int32Array(n * h * w).map((_, i) => (Math.floor(i / (h * w)) + ((i * 7) % 11)) % 5);
  const labels = tensor(pixels, { shape: [n, h, w], dtype: "int32" });
  return y.aux ? add(ce(y.out, labels), mul(ce(y.aux, labels), 0.5)) : ce(y.out, labels);
}

describe.each(ALL_BUILDERS)("%s in train mode", (name, build) => {
  it("one SGD step lowers the loss on a tiny batch; batch norm tracks the batch", () => {
    manualSeed(3);
    const model = build();
    const x: Tensor<[number, 3, number, number]> = randn([4, 3, 32, 32]);
    const bn = model
      .namedModules()
      .map(([, m]) => m)
      .find((m): m is nn.BatchNorm2d => m instanceof nn.BatchNorm2d);
    // SqueezeNet has no normalisation and ConvNeXt has LayerNorm only; every other builder has batch norm.
    expect(bn !== undefined).toBe(name !== "squeezenet1_1" && name !== "convnextTiny");
    const meanBefore = bn ? [...bn.runningMean!.dataSync()] : [];
    manualSeed(4);
    const loss = trainLoss(model, x);
    const before = loss.item();
    model.zeroGrad();
    loss.backward();
    // The learning rate is scaled to the gradient (lr |g|^2 = 5% of the loss, the first-order
    // decrease): at 32x32 the last batch norms see 4 values per channel, and some of these
    // networks' gradients are then huge (|g|^2 ~ 4e7 for MobileNetV2, in PyTorch too), so a fixed
    // rate would leap past the region where the gradient describes the loss.
    let squared = 0;
    for (const p of model.parameters()) for (const v of p.grad!.dataSync()) squared += v * v;
    new optim.SGD(model.parameters(), { lr: (0.05 * before) / squared }).step();
    if (bn) {
      expect(bn.numBatchesTracked!.item()).toBe(1);
      expect([...bn.runningMean!.dataSync()]).not.toEqual(meanBefore);
    }
    manualSeed(4);
    const after = trainLoss(model, x).item();
    expect(Number.isFinite(before)).toBe(true);
    expect(after).toBeLessThan(before);
  }, 600_000);
});

describe("dropout and batch statistics follow the mode", () => {
  it("mobilenetV3Small: train-mode forwards differ (dropout, batch statistics), eval-mode ones agree", () => {
    manualSeed(5);
    const model = models.mobilenetV3Small({ numClasses: 4 });
    const x = randn([2, 3, 32, 32]);
    const a = model.forward(x).dataSync();
    const b = model.forward(x).dataSync();
    expect([...a]).not.toEqual([...b]);
    model.eval();
    expect([...model.forward(x).dataSync()]).toEqual([...model.forward(x).dataSync()]);
  });
});

describe("StochasticDepth (row mode)", () => {
  it("drops whole samples with probability p and scales the kept ones by 1 / (1 - p)", () => {
    manualSeed(6);
    const layer = new models.StochasticDepth(0.25);
    const y = layer.forward(ones([4000, 2, 3, 3]));
    const data = y.dataSync();
    let kept = 0;
    for (let n = 0; n < 4000; n++) {
      const row = data.slice(n * 18, (n + 1) * 18);
      const v = row[0];
      expect(v === 0 || Math.abs(v - 1 / 0.75) < 1e-6, `row ${n}: ${v}`).toBe(true);
      expect(row.every((u) => u === v)).toBe(true);
      if (v !== 0) kept++;
    }
    // Binomial(4000, 0.75): standard deviation 27.4, so 5 sigma is +-137.
    expect(Math.abs(kept - 3000)).toBeLessThan(137);
  });

  it("is the identity in eval mode and for p = 0, zero for p = 1, and passes the mask to the gradient", () => {
    const x = randn([3, 4, 2, 2], { requiresGrad: true });
    const sd = new models.StochasticDepth(0.5);
    sd.eval();
    expect(sd.forward(x)).toBe(x);
    expect(new models.StochasticDepth(0).forward(x)).toBe(x);
    expect([...new models.StochasticDepth(1).forward(x).dataSync()].every((v) => v === 0)).toBe(true);
    manualSeed(7);
    const train = new models.StochasticDepth(0.5);
    const y = train.forward(x);
    sum(y).backward();
    const g = x.grad!.dataSync();
    const yd = y.dataSync(),
      xd = x.dataSync();
    for (let i = 0; i < g.length; i++) expect(yd[i]).toBeCloseTo(xd[i] * g[i], 6);
  });

  it("refuses a probability outside [0, 1] with the catalogued message", () => {
    expect(() => new models.StochasticDepth(1.5)).toThrow(nnErrors.probability("StochasticDepth", 1.5));
    expect(() => new models.StochasticDepth(Number.NaN)).toThrow(nnErrors.probability("StochasticDepth", Number.NaN));
  });
});

describe("SqueezeExcitation and Conv2dNormActivation", () => {
  it("refuse a wrong channel count with the message the compiler shows", () => {
    const se = new models.SqueezeExcitation(16, 4);
    const x = randn([1, 8, 4, 4]);
    // @ts-expect-error: the compiler refuses 8 channels too (test-d/models shows its text)
    expect(() => se.forward(x)).toThrow(nnErrors.layerChannels("SqueezeExcitation", 8, 16, [1, 8, 4, 4]));
  });
});
