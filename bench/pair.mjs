// Paired A/B of two builds of shapegrad's fast kernels inside one process: calls of A and B
// alternate one by one, and each shape reports the median of the paired time ratios. On this
// virtual machine the speed drifts by 10-25% over seconds to minutes, more than most changes are
// worth; two calls a few milliseconds apart see the same machine, so the median paired ratio
// resolves ~1% where best-of-rounds across processes (ab.mjs) resolves ~10%.
//   node pair.mjs <distA> <distB> [--shapes=r2,r3] [--ops=fwd,fwdBias,bwdW] [--threads=2] [--seconds=4]
//     [--kernels=plain,fma]
// A dist is a directory compiled with `tsc -p bench/tsconfig.json` (see ab.mjs). Each build has its
// own wasm memory and worker pool; a 1 ms pause between calls lets the other build's worker stop
// spinning first. B/A > 1 means B is faster, in wall time and in CPU time (all threads). --kernels=plain,fma: A runs the plain kernels module
// and B the FMA one (the same dist may then be given twice, as two copies: each copy is its own
// module instance with its own runtime); "auto" (the default) takes what the runtime picks.
// --api: the forward ops (fwd, fwdBias) go through the public API as a user calls it (conv2d on
// tensors, then dataSync: the copies, the output's allocation and the dispatch included), as
// conv2d-api.mjs times them against tfjs-wasm; a dist then needs src/index.js (`npm run build`'s
// dist, not bench/dist).
import { ALL_SHAPES, geometryArgs, rand } from "./shapes.mjs";

const [distA, distB, ...rest] = process.argv.slice(2);
if (!distA || !distB)
  throw new Error("usage: node pair.mjs <distA> <distB> [--shapes=..] [--ops=..] [--threads=2] [--seconds=4]");
const args = Object.fromEntries(rest.map((a) => a.replace(/^--/, "").split("=")));
const ids = (args.shapes ?? "r2,r3,r4,r5").split(",");
const ops = (args.ops ?? "fwd").split(",");
const threads = Number(args.threads ?? 2);
const seconds = Number(args.seconds ?? 4);
const kernels = (args.kernels ?? "auto,auto").split(",");

async function load(dist, variant) {
  const root = new URL(dist, `file://${process.cwd()}/`).href.replace(/\/?$/, "/");
  const fast = await import(`${root}src/backends/cpu/fast/index.js`);
  const { conv2dGeometry } = await import(`${root}src/primitives/index.js`);
  const sg = args.api === "true" ? await import(`${root}src/index.js`) : null;
  const rt = variant === "auto" ? fast.fastRuntime() : fast.resetFastRuntime({ fma: variant === "fma" });
  if (variant === "fma" && !rt.fma) throw new Error("the FMA kernels did not load (relaxed SIMD not validated)");
  fast.setNumThreads(threads);
  await rt.whenReady?.();
  rt.adaptive = false; // both builds always use their workers: the pairing handles a busy machine
  return { fast, conv2dGeometry, sg };
}
const builds = [await load(distA, kernels[0]), await load(distB, kernels[1])];
console.log(`A ${distA} (${kernels[0]}) | B ${distB} (${kernels[1]})`);

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep1ms = () => Atomics.wait(pause, 0, 0, 1);
const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];

for (const row of ALL_SHAPES) {
  const [id, label, xShape, wShape] = row;
  if (!ids.includes(id)) continue;
  const x = rand(
      xShape.reduce((a, b) => a * b),
      1,
    ),
    w = rand(
      wShape.reduce((a, b) => a * b),
      2,
    );
  const bias = rand(wShape[0], 3);
  const calls = builds.map(({ fast, conv2dGeometry, sg }) => {
    const g = conv2dGeometry(geometryArgs(row));
    const gy = fast.conv2dForwardF32(g, x, w);
    const [, , , , stride, padding, dilation, groups] = row;
    const api = (b) => {
      const options = { stride, padding, dilation, groups };
      const [xt, wt, bt] = [x, w, bias].map((a, i) => sg.tensor(a, { shape: [xShape, wShape, [wShape[0]]][i] }));
      return () => sg.tidy(() => void sg.conv2d(xt, wt, b ? bt : null, options).dataSync());
    };
    return {
      fwd: sg ? api(false) : () => fast.conv2dForwardF32(g, x, w),
      fwdBias: sg ? api(true) : () => fast.conv2dForwardF32(g, x, w, bias),
      bwdIn: () => fast.conv2dBackInputF32(g, gy, w),
      bwdW: () => fast.conv2dBackWeightF32(g, x, gy),
    };
  });
  for (const op of ops) {
    // wall ms and CPU ms (process.cpuUsage: every thread of the process) of one call
    const time = (f) => {
      sleep1ms();
      const c = process.cpuUsage();
      const t = performance.now();
      f();
      const wall = performance.now() - t;
      const u = process.cpuUsage(c);
      return [wall, (u.user + u.system) / 1000];
    };
    const [fa, fb] = [calls[0][op], calls[1][op]];
    for (let i = 0; i < 5; i++) {
      time(fa);
      time(fb);
    }
    const ta = [],
      tb = [];
    for (const t0 = performance.now(); performance.now() - t0 < seconds * 1000;) {
      // alternate which build goes first, so neither always follows the other's call
      if (ta.length % 2) {
        tb.push(time(fb));
        ta.push(time(fa));
      } else {
        ta.push(time(fa));
        tb.push(time(fb));
      }
    }
    const ratio = (k) => median(ta.map((a, i) => a[k] / tb[i][k])).toFixed(3);
    const ms = (ts, k) => median(ts.map((t) => t[k])).toFixed(2);
    const best = (ts) => Math.min(...ts.map((t) => t[0])).toFixed(2);
    // under load the CPU ratio reads the work where the wall ratio also reads preemptions
    console.log(
      `${`${id} ${op}`.padEnd(9)} B/A ${ratio(0)} CPU ${ratio(1)}  (pairs ${ta.length}; median ms A ${ms(ta, 0)} B ${ms(tb, 0)}, CPU A ${ms(ta, 1)} B ${ms(tb, 1)}; best A ${best(ta)} B ${best(tb)})  ${threads} thread(s), ${label}`,
    );
  }
}
process.exit(0);
