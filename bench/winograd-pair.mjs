// Winograd F(2x2, 3x3) against the direct GEMM conv in one build and one process (setWinograd in
// src/backends/cpu/fast/winograd.ts switches the path per call): calls, or whole training steps,
// alternate one by one, the order flipping every pair, with a 1 ms pause before each so the other
// call's worker has stopped spinning; each row reports the medians and the median of the paired
// ratios direct / Winograd, of wall and of CPU time (process.cpuUsage, all threads). > 1: Winograd
// is faster.
//   node bench/winograd-pair.mjs [--dist=dist] [--shapes=r2,r3,bn1] [--ops=fwd,bwdIn,bwdW] [--threads=2]
//     [--seconds=4] [--fresh] [--steps=bn,resnet18] [--pairs=40]
// with `npm run build` first (dist/ holds src/ and examples/).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ALL_SHAPES, geometryArgs, rand } from "./shapes.mjs";
import { bnCnn, trainer } from "./train-models.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const dist = resolve(args.dist ?? "dist");
const load = (file) => import(pathToFileURL(resolve(dist, file)).href);
const sg = await load("src/index.js");
const fast = await load("src/backends/cpu/fast/index.js");
const { setWinograd } = await load("src/backends/cpu/fast/winograd.js");
const { conv2dGeometry } = await load("src/primitives/index.js");
const threads = Number(args.threads ?? 2);
fast.setNumThreads(threads);
fast.fastRuntime().adaptive = false;

/** The BN CNN's 3x3 layers (bench/train-models.mjs, batch 32) and ResNet-18's at 64x64, batch 16. */
const EXTRA = [
  ["bn1", "BN CNN 32x32x32x32 -> 32 p1", [32, 32, 32, 32], [32, 32, 3, 3], 1, 1, 1, 1],
  ["bn2", "BN CNN 32x32x16x16 -> 64 p1", [32, 32, 16, 16], [64, 32, 3, 3], 1, 1, 1, 1],
  ["bn3", "BN CNN 32x64x16x16 -> 64 p1", [32, 64, 16, 16], [64, 64, 3, 3], 1, 1, 1, 1],
  ["q1", "ResNet-18@64 16x64x16x16 -> 64", [16, 64, 16, 16], [64, 64, 3, 3], 1, 1, 1, 1],
  ["q2", "ResNet-18@64 16x128x8x8 -> 128", [16, 128, 8, 8], [128, 128, 3, 3], 1, 1, 1, 1],
  ["q3", "ResNet-18@64 16x256x4x4 -> 256", [16, 256, 4, 4], [256, 256, 3, 3], 1, 1, 1, 1],
];
const pause = new Int32Array(new SharedArrayBuffer(4));
const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];

/** Runs f with Winograd on / off, returns [wall ms, CPU ms]. */
function timed(on, f) {
  Atomics.wait(pause, 0, 0, 1);
  setWinograd(on);
  const c0 = process.cpuUsage();
  const t = performance.now();
  f();
  const wall = performance.now() - t;
  const c = process.cpuUsage(c0);
  setWinograd(true);
  return [wall, (c.user + c.system) / 1000];
}

/** Pairs until `more(n)` is false: [direct, winograd] runs per pair, order flipping. */
function pairs(fDirect, fWino, more) {
  const d = [],
    w = [];
  for (let i = 0; more(i); i++) {
    if (i % 2) {
      w.push(timed(true, fWino));
      d.push(timed(false, fDirect));
    } else {
      d.push(timed(false, fDirect));
      w.push(timed(true, fWino));
    }
  }
  const col = (rows, k) => rows.map((r) => r[k]);
  const ratio = (k) => median(d.map((r, i) => r[k] / w[i][k])).toFixed(3);
  return `direct/Winograd wall ${ratio(0)}, CPU ${ratio(1)} (${d.length} pairs; median ms direct ${median(col(d, 0)).toFixed(2)} / ${median(col(d, 1)).toFixed(2)} CPU, Winograd ${median(col(w, 0)).toFixed(2)} / ${median(col(w, 1)).toFixed(2)} CPU)`;
}

const ids = (args.shapes ?? "r2,r3,r4,r5,t2,bn1,bn2,bn3,q1,q2,q3").split(",").filter(Boolean);
const ops = (args.ops ?? "fwd,bwdIn").split(",");
const seconds = Number(args.seconds ?? 4);
for (const row of [...ALL_SHAPES, ...EXTRA]) {
  const [id, label, xShape, wShape] = row;
  if (!ids.includes(id)) continue;
  const g = conv2dGeometry(geometryArgs(row));
  const x = rand(
    xShape.reduce((a, b) => a * b),
    1,
  );
  const w = rand(
    wShape.reduce((a, b) => a * b),
    2,
  );
  const bias = rand(wShape[0], 3);
  const gy = rand(g.batch * g.outChannels * g.outHeight * g.outWidth, 4);
  // --fresh: the weights' packings are dropped before every call, as in training, where each
  // step's weights are new arrays (both paths then pack or transform them every call)
  const rt = fast.fastRuntime();
  const fresh = args.fresh !== undefined ? () => rt.forgetPacked(w) : () => {};
  const calls = {
    fwd: () => (fresh(), fast.conv2dForwardF32(g, x, w, bias)),
    bwdIn: () => (fresh(), fast.conv2dBackInputF32(g, gy, w)),
    bwdW: () => fast.conv2dBackWeightF32(g, x, gy),
  };
  for (const op of ops) {
    for (let i = 0; i < 5; i++) pairs(calls[op], calls[op], (n) => n < 2);
    const t0 = performance.now();
    console.log(
      `${`${id} ${op}`.padEnd(10)} ${pairs(calls[op], calls[op], () => performance.now() - t0 < seconds * 1000)}  ${threads} thread(s), ${label}`,
    );
  }
}

/** Whole training steps: two copies of the model (same seed), one always direct, one Winograd. */
const steps = (args.steps ?? "").split(",").filter(Boolean);
for (const model of steps) {
  const make = async () => {
    sg.manualSeed(0);
    const net = model === "bn" ? bnCnn(sg.nn) : (await load("examples/resnet18.js")).resnet18(10);
    return trainer(sg, net, model);
  };
  const [stepDirect, stepWino] = [await make(), await make()];
  for (let i = 0; i < 5; i++) pairs(stepDirect, stepWino, (n) => n < 2);
  const n = Number(args.pairs ?? 40);
  console.log(`${model} step ${pairs(stepDirect, stepWino, (i) => i < n)}  ${threads} thread(s)`);
}
process.exit(0);
