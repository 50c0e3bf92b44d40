// Memory over many training steps, with the CPU backend's float array pool (src/backends/cpu/arrays.ts)
// and without it (its budget set to 0: every array left to the garbage collector, as before the pool).
// Each (model, pool) runs in its own process under `node --expose-gc`, so one run's heap does not
// colour the next: forward, cross-entropy, backward and SGD with momentum 0.9 in a tidy(), float32
// on the CPU, the models of bench/train-models.mjs. Every tenth of the run it prints the resident set
// size, and after a full collection the live JS heap, the array buffers' bytes and the pool's free
// bytes; then the peak resident set size and the growth of each from the first sample to the last.
// A leak grows the live heap and the array buffers; a flat run keeps them level.
//
//   node bench/memory.mjs [--build=dist] [--models=demo,bn] [--steps=1000] [--pools=on,off]
import { spawnSync } from "node:child_process";
import { resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import os from "node:os";
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

async function child(model, pool, steps) {
  if (!globalThis.gc) throw new Error("memory.mjs: run the child under node --expose-gc");
  const sg = await import(pathToFileURL(resolve(build, "src/index.js")).href);
  const arrays = await import(pathToFileURL(resolve(build, "src/backends/cpu/arrays.js")).href);
  if (pool === "off") arrays.setPoolBytes(0);
  sg.manualSeed(0);
  const step = trainer(sg, (model === "bn" ? bnCnn : demoBias)(sg.nn), model);
  let peak = 0;
  const samples = [];
  let busy = 0;
  for (let i = 1; i <= steps; i++) {
    const t0 = performance.now();
    step();
    busy += performance.now() - t0;
    peak = Math.max(peak, process.memoryUsage.rss());
    if (i % Math.max(1, Math.floor(steps / 10)) === 0) {
      const rss = process.memoryUsage.rss();
      globalThis.gc();
      const m = process.memoryUsage();
      samples.push({ step: i, rss, heap: m.heapUsed, buffers: m.arrayBuffers, pool: arrays.poolStats().freeBytes });
    }
  }
  const ms = busy / steps; // the steps alone, not the samples' collections
  process.stdout.write(JSON.stringify({ samples, peak, ms, budget: arrays.poolStats().budget }));
}

if (args.child) {
  const [model, pool, steps] = args.child.split(":");
  await child(model, pool, Number(steps));
  process.exit(0);
}

const models = (args.models ?? "demo,bn").split(",");
const steps = Number(args.steps ?? 1000);
const pools = (args.pools ?? "on,off").split(",");
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
      ["--expose-gc", fileURLToPath(import.meta.url), `--build=${build}`, `--child=${model}:${pool}:${steps}`],
      { encoding: "utf8", maxBuffer: 1 << 24 },
    );
    if (run.status !== 0) throw new Error(`memory.mjs: the ${model}/${pool} run failed:\n${run.stderr}`);
    const { samples, peak, ms } = JSON.parse(run.stdout);
    console.log(`\n${model} ${JSON.stringify(SHAPES[model])}, pool ${pool}: ${ms.toFixed(1)} ms per step`);
    console.log("| step | RSS MiB | live heap MiB | array buffers MiB | pool free MiB |");
    console.log("|---:|---:|---:|---:|---:|");
    for (const s of samples)
      console.log(
        `| ${s.step} | ${mib(s.rss).toFixed(1)} | ${mib(s.heap).toFixed(1)} | ${mib(s.buffers).toFixed(1)} | ${mib(s.pool).toFixed(1)} |`,
      );
    const first = samples[0],
      last = samples[samples.length - 1];
    const d = (k) => `${mib(last[k] - first[k]) >= 0 ? "+" : ""}${mib(last[k] - first[k]).toFixed(1)}`;
    console.log(
      `peak RSS ${mib(peak).toFixed(1)} MiB; step ${first.step} -> ${last.step}: RSS ${d("rss")}, live heap ${d("heap")}, array buffers ${d("buffers")} MiB`,
    );
  }
}
console.log(
  `\nload average after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
