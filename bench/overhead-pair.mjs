// Per-op overhead and the demo's step in CPU time, for two or more builds alternating round by round
// in one process. On the shared 2-vCPU VM the wall time of a 1,000-element add moves 3x with the
// load (3.5 us quiet, 10+ us at load 17, where the process gets a fraction of a core); the
// process's CPU time (process.cpuUsage, all threads) moves far less, so a change is read from
// the CPU-time ratio of rounds taken side by side. Wall time is printed too.
//   node bench/overhead-pair.mjs <distA>,<distB>[,...] [--rounds=40] [--demo] [--threads=2,1]
// Per build: the float32 add of two [1000] tensors (20,000 adds a round), us per add, median and
// best, wall and CPU; with --demo also the training step of bench/train-models.mjs's demo model
// (3 steps a round), ms per step. Then each build against the first: the median of the
// round-by-round ratios first / build, with its interquartile range (> 1: the build is faster).
// --threads sets each build's fast-kernel thread count (one build loaded twice compares 2 and 1).
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { demoBias, trainer } from "./train-models.mjs";

const args = Object.fromEntries(
  process.argv.slice(3).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const builds = (process.argv[2] ?? "").split(",").filter(Boolean);
if (builds.length < 2) throw new Error("usage: node bench/overhead-pair.mjs <distA>,<distB> [--rounds=40] [--demo]");
const rounds = Number(args.rounds ?? 40);
const threads = (args.threads ?? "").split(",").filter(Boolean).map(Number);
const load = (dist, file) => import(pathToFileURL(resolve(dist, file)).href);

const sgs = [];
for (const [i, dist] of builds.entries()) {
  sgs.push(await load(dist, "src/index.js"));
  if (threads[i]) (await load(dist, "src/backends/cpu/fast/index.js")).setNumThreads(threads[i]);
}

/** [wall, cpu] of `fn`, in the unit of `scale` per call of `count`. */
function timed(fn, count, scale) {
  const c = process.cpuUsage();
  const t = performance.now();
  fn();
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(c);
  return [(wall * 1000 * scale) / count, ((cpu.user + cpu.system) * scale) / count];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (a, q) => [...a].sort((p, r) => p - r)[Math.min(a.length - 1, Math.floor(q * a.length))];

async function pairs(name, unit, make, count, scale) {
  const runs = sgs.map((sg) => make(sg));
  const wall = sgs.map(() => []);
  const cpu = sgs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < sgs.length; k++) {
      const i = r % 2 ? sgs.length - 1 - k : k; // the order flips every round
      await sleep(1); // the previous build's workers stop spinning
      const [w, c] = timed(runs[i], count, scale);
      wall[i].push(w);
      cpu[i].push(c);
    }
  }
  console.log(`\n${name}, ${unit}, median [best] over ${rounds} rounds; load ${loadavg()[0].toFixed(1)}`);
  builds.forEach((b, i) => {
    const f = (a) => `${quantile(a, 0.5).toFixed(2)} [${Math.min(...a).toFixed(2)}]`;
    const t = threads[i] ? ` (${threads[i]} thread${threads[i] > 1 ? "s" : ""})` : "";
    console.log(`  #${i} ${b}${t}`.padEnd(50), `wall ${f(wall[i])}  CPU ${f(cpu[i])}`);
  });
  for (let i = 1; i < sgs.length; i++) {
    const ratio = (a) => {
      const r = a[0].map((v, j) => v / a[i][j]);
      return `${quantile(r, 0.5).toFixed(3)} [${quantile(r, 0.25).toFixed(3)}-${quantile(r, 0.75).toFixed(3)}]`;
    };
    console.log(`  #0 / #${i}, paired: wall ${ratio(wall)}, CPU ${ratio(cpu)}`);
  }
}

const adds = 20000;
await pairs(
  "float32 add of two [1000] tensors",
  "us per add",
  (sg) => {
    const a = sg.keep(sg.rand([1000])),
      b = sg.keep(sg.rand([1000]));
    return () => {
      for (let k = 0; k < adds; k++) sg.add(a, b).dispose();
    };
  },
  adds,
  1,
);

if (args.demo !== undefined) {
  const per = 3;
  await pairs(
    "demo training step [64, 1, 28, 28] (SGD, momentum 0.9)",
    "ms per step",
    (sg) => {
      sg.manualSeed(0);
      const step = trainer(sg, demoBias(sg.nn), "demo");
      for (let k = 0; k < 5; k++) step();
      return () => {
        for (let k = 0; k < per; k++) step();
      };
    },
    per,
    1 / 1000,
  );
}
process.exit(0);
