// BatchNorm2d + ReLU in training, through the public API (nn.Sequential(BatchNorm2d(C), ReLU())),
// for two or more builds alternating call by call in one process: forward alone, and forward +
// backward (the gradients of x, weight and bias for a fixed cotangent). Measured in CPU time of the
// process (a call preempted by another process burns none: the figure survives a loaded machine)
// and in wall time; each cell is the median over rounds, and the paired ratio is the median of
// the per-round ratios build #0 / build #k (> 1: build #k is faster).
//   node bench/bn-relu.mjs --builds=<before>/dist,dist [--rounds=30] [--shapes=bn2,bn4,r18]
import { resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import os from "node:os";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const builds = (args.builds ?? resolve(here, "../dist")).split(",");
const rounds = Number(args.rounds ?? 30);
// the BN CNN's two sizes (train-step.mjs's bn model) and ResNet-18's stem at 64x64 after its pool
const SHAPES = { bn2: [32, 32, 32, 32], bn4: [32, 64, 16, 16], r18: [16, 64, 16, 16] };
const shapes = (args.shapes ?? Object.keys(SHAPES).join(",")).split(",");

const sgs = await Promise.all(builds.map((d) => import(pathToFileURL(resolve(d, "src/index.js")).href)));

function setup(sg, shape) {
  sg.manualSeed(1);
  const net = sg.nn.Sequential(sg.nn.BatchNorm2d(shape[1]), sg.nn.ReLU());
  net.train();
  const x = sg.keep(sg.randn(shape, { requiresGrad: true }));
  const g = sg.keep(sg.randn(shape));
  const params = net.parameters();
  return {
    fwd: () => sg.tidy(() => void net.forward(x).dataSync()),
    both: () =>
      sg.tidy(() => {
        sg.gradients([net.forward(x)], [x, ...params], { seeds: [g] });
      }),
  };
}

function time(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall };
}

const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(
  `bn-relu: ${new Date().toISOString()}, ${os.cpus()[0]?.model ?? "?"} x ${os.availableParallelism()}, node ${process.version}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}, ${rounds} rounds`,
);
for (const id of shapes) {
  const shape = SHAPES[id];
  const runs = sgs.map((sg) => setup(sg, shape));
  for (const op of ["fwd", "both"]) {
    runs.forEach((r) => {
      r[op]();
      r[op]();
    });
    const t = runs.map(() => []);
    for (let k = 0; k < rounds; k++) {
      // rotate the order so that neither build always runs right after the other
      for (let j = 0; j < runs.length; j++) {
        const i = (j + k) % runs.length;
        t[i].push(time(runs[i][op]));
      }
    }
    const cells = t.map((s, i) => {
      const cpu = median(s.map((v) => v.cpu)),
        wall = median(s.map((v) => v.wall));
      const ratio =
        i === 0
          ? ""
          : ` #0/#${i} cpu ${median(s.map((v, q) => t[0][q].cpu / v.cpu)).toFixed(2)}x wall ${median(s.map((v, q) => t[0][q].wall / v.wall)).toFixed(2)}x`;
      return `#${i} cpu ${cpu.toFixed(2)} wall ${wall.toFixed(2)} ms${ratio}`;
    });
    console.log(`${id} ${JSON.stringify(shape)} ${op.padEnd(4)} ${cells.join(" | ")}`);
  }
}
console.log(
  `load after ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
process.exit(0);
