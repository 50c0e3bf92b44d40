// The runtime around the kernels: the committed wasm is what the generator produces, memory stays
// bounded over many calls, a dead worker is replaced, and a process that used the pool exits by
// itself.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import fc from "fast-check";
import { conv2dGeometry } from "../../src/primitives/index.js";
import { conv2dForward } from "../../src/backends/cpu/reference/conv2d.js";
import { SLOT_FIELDS, type KernelName } from "../../src/backends/cpu/fast/workers.js";
import { KERNEL_PARAMS, PARAM, PARAM_COUNT } from "../../src/backends/cpu/fast/wasm/kernels.generated.js";
import {
  conv2dBackInputF32,
  conv2dBackWeightF32,
  conv2dForwardF32,
  fastRuntime,
  isShared,
  KEEP_BYTES,
  matmulF32,
  resetFastRuntime,
  setNumThreads,
} from "../../src/backends/cpu/fast/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

fastRuntime().adaptive = false;

describe("fast kernels runtime", () => {
  it("kernels.generated.wat and kernels.generated.ts are exactly what scripts/wasm/build-wasm.mjs generates", () => {
    const r = spawnSync(process.execPath, [join(root, "scripts/wasm/build-wasm.mjs"), "--check"], { encoding: "utf8" });
    expect(r.stderr).not.toMatch(/stale/);
    expect(r.status).toBe(0);
  });

  it("outputs are ordinary arrays of their own: not shared, exactly their size, not aliasing each other", () => {
    // in Node they come uninitialized from Buffer.allocUnsafeSlow (never from Buffer's shared pool)
    setNumThreads(2);
    const g = conv2dGeometry({
      input: [1, 16, 20, 20],
      weight: [24, 16, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const x = rand(16 * 400, 1),
      w = rand(24 * 16 * 9, 2),
      gy = rand(24 * 400, 3);
    const tiny = matmulF32(rand(6, 4), rand(6, 5), 1, 2, 3, 2); // 4 floats: under the threshold
    const outs = [
      conv2dForwardF32(g, x, w),
      conv2dForwardF32(g, x, w),
      conv2dBackInputF32(g, gy, w),
      conv2dBackWeightF32(g, x, gy),
      tiny,
    ];
    for (const o of outs) {
      expect(o.buffer).toBeInstanceOf(ArrayBuffer);
      expect(o.byteOffset).toBe(0);
      expect(o.buffer.byteLength).toBe(o.length * 4);
    }
    expect(outs[0].buffer).not.toBe(outs[1].buffer);
    expect(outs[1]).toEqual(outs[0]);
  });

  it("wasm memory does not grow over 1,000 calls of the same shapes", () => {
    setNumThreads(2);
    const g = conv2dGeometry({
      input: [2, 8, 13, 11],
      weight: [12, 8, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const gs = conv2dGeometry({
      input: [1, 6, 12, 12],
      weight: [6, 1, 3, 3],
      stride: [2, 2],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 6,
    });
    const x = rand(2 * 8 * 13 * 11, 1),
      w = rand(12 * 8 * 9, 2),
      gy = rand(2 * 12 * 13 * 11, 3);
    const xs = rand(6 * 144, 4),
      ws = rand(54, 5),
      gys = rand(6 * 36, 6);
    // wide-GEMM shapes (stride 1 and 2) allocate padded planes and wide outputs too
    const gw = conv2dGeometry({
      input: [1, 8, 10, 40],
      weight: [6, 8, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const g2 = conv2dGeometry({
      input: [1, 4, 20, 60],
      weight: [5, 4, 3, 3],
      stride: [2, 2],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const xw = rand(8 * 400, 7),
      ww = rand(6 * 72, 8),
      gyw = rand(6 * 400, 9);
    const x2 = rand(4 * 1200, 10),
      w2 = rand(5 * 36, 11),
      gy2 = rand(5 * 10 * 30, 12);
    const once = () => {
      conv2dForwardF32(g, x, w);
      conv2dBackInputF32(g, gy, w);
      conv2dBackWeightF32(g, x, gy);
      conv2dForwardF32(gw, xw, ww);
      conv2dBackInputF32(gw, gyw, ww);
      conv2dBackWeightF32(gw, xw, gyw);
      conv2dForwardF32(g2, x2, w2);
      conv2dBackInputF32(g2, gy2, w2);
      conv2dBackWeightF32(g2, x2, gy2);
      conv2dForwardF32(gs, xs, ws);
      conv2dBackInputF32(gs, gys, ws);
      conv2dBackWeightF32(gs, xs, gys);
      matmulF32(x.subarray(0, 22 * 13), w.subarray(0, 13 * 33), 1, 22, 13, 33);
    };
    once();
    const bytes = fastRuntime().byteLength;
    const first = conv2dForwardF32(g, x, w);
    for (let i = 0; i < 1000; i++) once();
    expect(fastRuntime().byteLength).toBe(bytes);
    // and the results do not drift (no state leaks between calls)
    expect(conv2dForwardF32(g, x, w)).toEqual(first);
  });

  it("a worker that died is replaced and the next call is still right", async () => {
    setNumThreads(2);
    const g = conv2dGeometry({
      input: [1, 32, 40, 40],
      weight: [48, 32, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const x = rand(32 * 1600, 7),
      w = rand(48 * 32 * 9, 8);
    const expected = conv2dForwardF32(g, x, w);
    const rt = fastRuntime();
    const victim = rt.workerHandles.find((h) => h !== null);
    expect(victim).toBeDefined();
    const before = rt.replacedWorkers;
    await victim!.terminate();
    await new Promise((r) => setTimeout(r, 50));
    expect(rt.replacedWorkers).toBe(before + 1);
    expect(conv2dForwardF32(g, x, w)).toEqual(expected);
    const fresh = rt.workerHandles.find((h) => h !== null);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(victim);
    // the replacement takes part in later jobs without changing the result
    await new Promise((r) => setTimeout(r, 200));
    expect(conv2dForwardF32(g, x, w)).toEqual(expected);
  });

  it("without shared memory (a page that is not cross-origin isolated) it runs single-threaded, same results", () => {
    const g = conv2dGeometry({
      input: [2, 12, 19, 17],
      weight: [20, 6, 3, 3],
      stride: [2, 1],
      dilation: [1, 2],
      padding: [1, 0, 2, 1],
      groups: 2,
    });
    const x = rand(2 * 12 * 19 * 17, 11),
      w = rand(20 * 6 * 9, 12);
    const gy = rand(2 * 20 * g.outHeight * g.outWidth, 13);
    setNumThreads(1);
    const expected = [conv2dForwardF32(g, x, w), conv2dBackInputF32(g, gy, w), conv2dBackWeightF32(g, x, gy)];
    try {
      const rt = resetFastRuntime({ shared: false });
      expect(isShared(rt)).toBe(false);
      expect(rt.numThreads).toBe(1);
      setNumThreads(2); // ignored without shared memory
      expect(rt.numThreads).toBe(1);
      // bigger than one page so that the plain memory grows (and detaches its old buffer) on the way
      const got = [conv2dForwardF32(g, x, w), conv2dBackInputF32(g, gy, w), conv2dBackWeightF32(g, x, gy)];
      for (let i = 0; i < 3; i++) expect(got[i]).toEqual(expected[i]);
      const big = conv2dGeometry({
        input: [1, 64, 64, 64],
        weight: [64, 64, 3, 3],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      });
      expect(conv2dForwardF32(big, rand(64 * 4096, 1), rand(64 * 576, 2)).length).toBe(64 * 4096);
    } finally {
      expect(isShared(resetFastRuntime())).toBe(true);
    }
  });

  it("once its workers are ready, a large job is shared with them", async () => {
    const rt = fastRuntime();
    // the runtime made by the test above is adaptive: on a loaded machine it would run alone
    rt.adaptive = false;
    setNumThreads(2);
    await rt.whenReady();
    const g = conv2dGeometry({
      input: [1, 64, 40, 40],
      weight: [64, 64, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const x = rand(64 * 1600, 31),
      w = rand(64 * 64 * 9, 32);
    const before = rt.workerUnits;
    // a worker starved of its core by other test files may miss one job: a few tries
    for (let i = 0; i < 10 && rt.workerUnits === before; i++) conv2dForwardF32(g, x, w);
    expect(rt.workerUnits).toBeGreaterThan(before);
  });

  it("where the job-sharing threshold (parallelWork) lies changes no bit: one thread, two kept apart, two sharing every job", async () => {
    const rt = fastRuntime();
    rt.adaptive = false;
    setNumThreads(2);
    await rt.whenReady();
    const base = rt.parallelWork;
    const before = rt.workerUnits;
    const bits = (a: Float32Array) => Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));
    try {
      fc.assert(
        fc.property(
          fc.record({
            batch: fc.integer({ min: 1, max: 3 }),
            c: fc.integer({ min: 1, max: 24 }),
            o: fc.integer({ min: 1, max: 24 }),
            k: fc.constantFrom(1, 3, 5),
            s: fc.integer({ min: 1, max: 2 }),
            size: fc.integer({ min: 5, max: 30 }),
            seed: fc.nat(1e6),
          }),
          ({ batch, c, o, k, s, size, seed }) => {
            const g = conv2dGeometry({
              input: [batch, c, size, size],
              weight: [o, c, k, k],
              stride: [s, s],
              dilation: [1, 1],
              padding: [(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2],
              groups: 1,
            });
            const x = rand(batch * c * size * size, seed + 1),
              w = rand(o * c * k * k, seed + 2),
              gy = rand(batch * o * g.outHeight * g.outWidth, seed + 3);
            const calls = () =>
              [conv2dForwardF32(g, x, w), conv2dBackInputF32(g, gy, w), conv2dBackWeightF32(g, x, gy)].map(bits);
            setNumThreads(1);
            const one = calls();
            setNumThreads(2);
            rt.parallelWork = Infinity;
            const kept = rt.workerUnits;
            expect(calls()).toEqual(one);
            expect(rt.workerUnits).toBe(kept);
            rt.parallelWork = 0;
            expect(calls()).toEqual(one);
          },
        ),
        { seed: 2331, numRuns: 30 },
      );
    } finally {
      rt.parallelWork = base;
      setNumThreads(2);
    }
    // every job was offered to the worker in the last runs: it took some
    expect(rt.workerUnits).toBeGreaterThan(before);
  });

  it("packed weights are kept per weight array, reused, and bounded", () => {
    const rt = fastRuntime();
    const g = conv2dGeometry({
      input: [1, 16, 9, 9],
      weight: [24, 16, 3, 3],
      stride: [1, 1],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const gs = conv2dGeometry({
      input: [1, 16, 9, 9],
      weight: [24, 16, 3, 3],
      stride: [2, 2],
      dilation: [1, 1],
      padding: [1, 1, 1, 1],
      groups: 1,
    });
    const x = rand(16 * 81, 21),
      w = rand(24 * 16 * 9, 22),
      gy = rand(24 * 81, 23),
      gys = rand(24 * 25, 24);
    const y1 = conv2dForwardF32(g, x, w);
    const dx1 = conv2dBackInputF32(g, gy, w); // flipped packing
    const dxs1 = conv2dBackInputF32(gs, gys, w); // transposed packing (col2im)
    const kept = rt.keptBytes;
    expect(kept).toBeGreaterThanOrEqual(3 * 24 * 16 * 9 * 4); // three packings of w
    expect(conv2dForwardF32(g, x, w)).toEqual(y1);
    expect(conv2dBackInputF32(g, gy, w)).toEqual(dx1);
    expect(conv2dBackInputF32(gs, gys, w)).toEqual(dxs1);
    expect(rt.keptBytes).toBe(kept); // nothing packed again
    // another array with other values but the same shape is packed anew, never confused with w
    const w2 = rand(w.length, 25);
    const fresh = resetFastRuntime();
    fresh.adaptive = false;
    try {
      const expected = conv2dForwardF32(g, x, w2);
      expect(conv2dForwardF32(g, x, w)).toEqual(y1);
      expect(conv2dForwardF32(g, x, w2)).toEqual(expected);
      // 1 MiB weights, 100 different arrays: the kept region is emptied whenever it is full
      const gb = conv2dGeometry({
        input: [1, 256, 4, 4],
        weight: [256, 256, 2, 2],
        stride: [1, 1],
        dilation: [1, 1],
        padding: [0, 0, 0, 0],
        groups: 1,
      });
      const xb = rand(256 * 16, 26);
      let most = 0;
      for (let i = 0; i < 100; i++) {
        conv2dForwardF32(gb, xb, new Float32Array(256 * 256 * 4).fill(i));
        most = Math.max(most, fastRuntime().keptBytes);
      }
      expect(most).toBeGreaterThan(KEEP_BYTES / 2);
      expect(most).toBeLessThanOrEqual(KEEP_BYTES);
    } finally {
      resetFastRuntime().adaptive = false;
    }
  });

  it("params writes each field into the slot its kernel reads, as the Object.entries writer did, for every kernel", () => {
    const rt = fastRuntime();
    const kernels = Object.keys(KERNEL_PARAMS) as KernelName[];
    // The writer walks slots, not fields: two fields of one kernel on one slot would make it
    // depend on the slot order (the old one, on the order of the call's fields).
    for (const k of kernels) {
      const slots = Object.values({ ...PARAM, ...KERNEL_PARAMS[k] });
      expect(new Set(slots).size, k).toBe(slots.length);
      expect(Math.max(...slots), k).toBeLessThan(PARAM_COUNT);
      expect(SLOT_FIELDS[k].filter((f) => f !== undefined).length, k).toBe(slots.length);
    }
    // the writer before issue 23's per-call work: clear the block, then each given field into its slot
    const oracle = (k: KernelName, fields: Record<string, number | undefined>): Int32Array => {
      const block = new Int32Array(PARAM_COUNT);
      const layout: Record<string, number> = { ...PARAM, ...KERNEL_PARAMS[k] };
      for (const [name, v] of Object.entries(fields)) block[layout[name]] = v as number;
      return block;
    };
    const callArb = fc.constantFrom(...kernels).chain((k) =>
      fc.record({
        k: fc.constant(k),
        // 1-3 parts (as a conv's geometry and its offsets), each giving any of the kernel's fields,
        // the same field possibly in several (the last wins, as in a spread), over the int32 range
        parts: fc.array(
          fc.record(Object.fromEntries(Object.keys({ ...PARAM, ...KERNEL_PARAMS[k] }).map((f) => [f, fc.integer()])), {
            requiredKeys: [],
          }),
          { minLength: 1, maxLength: 3 },
        ),
        // what the previous job left in the block: stale slots must read 0 when not given
        before: fc.constantFrom(...kernels),
      }),
    );
    fc.assert(
      fc.property(callArb, ({ k, parts, before }) => {
        const full = Object.fromEntries(Object.keys({ ...PARAM, ...KERNEL_PARAMS[before] }).map((f, i) => [f, -1 - i]));
        rt.params(before, full);
        const at = rt.params(k, ...parts);
        expect([...rt.I32.subarray(at / 4, at / 4 + PARAM_COUNT)]).toEqual([
          ...oracle(k, Object.assign({}, ...parts) as Record<string, number>),
        ]);
      }),
      { seed: 23, numRuns: 400 },
    );
  });

  for (const shared of [true, false])
    it(`the memory views follow the memory's growth (${shared ? "shared" : "plain"} memory)`, () => {
      const g = conv2dGeometry({
        input: [2, 24, 72, 72], // 995 KB: the call needs more than the 1 MiB a runtime starts with
        weight: [32, 24, 3, 3],
        stride: [2, 2],
        dilation: [1, 1],
        padding: [1, 1, 1, 1],
        groups: 1,
      });
      const x = rand(2 * 24 * 72 * 72, 41),
        w = rand(32 * 24 * 9, 42);
      const expected = conv2dForward(g, x, w);
      try {
        const rt = resetFastRuntime({ shared });
        const before = rt.memory.buffer.byteLength;
        const y = conv2dForwardF32(g, x, w);
        const after = rt.memory.buffer.byteLength;
        expect(after).toBeGreaterThan(before); // the call grew the memory
        expect(rt.F32.byteLength).toBe(after);
        expect(rt.I32.byteLength).toBe(after);
        expect(rt.byteLength).toBe(after);
        let worst = 0;
        for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i] - expected[i]));
        expect(worst).toBeLessThan(1e-4);
        // the views (and the parameter block) stay valid for the calls after the growth
        expect(conv2dForwardF32(g, x, w)).toEqual(y);
      } finally {
        resetFastRuntime();
      }
    });

  it("a process that used the worker pool exits by itself", () => {
    // Node 20 cannot run the .ts sources: transpile the runtime's modules (and the message
    // catalogue the pool imports) to a temp dir
    const dir = mkdtempSync(join(tmpdir(), "shapegrad-fast-"));
    const fast = [
      "index",
      "conv",
      "kernel-calls",
      "matmul",
      "max-pool",
      "resident-input",
      "transpose",
      "interpolate",
      "workers",
      "wasm/kernel-module",
      "wasm/kernels.generated",
      "winograd",
    ];
    const files = [
      ...fast.map((f) => `src/backends/cpu/fast/${f}.ts`),
      "src/backends/cpu/arrays.ts",
      "src/backends/cpu/reference/conv2d.ts",
      "src/backends/cpu/reference/arrays.ts",
      "src/primitives/conv2d.ts",
      "src/primitives/definition.ts",
      "types/errors.ts",
    ];
    for (const f of files) {
      const src = readFileSync(join(root, f), "utf8");
      const js = ts.transpileModule(src, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f.replace(/\.ts$/, ".js")), js);
    }
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, "main.js"),
      `
      import { conv2dForwardF32, setNumThreads, fastRuntime } from "./src/backends/cpu/fast/index.js";
      setNumThreads(2);
      const g = { batch: 1, inChannels: 32, inHeight: 40, inWidth: 40, outChannels: 48, kernelHeight: 3, kernelWidth: 3,
        outHeight: 40, outWidth: 40, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 1, padBottom: 1,
        padLeft: 1, padRight: 1, groups: 1 };
      const y = conv2dForwardF32(g, new Float32Array(32 * 1600).fill(1), new Float32Array(48 * 32 * 9).fill(1));
      const workers = fastRuntime().workerHandles.filter(Boolean).length;
      console.log(JSON.stringify({ centre: y[41], workers }));
    `,
    );
    const r = spawnSync(process.execPath, [join(dir, "main.js")], { encoding: "utf8", timeout: 60_000 });
    expect(r.error).toBeUndefined(); // a hang would surface as ETIMEDOUT here
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { centre: number; workers: number };
    expect(out.centre).toBe(32 * 9); // an interior pixel of an all-ones conv
    expect(out.workers).toBe(1); // the pool really was started
  });
});
