// shapegrad's kernels measured in CPU time instead of wall time: a figure that survives a machine
// shared with other work (a preempted call does not burn CPU time), for the same suite as conv2d.mjs.
//   node cpu-time.mjs            (after npm run build)
// Prints, per shape and op, GFLOP per CPU-second at 1 thread, and the 2-thread parallel efficiency
// = CPU time at 1 thread / CPU time at 2 threads (1.00 = threads add no work; the wall-clock
// speed-up on an idle machine is at most 2 x this).
import { geometryArgs, SHAPES } from "./shapes.mjs";

const fast = await import("./dist/src/backends/cpu/fast/index.js");
const { conv2dGeometry } = await import("./dist/src/primitives/index.js");
// measure the pool itself: no stepping aside when the machine is busy
fast.fastRuntime().adaptive = false;

function cpuBest(fn, reps) {
  fn();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, c.user + c.system);
  }
  return best / 1000; // ms
}

const rows = [];
for (const row of SHAPES) {
  const [, label, x, w] = row;
  const g = conv2dGeometry(geometryArgs(row));
  const X = Float32Array.from({ length: x.reduce((a, b) => a * b) }, Math.random);
  const W = Float32Array.from({ length: w.reduce((a, b) => a * b) }, Math.random);
  const GY = Float32Array.from({ length: g.batch * g.outChannels * g.outHeight * g.outWidth }, Math.random);
  const flops =
    2 * g.batch * g.outChannels * g.outHeight * g.outWidth * (g.inChannels / g.groups) * g.kernelHeight * g.kernelWidth;
  const ops = {
    fwd: () => fast.conv2dForwardF32(g, X, W),
    bwdIn: () => fast.conv2dBackInputF32(g, GY, W),
    bwdW: () => fast.conv2dBackWeightF32(g, X, GY),
  };
  const cells = [];
  for (const op of Object.keys(ops)) {
    fast.setNumThreads(1);
    const one = cpuBest(ops[op], 7);
    fast.setNumThreads(2);
    const two = cpuBest(ops[op], 7);
    cells.push(`${(flops / one / 1e6).toFixed(1)} | ${(one / two).toFixed(2)}`);
  }
  rows.push(`| ${label} | ${cells.join(" | ")} |`);
  console.error(rows.at(-1));
}
console.log(
  "| shape | fwd GFLOP/CPU-s (1t) | fwd 2t efficiency | bwdIn GFLOP/CPU-s | bwdIn 2t eff. | bwdW GFLOP/CPU-s | bwdW 2t eff. |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
console.log(rows.join("\n"));
process.exit(0);
