// Turns on the threaded SIMD build of @tensorflow/tfjs-backend-wasm under Node.
//
// tfjs-backend-wasm reports WASM_HAS_MULTITHREAD_SUPPORT = false whenever IS_NODE, and even when
// forced it hands Emscripten's pthread pool Blob URLs, which Node's worker_threads cannot load. The
// shim (1) forces the flag, (2) while the backend initialises, answers URL.createObjectURL (called
// for the pthread worker script only) with a real file holding that script preceded by a prelude,
// and (3) the prelude defines the module factory the worker would otherwise load from the Blob
// (WasmBackendModuleThreadedSimd) and lets the worker's importScripts of a blob: URL be a no-op;
// (4) it reports enough logical cores for the requested pool size (see below).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export async function initTfjsWasmThreaded(tf, threads) {
  const wasmDir = join(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"), "..", "wasm-out");
  const { wasmWorkerContents } = require(join(wasmDir, "tfjs-backend-wasm-threaded-simd.worker.js"));
  const prelude = `
global.WasmBackendModuleThreadedSimd = require(${JSON.stringify(join(wasmDir, "tfjs-backend-wasm-threaded-simd.js"))});
{ const fs = require("fs"); const read = fs.readFileSync;
  fs.readFileSync = function (f, ...rest) { return typeof f === "string" && f.startsWith("blob:") ? "" : read.call(this, f, ...rest); }; }
`;
  const dir = mkdtempSync(join(tmpdir(), "tfjs-wasm-"));
  const workerPath = join(dir, "tfjs-backend-wasm-threaded-simd.worker.js");
  // the template literal turned the script's "\\n" escapes into newlines; tfjs undoes it the same way
  writeFileSync(workerPath, prelude + wasmWorkerContents.replace(/\n/g, "\\n"));

  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);
  const original = URL.createObjectURL;
  URL.createObjectURL = () => workerPath;
  // backend.cc caps the pool at emscripten_num_logical_cores() / 2 (it assumes 2 hyper-threads per
  // core); in Node that is os.cpus().length, so report 2 * threads logical cores while it starts.
  const os = require("node:os");
  const cpus = os.cpus;
  os.cpus = () => Array.from({ length: Math.max(2 * threads, cpus().length) }, (_, i) => cpus()[i % cpus().length]);
  try {
    await tf.setBackend("wasm");
    await tf.ready();
  } finally {
    URL.createObjectURL = original;
    os.cpus = cpus;
  }
  return wasm.getThreadsCount();
}
