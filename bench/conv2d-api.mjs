// conv2d forward through the public API, as a user calls it, against tfjs-wasm (SIMD, 2 threads):
// shapegrad's `conv2d(x, w, b?, options)` on tensors (argument checks, option resolution, dispatch,
// the copies into and out of the WebAssembly memory, the bias) and its result read with
// `dataSync()`, against tfjs's `conv2d` (`fused.conv2d` with the bias) and `dataSync()`, on every
// shape of the conv suite (bench/shapes.mjs). Calls alternate one by one, the order swapped every
// pair, with a 1 ms pause before each so that the other library's threads have stopped spinning;
// both see the same machine phases, so the median of the paired ratios reads on a loaded machine
// where best-of-rounds across minutes does not. Each shape gets `pairs` pairs in each of `rounds`
// passes over the suite (the passes spread a shape's pairs over the run).
//
//   cd bench && npm ci && (cd .. && npm run build) && node conv2d-api.mjs [--rounds=5] [--pairs=20]
//      [--shapes=t1,s2,pw] [--bias=both|with|without] [--threads=2] [--grad] [--kernels=plain|fma]
//      [--dist=../dist] [--stages]
//
// --grad: the weight and bias require gradients (a training step's forward: the graph is recorded).
// --fresh: new weight and bias tensors for every call (made inside the timed call, from the same
// values, on both sides), as in training where each step's update gives new arrays: neither library
// can reuse the packed weights it keeps per weight tensor.
// --kernels: shapegrad's plain or FMA kernels module (default: what the runtime picks, FMA where
// relaxed SIMD validates). --dist: the build to load (another commit's, built in a worktree).
// --stages: also splits shapegrad's wall time per cell (medians over its calls) into its kernel
// jobs (FastRuntime.run, by kernel), the fresh output's allocation and first touch (run's
// `meanwhile`: page faults), the copies into and out of the WebAssembly memory (Float32Array set)
// and the rest (the API: checks, tensors, dispatch). The hooks cost a few microseconds a call, so
// read the ratios from a run without it.
// Ratio = tfjs-wasm's time / shapegrad's (> 1: shapegrad faster).
import os from "node:os";
import { createRequire } from "node:module";
import { initTfjsWasmThreaded } from "./tfjs-wasm-threads.mjs";
import { rand, SHAPES } from "./shapes.mjs";

const require = createRequire(import.meta.url);
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k, v ?? "true"];
  }),
);
const ROUNDS = Number(args.rounds ?? 5);
const PAIRS = Number(args.pairs ?? 20);
const THREADS = Number(args.threads ?? 2);
const GRAD = args.grad === "true";
const FRESH = args.fresh === "true";
const BIAS = args.bias ?? "both";
const wantShapes = args.shapes ? new Set(args.shapes.split(",")) : null;
const STAGES = args.stages === "true";

const dist = new URL(`${args.dist ?? "../dist"}/`, import.meta.url).href;
const sg = await import(`${dist}src/index.js`);
const fast = await import(`${dist}src/backends/cpu/fast/index.js`);
if (args.kernels) fast.resetFastRuntime({ fma: args.kernels === "fma" });
fast.setNumThreads(THREADS);
await fast.fastRuntime().whenReady();
// --fixed: the pool never runs alone on a machine it judges busy (its default, `adaptive`, does)
if (args.fixed === "true") fast.fastRuntime().adaptive = false;

/** The current shapegrad call's stage times (ms), or null outside one (tfjs's own copies are not counted). */
let stages = null;
if (STAGES) {
  const rt = fast.fastRuntime();
  const run = rt.run.bind(rt);
  rt.run = (name, params, items, scratch, stride, work, meanwhile) => {
    let alloc = 0;
    const timedMeanwhile =
      meanwhile &&
      (() => {
        const t = performance.now();
        const r = meanwhile();
        alloc = performance.now() - t;
        return r;
      });
    const t = performance.now();
    const r = run(name, params, items, scratch, stride, work, timedMeanwhile);
    if (stages) {
      stages[name] = (stages[name] ?? 0) + performance.now() - t - alloc;
      stages.alloc = (stages.alloc ?? 0) + alloc;
    }
    return r;
  };
  const set = Float32Array.prototype.set;
  Float32Array.prototype.set = function (...a) {
    if (!stages) return set.apply(this, a);
    const t = performance.now();
    const r = set.apply(this, a);
    stages.copies = (stages.copies ?? 0) + performance.now() - t;
    return r;
  };
}

const tf = require("@tensorflow/tfjs-core");
const tfThreads = await initTfjsWasmThreaded(tf, THREADS);
await tf.setBackend("wasm");

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep1ms = () => Atomics.wait(pause, 0, 0, 1);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(" ");

/** The two calls of one suite row, with or without a bias; each returns nothing, its result read. */
function calls(row, withBias) {
  const [, , xs, ws, stride, padding, dilation, groups] = row;
  const [N, C, H, W] = xs;
  const [O, Cg, kH, kW] = ws;
  const xData = rand(N * C * H * W, 1);
  const wData = rand(O * Cg * kH * kW, 2);
  const bData = rand(O, 4);
  const x = sg.tensor(xData, { shape: xs });
  const makeW = () => sg.tensor(wData, { shape: ws, requiresGrad: GRAD });
  const makeB = () => (withBias ? sg.tensor(bData, { shape: [O], requiresGrad: GRAD }) : null);
  const w = makeW(),
    b = makeB();
  const options = { stride, padding, dilation, groups };
  const call = () =>
    sg.tidy(() => {
      sg.conv2d(x, FRESH ? makeW() : w, FRESH ? makeB() : b, options).dataSync();
    });
  const shapegrad = STAGES
    ? () => {
        stages = {};
        const t = performance.now();
        call();
        stages.total = performance.now() - t;
        lastStages = stages;
        stages = null;
      }
    : call;

  // tfjs: NHWC, filter [kH, kW, Cg, O] (depthwise: [kH, kW, C, multiplier]), the same values laid out its way
  const tx = tf.tensor4d(toNHWC(xData, N, C, H, W), [N, H, W, C]);
  const depthwise = groups > 1;
  const hwio = depthwise ? toHWIO(wData, C, 1, kH, kW) : toHWIO(wData, O, Cg, kH, kW);
  const makeFilter = () => tf.tensor4d(hwio, depthwise ? [kH, kW, C, O / C] : [kH, kW, Cg, O]);
  const makeBias = () => (withBias ? tf.tensor1d(bData) : undefined);
  const fixedFilter = makeFilter(),
    fixedBias = makeBias();
  const pad = [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ];
  const convWith = (filter, bias) =>
    depthwise
      ? withBias
        ? () => tf.fused.depthwiseConv2d({ x: tx, filter, strides: stride, pad, dilations: dilation, bias })
        : () => tf.depthwiseConv2d(tx, filter, stride, pad, "NHWC", dilation)
      : withBias
        ? () => tf.fused.conv2d({ x: tx, filter, strides: stride, pad, dataFormat: "NHWC", dilations: dilation, bias })
        : () => tf.conv2d(tx, filter, stride, pad, "NHWC", dilation);
  const conv = convWith(fixedFilter, fixedBias);
  const tfjs = FRESH
    ? () => {
        const filter = makeFilter(),
          bias = makeBias();
        const y = convWith(filter, bias)();
        y.dataSync();
        y.dispose();
        filter.dispose();
        bias?.dispose();
      }
    : () => {
        const y = conv();
        y.dataSync();
        y.dispose();
      };
  // the two results agree (NHWC against NCHW), so both compute the same conv
  const ours = sg.tidy(() => sg.conv2d(x, w, b, options).dataSync().slice());
  const theirs = conv();
  const nhwc = theirs.dataSync();
  theirs.dispose();
  const plane = ours.length / (N * O);
  let worst = 0;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let p = 0; p < plane; p++) {
        const a = ours[(n * O + o) * plane + p],
          t = nhwc[(n * plane + p) * O + o];
        worst = Math.max(worst, Math.abs(a - t) / (1 + Math.abs(t)));
      }
  if (!(worst < 1e-4)) throw new Error(`${row[0]}: shapegrad and tfjs-wasm disagree (${worst})`);
  return { shapegrad, tfjs };
}

function toNHWC(a, N, C, H, W) {
  const out = new Float32Array(a.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < H * W; i++) out[(n * H * W + i) * C + c] = a[(n * C + c) * H * W + i];
  return out;
}
/** OIHW [O, I, kH, kW] -> HWIO; for depthwise (O = C channels, I = 1) the same gives [kH, kW, C, 1]. */
function toHWIO(a, O, I, kH, kW) {
  const out = new Float32Array(a.length);
  for (let o = 0; o < O; o++)
    for (let i = 0; i < I; i++)
      for (let t = 0; t < kH * kW; t++) out[(t * I + i) * O + o] = a[(o * I + i) * kH * kW + t];
  return out;
}

let lastStages = null;
const rows = SHAPES.filter(([id]) => !wantShapes || wantShapes.has(id));
const modes = BIAS === "both" ? [false, true] : [BIAS === "with"];
const cells = [];
for (const row of rows)
  for (const withBias of modes)
    cells.push({ row, withBias, ...calls(row, withBias), a: [], b: [], r: [], ca: [], cb: [], st: [] });

/** [wall ms, CPU ms of every thread of the process] of one call, after the pause. CPU time is
 * what the call burnt (spinning included), which a preempted call on a loaded machine does not
 * inflate the way it does the wall time. */
const time = (f) => {
  sleep1ms();
  const c0 = process.cpuUsage();
  const t = performance.now();
  f();
  const wall = performance.now() - t;
  const c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1000];
};
const startLoad = load();
const started = new Date().toISOString();
for (const c of cells)
  for (let i = 0; i < 3; i++) {
    time(c.shapegrad);
    time(c.tfjs);
  }
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cells) {
    for (let i = 0; i < PAIRS; i++) {
      let ts, tt;
      if (i % 2) {
        tt = time(c.tfjs);
        ts = time(c.shapegrad);
      } else {
        ts = time(c.shapegrad);
        tt = time(c.tfjs);
      }
      if (STAGES) c.st.push(lastStages);
      c.a.push(ts[0]);
      c.b.push(tt[0]);
      c.r.push(tt[0] / ts[0]);
      c.ca.push(ts[1]);
      c.cb.push(tt[1]);
    }
  }
  console.error(`round ${round + 1}/${ROUNDS} done, load ${load()}`);
}

const out = [];
out.push(
  `Date: ${started} to ${new Date().toISOString()}  Machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} logical CPUs, Node ${process.version}`,
);
out.push(`Load average at start ${startLoad}, at end ${load()}`);
out.push(
  `shapegrad ${THREADS} threads (public API conv2d(x, w, b?) + dataSync${GRAD ? ", weight and bias requiring gradients" : ""}${FRESH ? ", new weight and bias tensors every call (both libraries)" : ""}); tfjs-wasm SIMD, ${tfThreads} threads (conv2d / fused.conv2d with bias, + dataSync)`,
);
out.push(
  `shapegrad's kernels: ${fast.fastRuntime().fma ? "FMA" : "plain"} build (${dist}); pool ${fast.fastRuntime().adaptive ? "adaptive" : "fixed (--fixed)"}: judged the machine busy and ran alone for a while ${fast.fastRuntime().soloEpisodes} time(s)`,
);
out.push(
  `${ROUNDS} rounds x ${PAIRS} alternating pairs per cell (${ROUNDS * PAIRS} pairs), 1 ms pause before each call`,
);
out.push("");
out.push(
  "| shape | bias | shapegrad ms median (best) | tfjs-wasm ms median (best) | speed ratio (tfjs time / shapegrad time): median of pairs [p25-p75] | best / best | CPU ms median: shapegrad / tfjs-wasm |",
);
out.push("|---|---|---:|---:|---:|---:|---:|");
const f3 = (v) => (v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
for (const c of cells) {
  const ma = quantile(c.a, 0.5),
    mb = quantile(c.b, 0.5);
  out.push(
    `| ${c.row[1]} | ${c.withBias ? "yes" : "no"} | ${f3(ma)} (${f3(Math.min(...c.a))}) | ${f3(mb)} (${f3(Math.min(...c.b))}) | ${quantile(c.r, 0.5).toFixed(2)}x [${quantile(c.r, 0.25).toFixed(2)}-${quantile(c.r, 0.75).toFixed(2)}] | ${(Math.min(...c.b) / Math.min(...c.a)).toFixed(2)}x | ${f3(quantile(c.ca, 0.5))} / ${f3(quantile(c.cb, 0.5))} |`,
  );
}
if (STAGES) {
  out.push("");
  out.push(
    "shapegrad's wall time by stage (ms, median over its calls; kernel jobs by name, alloc = the output's allocation and first touch, copies = into and out of the wasm memory, rest = the API around them):",
  );
  out.push("");
  out.push("| shape | bias | total | kernel jobs | alloc | copies | rest |");
  out.push("|---|---|---:|---|---:|---:|---:|");
  for (const c of cells) {
    const med = (f) => quantile(c.st.map(f), 0.5);
    const names = [...new Set(c.st.flatMap((s) => Object.keys(s)))].filter(
      (k) => !["total", "alloc", "copies"].includes(k),
    );
    const jobs = (s) => names.reduce((t, k) => t + (s[k] ?? 0), 0);
    const byJob = names.map((k) => `${k} ${f3(med((s) => s[k] ?? 0))}`).join(", ");
    out.push(
      `| ${c.row[1]} | ${c.withBias ? "yes" : "no"} | ${f3(med((s) => s.total))} | ${byJob} | ${f3(med((s) => s.alloc ?? 0))} | ${f3(med((s) => s.copies ?? 0))} | ${f3(med((s) => s.total - jobs(s) - (s.alloc ?? 0) - (s.copies ?? 0)))} |`,
    );
  }
}
console.log(out.join("\n"));
process.exit(0);
