// Paired A/B of one training step of bench/train-models.mjs's models (the BN CNN by default: four
// 3x3 convs with bias, whose forward and input gradient run the GEMM conv) between two builds of
// the whole library in one process, as step-pair.mjs does for the demo: the builds' steps alternate,
// the order flipping every pair, with a 1 ms pause before each so that the other build's worker has
// stopped spinning. Reports each build's median and best step and the median of the paired ratios,
// and the CPU time (process.cpuUsage, all threads) likewise.
//   node conv2d-step-pair.mjs <distA> <distB> [model=bn|demo|resnet18] [steps=100]
// where a dist is the root's `npm run build` output (dist/), copied aside or built in a git
// worktree. A/B > 1 means B is faster. Run it in both load orders (A B, then B A).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { bnCnn, demoBias, trainer } from "./train-models.mjs";

const [distA, distB, model = "bn", stepsArg = "100"] = process.argv.slice(2);
if (!distA || !distB) throw new Error("usage: node conv2d-step-pair.mjs <distA> <distB> [model=bn] [steps=100]");
const steps = Number(stepsArg);

async function build(dist) {
  const sg = await import(pathToFileURL(resolve(dist, "src/index.js")).href);
  sg.manualSeed(0);
  const net =
    model === "resnet18"
      ? (await import(pathToFileURL(resolve(dist, "examples/resnet18.js")).href)).resnet18(10)
      : (model === "bn" ? bnCnn : demoBias)(sg.nn);
  const step = trainer(sg, net, model);
  for (let i = 0; i < 5; i++) step(); // warm-up: compiled code, pooled arrays, the workers up
  return step;
}

const runs = [await build(distA), await build(distB)];
const wall = [[], []],
  cpu = [[], []],
  ratios = [],
  cpuRatios = [];
for (let i = 0; i < steps; i++) {
  const ms = [0, 0],
    cms = [0, 0];
  for (const k of i % 2 ? [0, 1] : [1, 0]) {
    await new Promise((r) => setTimeout(r, 1));
    const c0 = process.cpuUsage();
    const t = performance.now();
    runs[k]();
    ms[k] = performance.now() - t;
    const c = process.cpuUsage(c0);
    cms[k] = (c.user + c.system) / 1000;
    wall[k].push(ms[k]);
    cpu[k].push(cms[k]);
  }
  ratios.push(ms[0] / ms[1]);
  cpuRatios.push(cms[0] / cms[1]);
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const show = (k) =>
  `median ${median(wall[k]).toFixed(1)} ms (best ${Math.min(...wall[k]).toFixed(1)}), CPU ${median(cpu[k]).toFixed(1)} ms`;
console.log(
  `${model} training step, ${steps} pairs: A ${show(0)} | B ${show(1)} | median A/B wall ${median(ratios).toFixed(3)}, CPU ${median(cpuRatios).toFixed(3)}`,
);
process.exit(0);
