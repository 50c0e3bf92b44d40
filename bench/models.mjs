// Inference of every builder of `shapegrad/models` against onnxruntime-node, float32 on the CPU.
//
// For each builder the module exports (a lowercase export that, called with no argument, returns an
// nn.Module: so builders added later are measured without touching this file), the model is built
// with its default (random) initialisation, its batch-norm statistics moved off 0 and 1 by a few
// training-mode batches at a small size (otherwise eval mode is close to an identity map per channel
// and a wrong running-statistics export would go unseen), put in eval mode, and exported with
// exportOnnx at [1, 3, 224, 224]. onnxruntime-node runs that file on the CPU with 2 intra-op threads
// (shapegrad's pool also uses 2: the machine's cores). The two forward passes on the same input
// alternate run by run, the order swapping every round and a 1 ms pause before each so the other's
// threads have stopped spinning; on this shared 2-vCPU VM the speed drifts over seconds, so only
// runs taken side by side compare. Prints the median of each after the warm-up runs, their ratio,
// and the largest |difference| of the two outputs against the largest |output| (a cross-check of
// the export: the same weights, the same input).
//
// A segmentation builder's forward returns `{ out }` (torchvision's dict; its default has no
// auxiliary head): `out` is compared and timed, and its file's graph output of that name (exportOnnx
// names an object's outputs by its keys). A builder is one of those when its forward on a small
// image returns an object.
//
// The compile-time output shape is the compiler's: a file calling each builder's forward on a
// literal [1, 3, 224, 224] input (`.out` of a segmentation model's) is written beside this one and
// read by `shapegrad shapes`'s inspector (ts-morph), then removed.
//
// shapegrad's worker pool runs a job on the calling thread alone for a while when it finds the
// machine busy (its `adaptive` mode, the default a user gets); `--adaptive=off` keeps both threads
// whatever the load, as onnxruntime does. The count of such solo episodes is printed.
//
//   npm run build && node bench/models.mjs [--runs=5] [--warmup=1] [--models=resnet18,vgg11Bn]
//                                          [--size=224] [--adaptive=off]
import { writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { twoThreadScaling } from "./machine.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const runs = Number(args.runs ?? 5);
const warmup = Number(args.warmup ?? 1);
const size = Number(args.size ?? 224);
const threads = 2;

const sg = await import(resolve(here, "../dist/src/index.js"));
const models = await import(resolve(here, "../dist/src/models/index.js"));
const { getNumThreads, setNumThreads } = await import(resolve(here, "../dist/src/backends/cpu/fast/index.js"));
const { fastRuntime } = await import(resolve(here, "../dist/src/backends/cpu/fast/workers.js"));

/** The builders among the module's exports, by name, in export order, with the name of the output measured. */
function builders(names) {
  const out = [];
  for (const [name, value] of Object.entries(models)) {
    if (typeof value !== "function" || !/^[a-z]/.test(name)) continue;
    if (names && !names.includes(name)) continue;
    let model;
    try {
      model = value();
    } catch {
      continue; // a helper that needs arguments (makeDivisible), not a builder
    }
    if (!(model instanceof sg.nn.Module)) continue;
    model.eval();
    const y = sg.noGrad(() => model.forward(sg.randn([1, 3, 32, 32])));
    out.push([name, value, y instanceof sg.Tensor ? null : "out"]);
  }
  return out;
}

/** The tensor measured: the output, or a segmentation model's `out`. */
const pick = (y, key) => (key ? y[key] : y);

/** The compiler's output type for each builder's forward on a literal input, via the inspector. */
async function compileTimeShapes(list) {
  const { inspectFile } = await import(resolve(here, "../dist/src/cli/inspect.js"));
  const file = join(here, ".models-shapes.tmp.ts");
  const lines = [
    `import { randn } from "../src/index.js";`,
    `import * as models from "../src/models/index.js";`,
    `const x = randn([1, 3, ${size}, ${size}]);`,
    ...list.map(([n, , key]) => `export const ${n}Output = models.${n}().forward(x)${key ? `.${key}` : ""};`),
  ];
  writeFileSync(file, lines.join("\n") + "\n");
  try {
    const r = inspectFile(file);
    for (const d of r.diagnostics) console.error(`compile error: ${d.text}`);
    const shapes = {};
    for (const e of r.entries) if (e.kind === "tensor") shapes[e.name.replace(/Output$/, "")] = e.shape;
    return shapes;
  } finally {
    rmSync(file, { force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pause = () => new Promise((r) => setTimeout(r, 1));

async function measure(name, build, key) {
  sg.manualSeed(22);
  const model = build();
  // batch statistics of random images, at a size every builder accepts, so eval mode has real statistics
  model.train();
  sg.noGrad(() => {
    for (let i = 0; i < 2; i++) model.forward(sg.randn([2, 3, 64, 64]));
  });
  model.eval();
  const shape = [1, 3, size, size];
  const t0 = performance.now();
  const bytes = sg.exportOnnx(model, shape);
  const exportMs = performance.now() - t0;
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const input = sg.randn(shape);
  const data = input.dataSync();
  const feeds = { input: new ort.Tensor("float32", data, shape) };
  const ours = () => sg.noGrad(() => pick(model.forward(input), key).dataSync());
  const theirs = async () => (await session.run(feeds))[key ?? "output"].data;
  const times = { shapegrad: [], onnxruntime: [] };
  let a, b;
  for (let r = 0; r < warmup + runs; r++) {
    const order = r % 2 ? ["onnxruntime", "shapegrad"] : ["shapegrad", "onnxruntime"];
    for (const who of order) {
      await pause();
      const t = performance.now();
      if (who === "shapegrad") a = ours();
      else b = await theirs();
      const ms = performance.now() - t;
      if (r >= warmup) times[who].push(ms);
    }
  }
  let maxDiff = a.length === b.length ? 0 : Infinity;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  await session.release();
  const sgMs = median(times.shapegrad);
  const ortMs = median(times.onnxruntime);
  return {
    name,
    key,
    params: model.parameterCount(),
    sgMs,
    ortMs,
    ratio: sgMs / ortMs,
    maxDiff,
    scale,
    exportMs,
  };
}

const names = args.models ? args.models.split(",") : undefined;
const list = builders(names);
setNumThreads(threads);
if (args.adaptive === "off") fastRuntime().adaptive = false;
await fastRuntime().whenReady();
const scalingBefore = await twoThreadScaling(3);
const shapes = await compileTimeShapes(list);
const rows = [];
for (const [name, build, key] of list) {
  const r = await measure(name, build, key);
  rows.push(r);
  console.error(
    `${name}: export ${r.exportMs.toFixed(0)} ms; shapegrad ${r.sgMs.toFixed(1)} ms, onnxruntime ${r.ortMs.toFixed(1)} ms`,
  );
}
const scalingAfter = await twoThreadScaling(3);

const fmt = (n) => n.toLocaleString("en-US");
const table = [
  `| model | parameters | output type for [1, 3, ${size}, ${size}] | shapegrad ms | onnxruntime ms | ratio | max abs diff (output scale) | exportOnnx s (/ forward) |`,
  "| --- | ---: | --- | ---: | ---: | ---: | --- | ---: |",
  ...rows.map(
    (r) =>
      `| \`${r.name}\`${r.key ? ` (\`.${r.key}\`)` : ""} | ${fmt(r.params)} | \`${shapes[r.name] ?? "?"}\` | ${r.sgMs.toFixed(1)} | ${r.ortMs.toFixed(1)} | ` +
      `${r.ratio.toFixed(2)} | ${r.maxDiff.toExponential(1)} (${r.scale.toFixed(2)}) | ` +
      `${(r.exportMs / 1000).toFixed(1)} (${(r.exportMs / r.sgMs).toFixed(1)}) |`,
  ),
];
const load = os.loadavg().map((l) => l.toFixed(2));
console.log(
  [
    `date: ${new Date().toISOString()}`,
    `machine: ${os.cpus()[0]?.model ?? "?"}, ${os.availableParallelism()} vCPUs, Node ${process.version}, onnxruntime-node ${ort.env.versions?.common ?? "?"}`,
    `threads: shapegrad ${getNumThreads()} (adaptive ${fastRuntime().adaptive ? "on" : "off"}), onnxruntime intra-op ${threads}; runs ${runs} after ${warmup} warm-up, median`,
    `load average (1, 5, 15 min) at the end: ${load.join(", ")}`,
    `2 workers / 1 worker (bench/machine.mjs) before: ${scalingBefore.map((x) => x.toFixed(2)).join(" ")}, after: ${scalingAfter.map((x) => x.toFixed(2)).join(" ")}`,
    `shapegrad's pool judged the machine busy ${fastRuntime().soloEpisodes} times` +
      (fastRuntime().adaptive ? " (each time it ran one thread for a while)" : " (adaptive off: it kept both threads)"),
    "",
    ...table,
  ].join("\n"),
);
