/**
 * pad in ONNX: Pad (constant with its value, reflect, edge) of the positive pads then a Slice of
 * the negative ones, and circular as the crop then Slice + Concat per dim; run in onnxruntime
 * against shapegrad's forward (float32, the exporter's dtype): equal bit for bit, every cell is a copy.
 */
import { describe, expect, it } from "vitest";
import { pad, randn, type AnyTensor } from "../../src/index.js";
import { runBoth } from "./helpers.js";

const call = pad as unknown as (x: AnyTensor, pads: readonly number[], o: unknown) => AnyTensor;
const configs: [number[], number[], Record<string, unknown>][] = [
  [[2, 3, 4, 5], [1, 2, 3, 0], { value: 1.5 }],
  [[2, 3, 4, 5], [-1, 2, 0, 0, 1, -1], {}],
  [[2, 3, 4, 5], [0, 0, 0, 0, 0, 0, 1, 0], { value: -1 }],
  [[1, 2, 4, 5], [2, -1, 3, 1], { mode: "reflect" }],
  [[2, 3, 6], [5, -3], { mode: "reflect" }],
  [[2, 1, 2, 3], [4, 1, 2, 5], { mode: "replicate" }],
  [[1, 2, 2, 3, 4], [1, -1, 2, 0, 1, 3], { mode: "replicate" }],
  [[1, 2, 4, 5], [-2, 3, 2, -1], { mode: "circular" }],
  [[2, 2, 3, 4, 5], [5, 5, 4, 4, 3, 3], { mode: "circular" }],
];

describe("ONNX export of pad", () => {
  for (const [shape, pads, o] of configs) {
    it(`${JSON.stringify(shape)} ${JSON.stringify(pads)} ${JSON.stringify(o)}`, async () => {
      const r = await runBoth((x: AnyTensor) => call(x, pads, o), randn(shape));
      expect(r.onnxShape).toEqual(r.shape);
      expect(r.maxAbsDiff).toBe(0);
    });
  }
});
