// Whole-model training steps (forward, cross-entropy, backward, SGD with momentum 0.9), float32 on
// the CPU, for one or more builds of shapegrad and for PyTorch (bench/train_step_torch.py, run
// with Debian's python3-torch, 2 threads), alternating step by step in one run: on this shared
// 2-vCPU VM the speed drifts by 10-25% over seconds, so only steps taken side by side compare.
// Each round runs one step of every participant, in an order that rotates every round, with a
// 1 ms pause before each step so that the previous participant's threads have stopped spinning.
//
// Models (the same in train_step_torch.py):
//   bn    [32, 3, 32, 32]: 4 x (conv3x3 p1 with bias, BatchNorm2d, ReLU) with 32, 32, 64, 64
//         channels, a 2x2 max pool after the 2nd and 4th, Linear 4096->128, ReLU, Linear 128->10
//   demo  [64, 1, 28, 28]: examples/demo.ts's digitClassifier with biases on its convs
//
//   node bench/train-step.mjs [--builds=dist,/tmp/base/dist] [--models=bn,demo] [--steps=20]
//                             [--warmup=3] [--python=/usr/bin/python3 | --python=none]
// A build is the root's `npm run build` output (a dist/ directory), possibly copied aside or built
// in a git worktree, so a before/after pair runs in one process (as step-pair.mjs does). Prints, per
// model and participant, the median ms per step with the interquartile range and the best step,
// and each build's median ratio to PyTorch over the rounds (round by round, then the median).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const builds = (args.builds ?? resolve(here, "../dist")).split(",");
const models = (args.models ?? "bn,demo").split(",");
const steps = Number(args.steps ?? 20);
const warmup = Number(args.warmup ?? 3);
const python = args.python ?? "/usr/bin/python3";

const SHAPES = { bn: [32, 3, 32, 32], demo: [64, 1, 28, 28] };
for (const m of models) if (!SHAPES[m]) throw new Error(`train-step: unknown model ${m} (bn, demo)`);

function bnCnn(nn) {
  const block = (cin, cout) => [nn.Conv2d(cin, cout, 3, { padding: 1 }), nn.BatchNorm2d(cout), nn.ReLU()];
  return nn.Sequential(
    ...block(3, 32),
    ...block(32, 32),
    nn.MaxPool2d(2),
    ...block(32, 64),
    ...block(64, 64),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(4096, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
  );
}

function demoBias(nn) {
  return nn.Sequential(
    nn.Conv2d(1, 16, 5),
    nn.MaxPool2d(2),
    nn.ReLU(),
    nn.Conv2d(16, 32, 3),
    nn.MaxPool2d(2),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(800, 10),
  );
}

async function shapegradStep(dist, model) {
  const sg = await import(pathToFileURL(resolve(dist, "src/index.js")).href);
  sg.manualSeed(0);
  const net = (model === "bn" ? bnCnn : demoBias)(sg.nn);
  net.train();
  const opt = new sg.optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  const shape = SHAPES[model];
  const x = sg.keep(sg.rand(shape));
  const y = sg.keep(sg.randint(0, 10, [shape[0]]));
  return () =>
    sg.tidy(() => {
      const loss = sg.nn.functional.crossEntropy(net.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    });
}

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

const torch = python === "none" ? null : await torchRunner();
const os = await import("node:os");
console.log(
  `train-step: ${new Date().toISOString()}, ${os.cpus()[0]?.model ?? "?"} x ${os.availableParallelism()}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(
  `node ${process.version}${torch ? `; ${torch.banner}` : ""}; ${steps} rounds after ${warmup} warm-up, order rotating`,
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
  if (torch) parts.push({ name: "pytorch", step: () => torch.step(model) });
  const times = parts.map(() => []);
  for (let r = 0; r < warmup + steps; r++) {
    for (let k = 0; k < parts.length; k++) {
      const p = (k + r) % parts.length;
      await sleep(1);
      const ms = await parts[p].step();
      if (r >= warmup) times[p].push(ms);
    }
  }
  console.log(`\n${model} ${JSON.stringify(SHAPES[model])}: ms per step, median [p25-p75] best`);
  parts.forEach((p, i) => {
    const t = times[i];
    let line = `  ${p.name.padEnd(44)} ${fmt(quantile(t, 0.5)).padStart(7)} [${fmt(quantile(t, 0.25))}-${fmt(quantile(t, 0.75))}] ${fmt(Math.min(...t))}`;
    if (torch && p.name !== "pytorch") {
      const ratios = t.map((v, r) => v / times[parts.length - 1][r]);
      line += `   / pytorch: ${quantile(ratios, 0.5).toFixed(2)}x [${quantile(ratios, 0.25).toFixed(2)}-${quantile(ratios, 0.75).toFixed(2)}]`;
    }
    if (i > 0 && i < builds.length) {
      const ratios = t.map((v, r) => times[0][r] / v);
      line += `   #0 / this: ${quantile(ratios, 0.5).toFixed(2)}x`;
    }
    console.log(line);
  });
}
torch?.close();
console.log(
  `\nload average after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
process.exit(0);
