// Type-cost budget: instantiation counts from `tsc --extendedDiagnostics` on the fixtures of this
// folder, under TypeScript 6 (node_modules/typescript) and 7 (node_modules/typescript7).
//   node bench/types/budget.mjs [6|7 ...]   prints a table, exits 1 above a budget or on a type error
// Instantiations, not seconds: the counts are deterministic and compiler-independent enough to
// budget on (DESIGN.md section 3); times are printed for information only.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// `baseline` names a fixture with the same imports and no calls: the Tensor class pulls in the
// whole runtime (autograd, backends), whose checking is not the cost of the calls being budgeted.
export const fixtures = [
  // `budget` is issue 2's target and `ceiling` what CI enforces (test/types/budget.test.ts,
  // scripts/check-ts7.mjs). Since 2026-11-21 every target is met under TS 6 and TS 7, so the ceiling
  // is the target itself (measured counts and margins in bench/types/RESULTS.md).
  { name: "arithmetic declarations alone", file: "bench/types/arith-decl.ts", budget: 5_000, ceiling: 5_000 },
  {
    name: "ResNet-50 chain of conv2d calls",
    file: "bench/types/resnet50.ts",
    budget: 20_000,
    ceiling: 20_000,
    baseline: "bench/types/baseline.ts",
  },
  {
    name: "50 conv layers, sizes up to 2^53-1",
    file: "bench/types/wide50.ts",
    budget: 150_000,
    ceiling: 150_000,
    baseline: "bench/types/baseline.ts",
  },
  // Issue 18: a consumer without skipLibCheck checks every declaration file of the built package
  // (dist/, so `npm run build` first; its .d.ts files carry `// @ts-nocheck`, see
  // scripts/mark-declarations.mjs). Unmarked they cost ~33,800 (TS 6).
  {
    name: 'import "shapegrad", no skipLibCheck',
    file: "bench/types/import.ts",
    budget: 2_000,
    ceiling: 2_000,
    baseline: "bench/types/empty.ts",
    options: { skipLibCheck: false },
  },
  // Issue 22: the builders of src/models (their classes checked from source) and their forward
  // on a literal image and on a generic batch, net of the root and nn imports alone. Measured
  // 2026-12-07 with all sixteen builders: TS 6 232,926, TS 7 507,151 (seven builders: 98,091
  // and 265,863); since Sequentials of users' modules resolve under a generic batch (session
  // 13) TS 6 280,375, TS 7 593,720; since the chain reads its layers by index (session 14) TS 6
  // 267,931, TS 7 573,657: the ceiling leaves TS 7 4% (bench/types/RESULTS.md). Not raised to 10%
  // over the count: the ceiling only comes down. Session 16 (the chain's index a number literal,
  // small arithmetic by lookups): TS 7 592,783 -> 583,820, TS 6 270,243; the ceiling comes down
  // with it, keeping session 15's 1.2% over TS 7's count. RAISED in session 18 (i19-layer), against
  // the rule above, for the lead to decide: Layer.forward as one signature with four route type
  // parameters (issue 19 item 1: three type holes closed) costs TS 7 585,894 -> 895,595 (+53%);
  // not yet cut (bench/types/RESULTS.md, session 18). The target (600,000) is not met. Kept by the
  // lead: the holes were types that lie (Flatten typed rank 4 under a generic H), and the editor's
  // re-check of model50.ts still meets issue 19's targets (TS 7 78 ms, TS 6 324 ms); the ceiling
  // comes back down when the routes are cut (one route for sizes, one for channels).
  {
    name: "src/models: 16 builders and 32 forwards",
    file: "bench/types/models.ts",
    budget: 600_000,
    ceiling: 905_000,
    baseline: "bench/types/models-baseline.ts",
  },
];
export const compilers = {
  6: join(root, "node_modules/typescript/bin/tsc"),
  7: join(root, "node_modules/typescript7/bin/tsc"),
};
const compilerOptions = {
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  target: "es2022",
  module: "nodenext",
  moduleResolution: "nodenext",
  lib: ["es2023", "dom"],
  types: ["node"],
  typeRoots: [join(root, "node_modules/@types")],
};

/** A throwaway tsconfig holding exactly `files` (both compilers refuse file arguments next to ./tsconfig.json). */
export function fixtureConfig(files, extra = {}) {
  const dir = mkdtempSync(join(tmpdir(), "shapegrad-types-"));
  const path = join(dir, "tsconfig.json");
  writeFileSync(
    path,
    JSON.stringify({ compilerOptions: { ...compilerOptions, ...extra }, files: files.map((f) => join(root, f)) }),
  );
  return path;
}

/** Compiles one fixture (with `options` over the shared ones); returns its instantiation count, check time and any diagnostics. */
export function measure(version, file, options = {}) {
  const config = fixtureConfig([file], options);
  const r = spawnSync(process.execPath, [compilers[version], "-p", config, "--extendedDiagnostics"], {
    cwd: root,
    encoding: "utf8",
  });
  rmSync(dirname(config), { recursive: true, force: true });
  const out = `${r.stdout}\n${r.stderr}`;
  const inst = /Instantiations:\s+(\d+)/.exec(out);
  const check = /Check time:\s+([\d.]+)s/.exec(out);
  const errors = out
    .split("\n")
    .filter((l) => /error TS\d+/.test(l))
    .slice(0, 20);
  if (!inst) throw new Error(`tsc ${version} printed no instantiation count for ${file}:\n${out}`);
  return { instantiations: Number(inst[1]), checkSeconds: check ? Number(check[1]) : NaN, errors };
}

/** Every fixture under every compiler: raw count, baseline count and the net (budgeted) count. */
export function runBudget(versions = [6, 7]) {
  const rows = [];
  for (const v of versions) {
    const baselines = new Map();
    for (const f of fixtures) {
      const m = measure(v, f.file, f.options);
      let base = 0;
      if (f.baseline) {
        if (!baselines.has(f.baseline)) baselines.set(f.baseline, measure(v, f.baseline, f.options).instantiations);
        base = baselines.get(f.baseline);
      }
      rows.push({ version: v, ...f, ...m, raw: m.instantiations, baselineCount: base, net: m.instantiations - base });
    }
  }
  return rows;
}

/** "met", or how far over issue 2's target a count is. */
export function targetNote(r) {
  return r.net <= r.budget ? "met" : `over by ${(100 * (r.net / r.budget - 1)).toFixed(1)}%`;
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === "") {
  const versions = process.argv.slice(2).map(Number);
  const rows = runBudget(versions.length ? versions : [6, 7]);
  let failed = false;
  for (const r of rows) {
    const ok = r.net <= r.ceiling && r.errors.length === 0;
    failed ||= !ok;
    console.log(
      `TS ${r.version}  ${r.name.padEnd(36)} ${String(r.net).padStart(8)} instantiations (target ${r.budget}: ${targetNote(r)}; ceiling ${r.ceiling}; raw ${r.raw} - baseline ${r.baselineCount})  check ${r.checkSeconds}s  ${ok ? "ok" : "FAIL"}`,
    );
    for (const e of r.errors) console.log(`    ${e}`);
  }
  process.exit(failed ? 1 : 0);
}
