/**
 * Issue 24, items 1 and 2: a worker thread that dies while it holds a work item never leaves the
 * calling thread blocked (its share is rerun, or the call fails with the catalogue's message
 * within a bounded time), the pool is usable afterwards, and the workers start under
 * `node --input-type=module` and `node -e` (or, where they cannot start, the runtime says so once
 * and stays on one thread instead of starting a worker per call).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import * as sg from "../../src/index.js";
import { fastRuntime, resetFastRuntime, setNumThreads } from "../../src/backends/cpu/fast/index.js";
import type { WorkerCtor, WorkerLike } from "../../src/backends/cpu/fast/workers.js";
import { workerErrors } from "../../types/errors.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
afterAll(() => {
  resetFastRuntime();
});

async function freshPool() {
  const rt = resetFastRuntime();
  rt.adaptive = false;
  setNumThreads(2);
  await rt.whenReady();
  return rt;
}

sg.manualSeed(24);
// ~44 MFLOP: the pool splits it into many units, and the awake worker takes some of them
const x = sg.randn([1, 32, 40, 40]),
  w = sg.randn([48, 32, 3, 3]);
const conv = () => Array.from(sg.conv2d(x, w, null, { padding: 1 }).dataSync());
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a worker that dies while holding a work item", () => {
  it("exits mid-item (a real thread exit): the caller reruns its share, the result is exact, and the pool is usable afterwards", async () => {
    const rt = await freshPool();
    const expected = conv();
    const replaced = rt.replacedWorkers;
    // armed until the worker takes a unit: the caller may take every unit of one job itself
    rt.failNextUnit(1, "exit");
    let calls = 0;
    while (rt.rescuedUnits === 0 && calls < 50) {
      expect(conv()).toEqual(expected);
      calls++;
      await pause(5);
    }
    expect(rt.rescuedUnits, "the dying worker held a unit that the caller ran").toBeGreaterThan(0);
    await pause(100);
    expect(rt.replacedWorkers, "the worker really exited").toBe(replaced + 1);
    // the next call starts a replacement, which takes part in later jobs with the same results
    expect(conv()).toEqual(expected);
    await rt.whenReady();
    const units = rt.workerUnits;
    for (let i = 0; i < 20 && rt.workerUnits === units; i++) expect(conv()).toEqual(expected);
    expect(rt.workerUnits).toBeGreaterThan(units);
  });

  it("holds its item and never exits (stopped from outside): the call fails with the catalogue's message within the bound, and the next call runs on a fresh pool", async () => {
    const rt = await freshPool();
    const expected = conv();
    rt.stallMs = 200;
    rt.failNextUnit(1, "hang");
    let error: unknown = null;
    for (let calls = 0; error === null && calls < 50; calls++) {
      try {
        expect(conv()).toEqual(expected);
      } catch (e) {
        error = e;
      }
      await pause(5);
    }
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    const shape = workerErrors
      .stalled("KERNEL", "MS", "UNITS")
      .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      .replace("KERNEL", "[a-z_]+")
      .replace("MS", "\\d+")
      .replace("UNITS", "\\d+");
    expect(message).toMatch(new RegExp(`^${shape}$`));
    rt.failNextUnit(1, "none");
    const fresh = fastRuntime();
    expect(fresh).not.toBe(rt);
    fresh.adaptive = false;
    expect(conv()).toEqual(expected);
    await fresh.whenReady();
    const units = fresh.workerUnits;
    for (let i = 0; i < 20 && fresh.workerUnits === units; i++) expect(conv()).toEqual(expected);
    expect(fresh.workerUnits).toBeGreaterThan(units);
  });
});

describe("workers that cannot start", () => {
  it("are given up once, with one warning, and never started again per call; results unchanged", async () => {
    const expected = conv();
    let started = 0;
    class BrokenWorker implements WorkerLike {
      private readonly listeners: Record<string, ((arg: unknown) => void)[]> = { exit: [], error: [] };
      constructor() {
        started++;
        setTimeout(() => {
          for (const l of this.listeners.error) l(new ReferenceError("require is not defined in ES module scope"));
          for (const l of this.listeners.exit) l(1);
        }, 1);
      }
      unref(): void {}
      terminate(): Promise<number> {
        return Promise.resolve(1);
      }
      on(event: "exit" | "error", listener: (arg: unknown) => void): this {
        this.listeners[event].push(listener);
        return this;
      }
    }
    const warnings: Error[] = [];
    const onWarning = (wn: Error) => {
      if ((wn as { code?: string }).code === "SHAPEGRAD_NO_WORKERS") warnings.push(wn);
    };
    process.on("warning", onWarning);
    try {
      const rt = resetFastRuntime({ Worker: BrokenWorker as unknown as WorkerCtor });
      rt.adaptive = false;
      setNumThreads(2);
      for (let i = 0; i < 10; i++) {
        expect(conv()).toEqual(expected);
        await pause(10);
      }
      expect(started).toBe(1);
      expect(rt.numThreads).toBe(1);
      expect(rt.startFailure).toBe("require is not defined in ES module scope");
      expect(warnings.map((wn) => wn.message)).toEqual([
        workerErrors.startFailed("require is not defined in ES module scope"),
      ]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("the workers start under node --input-type=module and node -e", () => {
  const dist = `${root}dist/src/index.js`;
  const script = `
    const sg = await import(${JSON.stringify(dist)});
    const { fastRuntime, setNumThreads } = await import(${JSON.stringify(`${root}dist/src/backends/cpu/fast/index.js`)});
    const rt = fastRuntime();
    rt.adaptive = false;
    setNumThreads(2);
    sg.manualSeed(1);
    const x = sg.randn([1, 32, 40, 40]), w = sg.randn([48, 32, 3, 3]);
    const first = sg.conv2d(x, w, null, { padding: 1 }).dataSync();
    await rt.whenReady(60000);
    let same = true;
    for (let i = 0; i < 20; i++) {
      const y = sg.conv2d(x, w, null, { padding: 1 }).dataSync();
      same &&= y.every((v, k) => v === first[k]);
      await new Promise((r) => setTimeout(r, 5));
    }
    console.log(JSON.stringify({ replaced: rt.replacedWorkers, units: rt.workerUnits, failure: rt.startFailure, same }));
  `;
  const cases: [string, string[]][] = [
    ["node --input-type=module -e", ["--input-type=module", "-e", script]],
    ["node -e", ["-e", `(async () => { ${script} })()`]],
    ["node --input-type=module (source on stdin)", ["--input-type=module"]],
  ];
  for (const [name, args] of cases) {
    it.skipIf(!existsSync(dist))(name, () => {
      const r = spawnSync(process.execPath, args, {
        encoding: "utf8",
        timeout: 90_000,
        input: args.length === 1 ? script : undefined,
      });
      expect(r.error, "a hang would surface as ETIMEDOUT").toBeUndefined();
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout.trim()) as {
        replaced: number;
        units: number;
        failure: string | null;
        same: boolean;
      };
      expect(out).toMatchObject({ replaced: 0, failure: null, same: true });
      expect(out.units, "the worker took part in the jobs").toBeGreaterThan(0);
    });
  }
});
