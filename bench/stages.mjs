// Where the time of one fast-kernel call goes: the wall time of each job it runs (by kernel name),
// of the copies in and out of the wasm memory (TypedArray set / slice / fill), and the rest, for
// the best of 15 calls after a warm-up. Needs `npm run build` (bench/dist).
//   node stages.mjs [threads=2] [shapes=r2,pw,dw] [ops=fwd,bwdIn,bwdW]
import { ALL_SHAPES, geometryArgs, rand } from "./shapes.mjs";

const [threads = "2", ids = "r2,pw,dw", opList = "fwd,bwdIn,bwdW"] = process.argv.slice(2);
const fast = await import("./dist/src/backends/cpu/fast/index.js");
const { conv2dGeometry } = await import("./dist/src/primitives/index.js");
fast.setNumThreads(Number(threads));
const rt = fast.fastRuntime();
await rt.whenReady();

let stages = null; // the current call's stage times (ms), or null between calls
const timed = (name, fn) =>
  function (...args) {
    const t = performance.now();
    const r = fn.apply(this, args);
    if (stages) stages[name] = (stages[name] ?? 0) + performance.now() - t;
    return r;
  };
const run = rt.run.bind(rt);
rt.run = (name, ...args) => timed(name, run)(name, ...args);
for (const m of ["set", "slice", "fill"]) Float32Array.prototype[m] = timed(m, Float32Array.prototype[m]);

for (const row of ALL_SHAPES) {
  if (!ids.split(",").includes(row[0])) continue;
  const g = conv2dGeometry(geometryArgs(row));
  const x = rand(
      row[2].reduce((a, b) => a * b),
      1,
    ),
    w = rand(
      row[3].reduce((a, b) => a * b),
      2,
    );
  const y = fast.conv2dForwardF32(g, x, w);
  const calls = {
    fwd: () => fast.conv2dForwardF32(g, x, w),
    bwdIn: () => fast.conv2dBackInputF32(g, y, w),
    bwdW: () => fast.conv2dBackWeightF32(g, x, y),
  };
  for (const op of opList.split(",")) {
    for (let i = 0; i < 10; i++) calls[op]();
    let best = Infinity,
      bestStages = {};
    for (let i = 0; i < 15; i++) {
      stages = {};
      const t = performance.now();
      calls[op]();
      const ms = performance.now() - t;
      if (ms < best) [best, bestStages] = [ms, stages];
    }
    stages = null;
    const us = (ms) => (ms * 1000).toFixed(0);
    const inStages = Object.values(bestStages).reduce((a, b) => a + b, 0);
    const parts = Object.entries(bestStages)
      .map(([k, v]) => `${k} ${us(v)}`)
      .join(", ");
    console.log(`${row[0]} ${op}`.padEnd(9), `${us(best)} us | ${parts} | other ${us(best - inStages)}`);
  }
}
process.exit(0);
