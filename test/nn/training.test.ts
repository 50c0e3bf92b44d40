/**
 * Training end to end: small models on fixed synthetic batches drive the loss down with each
 * optimizer, and the learned weights survive a safetensors round trip.
 */
import { describe, expect, it } from "vitest";
import { manualSeed, randn, tensor, tidy, type AnyTensor, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";

/** Two interleaved spirals of 2-D points: separable, but not linearly. */
function spirals(n: number): { x: Tensor<[number, 2]>; y: Tensor<[number], "int32"> } {
  const xs: number[] = [],
    ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2,
      t = (i / n) * 3 * Math.PI + 0.5;
    const sign = c === 0 ? 1 : -1;
    xs.push((sign * t * Math.cos(t)) / 10, (sign * t * Math.sin(t)) / 10);
    ys.push(c);
  }
  const x: Tensor<[number, 2]> = tensor(xs, { shape: [n, 2] });
  const y: Tensor<[number], "int32"> = tensor(ys, { shape: [n], dtype: "int32" });
  return { x, y };
}

function accuracy(logits: AnyTensor, labels: AnyTensor): number {
  const l = logits.dataSync(),
    y = labels.dataSync(),
    c = logits.shape[1];
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (l[i * c + k] > l[i * c + best]) best = k;
    if (best === y[i]) right++;
  }
  return right / y.length;
}

describe("training", () => {
  for (const name of ["SGD", "Adam", "AdamW"] as const) {
    it(`an MLP learns two spirals with ${name}`, () => {
      manualSeed(11);
      const { x, y } = spirals(128);
      const model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2));
      const opt =
        name === "SGD"
          ? new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true })
          : new optim[name](model.parameters(), { lr: 0.02 });
      const sched = new optim.StepLR(opt, { stepSize: 300, gamma: 0.5 });
      const first = nn.functional.crossEntropy(model.forward(x), y).item();
      let last = first;
      for (let step = 0; step < 400; step++) {
        const loss = nn.functional.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        optim.clipGradNorm(model.parameters(), 5);
        opt.step();
        sched.step();
        last = loss.item();
      }
      expect(first).toBeGreaterThan(0.6);
      expect(last).toBeLessThan(0.1 * first);
      expect(accuracy(model.forward(x) as AnyTensor, y as AnyTensor)).toBeGreaterThan(0.95);
    });
  }

  it("a small CNN with batch norm, dropout and pooling fits a fixed batch; eval mode and a safetensors round trip keep its predictions", () => {
    manualSeed(12);
    const make = () =>
      nn.Sequential(
        nn.Conv2d(1, 6, 3, { padding: 1 }),
        nn.BatchNorm2d(6),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3, { padding: "same", paddingMode: "reflect" }),
        nn.GELU(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.1),
        nn.Linear([8, 2, 2], 4),
      );
    const model = make();
    const x = randn([16, 1, 8, 8]);
    const y = tensor(
      Array.from({ length: 16 }, (_, i) => i % 4),
      { shape: [16], dtype: "int32" },
    );
    const opt = new optim.Adam(model.parameters(), { lr: 0.02 });
    const first = nn.functional.crossEntropy(model.forward(x), y).item();
    for (let step = 0; step < 150; step++) {
      const loss = nn.functional.crossEntropy(model.forward(x), y, { labelSmoothing: 0.05 });
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    model.eval();
    const logits = model.forward(x) as AnyTensor;
    const final = nn.functional.crossEntropy(logits as Tensor<[16, 4]>, y).item();
    expect(final).toBeLessThan(0.2 * first);
    expect(accuracy(logits, y as AnyTensor)).toBe(1);

    const copy = make();
    nn.loadSafetensors(copy, nn.saveSafetensors(model));
    copy.eval();
    expect(Array.from(copy.forward(x).dataSync())).toEqual(Array.from(logits.dataSync()));
  });

  it("steps inside tidy() keep parameters, optimizer state and batch-norm statistics alive, and give the same values", () => {
    const run = (scoped: boolean) => {
      manualSeed(13);
      const model = nn.Sequential(
        nn.Conv2d(2, 4, 3),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 3),
      );
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const adam = new optim.Adam(model.parameters(), { lr: 0.01 });
      const x = randn([5, 2, 6, 6]);
      const y = tensor([0, 1, 2, 0, 1], { dtype: "int32" });
      const step = () => {
        const loss = nn.functional.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        optim.clipGradNorm(model.parameters(), 1);
        opt.step();
        adam.step();
      };
      for (let i = 0; i < 3; i++) {
        if (scoped) tidy(step);
        else step();
      }
      // Reading a disposed tensor throws: every piece of state must have survived the scopes.
      return [...model.stateDict().values()].map((t) => Array.from(t.dataSync()));
    };
    expect(run(true)).toEqual(run(false));
  });
});
