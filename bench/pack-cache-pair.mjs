// Paired A/B of repeated conv2d inference on one weight between two builds of the library (the
// kept weight packings of src/backends/cpu/fast/pool.ts): calls alternate between the builds, the
// order flipping every pair, with a 1 ms pause before each call (see step-pair.mjs).
//   node pack-cache-pair.mjs <distA> <distB> [mode=plain] [calls=300]
// mode: "plain" (the weight is never handed out), "exposed" (w.dataSync() was called once, so the
// packing is checked against a copy), "written" (a value of w is changed through dataSync() before
// every call, so every call repacks). A/B > 1 means B is faster; run both orders.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [distA, distB, mode = "plain", callsArg = "300"] = process.argv.slice(2);
if (!distA || !distB)
  throw new Error("usage: node pack-cache-pair.mjs <distA> <distB> [plain|exposed|written] [calls=300]");
const calls = Number(callsArg);

async function build(dist) {
  const sg = await import(pathToFileURL(resolve(dist, "src/index.js")).href);
  sg.manualSeed(0);
  const x = sg.randn([1, 256, 14, 14]);
  const w = sg.randn([256, 256, 3, 3]);
  const data = mode === "plain" ? null : w.dataSync();
  return () => {
    if (mode === "written") data[1] = -data[1];
    return sg.conv2d(x, w, null, { padding: 1 }).dataSync();
  };
}

const runs = [await build(distA), await build(distB)];
runs[0]();
runs[1]();
const times = [[], []],
  ratios = [];
for (let i = 0; i < calls; i++) {
  const ms = [0, 0];
  for (const k of i % 2 ? [0, 1] : [1, 0]) {
    await new Promise((r) => setTimeout(r, 1));
    const t = performance.now();
    runs[k]();
    ms[k] = performance.now() - t;
    times[k].push(ms[k]);
  }
  ratios.push(ms[0] / ms[1]);
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(
  `conv2d [1, 256, 14, 14] x [256, 256, 3, 3], ${mode} weight, ${calls} pairs: A median ${median(times[0]).toFixed(2)} ms | B median ${median(times[1]).toFixed(2)} ms | median A/B ${median(ratios).toFixed(3)}`,
);
