// A/B of two builds of shapegrad's fast kernels, each alone in its own process, alternating, the
// best of several rounds per cell: on this virtual machine the speed drifts by more than most
// changes are worth within minutes, so two builds are only comparable when interleaved in time.
//   node ab.mjs <distA> <distB> [--shapes=r2,pw] [--ops=fwd,bwdW] [--threads=2] [--rounds=3]
// where a dist is a directory compiled with `tsc -p bench/tsconfig.json` (bench/dist is this
// checkout's; build another commit in a git worktree). B/A > 1 means B is faster.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { geometryArgs, rand, SHAPES } from "./shapes.mjs";

const [distA, distB, ...rest] = process.argv.slice(2);
const args = Object.fromEntries(rest.map((a) => a.replace(/^--/, "").split("=")));
const shapes = args.shapes ?? SHAPES.map(([id]) => id).join(",");
const ops = args.ops ?? "fwd";
const threads = Number(args.threads ?? 2);
const rounds = Number(args.rounds ?? 3);

if (distA === "--one") {
  // child mode: node ab.mjs --one <dist> <shapes> <ops> <threads>  -> JSON { "id op": GFLOP/s }
  const [dist, ids, opList, n] = [distB, ...rest];
  const fast = await import(`${dist}/src/backends/cpu/fast/index.js`);
  const { conv2dGeometry, convFlops } = await import(`${dist}/src/primitives/index.js`);
  fast.setNumThreads(Number(n));
  await fast.fastRuntime().whenReady?.();
  const out = {};
  for (const row of SHAPES) {
    const [id, , x, w] = row;
    if (!ids.split(",").includes(id)) continue;
    const g = conv2dGeometry(geometryArgs(row));
    const xs = rand(
        x.reduce((a, b) => a * b),
        1,
      ),
      ws = rand(
        w.reduce((a, b) => a * b),
        2,
      );
    const y = fast.conv2dForwardF32(g, xs, ws);
    const fns = {
      fwd: () => fast.conv2dForwardF32(g, xs, ws),
      bwdIn: () => fast.conv2dBackInputF32(g, y, ws),
      bwdW: () => fast.conv2dBackWeightF32(g, xs, y),
    };
    for (const op of opList.split(",")) {
      let best = Infinity;
      const start = performance.now();
      for (let r = 0; r < 40 && (r < 8 || performance.now() - start < 400); r++) {
        const t0 = performance.now();
        fns[op]();
        best = Math.min(best, performance.now() - t0);
      }
      out[`${id} ${op}`] = convFlops(g) / best / 1e6;
    }
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const best = [{}, {}];
for (let r = 0; r < rounds; r++) {
  for (const [k, dist] of [
    [0, distA],
    [1, distB],
  ]) {
    const res = JSON.parse(
      execFileSync(process.execPath, [self, "--one", dist, shapes, ops, String(threads)], { encoding: "utf8" }),
    );
    for (const [cell, v] of Object.entries(res)) best[k][cell] = Math.max(best[k][cell] ?? 0, v);
  }
}
for (const cell of Object.keys(best[0])) {
  console.log(
    `${cell.padEnd(10)} A ${best[0][cell].toFixed(1).padStart(6)}  B ${best[1][cell].toFixed(1).padStart(6)}  B/A ${(best[1][cell] / best[0][cell]).toFixed(2)}  GFLOP/s, ${threads} thread(s)`,
  );
}
