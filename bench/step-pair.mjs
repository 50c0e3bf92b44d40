// Paired A/B of the demo's training step (examples/demo.ts: forward, cross-entropy, backward, Adam)
// between two builds of the whole library in one process: the two builds' steps alternate on the
// same batches, the order flipping every pair, with a 1 ms pause before each step so that the other
// build's worker has stopped spinning. The epoch time printed by the demo moves by 10-25% from run
// to run on this VM, more than most changes to the step are worth; paired steps resolve a few %.
// Run it in both load orders (A B, then B A): the build loaded first has read ~2.5% faster.
//   node step-pair.mjs <distA> <distB> [steps=400]
// where a dist is the root's `npm run build` output (dist/, with src/ and examples/), copied aside
// or built in a git worktree. A/B > 1 means B is faster.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [distA, distB, stepsArg = "400"] = process.argv.slice(2);
if (!distA || !distB) throw new Error("usage: node step-pair.mjs <distA> <distB> [steps=400]");
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

const runs = [await build(distA), await build(distB)];
const mnist = await load(distA, "examples/mnist.js");
const batches = [...mnist.batches(mnist.loadMnist({ seed: 0 }).train, 64, 1)];
const times = [[], []],
  ratios = [];
for (let i = 0; i < steps; i++) {
  const batch = batches[i % batches.length];
  const ms = [0, 0];
  for (const k of i % 2 ? [0, 1] : [1, 0]) {
    await new Promise((r) => setTimeout(r, 1));
    const t = performance.now();
    runs[k](batch);
    ms[k] = performance.now() - t;
    times[k].push(ms[k]);
  }
  ratios.push(ms[0] / ms[1]);
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const show = (k) => `median ${median(times[k]).toFixed(2)} ms, best ${Math.min(...times[k]).toFixed(2)} ms`;
console.log(`training step, ${steps} pairs: A ${show(0)} | B ${show(1)} | median A/B ${median(ratios).toFixed(3)}`);
