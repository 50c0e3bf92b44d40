#!/usr/bin/env node
/**
 * The packaging checks (issue 7): what `npm publish` would ship, checked the way users get it.
 *
 *   node scripts/check-package.mjs [--no-build] [--json] [--keep]
 *
 * 1. build (`npm run build`, unless --no-build) and `npm pack` the real package;
 * 2. contents: only built JS, .d.ts, package.json, README.md and LICENSE, and the entry points
 *    package.json names (main types, exports, bin) are all inside;
 * 3. @arethetypeswrong/cli (profile esm-only: shapegrad is ESM-only by design, so "CommonJS
 *    require resolves to ESM" is not a problem to report) and publint (every level, strict);
 * 4. a fresh Node ESM project installs the tarball with ts-morph (the CLI's optional peer) and
 *    TypeScript (offline from the npm cache, without the optional `webgpu` peer), imports
 *    shapegrad, runs conv2d and a small nn model with known results, runs the `shapegrad shapes`
 *    bin on a file with a shape error and on a nested model (the same rows as the repository's
 *    bin prints), and tsc without skipLibCheck on both, then once more with the declarations'
 *    `// @ts-nocheck` removed (they must type-check too);
 * 5. a fresh browser project installs the tarball alone (no CLI dependency comes with it, and the
 *    bin asks for ts-morph), and vite bundles an import of shapegrad for the browser; the bundle
 *    must pull in no Node module, and it runs in a bare V8 context (no `process`, no `require`,
 *    only what browsers have) with the same known results.
 *
 * Prints one line per check (or JSON with --json) and exits 1 if any failed.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as vm from "node:vm";
import { declarationFiles, markDeclarations, pragma } from "./mark-declarations.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const json = args.has("--json");
const work = mkdtempSync(path.join(tmpdir(), "shapegrad-package-"));
const env = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};
const results = [];

function record(name, ok, detail) {
  results.push({ name, ok, detail });
  if (!json)
    process.stdout.write(
      `${ok ? "ok  " : "FAIL"} ${name}${detail ? `\n       ${String(detail).split("\n").join("\n       ")}` : ""}\n`,
    );
  return ok;
}

/** Runs a command; returns { status, stdout, stderr } (never throws). */
function run(cmd, argv, cwd, extra = {}) {
  const r = spawnSync(cmd, argv, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...extra });
  return {
    status: r.status ?? 1,
    stdout: r.stdout ?? "",
    stderr: `${r.stderr ?? ""}${r.error ? String(r.error) : ""}`,
  };
}

/** Bytes of the files under `dir` (symlinks not followed), as `du -sb` counts content. */
function directorySize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(p) : lstatSync(p).size;
  }
  return total;
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const bin = (name) => path.join(root, "node_modules", ".bin", name);

/** The test program both projects run: conv2d with hand-computed outputs and a small typed model. */
const programSource = `
import * as sg from "shapegrad";
const { tensor, ones, conv2d, nn, manualSeed } = sg;
// ones [1, 1, 4, 4] correlated with ones [1, 1, 3, 3], zero padding 1: each output counts the
// input cells under the window: 4 at the corners, 6 on the edges, 9 inside.
const y = conv2d(ones([1, 1, 4, 4]), ones([1, 1, 3, 3]), null, { padding: 1 });
const w = tensor([[[[1, 2], [3, 4]]]]);
const z = conv2d(tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]), w, tensor([10]));
manualSeed(0);
const model = nn.Sequential(nn.Conv2d(3, 4, 3, { padding: 1 }), nn.ReLU(), nn.Flatten(), nn.Linear([4, 5, 5], 2));
const logits = model.forward(ones([2, 3, 5, 5]));
export const result = {
  conv: Array.from(y.dataSync()),
  convShape: y.shape,
  bias: Array.from(z.dataSync()),
  logitsShape: logits.shape,
  finite: Array.from(logits.dataSync()).every(Number.isFinite),
  exportOnnx: typeof sg.exportOnnx,
};
`;
// 1*1 + 2*2 + 4*3 + 5*4 + 10 = 47, then 57, 77, 87
const expected = {
  conv: [4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4],
  convShape: [1, 1, 4, 4],
  bias: [47, 57, 77, 87],
  logitsShape: [2, 2],
  finite: true,
  exportOnnx: "function",
};

function sameResult(actual) {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

function main() {
  // ---------------------------------------------------------------- 1. build and pack
  if (!args.has("--no-build")) {
    const b = run(npm, ["run", "build"], root);
    record(
      "build (npm run build)",
      b.status === 0,
      b.status === 0 ? "" : (b.stdout + b.stderr).trim().split("\n").slice(-15).join("\n"),
    );
  }
  if (!existsSync(path.join(root, "dist/src/index.js")))
    return record("dist/src/index.js exists", false, "nothing to pack");
  const p = run(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], root);
  if (p.status !== 0) return record("npm pack", false, p.stderr);
  const [packed] = JSON.parse(p.stdout.slice(p.stdout.indexOf("[")));
  const tarball = path.join(work, packed.filename);
  record(
    "npm pack",
    true,
    `${packed.filename}: ${packed.files.length} files, ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked`,
  );

  // ---------------------------------------------------------------- 2. contents
  const files = packed.files.map((f) => f.path);
  const allowed = (f) => ["package.json", "README.md", "LICENSE"].includes(f) || /^dist\/.*\.(js|d\.ts)$/.test(f);
  const extra = files.filter((f) => !allowed(f));
  record(
    "tarball holds only built JS, .d.ts, package.json, README.md, LICENSE",
    extra.length === 0,
    extra.length
      ? `unexpected: ${extra.slice(0, 12).join(", ")}${extra.length > 12 ? `, ... (${extra.length} in all)` : ""}`
      : "",
  );
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const entries = new Set(["README.md", "LICENSE"]);
  const addEntry = (t) => {
    if (typeof t === "string") entries.add(t.replace(/^\.\//, ""));
  };
  addEntry(pkg.main);
  addEntry(pkg.types);
  addEntry(pkg.module);
  const walk = (e) => {
    if (typeof e === "string") addEntry(e);
    else if (e && typeof e === "object") Object.values(e).forEach(walk);
  };
  walk(pkg.exports);
  walk(pkg.bin);
  entries.delete("package.json");
  const missing = [...entries].filter((e) => !files.includes(e));
  record(
    "every entry point, the bin, README.md and LICENSE are in the tarball",
    missing.length === 0 && pkg.bin !== undefined,
    missing.length
      ? `missing: ${missing.join(", ")}`
      : pkg.bin === undefined
        ? "package.json has no bin (shapegrad shapes)"
        : "",
  );

  // ---------------------------------------------------------------- 3. attw and publint
  const attw = run(
    bin("attw"),
    [tarball, "--profile", "esm-only", "--format", "ascii", "--no-color", "--no-emoji"],
    root,
  );
  record(
    "@arethetypeswrong/cli --profile esm-only reports nothing",
    attw.status === 0,
    attw.status === 0 ? "" : (attw.stdout + attw.stderr).trim(),
  );
  const lint = run(bin("publint"), ["run", tarball, "--level", "suggestion", "--strict"], root);
  const lintText = (lint.stdout + lint.stderr).trim();
  const lintClean = lint.status === 0 && !/(Suggestions|Warnings|Errors):/.test(lintText);
  record("publint (all levels, strict) reports nothing", lintClean, lintClean ? "" : lintText);

  // ---------------------------------------------------------------- 4. a fresh Node ESM project
  // With the CLI's one documented extra step (ts-morph) and the user's own TypeScript, in one install.
  const nodeApp = path.join(work, "node-app");
  mkdirSync(nodeApp);
  writeFileSync(
    path.join(nodeApp, "package.json"),
    JSON.stringify({ name: "node-app", private: true, type: "module" }, null, 2),
  );
  const installArgs = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock"];
  const devVersion = (name) => `${name}@${pkg.devDependencies[name]}`;
  const ni = run(npm, [...installArgs, tarball, devVersion("ts-morph"), devVersion("typescript")], nodeApp);
  if (
    !record(
      "Node ESM project: npm install <tarball> ts-morph typescript (offline cache)",
      ni.status === 0,
      ni.status === 0 ? "" : ni.stderr.trim(),
    )
  )
    return;
  record("the optional webgpu peer is not installed", !existsSync(path.join(nodeApp, "node_modules", "webgpu")));
  writeFileSync(path.join(nodeApp, "program.mjs"), `${programSource}\nconsole.log(JSON.stringify(result));\n`);
  const nr = run(process.execPath, ["program.mjs"], nodeApp);
  let nodeResult = null;
  try {
    nodeResult = JSON.parse(nr.stdout.trim().split("\n").at(-1));
  } catch {
    /* reported below */
  }
  record(
    "Node ESM project: import shapegrad, conv2d and nn give the known results",
    nr.status === 0 && sameResult(nodeResult),
    nr.status === 0 ? `got ${JSON.stringify(nodeResult)}` : nr.stderr.trim().split("\n").slice(0, 8).join("\n"),
  );

  // The bin and tsc, with the types as installed and TypeScript's default lib check (no skipLibCheck).
  writeFileSync(
    path.join(nodeApp, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(nodeApp, "model.ts"),
    [
      `import { conv2d, randn } from "shapegrad";`,
      `const x = randn([8, 3, 32, 32]);`,
      `const y = conv2d(x, randn([16, 3, 3, 3]), null, { stride: 2, padding: 1 });`,
      `const bad = conv2d(x, randn([16, 4, 3, 3]));`,
      `export { y, bad };`,
    ].join("\n"),
  );
  const shapegradBin = path.join(nodeApp, "node_modules", ".bin", "shapegrad");
  const shapes = (file, extra = []) =>
    existsSync(shapegradBin)
      ? run(shapegradBin, ["shapes", file, ...extra], nodeApp)
      : { status: -1, stdout: "", stderr: "node_modules/.bin/shapegrad is missing" };
  const cli = shapes("model.ts", ["--json"]);
  let inspection = null;
  try {
    inspection = JSON.parse(cli.stdout);
  } catch {
    /* reported below */
  }
  const yEntry = inspection?.entries?.find((e) => e.name === "y");
  const cliOk =
    cli.status === 1 &&
    yEntry?.shape === "[8, 16, 16, 16]" &&
    inspection.diagnostics.length === 1 &&
    inspection.diagnostics[0].shapegrad ===
      "conv2d: input has 3 channels but weight expects 4 (weight [16, 4, 3, 3], groups 1)";
  record(
    "Node project: `shapegrad shapes model.ts` reads the installed types (y [8, 16, 16, 16], one conv2d error)",
    cliOk,
    cliOk ? "" : `exit ${cli.status}: ${(cli.stderr || cli.stdout).trim().split("\n").slice(0, 8).join("\n")}`,
  );
  const tsc = path.join(nodeApp, "node_modules", "typescript", "bin", "tsc");
  const badTsc = run(process.execPath, [tsc, "-p", "."], nodeApp);
  const tscMessage = "conv2d: input has 3 channels but weight expects 4 (weight [16, 4, 3, 3], groups 1)";
  const badOk =
    badTsc.status === 2 &&
    badTsc.stdout.includes("model.ts(4,") &&
    badTsc.stdout.includes(tscMessage) &&
    badTsc.stdout
      .trim()
      .split("\n")
      .filter((l) => /error TS/.test(l)).length === 1;
  record(
    "Node project: tsc (no skipLibCheck) reports the one conv2d error, at model.ts line 4",
    badOk,
    badOk ? "" : `exit ${badTsc.status}: ${badTsc.stdout.trim().split("\n").slice(0, 8).join("\n")}`,
  );

  // A model with a nested Sequential, a Residual and a custom module: examples/inspector/nested.ts
  // with its imports from "shapegrad". The installed bin must print what the repository's prints
  // for the original (the same rows, line for line), and tsc must accept it.
  const nested = readFileSync(path.join(root, "examples/inspector/nested.ts"), "utf8")
    .replace(`from "../../src/index.js";`, `from "shapegrad";`)
    .replace(`import * as nn from "../../src/nn/index.js";`, `import { nn } from "shapegrad";`);
  rmSync(path.join(nodeApp, "model.ts"));
  writeFileSync(path.join(nodeApp, "nested.ts"), nested);
  const installed = shapes("nested.ts");
  const inRepo = run(
    process.execPath,
    [path.join(root, "dist/src/cli/main.js"), "shapes", "examples/inspector/nested.ts"],
    root,
  );
  const rows = (r) => r.stdout.trim().split("\n").slice(1);
  const sameRows =
    installed.status === 0 &&
    inRepo.status === 0 &&
    JSON.stringify(rows(installed)) === JSON.stringify(rows(inRepo)) &&
    rows(installed).some((l) => /^ +0\.2 MaxPool2d<2> -> \[4, 8, 12, 12\]$/.test(l)) &&
    rows(installed).some((l) => /^ +4 Head -> \[4, 10\]$/.test(l));
  record(
    "Node project: `shapegrad shapes nested.ts` prints the per-layer shapes, as in the repository",
    sameRows,
    sameRows
      ? ""
      : `installed (exit ${installed.status}):\n${installed.stdout}${installed.stderr}\nin the repository (exit ${inRepo.status}):\n${inRepo.stdout}${inRepo.stderr}`,
  );
  const goodTsc = run(process.execPath, [tsc, "-p", "."], nodeApp);
  record(
    "Node project: tsc (no skipLibCheck) accepts the nested model",
    goodTsc.status === 0,
    goodTsc.stdout.trim().split("\n").slice(0, 8).join("\n"),
  );
  // Issue 22: the `shapegrad/models` subpath, imported as a consumer does, run and type-checked.
  writeFileSync(
    path.join(nodeApp, "models.mjs"),
    [
      `import * as models from "shapegrad/models";`,
      `import { zeros } from "shapegrad";`,
      `const m = models.mobilenetV3Small({ numClasses: 3 }).eval();`,
      `const y = m.forward(zeros([2, 3, 32, 32]));`,
      `console.log(JSON.stringify({ shape: y.shape, keys: m.stateDict().size, builders: Object.keys(models).length }));`,
    ].join("\n"),
  );
  const mr = run(process.execPath, ["models.mjs"], nodeApp);
  const modelsOk = mr.status === 0 && mr.stdout.trim() !== "" && /"shape":\[2,3\],"keys":244,/.test(mr.stdout);
  record(
    'Node project: import * as models from "shapegrad/models" builds and runs mobilenetV3Small',
    modelsOk,
    modelsOk ? "" : `exit ${mr.status}: ${(mr.stdout + mr.stderr).trim().split("\n").slice(0, 8).join("\n")}`,
  );
  writeFileSync(
    path.join(nodeApp, "models.ts"),
    [
      `import * as models from "shapegrad/models";`,
      `import { zeros, type Tensor } from "shapegrad";`,
      `export const logits: Tensor<[2, 3]> = models.resnet18({ numClasses: 3 }).forward(zeros([2, 3, 32, 32]));`,
    ].join("\n"),
  );
  const modelsTsc = run(process.execPath, [tsc, "-p", "."], nodeApp);
  record(
    "Node project: tsc (no skipLibCheck) types shapegrad/models' logits",
    modelsTsc.status === 0,
    modelsTsc.stdout.trim().split("\n").slice(0, 8).join("\n"),
  );
  // The declarations skip a consumer's lib check (// @ts-nocheck, scripts/mark-declarations.mjs):
  // here they are checked without it, as installed.
  const installedDist = path.join(nodeApp, "node_modules", "shapegrad", "dist");
  const marked = declarationFiles(installedDist).filter((f) =>
    readFileSync(f, "utf8").startsWith(`${pragma}\n`),
  ).length;
  const unmarked = markDeclarations(installedDist, false);
  const rawTsc = run(process.execPath, [tsc, "-p", "."], nodeApp);
  record(
    "Node project: every installed .d.ts carries @ts-nocheck, and without it tsc (no skipLibCheck) finds no error in them",
    rawTsc.status === 0 && marked > 0 && unmarked === marked && marked === declarationFiles(installedDist).length,
    `${marked} of ${declarationFiles(installedDist).length} marked; ${rawTsc.stdout.trim().split("\n").slice(0, 8).join("\n")}`,
  );

  // ---------------------------------------------------------------- 5. a browser bundle
  const webApp = path.join(work, "web-app");
  mkdirSync(webApp);
  writeFileSync(
    path.join(webApp, "package.json"),
    JSON.stringify({ name: "web-app", private: true, type: "module" }, null, 2),
  );
  const wi = run(npm, [...installArgs, tarball], webApp);
  if (
    !record(
      "browser project: npm install <tarball> (offline cache)",
      wi.status === 0,
      wi.status === 0 ? "" : wi.stderr.trim(),
    )
  )
    return;
  // The package builds itself on `npm pack` (prepack), not on install, so npm has no script to ask about.
  record(
    "library-only install: npm warns about no install script",
    !/install-scripts/.test(wi.stderr),
    wi.stderr.trim().split("\n").slice(0, 6).join("\n"),
  );
  // A library-only install: the CLI's dependencies stay out, and the bin says how to add them.
  const installedNames = readdirSync(path.join(webApp, "node_modules")).filter((n) => !n.startsWith("."));
  const heavy = installedNames.filter((n) => ["ts-morph", "@ts-morph", "typescript", "commander"].includes(n));
  record(
    "library-only install holds no CLI dependency (ts-morph, typescript, commander)",
    heavy.length === 0,
    `${installedNames.join(", ")}; node_modules ${(directorySize(path.join(webApp, "node_modules")) / 1e6).toFixed(1)} MB`,
  );
  writeFileSync(path.join(webApp, "model.ts"), `export const n = 1;\n`);
  const noMorph = run(path.join(webApp, "node_modules", ".bin", "shapegrad"), ["shapes", "model.ts"], webApp);
  record(
    "library-only install: `shapegrad shapes` asks for ts-morph",
    noMorph.status === 2 && noMorph.stderr.includes("npm install --save-dev ts-morph"),
    `exit ${noMorph.status}: ${noMorph.stderr.trim()}`,
  );
  writeFileSync(path.join(webApp, "main.js"), programSource);
  writeFileSync(
    path.join(webApp, "build.mjs"),
    `
import { build } from ${JSON.stringify(path.join(root, "node_modules/vite/dist/node/index.js"))};
const warnings = [];
const logger = {
  info() {}, warnOnce(m) { warnings.push(m); }, warn(m) { warnings.push(m); }, error(m) { warnings.push(m); },
  clearScreen() {}, hasErrorLogged() { return false; }, hasWarned: false,
};
await build({
  root: ${JSON.stringify(webApp)}, logLevel: "warn", customLogger: logger, configFile: false,
  build: { outDir: "dist", emptyOutDir: true, minify: false, target: "es2022",
    lib: { entry: "main.js", formats: ["iife"], name: "app", fileName: () => "app.js" } },
});
console.log(JSON.stringify(warnings));
`,
  );
  const vb = run(process.execPath, ["build.mjs"], webApp);
  let warnings;
  try {
    warnings = JSON.parse(vb.stdout.trim().split("\n").at(-1));
  } catch {
    warnings = [vb.stdout];
  }
  const bundlePath = path.join(webApp, "dist", "app.js");
  const built = vb.status === 0 && existsSync(bundlePath);
  const nodeWarnings = warnings.filter((w) => /externalized for browser|node:/.test(String(w)));
  record(
    "browser project: vite builds it, pulling in no Node module",
    built && nodeWarnings.length === 0,
    !built ? vb.stderr.trim().split("\n").slice(0, 10).join("\n") : nodeWarnings.join("\n"),
  );
  if (built) {
    const code = readFileSync(bundlePath, "utf8");
    // Only what a browser page has: no process, require, Buffer or Node modules.
    const context = vm.createContext({
      console,
      TextEncoder,
      TextDecoder,
      URL,
      atob,
      btoa,
      performance,
      queueMicrotask,
      setTimeout,
      clearTimeout,
      navigator: { hardwareConcurrency: 1 },
    });
    let browserResult = null,
      error = "";
    try {
      vm.runInContext(`${code}\nglobalThis.__result = JSON.stringify(app.result);`, context, { filename: "app.js" });
      browserResult = JSON.parse(context.__result);
    } catch (e) {
      error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    }
    record(
      "browser bundle runs in a bare V8 context with the known results",
      sameResult(browserResult),
      error
        ? error.split("\n").slice(0, 6).join("\n")
        : `got ${JSON.stringify(browserResult)}, ${(code.length / 1024).toFixed(0)} kB bundle`,
    );
  }
}

try {
  main();
} finally {
  if (!args.has("--keep")) rmSync(work, { recursive: true, force: true });
  else if (!json) process.stdout.write(`kept ${work}\n`);
}
if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
