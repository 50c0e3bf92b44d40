import { describe, expect, it } from "vitest";
import { batches, CLASSES, loadMnist, PIXELS, readMnistDigits } from "../../examples/mnist.js";

describe("examples/mnist.ts", () => {
  it("reads the 10,000 digits of the mnist package", () => {
    const digits = readMnistDigits();
    const counts = digits.map((d) => d.length / PIXELS);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10000);
    for (const d of digits) {
      expect(Math.min(...d.subarray(0, 5000))).toBe(0);
      expect(Math.max(...d.subarray(0, 5000))).toBeLessThanOrEqual(1);
    }
  });

  it("splits every class, without overlap, reproducibly", () => {
    const a = loadMnist({ seed: 3, normalize: false });
    const b = loadMnist({ seed: 3, normalize: false });
    expect(a.train.count + a.test.count).toBe(10000);
    expect(a.test.count).toBe(2000);
    // toEqual on millions of floats is slow; compare element by element.
    expect(a.train.images.length).toBe(b.train.images.length);
    expect(a.train.images.every((v, i) => v === b.train.images[i])).toBe(true);
    expect(a.test.labels.every((v, i) => v === b.test.labels[i])).toBe(true);
    const perClass = new Array<number>(CLASSES).fill(0);
    for (const l of a.test.labels) perClass[l]++;
    for (const c of perClass) expect(c).toBeGreaterThan(150);
    // No test image appears in the training set (compare by content hash).
    const key = (img: Float32Array, i: number): number => {
      let h = 0;
      for (let j = i * PIXELS; j < (i + 1) * PIXELS; j++) h = (Math.imul(h, 31) + Math.round(img[j] * 1000)) | 0;
      return h;
    };
    const trainKeys = new Set(Array.from({ length: a.train.count }, (_, i) => key(a.train.images, i)));
    let shared = 0;
    for (let i = 0; i < a.test.count; i++) if (trainKeys.has(key(a.test.images, i))) shared++;
    expect(shared).toBeLessThan(5); // MNIST has a handful of exact duplicate digits, no more
  });

  it("batches cover the split once, in a seeded order", () => {
    const { test } = loadMnist();
    const seen = new Array<number>(CLASSES).fill(0);
    let n = 0;
    for (const batch of batches(test, 300, 1)) {
      expect(batch.images.length).toBe(batch.size * PIXELS);
      for (const l of batch.labels) seen[l]++;
      n += batch.size;
    }
    expect(n).toBe(test.count);
    const expected = new Array<number>(CLASSES).fill(0);
    for (const l of test.labels) expected[l]++;
    expect(seen).toEqual(expected);
    const first = (s: number): Int32Array => (batches(test, 10, s).next().value as { labels: Int32Array }).labels;
    expect(first(1)).toEqual(first(1));
    expect(first(1)).not.toEqual(first(2));
  });
});
