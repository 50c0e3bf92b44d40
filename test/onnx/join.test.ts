/**
 * exportOnnx through cat, stack, split, chunk and narrow: the concat primitive as ONNX Concat and
 * slice as Slice (starts, ends and axes as int64 inputs), run in onnxruntime-node against
 * shapegrad's forward pass, with a dynamic batch where the cut is not along the batch.
 */
import { describe, expect, it } from "vitest";
import {
  add,
  cat,
  chunk,
  manualSeed,
  mul,
  narrow,
  randn,
  relu,
  split,
  stack,
  type AnyTensor,
} from "../../src/index.js";
import { traceOnnx } from "../../src/onnx/index.js";
import { runBoth } from "./helpers.js";

type Fn = (x: AnyTensor) => AnyTensor;
const any = <T>(f: T) => f as unknown as (...args: unknown[]) => AnyTensor & AnyTensor[];
const [catA, stackA, splitA, chunkA, narrowA] = [cat, stack, split, chunk, narrow].map(any);

describe("exportOnnx: cat, stack, split, chunk, narrow in onnxruntime", () => {
  manualSeed(21);
  const w = randn([2, 3, 4, 5]) as unknown as AnyTensor;
  const cases: [string, Fn, number[], string[], boolean][] = [
    [
      "cat of the input and a constant along channels",
      (x) => catA([x, relu(x), w], 1),
      [2, 3, 4, 5],
      ["Concat"],
      false,
    ],
    ["cat along the last dim (negative)", (x) => catA([mul(x, 3), x], -1), [2, 3, 4, 5], ["Concat"], true],
    ["stack on a new dim 1", (x) => stackA([x, mul(x, 2), relu(x)], 1), [2, 3, 4, 5], ["Concat", "Reshape"], true],
    [
      "split sections, reordered by cat",
      (x) => {
        const [a, b, c] = splitA(x, [1, 2, 2], 1);
        return catA([c, a, b], 1);
      },
      [2, 5, 3, 3],
      ["Slice", "Concat"],
      true,
    ],
    [
      "chunk, pieces summed",
      (x) => {
        const [a, b] = chunkA(x, 2, -1);
        return add(a, b);
      },
      [2, 3, 4, 6],
      ["Slice"],
      true,
    ],
    ["narrow, negative start", (x) => narrowA(x, 2, -3, 2), [2, 3, 5, 5], ["Slice"], true],
  ];
  for (const [name, fn, shape, ops, dynamic] of cases) {
    it(name, async () => {
      const x = randn(shape) as unknown as AnyTensor;
      const r = await runBoth(fn, x);
      expect(r.onnxShape).toEqual(r.shape);
      // Concat and Slice move values: equal exactly.
      expect(r.maxAbsDiff).toBe(0);
      const types = traceOnnx(fn, shape).graph.nodes.map((n) => n.opType);
      for (const op of ops) expect(types).toContain(op);
      if (dynamic) {
        const bigger = randn([shape[0] + 3, ...shape.slice(1)]) as unknown as AnyTensor;
        const d = await runBoth(fn, bigger, { dynamicBatch: true }, shape);
        expect(d.onnxShape).toEqual(d.shape);
        expect(d.maxAbsDiff).toBe(0);
      }
    });
  }
  it("a cut along the batch is refused with dynamicBatch", async () => {
    const x = randn([4, 3]) as unknown as AnyTensor;
    await expect(runBoth((t) => narrowA(t, 0, 1, 2), x, { dynamicBatch: true })).rejects.toThrow(
      /^exportOnnx: dynamicBatch: /,
    );
  });
});
