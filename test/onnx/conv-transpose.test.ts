/**
 * exportOnnx of convTranspose2d: one ConvTranspose node (the conv2dBackInput primitive's rule),
 * run in onnxruntime-node and compared with shapegrad's output, over the golden fixture's
 * configurations (strides, pads, outputPadding below the stride or the dilation, groups, dilation,
 * asymmetric pairs, unbatched input). float32; the bound is relative to the output's magnitude.
 */
import { describe, expect, it } from "vitest";
import { convTranspose2d, manualSeed, randn, type AnyTensor } from "../../src/index.js";
import { traceOnnx } from "../../src/onnx/index.js";
import { runBoth } from "./helpers.js";
import { fixture } from "../ops/convTranspose2d-fixture.js";

const { cases } = fixture;
const convT = convTranspose2d as unknown as (x: AnyTensor, w: AnyTensor, b?: AnyTensor | null, o?: object) => AnyTensor;

describe("exportOnnx: convTranspose2d in onnxruntime", () => {
  manualSeed(21);
  for (const c of cases) {
    it(c.id, async () => {
      const w = randn(c.inputs.weight.shape, { requiresGrad: true }) as unknown as AnyTensor;
      const b = c.inputs.bias ? (randn(c.inputs.bias.shape, { requiresGrad: true }) as unknown as AnyTensor) : null;
      const fn = (x: AnyTensor) => convT(x, w, b, c.args.options);
      const xs = c.inputs.input.shape;
      const r = await runBoth(fn, randn(xs));
      expect(r.onnxShape).toEqual(r.shape);
      expect(r.maxAbsDiff).toBeLessThanOrEqual(2e-5 * Math.max(1, r.scale));
      expect(traceOnnx(fn, xs).graph.nodes.map((n) => n.opType)).toContain("ConvTranspose");
    });
  }
});
