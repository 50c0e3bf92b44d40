// conv2d with a bias through the public API, forward alone and forward + backward, for two or more
// builds in one process, alternating call by call: the A/B of the conv2dBias primitive (the bias
// added in the conv's output copy) against the conv2d + broadcast add it replaced. CPU time
// (process.cpuUsage: the calling thread and the workers), which a preempted call does not burn,
// so it reads on a machine shared with other work; wall time printed beside it.
//   node bench/conv-bias.mjs --builds=<before>/dist,dist [--rounds=40] [--threads=2]
// Layers: the BN CNN's four convs at batch 32 and the demo's two at batch 64 (bench/train-step.mjs).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const builds = (args.builds ?? "dist").split(",");
const rounds = Number(args.rounds ?? 40);
const threads = Number(args.threads ?? 2);

const LAYERS = [
  ["bn1 32x3x32x32 -> 32 3x3 p1", [32, 3, 32, 32], [32, 3, 3, 3], 1],
  ["bn2 32x32x32x32 -> 32 3x3 p1", [32, 32, 32, 32], [32, 32, 3, 3], 1],
  ["bn3 32x32x16x16 -> 64 3x3 p1", [32, 32, 16, 16], [64, 32, 3, 3], 1],
  ["bn4 32x64x16x16 -> 64 3x3 p1", [32, 64, 16, 16], [64, 64, 3, 3], 1],
  ["d1 64x1x28x28 -> 16 5x5", [64, 1, 28, 28], [16, 1, 5, 5], 0],
  ["d2 64x16x12x12 -> 32 3x3", [64, 16, 12, 12], [32, 16, 3, 3], 0],
];

const libs = [];
for (const b of builds) {
  const sg = await import(pathToFileURL(resolve(b, "src/index.js")).href);
  const fast = await import(pathToFileURL(resolve(b, "src/backends/cpu/fast/index.js")).href);
  fast.setNumThreads(threads);
  libs.push({ name: b, sg });
}

function cpuAndWall(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1000, performance.now() - t0];
}

const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const os = await import("node:os");
console.log(
  `conv-bias: ${new Date().toISOString()}, load ${os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(" ")}`,
);
console.log(
  `${rounds} rounds, ${threads} threads; ms per call: CPU median (min) / wall median; "#0 / this": median of paired CPU ratios`,
);
for (const [label, xs, ws, padding] of LAYERS) {
  const setups = libs.map(({ sg }) => {
    sg.manualSeed(1);
    const x = sg.keep(sg.randn(xs));
    const w = sg.keep(sg.randn(ws).requiresGrad_());
    const b = sg.keep(sg.randn([ws[0]]).requiresGrad_());
    const g = sg.keep(
      sg.randn([xs[0], ws[0], xs[2] - 2 + 2 * padding - (ws[2] - 3), xs[3] - 2 + 2 * padding - (ws[3] - 3)]),
    );
    return {
      fwd: () => sg.noGrad(() => sg.tidy(() => void sg.conv2d(x, w, b, { padding }))),
      step: () =>
        sg.tidy(() => {
          sg.mul(sg.conv2d(x, w, b, { padding }), g)
            .sum()
            .backward();
          w.grad = null;
          b.grad = null;
        }),
    };
  });
  for (const kind of ["fwd", "step"]) {
    const cpu = libs.map(() => []),
      wall = libs.map(() => []);
    for (let r = -2; r < rounds; r++) {
      const order = r % 2 === 0 ? libs.map((_, i) => i) : libs.map((_, i) => libs.length - 1 - i);
      for (const i of order) {
        const [c, t] = cpuAndWall(setups[i][kind]);
        if (r >= 0) {
          cpu[i].push(c);
          wall[i].push(t);
        }
      }
    }
    const cells = libs.map((_, i) => {
      const ratio = median(cpu[0].map((c, r) => c / cpu[i][r]));
      return `${median(cpu[i]).toFixed(2)} (${Math.min(...cpu[i]).toFixed(2)}) / ${median(wall[i]).toFixed(2)}${i ? `  #0/this ${ratio.toFixed(2)}x` : ""}`;
    });
    console.log(`${label.padEnd(30)} ${kind.padEnd(4)}  ${cells.join("  |  ")}`);
  }
}
console.log(
  `load after: ${os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(" ")}`,
);
process.exit(0);
