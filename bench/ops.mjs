// Upsampling ops against TensorFlow.js: transposed convolution (shapegrad convTranspose2d vs
// tf.conv2dTranspose) and bilinear resizing (shapegrad interpolate vs tf.image.resizeBilinear),
// forward and backward, on shapes from U-Net decoders and GAN generators. Results: RESULTS-ops.md.
//
//   npm run build (in the root: this reads ../dist)   cd bench && npm ci && node ops.mjs
//   node ops.mjs --cases=ct1,bl1 --reps=21 --slow=3000 [--tfjs-cpu-gw]
//
// Each timed call goes through the public API, as a user calls it, and forces its result
// (dataSync): fwd is the op alone; gx and gw are the op plus the gradient of its input or weight
// for a fixed output gradient dy (shapegrad `gradients(y, [x], { seeds: [dy] })`, TF.js `tf.grad`),
// so they include the forward. The libraries alternate call by call inside one process (the
// starting library rotates every round), with a 20 ms pause before each call so that the previous
// library's spinning threads have stopped: on a shared, drifting machine two calls a few
// milliseconds apart see the same machine, so each round's time ratio against shapegrad is
// reported (median and quartiles over the rounds) beside each library's median time. A library
// whose first call takes longer than --slow ms is reported by that one call (tfjs-cpu's filter
// gradient: ~50 s a call), outside the alternation.
//
// Before timing, each case checks that the libraries compute the same thing (TF.js in NHWC,
// transposed back): the largest difference relative to the largest value, forward and gx.
import { createRequire } from "node:module";
import os from "node:os";
import { twoThreadScaling } from "./machine.mjs";
import { initTfjsWasmThreaded } from "./tfjs-wasm-threads.mjs";
import { rand } from "./shapes.mjs";

const require = createRequire(import.meta.url);
const sg = await import("../dist/src/index.js");
const fast = await import("../dist/src/backends/cpu/fast/index.js");
const reference = await import("../dist/src/backends/cpu/reference/index.js");
const { resolveInterpolate } = await import("../dist/src/ops/interpolate.js");

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k, v ?? "true"];
  }),
);
const REPS = Number(args.reps ?? 21);
const SLOW_MS = Number(args.slow ?? 3000);
const THREADS = Number(args.threads ?? 2);

const convT = (id, label, x, cout, k, s, p) => ({ id, kind: "convT", label, x, cout, k, s, p });
const bilinear = (id, label, x, size, alignCorners) => ({ id, kind: "bilinear", label, x, size, alignCorners });
const CASES = [
  convT("ct1", "DCGAN 64->32 4x4 s2 p1, [8, 64, 16, 16] -> 32x32", [8, 64, 16, 16], 32, 4, 2, 1),
  convT("ct2", "DCGAN 256->128 4x4 s2 p1, [16, 256, 8, 8] -> 16x16", [16, 256, 8, 8], 128, 4, 2, 1),
  convT("ct3", "U-Net 256->128 2x2 s2, [1, 256, 32, 32] -> 64x64", [1, 256, 32, 32], 128, 2, 2, 0),
  bilinear("bl1", "bilinear x2, [8, 32, 64, 64] -> 128x128", [8, 32, 64, 64], [128, 128], false),
  bilinear("bl2", "bilinear x2, [8, 16, 64, 64] -> 128x128", [8, 16, 64, 64], [128, 128], false),
  bilinear("bl3", "bilinear x2 alignCorners, [4, 128, 32, 32] -> 64x64", [4, 128, 32, 32], [64, 64], true),
];
const selected = args.cases ? CASES.filter((c) => args.cases.split(",").includes(c.id)) : CASES;

const numel = (s) => s.reduce((a, b) => a * b, 1);
const outShape = (c) =>
  c.kind === "convT"
    ? [c.x[0], c.cout, (c.x[2] - 1) * c.s - 2 * c.p + c.k, (c.x[3] - 1) * c.s - 2 * c.p + c.k]
    : [c.x[0], c.x[1], ...c.size];
const weightShape = (c) => [c.x[1], c.cout, c.k, c.k];

/** NCHW data as NHWC. */
function toNHWC(data, [n, ch, h, w]) {
  const out = new Float32Array(data.length);
  for (let a = 0; a < n; a++)
    for (let c = 0; c < ch; c++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) out[((a * h + i) * w + j) * ch + c] = data[((a * ch + c) * h + i) * w + j];
  return out;
}
/** A PyTorch transposed-conv weight [Cin, Cout, kH, kW] as TF.js's [kH, kW, Cout, Cin]. */
function weightToTf(data, [ci, co, kh, kw]) {
  const out = new Float32Array(data.length);
  for (let a = 0; a < ci; a++)
    for (let b = 0; b < co; b++)
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) out[((i * kw + j) * co + b) * ci + a] = data[((a * co + b) * kh + i) * kw + j];
  return out;
}

// ---- the libraries: per case, { fwd, gx, gw } calls returning their result as NCHW-comparable data ----

function shapegrad(c, data) {
  const x = sg.tensor(data.x, { shape: c.x });
  const dy = sg.tensor(data.dy, { shape: outShape(c) });
  const once = (f) => () => sg.tidy(() => void f());
  const grad = (f, wrt) => sg.gradients(f(), [wrt], { seeds: [dy] })[0].dataSync();
  if (c.kind === "convT") {
    const w = sg.tensor(data.w, { shape: weightShape(c) });
    const xg = sg.tensor(data.x, { shape: c.x }).requiresGrad_(true);
    const wg = sg.tensor(data.w, { shape: weightShape(c) }).requiresGrad_(true);
    const o = { stride: c.s, padding: c.p };
    return {
      fwd: () => sg.noGrad(() => sg.convTranspose2d(x, w, null, o).dataSync()),
      gx: () => grad(() => sg.convTranspose2d(xg, w, null, o), xg),
      gw: () => grad(() => sg.convTranspose2d(x, wg, null, o), wg),
      once,
    };
  }
  const o = { size: c.size, mode: "bilinear", alignCorners: c.alignCorners };
  const xg = sg.tensor(data.x, { shape: c.x }).requiresGrad_(true);
  return {
    fwd: () => sg.noGrad(() => sg.interpolate(x, o).dataSync()),
    gx: () => grad(() => sg.interpolate(xg, o), xg),
    once,
  };
}

/** interpolate as it was before the interpolate primitive: y = A_h · x · A_wᵀ, two matmuls with the dense matrices. */
function shapegradMatmul(c, data) {
  const g = resolveInterpolate(c.x, { size: c.size, mode: "bilinear", alignCorners: c.alignCorners });
  const ah = sg.tensor(Float32Array.from(reference.interpolationMatrix(g.height, g)), {
    shape: [g.height.out, g.height.in],
  });
  const aw = reference.interpolationMatrix(g.width, g);
  const awT = new Float32Array(aw.length);
  for (let i = 0; i < g.width.out; i++)
    for (let j = 0; j < g.width.in; j++) awT[j * g.width.out + i] = aw[i * g.width.in + j];
  const awTt = sg.tensor(awT, { shape: [g.width.in, g.width.out] });
  const x = sg.tensor(data.x, { shape: c.x });
  const xg = sg.tensor(data.x, { shape: c.x }).requiresGrad_(true);
  const dy = sg.tensor(data.dy, { shape: outShape(c) });
  const f = (t) => sg.matmul(ah, sg.matmul(t, awTt));
  return {
    fwd: () => sg.noGrad(() => f(x).dataSync()),
    gx: () => sg.gradients(f(xg), [xg], { seeds: [dy] })[0].dataSync(),
    once: (h) => () => sg.tidy(() => void h()),
  };
}

function tfjs(tf, backend, c, data) {
  const X = toNHWC(data.x, c.x);
  const [n, , h, w] = c.x;
  const ys = outShape(c);
  const x = tf.tensor4d(X, [n, h, w, c.x[1]]);
  const dy = tf.tensor4d(toNHWC(data.dy, ys), [ys[0], ys[2], ys[3], ys[1]]);
  const toNCHW = (t) => tf.transpose(t, [0, 3, 1, 2]).dataSync();
  const has = (kernel) => tf.getKernel(kernel, backend) !== undefined;
  const once = (f) => () => tf.tidy(() => void f());
  if (c.kind === "convT") {
    const wt = tf.tensor4d(weightToTf(data.w, weightShape(c)), [c.k, c.k, c.cout, c.x[1]]);
    const f = (xx, ww) => tf.conv2dTranspose(xx, ww, [ys[0], ys[2], ys[3], ys[1]], c.s, c.p);
    return {
      fwd: () => f(x, wt).dataSync(),
      gx: has("Conv2D")
        ? () =>
            tf
              .grad((xx) => f(xx, wt))(x, dy)
              .dataSync()
        : null,
      // tfjs-cpu's filter gradient takes ~50-110 s a call on these shapes (RESULTS-ops.md): only with --tfjs-cpu-gw
      gw:
        has("Conv2DBackpropFilter") && (backend !== "cpu" || args["tfjs-cpu-gw"])
          ? () =>
              tf
                .grad((ww) => f(x, ww))(wt, dy)
                .dataSync()
          : has("Conv2DBackpropFilter")
            ? "skipped"
            : null,
      check: {
        fwd: () => toNCHW(f(x, wt)),
        gx: has("Conv2D") ? () => toNCHW(tf.grad((xx) => f(xx, wt))(x, dy)) : null,
      },
      once,
    };
  }
  const f = (xx) => tf.image.resizeBilinear(xx, c.size, c.alignCorners, !c.alignCorners);
  const gx = has("ResizeBilinearGrad") ? () => tf.grad(f)(x, dy).dataSync() : null;
  return {
    fwd: () => f(x).dataSync(),
    gx,
    check: { fwd: () => toNCHW(f(x)), gx: gx ? () => toNCHW(tf.grad(f)(x, dy)) : null },
    once,
  };
}

// ---- timing ------------------------------------------------------------------------------------

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms) => Atomics.wait(pause, 0, 0, ms);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const ratioText = (rs) =>
  `${quantile(rs, 0.5).toFixed(2)}x (${quantile(rs, 0.25).toFixed(2)}-${quantile(rs, 0.75).toFixed(2)})`;

function maxRelDiff(a, b) {
  let d = 0,
    s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return a.length === b.length ? d / Math.max(s, 1e-30) : Infinity;
}

// ---- the run -----------------------------------------------------------------------------------

// the union package: tfjs-core's Node bundle registers no gradient, @tensorflow/tfjs registers them all
const tf = require("@tensorflow/tfjs");
const wasmThreads = await initTfjsWasmThreaded(tf, THREADS);
fast.setNumThreads(THREADS);
await fast.fastRuntime().whenReady?.();

const load1 = os.loadavg();
const machineBefore = await twoThreadScaling(3);
const started = new Date();
const rows = [];
const checks = [];

for (const c of selected) {
  const data = {
    x: rand(numel(c.x), 1),
    w: c.kind === "convT" ? rand(numel(weightShape(c)), 2) : null,
    dy: rand(numel(outShape(c)), 3),
  };
  const libs = [{ name: "shapegrad", backend: null, calls: shapegrad(c, data) }];
  if (c.kind === "bilinear") libs.push({ name: "shapegrad-matmul", backend: null, calls: shapegradMatmul(c, data) });
  for (const backend of ["wasm", "cpu"]) {
    await tf.setBackend(backend);
    libs.push({ name: `tfjs-${backend}`, backend, calls: tfjs(tf, backend, c, data) });
  }
  const activate = async (lib) => {
    if (lib.backend) await tf.setBackend(lib.backend);
  };

  // correctness: shapegrad's fwd and gx against each TF.js backend
  const own = shapegrad(c, data);
  const mine = { fwd: Float32Array.from(own.fwd()), gx: Float32Array.from(own.gx()) };
  for (const lib of libs.slice(1)) {
    if (!lib.calls.check) continue;
    await activate(lib);
    for (const op of ["fwd", "gx"]) {
      const f = lib.calls.check[op];
      if (f) checks.push({ case: c.id, lib: lib.name, op, diff: maxRelDiff(Array.from(f()), Array.from(mine[op])) });
    }
  }

  for (const op of c.kind === "convT" ? ["fwd", "gx", "gw"] : ["fwd", "gx"]) {
    const active = [];
    const results = new Map();
    for (const lib of libs) {
      const f = lib.calls[op];
      if (!f || f === "skipped") {
        results.set(lib.name, { na: f ?? "n/a" });
        continue;
      }
      await activate(lib);
      const call = lib.calls.once(f);
      const t0 = performance.now();
      call();
      const first = performance.now() - t0;
      if (first > SLOW_MS) results.set(lib.name, { slow: true, times: [first] });
      else active.push({ lib, call, times: [] });
    }
    for (let r = 0; r < REPS; r++) {
      for (let i = 0; i < active.length; i++) {
        const a = active[(i + r) % active.length];
        await activate(a.lib);
        sleep(20);
        const t = performance.now();
        a.call();
        a.times.push(performance.now() - t);
      }
    }
    for (const a of active) results.set(a.lib.name, { times: a.times });
    const base = results.get("shapegrad").times;
    const row = { case: c, op, cells: [] };
    for (const lib of libs) {
      const res = results.get(lib.name);
      if (res.na) {
        row.cells.push({ lib: lib.name, text: res.na, ratio: "" });
        continue;
      }
      const med = quantile(res.times, 0.5);
      const paired = !res.slow && base && base.length === res.times.length;
      row.cells.push({
        lib: lib.name,
        text: `${fmt(med)}${res.slow ? " (1 run)" : ""}`,
        ratio:
          lib.name === "shapegrad"
            ? `[${fmt(quantile(res.times, 0.25))}-${fmt(quantile(res.times, 0.75))}]`
            : paired
              ? ratioText(res.times.map((t, k) => t / base[k]))
              : `~${(med / quantile(base, 0.5)).toFixed(2)}x`,
      });
    }
    rows.push(row);
    console.error(`${c.id} ${op}: ${row.cells.map((x) => `${x.lib} ${x.text} ${x.ratio}`).join(" | ")}`);
  }
}

const machineAfter = await twoThreadScaling(3);
const load2 = os.loadavg();
const libNames = ["shapegrad", "shapegrad-matmul", "tfjs-wasm", "tfjs-cpu"];
const lines = [];
lines.push(
  `Date: ${started.toISOString()}  Machine: ${os.cpus()[0].model.trim()}, ${os.cpus().length} logical CPUs, Node ${process.version}`,
);
lines.push(
  `Load average (1, 5, 15 min) at start ${load1.map((v) => v.toFixed(1)).join(" ")}, at end ${load2.map((v) => v.toFixed(1)).join(" ")}`,
);
lines.push(
  `Machine check (machine.mjs, 2.0 = two full cores): before ${machineBefore.map((r) => r.toFixed(2)).join(" ")}, after ${machineAfter.map((r) => r.toFixed(2)).join(" ")}`,
);
lines.push(
  `Threads: shapegrad ${fast.getNumThreads()} (its fast kernels: convs, and float32 interpolate since the wasm interpolate kernel), tfjs-wasm SIMD ${wasmThreads} threads, tfjs-cpu plain JS. ${REPS} alternating rounds per (case, op).`,
);
lines.push("");
lines.push(
  "Cells: median ms over the rounds; under each other library, its time / shapegrad's time in the same round, median (quartiles); under shapegrad, its quartiles in ms. Above 1 = shapegrad is faster.",
);
lines.push("");
lines.push(
  `| case | op | ${libNames.map((l) => `${l} ms | ${l === "shapegrad" ? "quartiles" : "/ shapegrad"}`).join(" | ")} |`,
);
lines.push(`|---|---|${libNames.map(() => "---:|---:").join("|")}|`);
for (const r of rows) {
  const cells = libNames.map((l) => {
    const cell = r.cells.find((x) => x.lib === l);
    return cell ? `${cell.text} | ${cell.ratio}` : " | ";
  });
  lines.push(`| ${r.case.label} | ${r.op} | ${cells.join(" | ")} |`);
}
lines.push("");
lines.push("Agreement with shapegrad (max |difference| / max |shapegrad's value|):");
lines.push("");
for (const k of checks) lines.push(`- ${k.case} ${k.op} ${k.lib}: ${k.diff.toExponential(1)}`);
console.log(lines.join("\n"));
await fast.shutdownFastPool?.();
process.exit(0);
