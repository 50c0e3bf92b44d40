/**
 * A typed ResNet-18 in torchvision's layout (so torchvision's state-dict names load unchanged:
 * `conv1.weight`, `layer2.0.downsample.0.weight`, `fc.bias`, ...), written as in PyTorch: each
 * module is fields and a `forward`. The compiler reads the output shape off each `forward`:
 *
 *   const model = resnet18();                               // 1000 classes
 *   const logits = model.forward(randn([2, 3, 224, 224]));  // Tensor<[2, 1000]>
 *
 * The forwards are generic in the batch `N` and take the spatial sizes as the run time's
 * (`number`): channels are checked by the compiler through every block, the batch comes out as
 * the caller's. Their dtype and device are the module's (`nn.DTypeOf<this>`): any until the
 * model is moved, then what `.to()` made it (`resnet18().to("float64")` takes float64 inputs).
 *
 * Run as a check of weights trained in PyTorch (safetensors, e.g. written by
 * scripts/golden-nn/gen_weights.py or by `safetensors.torch.save_file(model.state_dict(), ...)`):
 *   node dist/examples/resnet18.js --weights resnet18.safetensors [--input input.safetensors] [--expect logits.json]
 */
import { add, flatten, type Tensor } from "../src/index.js";
import * as nn from "../src/nn/index.js";

/** conv-bn-relu-conv-bn, the main path of torchvision's BasicBlock. */
abstract class BlockBase<Cin extends number, Cout extends number, S extends number> extends nn.Module {
  conv1: nn.Conv2d<Cin, Cout, 3, { readonly stride: S; readonly padding: 1; readonly bias: false }>;
  bn1: nn.BatchNorm2d<Cout>;
  relu = nn.ReLU();
  conv2: nn.Conv2d<Cout, Cout, 3, { readonly padding: 1; readonly bias: false }>;
  bn2: nn.BatchNorm2d<Cout>;

  constructor(inChannels: Cin, outChannels: Cout, stride: S) {
    super();
    this.conv1 = nn.Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false });
    this.bn1 = nn.BatchNorm2d(outChannels);
    this.conv2 = nn.Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn2 = nn.BatchNorm2d(outChannels);
  }

  protected main<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    const out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    return this.bn2.forward(this.conv2.forward(out));
  }
}

/** torchvision's BasicBlock with the identity shortcut: channels and size unchanged. */
export class BasicBlock<const C extends number> extends BlockBase<C, C, 1> {
  constructor(channels: C) {
    super(channels, channels, 1);
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, C, number, number], D, Dev>,
  ) {
    return this.relu.forward(add(this.main(x), x));
  }
}

/** torchvision's BasicBlock with its `downsample` shortcut: a strided 1x1 conv and batch norm. */
export class DownsampleBlock<
  const Cin extends number,
  const Cout extends number,
  const S extends number,
> extends BlockBase<Cin, Cout, S> {
  downsample: nn.Sequential<
    readonly [nn.Conv2d<Cin, Cout, 1, { readonly stride: S; readonly bias: false }>, nn.BatchNorm2d<Cout>]
  >;

  constructor(inChannels: Cin, outChannels: Cout, stride: S) {
    super(inChannels, outChannels, stride);
    this.downsample = nn.Sequential(
      nn.Conv2d(inChannels, outChannels, 1, { stride, bias: false }),
      nn.BatchNorm2d(outChannels),
    );
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, Cin, number, number], D, Dev>,
  ) {
    return this.relu.forward(add(this.main(x), this.downsample.forward(x)));
  }
}

/** ResNet-18 (He et al. 2015) with torchvision's module names. */
export class ResNet18<const Classes extends number = 1000> extends nn.Module {
  conv1 = nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
  bn1 = nn.BatchNorm2d(64);
  relu = nn.ReLU();
  maxpool = nn.MaxPool2d(3, { stride: 2, padding: 1 });
  layer1 = nn.Sequential(new BasicBlock(64), new BasicBlock(64));
  layer2 = nn.Sequential(new DownsampleBlock(64, 128, 2), new BasicBlock(128));
  layer3 = nn.Sequential(new DownsampleBlock(128, 256, 2), new BasicBlock(256));
  layer4 = nn.Sequential(new DownsampleBlock(256, 512, 2), new BasicBlock(512));
  avgpool = nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear<512, Classes>;

  constructor(numClasses: Classes) {
    super();
    this.fc = nn.Linear(512, numClasses);
  }

  forward<N extends number, D extends nn.DTypeOf<this>, Dev extends nn.DeviceOf<this>>(
    x: Tensor<[N, 3, number, number], D, Dev>,
  ) {
    const stem = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
    const features = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(stem))));
    return this.fc.forward(flatten(this.avgpool.forward(features), 1));
  }
}

export function resnet18(): ResNet18<1000>;
export function resnet18<const Classes extends number>(numClasses: Classes): ResNet18<Classes>;
export function resnet18(numClasses = 1000): ResNet18<number> {
  return new ResNet18(numClasses);
}

async function main(): Promise<void> {
  const { parseArgs } = await import("node:util");
  const { readFile } = await import("node:fs/promises");
  const { randn, manualSeed, tensor } = await import("../src/index.js");
  const { values } = parseArgs({
    options: {
      weights: { type: "string" },
      input: { type: "string" },
      expect: { type: "string" },
      size: { type: "string", default: "224" },
    },
  });
  const model = resnet18();
  if (values.weights) nn.loadSafetensors(model, new Uint8Array(await readFile(values.weights)));
  model.eval();
  let x: Tensor<[number, 3, number, number]>;
  if (values.input) {
    const t = nn.safetensorsToStateDict(new Uint8Array(await readFile(values.input))).get("input");
    if (!t) throw new Error(`resnet18: ${values.input} has no tensor named "input"`);
    // Re-made with the shape the model takes; tensor() refuses data that does not fill it.
    x = tensor(Float32Array.from(t.dataSync()), { shape: [t.shape[0], 3, t.shape[2], t.shape[3]] });
  } else {
    manualSeed(0);
    const size = Number(values.size);
    x = randn([1, 3, size, size]);
  }
  console.log(model.summary([...x.shape]));
  const start = performance.now();
  const logits = model.forward(x);
  console.log(
    `forward ${[...x.shape].join("x")} in ${(performance.now() - start).toFixed(0)} ms; logits shape [${logits.shape.join(", ")}]`,
  );
  if (values.expect) {
    const expected = JSON.parse(await readFile(values.expect, "utf8")) as
      { shape: number[]; data: number[] } | { logits32: { data: number[] } };
    const want = "logits32" in expected ? expected.logits32.data : expected.data;
    const got = logits.dataSync();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    const scale = Math.max(1, ...want.map(Math.abs));
    console.log(`max |logit - expected| = ${worst.toExponential(2)} (relative ${(worst / scale).toExponential(2)})`);
    if (!(worst / scale < 1e-4)) process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
