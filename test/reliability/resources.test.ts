/**
 * Resources (issue 8, items 4 and 5): limits are enforced before memory is touched, a failed
 * optimizer step or weight load changes nothing, a dead worker thread costs nothing but its
 * replacement, and a process that lost a worker still exits by itself (in a child process).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import { opErrors } from "../../types/errors.js";
import { nnErrors } from "../../types/errors.js";
import { fastRuntime, setNumThreads } from "../../src/backends/cpu/fast/index.js";
import { installBackendSpy, snapshot, touched } from "./spy.js";

vi.mock("../../src/backends/cpu/arrays.js", async (importOriginal) =>
  (await import("./counters.js")).countingArrays(importOriginal),
);

installBackendSpy();
const LIMIT = 2 ** 31 - 1;
afterEach(() => sg.setMaxElements(LIMIT));

function refusedCleanly(f: () => unknown, message: string): void {
  const before = snapshot();
  expect(f).toThrowError(new Error(message));
  expect(touched(before)).toEqual([]);
}

describe("limits are checked before anything is allocated", () => {
  it("results past what a typed array can hold (2^31 - 1 elements)", () => {
    const one = sg.randn([1]);
    refusedCleanly(() => sg.expand(one, [2 ** 31]), opErrors.tooManyElements("expand", [2 ** 31], 2 ** 31, LIMIT));
    const col = sg.randn([2 ** 16, 1]),
      row = sg.randn([1, 2 ** 16]);
    refusedCleanly(() => sg.matmul(col, row), opErrors.tooManyElements("matmul", [2 ** 16, 2 ** 16], 2 ** 32, LIMIT));
    refusedCleanly(() => sg.add(col, row), opErrors.tooManyElements("add", [2 ** 16, 2 ** 16], 2 ** 32, LIMIT));
    const x = sg.randn([1, 1, 1, 1]),
      w = sg.randn([1, 1, 1, 1]);
    const side = 1 + 2 ** 17;
    refusedCleanly(
      () => sg.conv2d(x, w, null, { padding: 2 ** 16 }),
      opErrors.tooManyElements("conv2d", [1, 1, side, side], side * side, LIMIT),
    );
    refusedCleanly(
      () => sg.zeros([2 ** 20, 2 ** 20]),
      opErrors.tooManyElements("zeros", [2 ** 20, 2 ** 20], 2 ** 40, LIMIT),
    );
  });

  it("a configurable ceiling (setMaxElements) applies to every op, and only positive integers set it", () => {
    const a = sg.randn([40, 1]),
      b = sg.randn([1, 40]);
    sg.setMaxElements(1000);
    refusedCleanly(() => sg.mul(a, b), opErrors.tooManyElements("mul", [40, 40], 1600, 1000));
    refusedCleanly(() => sg.matmul(a, b), opErrors.tooManyElements("matmul", [40, 40], 1600, 1000));
    expect(sg.matmul(b, a).shape).toEqual([1, 1]);
    for (const bad of [0, -1, 1.5, NaN, Infinity, 2 ** 53])
      refusedCleanly(() => sg.setMaxElements(bad), opErrors.maxElements(bad));
    // the ceiling is still the one set last
    refusedCleanly(() => sg.ones([1001]), opErrors.tooManyElements("ones", [1001], 1001, 1000));
  });

  it("the message names the op called, not the primitive that would allocate (conv2dBias, conv2dBackInput)", () => {
    const x = sg.randn([1, 1, 40, 40]),
      unbatched = sg.randn([1, 40, 40]),
      w = sg.randn([2, 1, 3, 3]),
      bias = sg.randn([2]);
    sg.setMaxElements(2000);
    // conv2d: [1, 2, 38, 38], with and without a bias; unbatched, the batched shape the primitive sees
    const conv = opErrors.tooManyElements("conv2d", [1, 2, 38, 38], 2888, 2000);
    refusedCleanly(() => sg.conv2d(x, w, null), conv);
    refusedCleanly(() => sg.conv2d(x, w, bias), conv);
    refusedCleanly(() => sg.conv2d(unbatched, w, bias), conv);
    // convTranspose2d: (30 - 1) * 1 + 2 + 1 = 32 per side, 2 channels
    const up = sg.randn([1, 1, 30, 30]),
      upUnbatched = sg.randn([1, 30, 30]),
      wt = sg.randn([1, 2, 3, 3]);
    const transposed = opErrors.tooManyElements("convTranspose2d", [1, 2, 32, 32], 2048, 2000);
    refusedCleanly(() => sg.convTranspose2d(up, wt), transposed);
    refusedCleanly(() => sg.convTranspose2d(up, wt, bias), transposed);
    refusedCleanly(() => sg.convTranspose2d(upUnbatched, wt), transposed);
    expect(sg.convTranspose2d(sg.randn([1, 1, 29, 29]), wt).shape).toEqual([1, 2, 31, 31]);
  });
});

/** Every tensor's values by name, copied. */
const values = (named: [string, sg.AnyTensor][]) => new Map(named.map(([n, t]) => [n, Array.from(t.dataSync())]));

function model(out = 2) {
  sg.manualSeed(3);
  return sg.nn.Sequential(sg.nn.Linear(3, 4), sg.nn.ReLU(), sg.nn.Linear(4, out));
}

describe("a failed optimizer step leaves every parameter and its state as they were", () => {
  const makers = {
    SGD: (ps: sg.AnyTensor[]) => new sg.optim.SGD(ps, { lr: 0.1, momentum: 0.9 }),
    Adam: (ps: sg.AnyTensor[]) => new sg.optim.Adam(ps, { lr: 0.01 }),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`${name}: a gradient of the wrong shape on the last parameter`, () => {
      const m = model(),
        twin = model();
      const opt = make(m.parameters()),
        twinOpt = make(twin.parameters());
      const grads = m.parameters().map((p, i) => sg.full([...p.shape], 0.1 * (i + 1)));
      const setGrads = (ps: sg.AnyTensor[]) =>
        ps.forEach((p, i) => {
          p.grad = grads[i];
        });
      // one good step on both, so that momentum / moment state exists
      setGrads(m.parameters());
      opt.step();
      setGrads(twin.parameters());
      twinOpt.step();
      const before = values(m.namedParameters());
      setGrads(m.parameters());
      const ps = m.parameters();
      ps[3].grad = sg.zeros([5]);
      expect(() => opt.step()).toThrowError(new Error(nnErrors.optimizerGrad(name, 3, [5], ps[3].shape)));
      expect(values(m.namedParameters())).toEqual(before);
      // the state did not move either: the next good step matches the twin that never failed
      setGrads(m.parameters());
      opt.step();
      setGrads(twin.parameters());
      twinOpt.step();
      expect(values(m.namedParameters())).toEqual(values(twin.namedParameters()));
    });
  }
});

describe("a failed weight load leaves the model as it was, and names the tensor", () => {
  const m = model();
  const good = sg.nn.saveSafetensors(m);
  const target = () => {
    const t = model();
    // different values than `m`, so that a partial load would show
    sg.noGrad(() => t.parameters().forEach((p) => p.assign(sg.full([...p.shape], 7))));
    return t;
  };

  function refusedLoad(bytes: Uint8Array, pattern: RegExp): void {
    const t = target();
    const before = values(t.namedParameters());
    let thrown: unknown = null;
    try {
      sg.nn.loadSafetensors(t, bytes);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).constructor).toBe(Error);
    expect((thrown as Error).message).toMatch(pattern);
    expect(values(t.namedParameters())).toEqual(before);
  }

  it("loads the good file (the control)", () => {
    const t = target();
    sg.nn.loadSafetensors(t, good);
    expect(values(t.namedParameters())).toEqual(values(m.namedParameters()));
  });

  it("a mismatched shape on the last tensor", () => {
    refusedLoad(
      sg.nn.saveSafetensors(model(3)),
      new RegExp(`^${escape(nnErrors.stateShape("2.weight", [3, 4], [2, 4]))}$`),
    );
  });

  it("a truncated file", () => {
    // The cut lands in the tensor stored last in the data section; the message must name it.
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + n))) as Record<
      string,
      { data_offsets?: [number, number] }
    >;
    const last = Object.entries(header)
      .filter(([k]) => k !== "__metadata__")
      .sort((a, b) => b[1].data_offsets![1] - a[1].data_offsets![1])[0][0];
    refusedLoad(
      good.slice(0, good.length - 4),
      new RegExp(
        `^safetensors: tensor "${escape(last)}" ends at byte \\d+ but the data section has only \\d+ bytes \\(truncated\\?\\)$`,
      ),
    );
    refusedLoad(
      good.slice(0, 20),
      /^safetensors: header length \d+ runs past the end of the 20-byte file \(truncated\?\)$/,
    );
  });

  it("a corrupt header: a dtype whose size does not fit the data offsets", () => {
    const bytes = good.slice();
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    const entry = header.indexOf('"0.bias"');
    const at = header.indexOf('"F32"', entry);
    expect(entry >= 0 && at > entry).toBe(true);
    bytes.set(new TextEncoder().encode('"F64"'), 8 + at);
    refusedLoad(
      bytes,
      /^safetensors: tensor "0\.bias": shape \[4\] of F64 needs 32 bytes but data_offsets \[\d+, \d+\] hold 16$/,
    );
  });

  it("fuzz: any truncation or corrupted header byte is refused with a plain Error, or loads a whole valid file", () => {
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const printable = ' "{}[],:0123456789FIUBS_adefhilnopstw.';
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ cut: fc.integer({ min: 0, max: good.length - 1 }) }),
          fc.record({
            at: fc.integer({ min: 0, max: 8 + n - 1 }),
            byte: fc.oneof(
              fc.integer({ min: 0, max: 255 }),
              fc.constantFrom(...[...printable].map((c) => c.charCodeAt(0))),
            ),
          }),
        ),
        (damage) => {
          const bytes = "cut" in damage ? good.slice(0, damage.cut) : good.slice();
          if ("at" in damage) bytes[damage.at] = damage.byte;
          const t = target();
          const before = values(t.namedParameters());
          let thrown: unknown = null;
          try {
            sg.nn.loadSafetensors(t, bytes);
          } catch (e) {
            thrown = e;
          }
          if (thrown === null) {
            // the damage left a valid file of the same names, shapes and dtypes: it loaded whole
            expect(values(t.namedParameters())).not.toEqual(before);
            return;
          }
          expect((thrown as Error).constructor, String(thrown as Error)).toBe(Error);
          expect((thrown as Error).message).toMatch(/^(safetensors|loadStateDict): /);
          expect(values(t.namedParameters())).toEqual(before);
        },
      ),
      { seed: 42, numRuns: 1500 },
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("a worker thread that dies is replaced", () => {
  it("conv2d through the public API returns the same result after a worker was killed", async () => {
    setNumThreads(2);
    sg.manualSeed(11);
    // 2 x 48 x 32 x 40 x 40 x 9 ~ 44 MFLOP: enough for the pool to split the job across threads
    const x = sg.randn([1, 32, 40, 40]),
      w = sg.randn([48, 32, 3, 3]);
    const reference = sg.conv2d(x.cast("float64"), w.cast("float64"), null, { padding: 1 }).dataSync();
    const first = sg.conv2d(x, w, null, { padding: 1 }).dataSync().slice();
    const rt = fastRuntime();
    const victim = rt.workerHandles.find((h) => h !== null);
    expect(victim, "the pool was used").toBeDefined();
    const replaced = rt.replacedWorkers;
    await victim!.terminate();
    await new Promise((r) => setTimeout(r, 50));
    expect(rt.replacedWorkers).toBe(replaced + 1);
    const after = sg.conv2d(x, w, null, { padding: 1 }).dataSync();
    expect(after).toEqual(first);
    let worst = 0;
    after.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - reference[i]));
    });
    expect(worst).toBeLessThan(1e-3);
    expect(rt.workerHandles.some((h) => h !== null && h !== victim)).toBe(true);
  });
});

describe("in a separate process, through the public API", () => {
  it("a worker killed between two conv2d calls: the second is still right, and the process exits by itself", () => {
    // Node 20 cannot run the .ts sources: transpile src/ and types/ (the message catalogue there is runtime code) to a temp dir.
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "shapegrad-reliability-"));
    const walk = (rel: string): string[] =>
      readdirSync(join(root, rel), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(rel, e.name)) : e.name.endsWith(".ts") ? [join(rel, e.name)] : [],
      );
    for (const f of [...walk("src"), ...walk("types")]) {
      const js = ts.transpileModule(readFileSync(join(root, f), "utf8"), {
        fileName: f,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f.replace(/\.ts$/, ".js")), js);
    }
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, "main.js"),
      `
      import * as sg from "./src/index.js";
      import { fastRuntime, setNumThreads } from "./src/backends/cpu/fast/index.js";
      setNumThreads(2);
      sg.manualSeed(5);
      const x = sg.randn([1, 32, 40, 40]), w = sg.randn([48, 32, 3, 3]);
      const first = sg.conv2d(x, w, null, { padding: 1 }).dataSync().slice();
      const rt = fastRuntime();
      const victim = rt.workerHandles.find((h) => h !== null);
      await victim.terminate();
      await new Promise((r) => setTimeout(r, 50));
      const second = sg.conv2d(x, w, null, { padding: 1 }).dataSync();
      const reference = sg.conv2d(x.cast("float64"), w.cast("float64"), null, { padding: 1 }).dataSync();
      let same = second.length === first.length, worst = 0;
      second.forEach((v, i) => { same &&= v === first[i]; worst = Math.max(worst, Math.abs(v - reference[i])); });
      console.log(JSON.stringify({ replaced: rt.replacedWorkers, same, worst, workers: rt.workerHandles.filter(Boolean).length }));
    `,
    );
    const r = spawnSync(process.execPath, [join(dir, "main.js")], { encoding: "utf8", timeout: 90_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(r.error, "a hang would surface as ETIMEDOUT").toBeUndefined();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { replaced: number; same: boolean; worst: number; workers: number };
    expect(out.replaced).toBe(1);
    expect(out.same).toBe(true);
    expect(out.worst).toBeLessThan(1e-3);
    expect(out.workers).toBe(1);
  });
});
