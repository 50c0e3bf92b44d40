import { describe, expect, it } from "vitest";
import { manualSeed, zeros } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { resnet18 } from "../../src/models/index.js";
import { digitImages, finetune, loadBackbone, SIZE } from "../../examples/finetune.js";

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

describe("examples/finetune.ts", () => {
  it("makes 28x28 digits into ImageNet-scaled 3-channel 32x32 images", () => {
    // a blank digit and a full one: bilinear resizing keeps a constant image constant
    const pixels = new Float32Array(2 * 784).fill(1, 784);
    const x = digitImages(pixels, 2);
    expect(x.shape).toEqual([2, 3, SIZE, SIZE]);
    const data = x.dataSync();
    for (let n = 0; n < 2; n++)
      for (let c = 0; c < 3; c++) {
        const plane = data.subarray((n * 3 + c) * SIZE * SIZE, (n * 3 + c + 1) * SIZE * SIZE);
        const want = (n - MEAN[c]) / STD[c];
        expect(Math.max(...plane.map((v) => Math.abs(v - want)))).toBeLessThan(1e-6);
      }
    // one lit pixel spreads to its resized neighbourhood, the same in every channel once unscaled
    const dot = new Float32Array(784);
    dot[14 * 28 + 14] = 1;
    const y = digitImages(dot, 1).dataSync();
    const unscaled = (c: number, i: number) => y[c * SIZE * SIZE + i] * STD[c] + MEAN[c];
    const lit = Array.from({ length: SIZE * SIZE }, (_, i) => i).filter((i) => unscaled(0, i) > 1e-6);
    expect(lit.length).toBeGreaterThan(0);
    for (const i of lit) expect(Math.abs(unscaled(2, i) - unscaled(0, i))).toBeLessThan(1e-6);
  });

  it("loads torchvision's resnet18 state dict into everything but the new head", () => {
    manualSeed(5);
    const source = resnet18();
    const bytes = nn.saveSafetensors(source);
    const model = resnet18({ numClasses: 10 });
    const fcBefore = model.fc.weight.dataSync().slice();
    loadBackbone(model, bytes);
    const want = source.stateDict();
    for (const [name, t] of model.stateDict()) {
      if (name.startsWith("fc.")) continue;
      const [got, expected] = [t.dataSync(), want.get(name)!.dataSync()];
      // element by element, not toEqual: the diff machinery is slow on millions of numbers
      expect(got.length === expected.length && got.every((v, i) => v === expected[i]), name).toBe(true);
    }
    expect(model.fc.weight.dataSync()).toEqual(fcBefore);
    // strict: a file that is not the 1000-class state dict is refused before anything is written
    const other = nn.saveSafetensors(resnet18({ numClasses: 10 }));
    expect(() => loadBackbone(model, other)).toThrow('"fc.weight"');
    const partial = nn.stateDictToSafetensors(new Map([["conv1.weight", zeros([64, 3, 7, 7])]]));
    expect(() => loadBackbone(model, partial)).toThrow("bn1.weight");
  }, 240_000);

  it("trains a few steps from given weights and tests on held-out digits", async () => {
    manualSeed(1);
    const weights = nn.saveSafetensors(resnet18());
    const result = await finetune({ steps: 3, batchSize: 8, limit: { train: 16, test: 10 }, weights, seed: 2 });
    expect(result.trainCount).toBe(16);
    expect(result.testCount).toBe(10);
    // two batches of 8 per pass: the third step starts a second pass
    expect(result.losses).toHaveLength(3);
    expect(result.losses.every((l) => Number.isFinite(l) && l > 0)).toBe(true);
    expect(result.accuracy).toBeGreaterThanOrEqual(0);
    expect(result.accuracy).toBeLessThanOrEqual(1);
    expect(result.accuracy * 10).toBe(Math.round(result.accuracy * 10));
    expect(result.model.training).toBe(false);
  }, 240_000);
});
