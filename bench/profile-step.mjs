// Where one training step's time goes, primitive by primitive: the models and step of
// bench/train-models.mjs, with every CPU kernel (src/backends/cpu's table), the fused batch-norm
// loops and the optimizer's per-parameter update wrapped in a timer (wall and process CPU time),
// split by phase (forward incl. the loss, backward, optimizer). The copies in and out of the wasm
// memory (Float32Array set / slice / fill, as bench/stages.mjs) are counted apart, and are also
// inside the kernel that made them. "engine": the phase's wall time minus its kernels', i.e.
// the autograd tape, the ops' checks and shape rules, Tensor wrappers, the grad accumulation's
// dispatch and the tidy's bookkeeping (not their kernels: an accumulation add is an `add` row of
// the backward).
//   node bench/profile-step.mjs [--build=dist] [--models=bn,demo,resnet18] [--threads=2] [--steps=10] [--by-shape]
// Prints per model the totals by kind (conv, batchNorm, relu, pool, linear = matmul and its
// transposes, sum = reductions and their expands: bias gradients and the loss, sgd, other
// elementwise ops, copies (inside the others), engine), then a table: primitive, phase, calls per
// step, wall ms per step, CPU ms per step, share of the step's wall time. The sums over the
// measured steps (after 3 warm-up steps) are divided by their number. CPU time is the process's,
// all threads: a conv's worker threads still spinning count in the op that follows it.
import { resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SHAPES, bnCnn, demoBias } from "./train-models.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const dist = resolve(args.build ?? resolve(here, "../dist"));
const models = (args.models ?? "bn,demo,resnet18").split(",");
const threads = Number(args.threads ?? 2);
const steps = Number(args.steps ?? 10);
const load = async (p) => import(pathToFileURL(resolve(dist, p)).href);

const sg = await load("src/index.js");
const cpu = await load("src/backends/cpu/index.js");
const fast = await load("src/backends/cpu/fast/index.js");
fast.setNumThreads(threads);

let phase = null; // "forward" | "backward" | "optimizer" while a step is measured, else null
let rows = new Map(); // `${name}|${phase}` -> { calls, wall, cpu }
let depth = 0; // nested timers (a kernel calling set/slice) count in their own row too
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const byShape = args["by-shape"] !== undefined; // --by-shape: a row per kernel and input shape
function timed(name, fn) {
  return function (...a) {
    if (phase === null) return fn.apply(this, a);
    const label = byShape && a[0]?.[0]?.shape ? `${name} ${JSON.stringify(a[0][0].shape)}` : name;
    const t = performance.now(),
      c = cpuMs();
    depth++;
    try {
      return fn.apply(this, a);
    } finally {
      depth--;
      const key = `${label}|${phase}`;
      const r = rows.get(key) ?? { calls: 0, wall: 0, cpu: 0, nested: depth > 0 || name.startsWith("copy ") };
      r.calls++;
      r.wall += performance.now() - t;
      r.cpu += cpuMs() - c;
      rows.set(key, r);
    }
  };
}
for (const k of Object.keys(cpu.cpuKernels)) cpu.cpuKernels[k] = timed(k, cpu.cpuKernels[k]);
for (const k of Object.keys(cpu.cpuBackend.batchNorm))
  cpu.cpuBackend.batchNorm[k] = timed(`batchNorm.${k}`, cpu.cpuBackend.batchNorm[k]);
for (const k of Object.keys(cpu.cpuBackend.optimizerSteps))
  cpu.cpuBackend.optimizerSteps[k] = timed(`optimizer.${k}`, cpu.cpuBackend.optimizerSteps[k]);
for (const m of ["set", "slice", "fill"]) Float32Array.prototype[m] = timed(`copy ${m}`, Float32Array.prototype[m]);

async function net(model) {
  sg.manualSeed(0);
  if (model === "resnet18") return (await load("examples/resnet18.js")).resnet18(10);
  return (model === "bn" ? bnCnn : demoBias)(sg.nn);
}

for (const model of models) {
  const m = await net(model);
  m.train();
  const opt = new sg.optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = sg.keep(sg.rand(SHAPES[model]));
  const y = sg.keep(sg.randint(0, 10, [SHAPES[model][0]]));
  const totals = { forward: [0, 0], backward: [0, 0], optimizer: [0, 0] };
  const section = (name, fn) => {
    phase = name;
    const t = performance.now(),
      c = cpuMs();
    const r = fn();
    totals[name][0] += performance.now() - t;
    totals[name][1] += cpuMs() - c;
    phase = null;
    return r;
  };
  const step = () =>
    sg.tidy(() => {
      const loss = section("forward", () => sg.nn.functional.crossEntropy(m.forward(x), y));
      section("backward", () => {
        opt.zeroGrad();
        loss.backward();
      });
      section("optimizer", () => opt.step());
      return loss.item();
    });
  for (let i = 0; i < 3; i++) step();
  rows = new Map();
  for (const k of Object.keys(totals)) totals[k] = [0, 0];
  for (let i = 0; i < steps; i++) step();
  const stepWall = Object.values(totals).reduce((s, [w]) => s + w, 0) / steps;
  const stepCpu = Object.values(totals).reduce((s, [, c]) => s + c, 0) / steps;
  console.log(
    `\n${model} ${JSON.stringify(SHAPES[model])}, ${threads} thread(s), ${steps} steps: ${stepWall.toFixed(1)} ms wall, ${stepCpu.toFixed(1)} ms CPU per step`,
  );
  const line = (name, ph, calls, wall, cpuT) =>
    console.log(
      `  ${name.padEnd(40)} ${ph.padEnd(9)} ${String(calls).padStart(6)} ${wall.toFixed(2).padStart(8)} ${cpuT.toFixed(2).padStart(8)} ${((100 * wall) / stepWall).toFixed(1).padStart(6)}%`,
    );
  console.log(`  ${"primitive".padEnd(40)} ${"phase".padEnd(9)}  calls  wall ms   CPU ms  share`);
  const sortedRows = [...rows.entries()].sort((a, b) => b[1].wall - a[1].wall);
  // the shares by kind (the table's first line of results); copies are inside their kernels' rows
  const kinds = { conv: 0, batchNorm: 0, relu: 0, pool: 0, linear: 0, sum: 0, sgd: 0, other: 0, copies: 0 };
  const kindOf = (name) =>
    name.startsWith("copy ")
      ? "copies"
      : /^conv2d/.test(name)
        ? "conv"
        : /^batchNorm/.test(name)
          ? "batchNorm"
          : /^relu/.test(name)
            ? "relu"
            : /^maxPool/.test(name)
              ? "pool"
              : /^(matmul|permute)/.test(name)
                ? "linear"
                : /^(sum|expand)/.test(name)
                  ? "sum"
                  : /^optimizer/.test(name)
                    ? "sgd"
                    : "other";
  const kindCpu = { ...kinds };
  for (const [key, r] of rows) {
    const k = kindOf(key.split("|")[0]);
    kinds[k] += r.wall / steps;
    kindCpu[k] += r.cpu / steps;
  }
  const engineWall =
    Object.values(totals).reduce((s, [w]) => s + w, 0) / steps -
    Object.entries(kinds).reduce((s, [k, v]) => s + (k === "copies" ? 0 : v), 0);
  const engineCpu = stepCpu - Object.entries(kindCpu).reduce((s, [k, v]) => s + (k === "copies" ? 0 : v), 0);
  console.log(
    `  by kind, wall ms (CPU ms) per step: ${Object.keys(kinds)
      .map((k) => `${k} ${kinds[k].toFixed(1)} (${kindCpu[k].toFixed(1)})`)
      .join(", ")}, engine ${engineWall.toFixed(1)} (${engineCpu.toFixed(1)})`,
  );
  for (const ph of Object.keys(totals)) {
    let kernelWall = 0,
      kernelCpu = 0;
    for (const [key, r] of sortedRows) {
      const [name, p] = key.split("|");
      if (p !== ph) continue;
      if (!r.nested) {
        kernelWall += r.wall;
        kernelCpu += r.cpu;
      }
      line(name, ph, r.calls / steps, r.wall / steps, r.cpu / steps);
    }
    const [w, c] = totals[ph];
    line("engine (rest)", ph, 0, (w - kernelWall) / steps, (c - kernelCpu) / steps);
    line("= phase total", ph, 0, w / steps, c / steps);
  }
}
process.exit(0);
