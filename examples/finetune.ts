/**
 * Fine-tuning a `shapegrad/models` builder on a small real task: torchvision's ResNet-18 with a new
 * head, `nn.Linear(512, 10)` (what `resnet18({ numClasses: 10 })` builds), classifying the `mnist`
 * package's digits (the split of examples/mnist.ts: 8,000 to train, 2,000 held out).
 *
 * The digits are made into what an ImageNet network takes: 28x28 resized to 32x32 (bilinear
 * `interpolate`), the one channel repeated to three (`expand`), then standardised with ImageNet's
 * per-channel mean and standard deviation (torchvision's weights were trained on that scale).
 *
 * `--weights <file>` loads torchvision's resnet18 weights from a safetensors file (what
 * `safetensors.torch.save_file(torchvision.models.resnet18(weights=...).state_dict(), file)`
 * writes): strictly, into the 1000-class model, so a file that is not resnet18's whole state dict
 * is refused; then everything but `fc` goes into the 10-class model. Nothing is downloaded. Without
 * it the network starts from torchvision's random initialisation.
 *
 * Measured (seed 0, defaults: 300 steps of 16 digits, Adam 1e-3 cosine-annealed to 0, random
 * initialisation): 96.45% of the 2,000 held-out digits right; training loss 1.41 over the first 25
 * steps, 0.18 over the last 25. 2,494 s on the 2-vCPU machine shared with seven other jobs (load
 * average ~25), 248 s of CPU time, so a few minutes on an idle machine.
 *
 * The compiler follows the whole way: the batch is `Tensor<[number, 3, 32, 32]>` and the logits
 * `Tensor<[number, 10]>` (test/typing/examples.typecheck.ts).
 *
 *   node dist/examples/finetune.js [--steps 300] [--batch-size 16] [--lr 0.001] [--seed 0] [--weights resnet18.safetensors]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { argmax, div, interpolate, manualSeed, noGrad, sub, tensor, tidy } from "../src/index.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { resnet18, type ResNet18 } from "../src/models/index.js";
import { integerOption, positiveOption } from "./options.js";
import { batches, firstDigits, loadMnist } from "./mnist.js";

/** The input side of the task: 32x32 images with 3 channels. */
export const SIZE = 32;
// ImageNet's per-channel statistics, torchvision's `transforms.Normalize` for its pretrained weights.
const MEAN = tensor([0.485, 0.456, 0.406], { shape: [1, 3, 1, 1] });
const STD = tensor([0.229, 0.224, 0.225], { shape: [1, 3, 1, 1] });

/** `count` MNIST digits (pixels in [0, 1], `[count, 1, 28, 28]` row-major) as the network's input. */
export function digitImages(pixels: Float32Array, count: number) {
  const digits = tensor(pixels, { shape: [count, 1, 28, 28] });
  const resized = interpolate(digits, { size: [SIZE, SIZE], mode: "bilinear" });
  return div(sub(resized.expand([count, 3, SIZE, SIZE]), MEAN), STD);
}

/**
 * Puts torchvision's resnet18 weights (safetensors bytes) into `model` except its head. The file
 * is loaded strictly into a 1000-class ResNet-18 first, so every name, shape and dtype of
 * torchvision's state dict is checked; the head (`fc`) is then left out, and the 10-class model
 * must take every other entry.
 */
export function loadBackbone(model: ResNet18<10>, bytes: Uint8Array): void {
  const pretrained = resnet18();
  nn.loadSafetensors(pretrained, bytes);
  const backbone = new Map([...pretrained.stateDict()].filter(([name]) => !name.startsWith("fc.")));
  const { missingKeys } = model.loadStateDict(backbone, { strict: false });
  if (missingKeys.join() !== "fc.weight,fc.bias")
    throw new Error(`finetune: the backbone left ${missingKeys.join(", ")} unset (only fc.weight, fc.bias should be)`);
}

export interface FinetuneOptions {
  readonly steps?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  readonly seed?: number;
  /** torchvision's resnet18 state dict as safetensors bytes; without it, random initialisation. */
  readonly weights?: Uint8Array;
  /** Use the first `train` training and `test` held-out digits only (the tests use a few). */
  readonly limit?: { readonly train: number; readonly test: number };
  /** Called after every step with its loss. */
  readonly onStep?: (step: number, loss: number) => void;
}

export interface FinetuneResult {
  readonly model: ResNet18<10>;
  /** Every step's training loss (cross entropy). */
  readonly losses: number[];
  /** Fraction of the held-out digits classified right, in eval mode. */
  readonly accuracy: number;
  readonly trainCount: number;
  readonly testCount: number;
  readonly seconds: number;
}

/** Trains `steps` batches (cycling through the training digits, reshuffled each pass), then tests. */
export async function finetune(options: FinetuneOptions = {}): Promise<FinetuneResult> {
  const steps = options.steps ?? 300;
  const batchSize = options.batchSize ?? 16;
  const seed = options.seed ?? 0;
  const start = performance.now();
  manualSeed(seed);
  const split = loadMnist({ seed, normalize: false });
  const train = firstDigits(split.train, options.limit?.train);
  const test = firstDigits(split.test, options.limit?.test);
  const model = resnet18({ numClasses: 10 });
  if (options.weights) loadBackbone(model, options.weights);
  const opt = new optim.Adam(model.parameters(), { lr: options.lr ?? 1e-3 });
  // A half cosine from the rate down to 0 over the run: the last steps settle rather than jump.
  const schedule = new optim.CosineAnnealingLR(opt, { tMax: steps });
  const losses: number[] = [];
  for (let pass = 0; losses.length < steps; pass++) {
    for (const b of batches(train, batchSize, seed * 1000 + pass)) {
      if (losses.length === steps) break;
      const loss = tidy(() => {
        const logits = model.forward(digitImages(b.images, b.size));
        const l = nn.functional.crossEntropy(logits, tensor(b.labels, { shape: [b.size], dtype: "int32" }));
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l.detach();
      });
      const value = (await loss.data())[0];
      loss.dispose();
      losses.push(value);
      schedule.step();
      options.onStep?.(losses.length, value);
    }
  }
  model.eval();
  let right = 0;
  for (const b of batches(test, 250)) {
    const predicted = tidy(() => noGrad(() => argmax(model.forward(digitImages(b.images, b.size)), 1)));
    const classes = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < b.size; i++) if (classes[i] === b.labels[i]) right++;
  }
  return {
    model,
    losses,
    accuracy: right / test.count,
    trainCount: train.count,
    testCount: test.count,
    seconds: (performance.now() - start) / 1000,
  };
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      steps: { type: "string", default: "300" },
      "batch-size": { type: "string", default: "16" },
      lr: { type: "string", default: "0.001" },
      seed: { type: "string", default: "0" },
      weights: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "usage: finetune [--steps 300] [--batch-size 16] [--lr 0.001] [--seed 0] [--weights resnet18.safetensors]",
    );
    process.exit(0);
  }
  return {
    steps: integerOption("finetune", "steps", values.steps, 1),
    batchSize: integerOption("finetune", "batch-size", values["batch-size"], 2),
    lr: positiveOption("finetune", "lr", values.lr),
    seed: integerOption("finetune", "seed", values.seed, 0),
    weightsFile: values.weights,
  };
}

export async function main(): Promise<void> {
  const { weightsFile, ...o } = parseOptions();
  const weights = weightsFile === undefined ? undefined : new Uint8Array(readFileSync(weightsFile));
  console.log(
    `ResNet-18 with a 10-class head on the mnist package's digits at ${SIZE}x${SIZE}, ${weights ? `torchvision's weights from ${weightsFile}` : "random initialisation"}: ${o.steps} steps of ${o.batchSize}`,
  );
  const startMs = performance.now();
  let sum = 0;
  const result = await finetune({
    ...o,
    weights,
    onStep: (step, loss) => {
      sum += loss;
      if (step % 25 === 0) {
        console.log(
          `step ${step}/${o.steps}: mean loss ${(sum / 25).toFixed(4)}, ${((performance.now() - startMs) / 1000).toFixed(1)} s`,
        );
        sum = 0;
      }
    },
  });
  console.log(
    `held-out accuracy: ${(100 * result.accuracy).toFixed(2)}% on ${result.testCount} digits (trained on ${result.trainCount}) in ${result.seconds.toFixed(1)} s`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
