// Nothing a training step makes outlives it: after a warm-up, 40 more tidy() steps leave the heap
// with the same objects as 20 (counted by constructor in V8 heap snapshots: tensors, typed arrays,
// Maps, Sets, arrays, plain objects, closures, strings) and the CPU pool with the same arrays held
// and free (src/backends/cpu/arrays.ts's counts), int32 argmax arrays included. The live heap of a
// long run still grows for a while: that is V8's compiled code (hot functions optimized later),
// which these counts leave out and bench/memory.mjs shows levelling off.
import v8 from "node:v8";
import { describe, expect, it } from "vitest";
import * as sg from "../../src/index.js";
import { poolStats } from "../../src/backends/cpu/arrays.js";
import { bnNet, trainStep } from "./nets.js";

/** Live objects by constructor (snapshot node type "object" or "closure" by name; strings together). */
async function liveObjects(): Promise<Map<string, number>> {
  const chunks: string[] = [];
  for await (const chunk of v8.getHeapSnapshot()) chunks.push(String(chunk));
  const snap = JSON.parse(chunks.join("")) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const { node_fields, node_types } = snap.snapshot.meta;
  const width = node_fields.length,
    typeAt = node_fields.indexOf("type"),
    nameAt = node_fields.indexOf("name");
  const counts = new Map<string, number>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = node_types[0][snap.nodes[i + typeAt]];
    const key =
      type === "object" || type === "closure"
        ? `${type} ${snap.strings[snap.nodes[i + nameAt]]}`
        : type === "string" || type === "concatenated string" || type === "sliced string"
          ? "strings"
          : null;
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe("a training step retains nothing", () => {
  it("40 more steps leave the same objects and pooled arrays as 20", async () => {
    sg.manualSeed(3);
    const net = bnNet();
    net.train();
    const opt = new sg.optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = sg.keep(sg.rand([4, 3, 16, 16]));
    const y = sg.keep(sg.randint(0, 10, [4]));
    const step = trainStep(net, opt, x, y);
    const steps = (n: number) => {
      for (let i = 0; i < n; i++) step();
    };
    steps(10);
    steps(20);
    await liveObjects(); // the first snapshot makes strings of its own
    const pool20 = poolStats();
    const at20 = await liveObjects();
    steps(40);
    const pool60 = poolStats();
    const at60 = await liveObjects();
    expect(pool60.heldArrays).toBe(pool20.heldArrays);
    expect(pool60.heldBytes).toBe(pool20.heldBytes);
    expect(pool60.freeArrays).toBe(pool20.freeArrays);
    expect(pool60.reuses).toBeGreaterThan(pool20.reuses + 40 * 20);
    for (const kind of [
      "object Tensor",
      "object Float32Array",
      "object Float64Array",
      "object Int32Array",
      "object ArrayBuffer",
      "object Map",
      "object Set",
      "object Array",
      "object Object",
      "strings",
    ])
      expect({ kind, growth: (at60.get(kind) ?? 0) - (at20.get(kind) ?? 0), at: at60.get(kind) }).toEqual({
        kind,
        growth: expect.toSatisfy((g: number) => g < 10) as number,
        at: at60.get(kind),
      });
    // A leak of one closure a step would show as 40 of the same name.
    const growth = [...at60].map(([k, n]) => [k, n - (at20.get(k) ?? 0)] as const).filter(([, g]) => g >= 20);
    expect(growth).toEqual([]);
  });

  it("max pooling's argmax arrays are pooled: a step takes back the int32 arrays it gives back", () => {
    const x = sg.keep(sg.rand([8, 16, 24, 24]).requiresGrad_());
    const pool = () =>
      sg.tidy(() => {
        sg.gradients(sg.maxPool2d(sg.mul(x, 1), { kernelSize: 2 }).sum(), [x]);
      });
    pool();
    const before = poolStats();
    for (let i = 0; i < 5; i++) pool();
    const after = poolStats();
    expect(after.heldArrays).toBe(before.heldArrays);
    expect(after.freeArrays).toBe(before.freeArrays);
    // the argmax went back when its input x * 1 was disposed, and the next step took it again
    expect(before.freeInt32).toBeGreaterThan(0);
    expect(after.freeInt32).toBe(before.freeInt32);
    // per step: x * 1, its argmax [8, 16, 12, 12] (int32), the pooled output, the gradients
    expect(after.reuses - before.reuses).toBeGreaterThanOrEqual(5 * 4);
    x.dispose();
  });

  it("int32 tensors' arrays are reused once disposed, and values are right", () => {
    const a = sg.keep(sg.mul(sg.rand([4096]), 100));
    const first = sg.tidy(() => a.cast("int32"));
    const array = first.storage;
    const want = Array.from(first.dataSync());
    expect(want.every((v, i) => v === Math.trunc((a.storage as Float32Array)[i]))).toBe(true);
    // dataSync pinned `first`'s array: it is never handed out again
    first.dispose();
    const second = a.cast("int32");
    expect(second.storage).not.toBe(array);
    const secondArray = second.storage;
    second.dispose();
    const third = sg.neg(a).cast("int32");
    expect(third.storage).toBe(secondArray);
    expect(Array.from(third.dataSync())).toEqual(want.map((v) => (v === 0 ? 0 : -v)));
    a.dispose();
    third.dispose();
  });
});
