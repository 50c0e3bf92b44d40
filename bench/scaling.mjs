// Two threads against one on the same calls, interleaved: windows of a few calls at one thread
// and at two alternate (in both orders) for a few seconds per shape, so both thread counts see the
// same minutes of the machine. conv2d.mjs's 1t column is measured at other moments of the run than
// its 2-thread column, and on the VM of RESULTS.md a minute in which the host gives the two vCPUs
// only ~1.2 cores between them (machine.mjs) drags one column and not the other.
// Reports, per shape: best 1-thread time / best 2-thread time over all windows (the machine's
// quiet moments, the estimator of the main table), and the median over window pairs of
// (window's best at 1 thread / window's best at 2 threads), which includes the busy ones.
//   node scaling.mjs [shapes=r2,r3,r4,r5] [pairs=30] [dist=./dist]      (needs npm run build: bench/dist)
//   node scaling.mjs sweep [pairs] [dist]: where sharing a job with the worker pays (sweepParallelWork)
import { geometryArgs, rand, SHAPES } from "./shapes.mjs";

const CALLS = 5; // timed calls per window, after one untimed (it wakes a sleeping worker)

/**
 * `pairs` window pairs of `call` at `threads` and at 1 thread. `setThreads(t)` switches the
 * library's thread count (and waits for its workers). Returns { best, median } as 1t / Nt ratios.
 */
export async function interleavedScaling(call, setThreads, threads, pairs) {
  const window = async (t) => {
    await setThreads(t);
    call();
    let best = Infinity;
    for (let i = 0; i < CALLS; i++) {
      const t0 = performance.now();
      call();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const one = [],
    many = [];
  for (let p = 0; p < pairs; p++) {
    // alternate which count goes first, so neither always follows the other's spinning or sleeping
    if (p % 2 === 0) {
      one.push(await window(1));
      many.push(await window(threads));
    } else {
      many.push(await window(threads));
      one.push(await window(1));
    }
  }
  const ratios = one.map((ms, i) => ms / many[i]).sort((a, b) => a - b);
  return { best: Math.min(...one) / Math.min(...many), median: ratios[Math.floor(ratios.length / 2)] };
}

/** The interleaved scaling of shapegrad's forward conv on the suite rows `ids`. */
export async function forwardScaling(fast, conv2dGeometry, ids, threads, pairs) {
  const setThreads = async (t) => {
    fast.setNumThreads(t);
    await fast.fastRuntime().whenReady();
  };
  const out = [];
  for (const row of SHAPES.filter((r) => ids.includes(r[0]))) {
    const g = conv2dGeometry(geometryArgs(row));
    const x = rand(
        row[2].reduce((a, b) => a * b),
        1,
      ),
      w = rand(
        row[3].reduce((a, b) => a * b),
        2,
      );
    out.push({
      id: row[0],
      ...(await interleavedScaling(() => fast.conv2dForwardF32(g, x, w), setThreads, threads, pairs)),
    });
  }
  await setThreads(threads);
  return out;
}

/**
 * Small jobs on two threads, shared with the worker (parallelWork 0) against kept on the calling
 * thread (parallelWork Infinity), interleaved as above: where sharing starts to pay, per FLOPs of
 * the conv's GEMM (the `work` run() is given). Each row is a 1x1 conv (one conv_fwd job, read in
 * place) or a stride-2 3x3 one (pad_phases + conv_fwd + compact) of about `flops`.
 */
export async function sweepParallelWork(fast, conv2dGeometry, pairs) {
  const rt = fast.fastRuntime();
  const base = rt.parallelWork;
  const rows = [];
  for (const [k, s] of [
    [1, 1],
    [3, 2],
  ]) {
    for (const flops of [2.5e5, 5e5, 1e6, 2e6, 4e6, 8e6, 1.6e7]) {
      // C -> C channels at H x H output pixels: 2 C^2 k^2 H^2 FLOPs, C = 32
      const c = 32;
      const h = Math.max(2, Math.round(Math.sqrt(flops / (2 * c * c * k * k))));
      const inH = h * s;
      const g = conv2dGeometry(geometryArgs(["sweep", "", [1, c, inH, inH], [c, c, k, k], s, (k - 1) / 2, 1, 1]));
      const x = rand(c * inH * inH, 1),
        w = rand(c * c * k * k, 2);
      const r = await interleavedScaling(
        () => fast.conv2dForwardF32(g, x, w),
        async (t) => {
          rt.parallelWork = t === 1 ? Infinity : 0;
        },
        2,
        pairs,
      );
      rows.push({ k, s, flops: 2 * c * c * k * k * h * h, ...r });
    }
  }
  rt.parallelWork = base;
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [ids = "r2,r3,r4,r5", pairs = "30", dist = "./dist"] = process.argv.slice(2);
  const fast = await import(`${dist}/src/backends/cpu/fast/index.js`);
  const { conv2dGeometry } = await import(`${dist}/src/primitives/index.js`);
  fast.fastRuntime().adaptive = false;
  if (ids === "sweep") {
    fast.setNumThreads(2);
    await fast.fastRuntime().whenReady();
    console.log(
      `load ${(await import("node:os"))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    for (const r of await sweepParallelWork(fast, conv2dGeometry, Number(pairs))) {
      console.log(
        `${r.k}x${r.k} s${r.s} ${(r.flops / 1e6).toFixed(2)} MFLOP: one-thread time / shared time (> 1: sharing pays): best/best ${r.best.toFixed(2)}, median of window pairs ${r.median.toFixed(2)}`,
      );
    }
    console.log(
      `load ${(await import("node:os"))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    process.exit(0);
  }
  for (const r of await forwardScaling(fast, conv2dGeometry, ids.split(","), 2, Number(pairs))) {
    console.log(
      `${r.id} fwd 2 threads / 1 thread: best/best ${r.best.toFixed(2)}, median of window pairs ${r.median.toFixed(2)}`,
    );
  }
  process.exit(0);
}
