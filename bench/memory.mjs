// Memory over many training steps, with the CPU backend's array pool (src/backends/cpu/arrays.ts)
// and without it (its budget set to 0: every array left to the garbage collector, as before the pool).
// Each (model, pool) runs in its own process under `node --expose-gc`, so one run's heap does not
// colour the next: forward, cross-entropy, backward and SGD with momentum 0.9 in a tidy(), float32
// on the CPU, the models of bench/train-models.mjs and torchvision's ResNet-18 (examples/resnet18.ts,
// 10 classes, [16, 3, 64, 64]). Every `--every` steps (50) it samples the resident set size, and
// after a full collection the live JS heap, that heap less V8's compiled code and bytecode, the
// array buffers' bytes, the pool's free bytes and the bytes it has handed out and not had back
// (held); and the most a step held above what it started with (a step's peak: its activations
// and backward's gradients). It prints a tenth of the samples, the peaks, and the slope of each
// from the second sample to the last (a least-squares line, per 1,000 steps: the first 50 steps
// warm up). A leak grows the heap less code and the array buffers; a flat run keeps them level.
// The compiled code grows as more functions get hot and levels off (docs/performance.md, "Reused
// arrays and memory over many steps").
//
//   node bench/memory.mjs [--build=dist] [--models=demo,bn,resnet18] [--steps=1000] [--pools=on,off] [--every=50]
//     [--free=on|off: backward frees gradients once consumed, or keeps them to its end]
import { spawnSync } from "node:child_process";
import { resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import os from "node:os";
import v8 from "node:v8";
import { SHAPES, bnCnn, demoBias, trainer } from "./train-models.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const build = resolve(args.build ?? resolve(here, "../dist"));
const mib = (b) => b / 2 ** 20;

async function child(model, pool, steps, free) {
  if (!globalThis.gc) throw new Error("memory.mjs: run the child under node --expose-gc");
  const sg = await import(pathToFileURL(resolve(build, "src/index.js")).href);
  const arrays = await import(pathToFileURL(resolve(build, "src/backends/cpu/arrays.js")).href);
  const backward = await import(pathToFileURL(resolve(build, "src/autograd/backward.js")).href);
  if (pool === "off") arrays.setPoolBytes(0);
  backward.setFreeGradients(free !== "off");
  sg.manualSeed(0);
  const net =
    model === "resnet18"
      ? (await import(pathToFileURL(resolve(build, "examples/resnet18.js")).href)).resnet18(10)
      : (model === "bn" ? bnCnn : demoBias)(sg.nn);
  const step = trainer(sg, net, model);
  let peak = 0;
  const samples = [];
  let busy = 0;
  let stepPeak = 0;
  for (let i = 1; i <= steps; i++) {
    const t0 = performance.now();
    const before = arrays.poolStats().heldBytes;
    arrays.resetPeak();
    step();
    busy += performance.now() - t0;
    stepPeak = Math.max(stepPeak, arrays.poolStats().peakHeldBytes - before);
    peak = Math.max(peak, process.memoryUsage.rss());
    if (i % every === 0) {
      const rss = process.memoryUsage.rss();
      globalThis.gc();
      const m = process.memoryUsage();
      const p = arrays.poolStats();
      const c = v8.getHeapCodeStatistics();
      const code = c.code_and_metadata_size + c.bytecode_and_metadata_size;
      samples.push({
        step: i,
        rss,
        heap: m.heapUsed,
        data: m.heapUsed - code,
        buffers: m.arrayBuffers,
        pool: p.freeBytes,
        held: p.heldBytes,
      });
    }
  }
  const ms = busy / steps; // the steps alone, not the samples' collections
  process.stdout.write(JSON.stringify({ samples, peak, stepPeak, ms, budget: arrays.poolStats().budget }));
}

/** Least-squares slope of `key` over the samples after the first, in bytes per 1,000 steps. */
function slope(samples, key) {
  const s = samples.length > 2 ? samples.slice(1) : samples;
  const mx = s.reduce((a, p) => a + p.step, 0) / s.length,
    my = s.reduce((a, p) => a + p[key], 0) / s.length;
  let num = 0,
    den = 0;
  for (const p of s) {
    num += (p.step - mx) * (p[key] - my);
    den += (p.step - mx) ** 2;
  }
  return den === 0 ? 0 : (1000 * num) / den;
}

const every = Number(args.every ?? 50);
if (args.child) {
  const [model, pool, steps, free] = args.child.split(":");
  await child(model, pool, Number(steps), free);
  process.exit(0);
}

const models = (args.models ?? "demo,bn,resnet18").split(",");
const steps = Number(args.steps ?? 1000);
const pools = (args.pools ?? "on,off").split(",");
const free = args.free ?? "on";
console.log(
  `memory: ${new Date().toISOString()}, ${os.cpus()[0]?.model ?? "?"} x ${os.availableParallelism()}, node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}; build ${build}; ${steps} steps each`,
);
for (const model of models) {
  for (const pool of pools) {
    const run = spawnSync(
      process.execPath,
      [
        "--expose-gc",
        fileURLToPath(import.meta.url),
        `--build=${build}`,
        `--every=${every}`,
        `--child=${model}:${pool}:${steps}:${free}`,
      ],
      { encoding: "utf8", maxBuffer: 1 << 24 },
    );
    if (run.status !== 0) throw new Error(`memory.mjs: the ${model}/${pool} run failed:\n${run.stderr}`);
    const { samples, peak, stepPeak, ms } = JSON.parse(run.stdout);
    console.log(
      `\n${model} ${JSON.stringify(SHAPES[model])}, pool ${pool}, gradients freed during backward ${free}: ${ms.toFixed(1)} ms per step; a step's peak of held arrays over those held before it ${mib(stepPeak).toFixed(1)} MiB`,
    );
    console.log(
      "| step | RSS MiB | live heap MiB | heap less code MiB | array buffers MiB | pool free MiB | held MiB |",
    );
    console.log("|---:|---:|---:|---:|---:|---:|---:|");
    const shown = Math.max(1, Math.round(samples.length / 10));
    samples.forEach((s, i) => {
      if ((i + 1) % shown === 0 || i === 0)
        console.log(
          `| ${s.step} | ${[s.rss, s.heap, s.data, s.buffers, s.pool, s.held].map((b) => mib(b).toFixed(1)).join(" | ")} |`,
        );
    });
    const max = (k) => mib(Math.max(...samples.map((s) => s[k]))).toFixed(1);
    const per = (k) => `${slope(samples, k) >= 0 ? "+" : ""}${mib(slope(samples, k)).toFixed(2)}`;
    console.log(
      `${samples.length} samples; peak RSS ${mib(peak).toFixed(1)} MiB, peak after collection: heap ${max("heap")}, array buffers ${max("buffers")} MiB; slope per 1,000 steps (from step ${samples[1]?.step ?? samples[0].step}): RSS ${per("rss")}, heap ${per("heap")}, heap less code ${per("data")}, array buffers ${per("buffers")}, held ${per("held")} MiB`,
    );
  }
}
console.log(
  `\nload average after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
