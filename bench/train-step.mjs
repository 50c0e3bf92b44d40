// Whole-model training steps (forward, cross-entropy, backward, SGD with momentum 0.9), float32 on
// the CPU, for one or more builds of shapegrad, for PyTorch (bench/train_step_torch.py, run with
// Debian's python3-torch, 2 threads) and for TensorFlow.js's CPU backend (plain JS, one thread:
// bench/train-step-tfjs.mjs), alternating step by step in one run: on this shared
// 2-vCPU VM the speed drifts by 10-25% over seconds, so only steps taken side by side compare.
// Each round runs one step of every participant, in an order that rotates every round, with a
// 1 ms pause before each step so that the previous participant's threads have stopped spinning.
//
// Models (the same in train_step_torch.py):
//   bn    [32, 3, 32, 32]: 4 x (conv3x3 p1 with bias, BatchNorm2d, ReLU) with 32, 32, 64, 64
//         channels, a 2x2 max pool after the 2nd and 4th, Linear 4096->128, ReLU, Linear 128->10
//   demo  [64, 1, 28, 28]: examples/demo.ts's digitClassifier (biases on its convs)
//   resnet18 [16, 3, 64, 64]: torchvision's resnet18(num_classes=10) (examples/resnet18.ts)
//
//   node bench/train-step.mjs [--builds=dist,/tmp/base/dist] [--models=bn,demo,resnet18] [--steps=20]
//                             [--warmup=3] [--python=/usr/bin/python3 | --python=none]
//                             [--tfjs=cpu | --tfjs=none] [--tfjs-steps=3] [--overhead=40 | --overhead=0]
//                             [--memory=<model>:<steps>]
// --overhead: rounds of the per-op overhead, a float32 add of two 1,000-element tensors (each round
// times 20,000 adds per build, builds alternating), in microseconds per add.
// --memory: instead of the timing, runs <steps> steps of one model on the first build and prints
// the resident set size every tenth of the run and its peak (the steps must not grow it); under
// node --expose-gc also the live heap and array buffers after a full collection at each sample.
// A build is the root's `npm run build` output (a dist/ directory), possibly copied aside or built
// in a git worktree, so a before/after pair runs in one process (as step-pair.mjs does). Prints, per
// model and participant, the median ms per step with the interquartile range and the best step,
// and each build's median ratio to PyTorch over the rounds (round by round, then the median).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SHAPES, shapegradStep } from "./train-models.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const builds = (args.builds ?? resolve(here, "../dist")).split(",");
const models = (args.models ?? "bn,demo,resnet18").split(",");
const steps = Number(args.steps ?? 20);
const warmup = Number(args.warmup ?? 3);
const python = args.python ?? "/usr/bin/python3";
const tfjsBackend = args.tfjs ?? "cpu";
const tfjsSteps = Number(args["tfjs-steps"] ?? 3);
const overheadRounds = Number(args.overhead ?? 40);

for (const m of models) if (!SHAPES[m]) throw new Error(`train-step: unknown model ${m} (bn, demo, resnet18)`);

/** PyTorch in a child process; `step(model)` resolves to the ms that process measured. */
async function torchRunner() {
  const child = spawn(python, [resolve(here, "train_step_torch.py")], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error("train-step: the PyTorch process ended early");
    return r.value;
  };
  const banner = await next();
  return {
    banner,
    step: async (model) => {
      child.stdin.write(`${model}\n`);
      return Number(await next());
    },
    close: () => {
      child.stdin.end("quit\n");
    },
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (a) => [...a].sort((p, q) => p - q);
const quantile = (a, q) => sorted(a)[Math.min(a.length - 1, Math.floor(q * a.length))];
const fmt = (v) => v.toFixed(1);

/** Peak and sampled resident set size over `count` steps of one model (the --memory mode). */
async function memoryRun(dist, model, count) {
  const run = await shapegradStep(dist, model);
  const mib = (b) => (b / 2 ** 20).toFixed(0);
  let peak = 0;
  const samples = [];
  for (let i = 1; i <= count; i++) {
    run();
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    if (i % Math.max(1, Math.floor(count / 10)) === 0) {
      // with node --expose-gc, also what is live after a full collection (a leak grows it; a heap
      // that the collector lets grow before it collects does not)
      globalThis.gc?.();
      const m = process.memoryUsage();
      const live = globalThis.gc ? ` (live heap ${mib(m.heapUsed)}, array buffers ${mib(m.arrayBuffers)})` : "";
      samples.push(`${i}: ${mib(rss)}${live}`);
    }
  }
  console.log(
    `memory ${model} ${JSON.stringify(SHAPES[model])}, ${count} steps, RSS MiB at step ${samples.join(", ")}`,
  );
  console.log(`  peak RSS ${mib(peak)} MiB`);
}

if (args.memory) {
  const [model, count] = args.memory.split(":");
  await memoryRun(builds[0], model, Number(count ?? 1000));
  process.exit(0);
}

/** The per-op overhead: float32 add of two 1,000-element tensors, builds alternating round by round. */
async function overhead(rounds) {
  const sgs = await Promise.all(builds.map((d) => import(pathToFileURL(resolve(d, "src/index.js")).href)));
  const us = sgs.map(() => []);
  const adds = 20000;
  for (let r = 0; r < rounds; r++) {
    sgs.forEach((sg, i) => {
      const a = sg.keep(sg.rand([1000])),
        b = sg.keep(sg.rand([1000]));
      const t = performance.now();
      for (let k = 0; k < adds; k++) sg.add(a, b).dispose();
      us[i].push(((performance.now() - t) / adds) * 1000);
    });
  }
  console.log(
    `\nper-op overhead: add of two float32 [1000] tensors, us per add, median [p25-p75] best over ${rounds} rounds`,
  );
  us.forEach((t, i) => {
    const line = `  shapegrad#${i} (${builds[i]})`.padEnd(46);
    console.log(
      `${line} ${quantile(t, 0.5).toFixed(2)} [${quantile(t, 0.25).toFixed(2)}-${quantile(t, 0.75).toFixed(2)}] ${Math.min(...t).toFixed(2)}`,
    );
  });
}

const torch = python === "none" ? null : await torchRunner();
const tfjs = tfjsBackend === "none" ? null : await (await import("./train-step-tfjs.mjs")).tfjsTrainer(tfjsBackend);
const os = await import("node:os");
console.log(
  `train-step: ${new Date().toISOString()}, ${os.cpus()[0]?.model ?? "?"} x ${os.availableParallelism()}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  `node ${process.version}${torch ? `; ${torch.banner}` : ""}${tfjs ? `; ${tfjs.name} ${tfjs.version}` : ""}; ${steps} rounds after ${warmup} warm-up, order rotating`,
);

for (const model of models) {
  const parts = [];
  for (const [i, dist] of builds.entries()) {
    const run = await shapegradStep(dist, model);
    parts.push({
      name: `shapegrad#${i} (${dist})`,
      step: async () => {
        const t = performance.now();
        run();
        return performance.now() - t;
      },
    });
  }
  if (tfjs) {
    const run = tfjs.make(model, SHAPES[model]);
    parts.push({
      name: tfjs.name,
      step: async () => {
        const t = performance.now();
        run();
        return performance.now() - t;
      },
    });
  }
  if (torch) parts.push({ name: "pytorch", step: () => torch.step(model) });
  const times = parts.map(() => []);
  // TF.js's CPU steps take seconds to minutes (its conv2DBackpropFilter reads every element
  // through TensorBuffer.get): it runs in the first --tfjs-steps measured rounds only, without a
  // warm-up (a first step's set-up is small against that), and its ratios pair those rounds; a
  // round it skips leaves a hole (undefined).
  const skips = (p, r) => tfjs !== null && p === builds.length && (r < warmup || r >= warmup + tfjsSteps);
  for (let r = 0; r < warmup + steps; r++) {
    for (let k = 0; k < parts.length; k++) {
      const p = (k + r) % parts.length;
      if (skips(p, r)) {
        if (r >= warmup) times[p].push(undefined);
        continue;
      }
      await sleep(1);
      const ms = await parts[p].step();
      if (r >= warmup) times[p].push(ms);
    }
  }
  console.log(`\n${model} ${JSON.stringify(SHAPES[model])}: ms per step, median [p25-p75] best`);
  parts.forEach((p, i) => {
    const t = times[i].filter((v) => v !== undefined);
    let line = `  ${p.name.padEnd(44)} ${fmt(quantile(t, 0.5)).padStart(7)} [${fmt(quantile(t, 0.25))}-${fmt(quantile(t, 0.75))}] ${fmt(Math.min(...t))}`;
    // each ratio: round by round against the reference's step of the same round, then the median
    const against = (label, ref) => {
      const ratios = times[i].map((v, r) => v / ref[r]).filter((v) => !Number.isNaN(v));
      return `   / ${label}: ${quantile(ratios, 0.5).toPrecision(3)}x [${quantile(ratios, 0.25).toPrecision(3)}-${quantile(ratios, 0.75).toPrecision(3)}]`;
    };
    if (torch && p.name !== "pytorch") line += against("pytorch", times[parts.length - 1]);
    if (tfjs && i < builds.length) line += against(tfjs.name, times[builds.length]);
    if (i > 0 && i < builds.length) {
      const ratios = t.map((v, r) => times[0][r] / v);
      line += `   #0 / this: ${quantile(ratios, 0.5).toFixed(2)}x`;
    }
    console.log(line);
  });
}
torch?.close();
if (overheadRounds > 0) await overhead(overheadRounds);
console.log(
  `\nload average after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
process.exit(0);
