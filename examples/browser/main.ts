/**
 * Trains the demo's conv net on MNIST digits in the page, on WebGPU, drawing the loss curve and a
 * grid of test digits with their predictions as it goes; at the end it evaluates the held-out
 * digits and reports the accuracy in `#accuracy`, in `window.shapegradResult` and by setting
 * `document.body.dataset.state` to "done" (or "error"), which the end-to-end test reads.
 *
 * URL parameters: `steps` (default 300), `batch` (default 32), `every` (redraw period, default 20),
 * `test` (how many held-out digits to evaluate, default all 500).
 */
import { argmax, manualSeed, noGrad, tensor, tidy, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";
import { initWebGPU, webgpuAdapterDescription, webgpuBackend } from "../../src/backends/webgpu/index.js";
import type { Backend } from "../../src/backend.js";
import { registerBackend } from "../../src/runtime/devices.js";
import { testImages, testLabels, trainImages, trainLabels } from "virtual:mnist-subset";
import { digitClassifier } from "./model.js";

declare global {
  interface Window {
    shapegradResult?: { accuracy: number; steps: number; losses: number[]; adapter: string } | { error: string };
  }
}

const PIXELS = 784;
const params = new URLSearchParams(location.search);
const STEPS = Number(params.get("steps") ?? 300);
const BATCH = Number(params.get("batch") ?? 32);
const EVERY = Number(params.get("every") ?? 20);
const TEST = params.get("test");

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => {
  $("status").textContent = text;
};

function bytes(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** Standardised as the demo does (MNIST's mean and std). */
function images(pixels: Uint8Array, from: number, count: number): Float32Array {
  const out = new Float32Array(count * PIXELS);
  for (let i = 0; i < out.length; i++) out[i] = (pixels[from * PIXELS + i] / 255 - 0.1307) / 0.3081;
  return out;
}

/** mulberry32, for a reproducible batch order. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function drawLoss(losses: number[]): void {
  const c = $<HTMLCanvasElement>("loss"),
    g = c.getContext("2d")!;
  g.clearRect(0, 0, c.width, c.height);
  const top = Math.max(...losses, 1e-6);
  g.strokeStyle = "#06c";
  g.beginPath();
  losses.forEach((l, i) => {
    const x = (i / Math.max(1, STEPS - 1)) * (c.width - 10) + 5;
    const y = c.height - 5 - (l / top) * (c.height - 10);
    if (i === 0) g.moveTo(x, y);
    else g.lineTo(x, y);
  });
  g.stroke();
  g.fillStyle = "#222";
  g.fillText(`loss ${losses[losses.length - 1].toFixed(3)} (max ${top.toFixed(2)})`, 10, 14);
}

const GRID = 32;
function drawDigits(pixels: Uint8Array, labels: Uint8Array, predicted: ArrayLike<number>): void {
  const c = $<HTMLCanvasElement>("digits"),
    g = c.getContext("2d")!;
  const cell = 60,
    perRow = 8;
  g.clearRect(0, 0, c.width, c.height);
  const img = g.createImageData(28, 28);
  for (let k = 0; k < GRID; k++) {
    for (let i = 0; i < PIXELS; i++) {
      const v = 255 - pixels[k * PIXELS + i];
      img.data.set([v, v, v, 255], i * 4);
    }
    const x = (k % perRow) * cell,
      y = Math.floor(k / perRow) * cell;
    g.putImageData(img, x + 2, y + 2);
    g.fillStyle = predicted[k] === labels[k] ? "#080" : "#c00";
    g.font = "bold 20px system-ui";
    g.fillText(String(predicted[k]), x + 36, y + 24);
  }
}

async function predict(
  model: ReturnType<typeof digitClassifier>,
  pixels: Uint8Array,
  from: number,
  count: number,
): Promise<Int32Array> {
  const p = tidy(() =>
    noGrad(() =>
      argmax(
        model.forward(
          tensor(images(pixels, from, count), { shape: [count, 1, 28, 28], device: "webgpu" }),
        ) as AnyTensor,
        1,
      ),
    ),
  ) as AnyTensor;
  const out = (await p.data()) as Int32Array;
  p.dispose();
  return out;
}

async function main(): Promise<void> {
  if (!("gpu" in navigator)) throw new Error("this browser has no WebGPU (navigator.gpu is missing)");
  await initWebGPU();
  registerBackend("webgpu", webgpuBackend as unknown as Backend);
  const adapter = webgpuAdapterDescription();
  const trX = bytes(trainImages),
    trY = bytes(trainLabels),
    teX = bytes(testImages),
    teY = bytes(testLabels);
  const nTrain = trY.length,
    nTest = Math.min(teY.length, TEST === null ? teY.length : Number(TEST));

  manualSeed(0);
  model = digitClassifier().to("webgpu");
  const opt = new optim.Adam(model.parameters(), { lr: 0.003 });
  const losses: number[] = [];
  const rnd = random(1);
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  let cursor = nTrain;
  for (let step = 0; step < STEPS; step++) {
    if (cursor + BATCH > nTrain) {
      for (let i = nTrain - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      cursor = 0;
    }
    const xs = new Float32Array(BATCH * PIXELS),
      ys = new Int32Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
      const k = order[cursor++];
      xs.set(images(trX, k, 1), i * PIXELS);
      ys[i] = trY[k];
    }
    const loss = tidy(() => {
      const l = nn.functional.crossEntropy(
        model!.forward(tensor(xs, { shape: [BATCH, 1, 28, 28], device: "webgpu" })),
        tensor(ys, { shape: [BATCH], dtype: "int32", device: "webgpu" }),
      );
      opt.zeroGrad();
      l.backward();
      opt.step();
      return l.detach();
    }) as AnyTensor;
    losses.push((await loss.data())[0]);
    loss.dispose();
    if (step % EVERY === 0 || step === STEPS - 1) {
      drawLoss(losses);
      drawDigits(teX, teY, await predict(model, teX, 0, GRID));
      status(`step ${step + 1}/${STEPS} on ${adapter}`);
    }
  }

  status(`evaluating ${nTest} test digits…`);
  let right = 0;
  for (let from = 0; from < nTest; from += 100) {
    const count = Math.min(100, nTest - from);
    const p = await predict(model, teX, from, count);
    for (let i = 0; i < count; i++) if (p[i] === teY[from + i]) right++;
  }
  const accuracy = right / nTest;
  $("accuracy").textContent = `${(100 * accuracy).toFixed(1)}%`;
  status(`done: ${STEPS} steps of batch ${BATCH} on ${adapter}; ${right}/${nTest} test digits right`);
  window.shapegradResult = { accuracy, steps: STEPS, losses, adapter };
  document.body.dataset.state = "done";
}

let model: ReturnType<typeof digitClassifier> | undefined;
main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  status(`error: ${message}`);
  $("status").className = "error";
  window.shapegradResult = { error: message };
  document.body.dataset.state = "error";
});
