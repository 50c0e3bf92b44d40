// Paired A/B of a training step between two builds of the whole library in one process: the two
// builds' steps alternate on the same batches, the order flipping every pair, with a 1 ms pause
// before each step so that the other build's worker has stopped spinning. The epoch time printed by
// the demo moves by 10-25% from run to run on this VM, more than most changes to the step are worth;
// paired steps resolve a few %. Run it in both load orders (A B, then B A): the build loaded first
// has read ~2.5% faster.
//   node step-pair.mjs <distA> <distB> [steps=400] [model=demo|demo-sgd|bn|resnet18]
// model demo: examples/demo.ts's step (forward, cross-entropy, backward, Adam) on MNIST batches;
// demo-sgd, bn or resnet18: bench/train-models.mjs's step (SGD with momentum) on its fixed batch. Each step's
// wall time and the process's CPU time over it (the workers' too) are paired. A dist is the root's
// `npm run build` output (dist/, with src/ and examples/), copied aside or built in a git worktree.
// A/B > 1 means B is faster. (Results before session 15 name conv2d-step-pair.mjs, this file's
// bn/resnet18 half before the two were one.)
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SHAPES, shapegradStep } from "./train-models.mjs";

const [distA, distB, stepsArg = "400", model = "demo"] = process.argv.slice(2);
if (!distA || !distB)
  throw new Error("usage: node step-pair.mjs <distA> <distB> [steps=400] [model=demo|demo-sgd|bn|resnet18]");
const steps = Number(stepsArg);
const load = (dist, file) => import(pathToFileURL(resolve(dist, file)).href);

async function build(dist) {
  const sg = await load(dist, "src/index.js");
  const { digitClassifier } = await load(dist, "examples/demo.js");
  sg.manualSeed(0);
  const model = digitClassifier();
  const opt = new sg.optim.Adam(model.parameters(), { lr: 3e-3 });
  return (batch) =>
    sg.tidy(() => {
      const x = sg.tensor(batch.images, { shape: [batch.size, 1, 28, 28] });
      const y = sg.tensor(batch.labels, { shape: [batch.size], dtype: "int32" });
      const loss = sg.nn.functional.crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      loss.dataSync();
    });
}

let runs, batches;
if (model === "demo") {
  runs = [await build(distA), await build(distB)];
  const mnist = await load(distA, "examples/mnist.js");
  batches = [...mnist.batches(mnist.loadMnist({ seed: 0 }).train, 64, 1)];
} else {
  // demo-sgd: bench/train-models.mjs's demo step (issue 23's comparison with PyTorch)
  const name = model === "demo-sgd" ? "demo" : model;
  if (!SHAPES[name] || model === "demo")
    throw new Error(`step-pair: unknown model ${model} (demo, demo-sgd, bn, resnet18)`);
  runs = await Promise.all([distA, distB].map(async (d) => shapegradStep(d, name)));
  batches = [null];
}
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = [[], []],
  cpus = [[], []],
  ratios = [],
  cpuRatios = [];
for (let i = 0; i < steps; i++) {
  const batch = batches[i % batches.length];
  const ms = [0, 0],
    cpu = [0, 0];
  for (const k of i % 2 ? [0, 1] : [1, 0]) {
    await new Promise((r) => setTimeout(r, 1));
    const t = performance.now(),
      c = cpuMs();
    runs[k](batch);
    ms[k] = performance.now() - t;
    cpu[k] = cpuMs() - c;
    times[k].push(ms[k]);
    cpus[k].push(cpu[k]);
  }
  ratios.push(ms[0] / ms[1]);
  cpuRatios.push(cpu[0] / cpu[1]);
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const show = (k) =>
  `median ${median(times[k]).toFixed(2)} ms (CPU ${median(cpus[k]).toFixed(2)}), best ${Math.min(...times[k]).toFixed(2)} ms`;
console.log(
  `${model} training step, ${steps} pairs: A ${show(0)} | B ${show(1)} | median A/B wall ${median(ratios).toFixed(3)}, CPU ${median(cpuRatios).toFixed(3)}`,
);
