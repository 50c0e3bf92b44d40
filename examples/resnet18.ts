/**
 * A typed ResNet-18 in torchvision's layout (so torchvision's state-dict names load unchanged:
 * `conv1.weight`, `layer2.0.downsample.0.weight`, `fc.bias`, ...). Every shape through the network
 * is computed by the compiler from the input's:
 *
 *   const model = resnet18();                         // 1000 classes
 *   const logits = model.forward(randn([2, 3, 224, 224]));  // Tensor<[2, 1000]>
 *
 * Each block declares its shape rule by composing the layers' rules (nn.Residual's rule over the
 * main path and the shortcut), and the network's rule chains the blocks as nn.Sequential does.
 *
 * Run as a check of weights trained in PyTorch (safetensors, e.g. written by
 * scripts/golden-nn/gen_weights.py or by `safetensors.torch.save_file(model.state_dict(), ...)`):
 *   node dist/examples/resnet18.js --weights resnet18.safetensors [--input input.safetensors] [--expect logits.json]
 */
import { add, flatten, type AnyTensor, type Shape, type Tensor } from "../src/index.js";
import * as nn from "../src/nn/index.js";
import type { ChainShapes, InputOf, ResidualShape, ShapeFn } from "../src/nn/index.js";

type MainPath<Cin extends number, Cout extends number, S extends number> = nn.Sequential<readonly [
  nn.Conv2d<Cin, Cout, 3, { stride: S; padding: 1; bias: false }>, nn.BatchNorm2d<Cout>, nn.ReLU,
  nn.Conv2d<Cout, Cout, 3, { padding: 1; bias: false }>, nn.BatchNorm2d<Cout>,
]>;
type Shortcut<Cin extends number, Cout extends number, S extends number> =
  S extends 1 ? ([Cin] extends [Cout] ? null : Projection<Cin, Cout, S>) : Projection<Cin, Cout, S>;
type Projection<Cin extends number, Cout extends number, S extends number> =
  nn.Sequential<readonly [nn.Conv2d<Cin, Cout, 1, { stride: S; bias: false }>, nn.BatchNorm2d<Cout>]>;

/** relu(main(x) + shortcut(x)): the residual shape rule, then relu (which keeps the shape). */
export interface BasicBlockFn<Cin extends number, Cout extends number, S extends number> extends ShapeFn {
  readonly name: "BasicBlock";
  readonly output: InputOf<this> extends infer X extends Shape ? ResidualShape<X, MainPath<Cin, Cout, S>, Shortcut<Cin, Cout, S>> : never;
}

/** torchvision's BasicBlock: two 3x3 convs with batch norm, and a 1x1 projection when the shape changes. */
export class BasicBlock<const Cin extends number, const Cout extends number, const S extends number = 1> extends nn.Layer<BasicBlockFn<Cin, Cout, S>> {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  relu = nn.ReLU();
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  downsample: nn.Sequential | null;

  constructor(inChannels: Cin, outChannels: Cout, stride: S = 1 as S) {
    super();
    this.conv1 = nn.Conv2d(inChannels, outChannels, 3, { stride, padding: 1, bias: false });
    this.bn1 = nn.BatchNorm2d(outChannels);
    this.conv2 = nn.Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn2 = nn.BatchNorm2d(outChannels);
    this.downsample = stride !== 1 || inChannels !== (outChannels as number)
      ? nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, { stride, bias: false }), nn.BatchNorm2d(outChannels))
      : null;
  }

  protected compute(x: AnyTensor): AnyTensor {
    const run = (m: nn.Module, t: AnyTensor) => (m.forward as (t: AnyTensor) => AnyTensor).call(m, t);
    let out = run(this.relu, run(this.bn1, run(this.conv1, x)));
    out = run(this.bn2, run(this.conv2, out));
    const identity = this.downsample ? run(this.downsample, x) : x;
    return run(this.relu, (add as (a: AnyTensor, b: AnyTensor) => AnyTensor)(out, identity));
  }
}

type Stem = readonly [
  nn.Conv2d<3, 64, 7, { stride: 2; padding: 3; bias: false }>, nn.BatchNorm2d<64>, nn.ReLU, nn.MaxPool2d<3, { stride: 2; padding: 1 }>,
];
type Stages = readonly [
  BasicBlock<64, 64>, BasicBlock<64, 64>,
  BasicBlock<64, 128, 2>, BasicBlock<128, 128>,
  BasicBlock<128, 256, 2>, BasicBlock<256, 256>,
  BasicBlock<256, 512, 2>, BasicBlock<512, 512>,
];
type Head<Classes extends number> = readonly [nn.AdaptiveAvgPool2d<[1, 1]>, nn.Flatten, nn.Linear<512, Classes>];

export interface ResNet18Fn<Classes extends number> extends ShapeFn {
  readonly name: "ResNet18";
  readonly output: InputOf<this> extends infer X extends Shape ? ChainShapes<X, [...Stem, ...Stages, ...Head<Classes>]> : never;
}

/** ResNet-18 (He et al. 2015) with torchvision's module names. */
export class ResNet18<const Classes extends number = 1000> extends nn.Layer<ResNet18Fn<Classes>> {
  conv1 = nn.Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
  bn1 = nn.BatchNorm2d(64);
  relu = nn.ReLU();
  maxpool = nn.MaxPool2d(3, { stride: 2, padding: 1 });
  layer1 = nn.Sequential(new BasicBlock(64, 64), new BasicBlock(64, 64));
  layer2 = nn.Sequential(new BasicBlock(64, 128, 2), new BasicBlock(128, 128));
  layer3 = nn.Sequential(new BasicBlock(128, 256, 2), new BasicBlock(256, 256));
  layer4 = nn.Sequential(new BasicBlock(256, 512, 2), new BasicBlock(512, 512));
  avgpool = nn.AdaptiveAvgPool2d([1, 1]);
  fc: nn.Linear<512, Classes>;

  constructor(numClasses: Classes = 1000 as Classes) {
    super();
    this.fc = nn.Linear(512, numClasses);
  }

  protected compute(x: AnyTensor): AnyTensor {
    const stages: nn.Module[] = [this.conv1, this.bn1, this.relu, this.maxpool, this.layer1, this.layer2, this.layer3, this.layer4, this.avgpool];
    let y = x;
    for (const m of stages) y = (m.forward as (t: AnyTensor) => AnyTensor).call(m, y);
    return (this.fc.forward as (t: AnyTensor) => AnyTensor).call(this.fc, (flatten as (x: AnyTensor, s: number) => AnyTensor)(y, 1));
  }
}

export function resnet18<const Classes extends number = 1000>(numClasses?: Classes): ResNet18<Classes> {
  return new ResNet18<Classes>(numClasses ?? (1000 as Classes));
}

/** Compile-time proof of the shapes (no run time cost: a type only). */
export type ResNet18Logits = Tensor<[2, 1000]>;

async function main(): Promise<void> {
  const { parseArgs } = await import("node:util");
  const { readFile } = await import("node:fs/promises");
  const { randn, manualSeed } = await import("../src/index.js");
  const { values } = parseArgs({ options: { weights: { type: "string" }, input: { type: "string" }, expect: { type: "string" }, size: { type: "string", default: "224" } } });
  const model = resnet18();
  if (values.weights) nn.loadSafetensors(model, new Uint8Array(await readFile(values.weights)));
  model.eval();
  let x: AnyTensor;
  if (values.input) {
    const t = nn.safetensorsToStateDict(new Uint8Array(await readFile(values.input))).get("input");
    if (!t) throw new Error(`resnet18: ${values.input} has no tensor named "input"`);
    x = t;
  } else {
    manualSeed(0);
    const size = Number(values.size);
    x = randn([1, 3, size, size]) as AnyTensor;
  }
  console.log(model.summary([...x.shape]));
  const start = performance.now();
  const logits = model.forward(x as never) as AnyTensor;
  console.log(`forward ${[...x.shape].join("x")} in ${(performance.now() - start).toFixed(0)} ms; logits shape [${logits.shape.join(", ")}]`);
  if (values.expect) {
    const expected = JSON.parse(await readFile(values.expect, "utf8")) as { shape: number[]; data: number[] } | { logits32: { data: number[] } };
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
