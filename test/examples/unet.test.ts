import { describe, expect, it } from "vitest";
import { randn } from "../../src/index.js";
import { noisyDigits, overlap, trainUnet, UNet } from "../../examples/unet.js";

describe("examples/unet.ts", () => {
  it("maps [N, 1, 28, 28] to one logit per pixel", () => {
    const out = new UNet().forward(randn([2, 1, 28, 28]));
    expect(out.shape).toEqual([2, 1, 28, 28]);
    expect(out.dataSync().every(Number.isFinite)).toBe(true);
  });

  it("makes inputs and masks from clean digits, and counts IoU over all pixels", () => {
    const clean = new Float32Array([0, 0.4, 0.6, 1]);
    const zero = noisyDigits(clean, 0, () => 1);
    expect(Array.from(zero.input)).toEqual(Array.from(clean));
    expect(Array.from(zero.mask)).toEqual([0, 0, 1, 1]);
    const shifted = noisyDigits(clean, 0.5, () => 1); // every draw 1: each pixel + 0.5
    expect(shifted.input).toEqual(Float32Array.from([0.5, 0.9, 1.1, 1.5]));
    expect(Array.from(shifted.mask)).toEqual([0, 0, 1, 1]);
    // predicted {1, 2, 3} (scores > 0.5) against true {2, 3}: intersection 2, union 3.
    expect(overlap(shifted.input, 0.5, shifted.mask)).toEqual([2, 3]);
    expect(overlap([0, 0, 0, 0], 0.5, shifted.mask)).toEqual([0, 2]);
  });

  it("trains on a few digits: finite losses that fall, an IoU in [0, 1]", async () => {
    const result = await trainUnet({ epochs: 2, batchSize: 16, limit: { train: 96, test: 32 }, seed: 3 });
    expect(result.trainCount).toBe(96);
    expect(result.testCount).toBe(32);
    expect(result.losses).toHaveLength(12);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(result.losses.slice(-3))).toBeLessThan(mean(result.losses.slice(0, 3)));
    expect(result.iou).toBeGreaterThanOrEqual(0);
    expect(result.iou).toBeLessThanOrEqual(1);
    expect(result.baselineIou).toBeGreaterThan(0);
    expect(result.baselineIou).toBeLessThan(1);
  });
});
