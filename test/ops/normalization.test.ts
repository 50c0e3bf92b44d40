/**
 * layerNorm and groupNorm against PyTorch (test/fixtures/ops/layerNorm.json, groupNorm.json;
 * docs/goldens-ops.md): float64 outputs, gradients in x, weight and bias, double backward, float32
 * outputs, PyTorch's refusals with our messages; float64 finite differences of the first and
 * second order; the ConvNeXt path (LayerNorm over the channels of an NCHW tensor via NHWC).
 */
import { describe, expect, it } from "vitest";
import { add, grad, gradients, mul, permute, sum, tensor, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { gradcheck, randomArray, seededRng } from "../helpers/gradcheck.js";
import { expectClose, fixtures, fromFixture, type FixtureTensor, type NormCase } from "./normalization-fixture.js";

type Norm = (x: AnyTensor, arg: unknown, w?: AnyTensor | null, b?: AnyTensor | null, eps?: number) => AnyTensor;
const F = nn.functional as unknown as { layerNorm: Norm; groupNorm: Norm };
const PARAMS = ["x", "weight", "bias"] as const;

function call(op: "layerNorm" | "groupNorm", c: NormCase, ins: Record<string, AnyTensor | null>): AnyTensor {
  const arg = op === "layerNorm" ? c.args.normalizedShape : c.args.numGroups;
  return F[op](ins.x!, arg, ins.weight, ins.bias, c.args.eps);
}
const close = (t: AnyTensor | undefined, e: FixtureTensor, tol: number, label: string) => {
  expect(t, `${label}: missing`).toBeTruthy();
  expectClose(t!.dataSync(), t!.shape, e, tol, label);
};

for (const op of ["layerNorm", "groupNorm"] as const) {
  const g = fixtures[op];
  describe(`${op} vs PyTorch`, () => {
    it("has the documented signature", () => {
      expect(g.signature).toEqual(["x", op === "layerNorm" ? "normalizedShape" : "numGroups", "weight", "bias", "eps"]);
      expect(g.cases.length).toBeGreaterThanOrEqual(10);
    });
    for (const c of g.cases) {
      it(`${c.id}: output, gradients, double backward`, () => {
        const ins: Record<string, AnyTensor | null> = {};
        for (const k of PARAMS)
          ins[k] = c.inputs[k] ? fromFixture(c.inputs[k], "float64", { requiresGrad: true }) : null;
        const y = call(op, c, ins);
        close(y, c.output, 1e-12, "output");
        const present = PARAMS.filter((k) => ins[k]);
        const gy = fromFixture(c.gy!, "float64", { requiresGrad: true });
        const grads = gradients(
          y,
          present.map((k) => ins[k]!),
          { seeds: [gy], createGraph: true },
        );
        present.forEach((k, i) => close(grads[i], c.grads![k]!, 1e-12, `grad ${k}`));
        // double: the gradient of sum_k sum(grads_k * v_k) in every input and in gy
        const s = present
          .map((k, i) => sum(mul(grads[i], fromFixture(c.double!.v[k]!, "float64"))))
          .reduce((a, b) => add(a, b));
        const second = gradients(s, [...present.map((k) => ins[k]!), gy]);
        [...present, "gy" as const].forEach((k, i) => close(second[i], c.double!.grads[k]!, 1e-11, `double grad ${k}`));
      });
    }
    for (const c of g.float32Cases) {
      it(c.id, () => {
        const ins: Record<string, AnyTensor | null> = {};
        for (const k of PARAMS) ins[k] = c.inputs[k] ? fromFixture(c.inputs[k], "float32") : null;
        const y = call(op, c, ins);
        expect(y.dtype).toBe("float32");
        close(y, c.output, 1e-5, "float32 output");
      });
    }
  });
}

describe("PyTorch's refusals, with our messages", () => {
  const zerosOf = (s: { shape: number[] } | null) =>
    s ? tensor(new Float64Array(s.shape.reduce((a, b) => a * b, 1)), { shape: s.shape, dtype: "float64" }) : null;
  const expected: Record<string, string> = {
    "shape-mismatch": "layerNorm: normalizedShape [3] does not match the last dims of input [2, 3, 4]",
    "shape-longer-than-input": "layerNorm: normalizedShape [2, 3, 4] does not match the last dims of input [3, 4]",
    "weight-mismatch": "layerNorm: weight must have shape [4], got [3]",
    "bias-mismatch": "layerNorm: bias must have shape [4], got [2, 2]",
    "channels-not-divisible": "groupNorm: numGroups 2 does not divide the 5 channels of input [2, 5, 3, 3]",
    "weight-size-mismatch": "groupNorm: weight must have shape [4], got [2]",
    "groups-zero": "groupNorm: numGroups must be a positive integer, got 0",
    "rank-1-input": "groupNorm: expected an input [N, C, ...] of at least 2 dims, got shape [4]",
  };
  for (const op of ["layerNorm", "groupNorm"] as const) {
    for (const e of fixtures[op].errors) {
      it(`${op}: ${e.id}`, () => {
        const arg = op === "layerNorm" ? e.args.normalizedShape : e.args.numGroups;
        expect(expected[e.id], `a message for ${e.id}`).toBeDefined();
        expect(() => F[op](zerosOf(e.inputs.x)!, arg, zerosOf(e.inputs.weight), zerosOf(e.inputs.bias))).toThrow(
          expected[e.id],
        );
      });
    }
  }

  const x = tensor(new Float64Array(24), { shape: [2, 3, 4], dtype: "float64" });
  it.each([
    [[], "layerNorm: normalizedShape must be a positive integer or a non-empty list of them, got []"],
    [0, "layerNorm: normalizedShape must be a positive integer or a non-empty list of them, got 0"],
    [[4.5], "layerNorm: normalizedShape must be a positive integer or a non-empty list of them, got [4.5]"],
    ["4", 'layerNorm: normalizedShape must be a positive integer or a non-empty list of them, got "4"'],
  ])("layerNorm refuses normalizedShape %j", (ns, message) => expect(() => F.layerNorm(x, ns)).toThrow(message));
  it.each([
    [1.5, "groupNorm: numGroups must be a positive integer, got 1.5"],
    [-1, "groupNorm: numGroups must be a positive integer, got -1"],
    [null, "groupNorm: numGroups must be a positive integer, got null"],
  ])("groupNorm refuses numGroups %j", (g, message) => expect(() => F.groupNorm(x, g)).toThrow(message));
  it.each([0, -1e-5, NaN, Infinity])("refuses eps %s", (eps) => {
    expect(() => F.layerNorm(x, 4, null, null, eps)).toThrow(
      `layerNorm: eps must be a positive finite number, got ${eps}`,
    );
    expect(() => F.groupNorm(x, 3, null, null, eps)).toThrow(
      `groupNorm: eps must be a positive finite number, got ${eps}`,
    );
  });
  it("refuses an integer input, a non-tensor and parameters of another dtype", () => {
    const i = tensor([[1, 2]], { dtype: "int32" });
    expect(() => F.layerNorm(i, 2)).toThrow(
      "layerNorm: expected a floating-point tensor (float32 or float64), got int32",
    );
    expect(() => F.groupNorm(i, 1)).toThrow(
      "groupNorm: expected a floating-point tensor (float32 or float64), got int32",
    );
    expect(() => F.layerNorm([1, 2] as unknown as AnyTensor, 2)).toThrow("layerNorm: input must be a Tensor");
    const w32 = tensor(new Float32Array(4), { shape: [4] });
    expect(() => F.layerNorm(x, 4, w32)).toThrow("layerNorm: weight is float32 on cpu but the input is float64 on cpu");
    expect(() => F.groupNorm(x, 3, null, tensor(new Float32Array(3), { shape: [3] }))).toThrow(
      "groupNorm: bias is float32 on cpu but the input is float64 on cpu",
    );
  });
});

describe("finite differences (float64)", () => {
  const rng = seededRng(21);
  const t = (shape: number[]) =>
    tensor(
      randomArray(
        shape.reduce((a, b) => a * b, 1),
        rng,
      ),
      { shape, dtype: "float64" },
    );
  it("layerNorm over the last two dims: x, weight, bias", () => {
    gradcheck((x, w, b) => F.layerNorm(x, [3, 4], w, b), [t([2, 3, 4]), t([3, 4]), t([3, 4])]);
  });
  it("groupNorm on [N, C, H, W]: x, weight, bias", () => {
    gradcheck((x, w, b) => F.groupNorm(x, 2, w, b, 1e-3), [t([2, 4, 2, 3]), t([4]), t([4])]);
  });
  it("second order: the gradient of layerNorm and of groupNorm, differentiated again", () => {
    // grad traces f even under gradcheck's noGrad; <f(x), c> with a fixed cotangent c.
    const dot = (y: AnyTensor, c: AnyTensor) => sum(mul(y, c));
    const wl = t([5]),
      cl = t([2, 5]);
    gradcheck(
      grad((x: AnyTensor) => dot(F.layerNorm(x, 5, wl, null), cl), { createGraph: true }),
      [t([2, 5])],
    );
    const wg = t([6]),
      cg = t([2, 6, 3]);
    gradcheck(
      grad((x: AnyTensor) => dot(F.groupNorm(x, 3, wg, null), cg), { createGraph: true }),
      [t([2, 6, 3])],
    );
  });
});

describe("LayerNorm over the channels of an NCHW tensor (ConvNeXt)", () => {
  it("permute to NHWC, layerNorm(C), permute back: each position normalised over its channels", () => {
    const rng = seededRng(7);
    const [n, c, h, w] = [2, 5, 3, 4];
    const data = randomArray(n * c * h * w, rng);
    const x = tensor(data, { shape: [n, c, h, w], dtype: "float64" });
    const weight = tensor(randomArray(c, rng), { shape: [c], dtype: "float64" });
    const bias = tensor(randomArray(c, rng), { shape: [c], dtype: "float64" });
    const y = permute(F.layerNorm(permute(x, [0, 2, 3, 1]), c, weight, bias), [0, 3, 1, 2]);
    expect(y.shape).toEqual([n, c, h, w]);
    const out = y.dataSync(),
      wd = weight.dataSync(),
      bd = bias.dataSync();
    for (let i = 0; i < n; i++)
      for (let p = 0; p < h * w; p++) {
        const at = (k: number) => (i * c + k) * h * w + p;
        let m = 0;
        for (let k = 0; k < c; k++) m += data[at(k)] / c;
        let v = 0;
        for (let k = 0; k < c; k++) v += (data[at(k)] - m) ** 2 / c;
        for (let k = 0; k < c; k++) {
          const e = ((data[at(k)] - m) / Math.sqrt(v + 1e-5)) * wd[k] + bd[k];
          expect(Math.abs(out[at(k)] - e)).toBeLessThan(1e-12);
        }
      }
    gradcheck((t) => permute(F.layerNorm(permute(t, [0, 2, 3, 1]), c, weight, bias), [0, 3, 1, 2]), [x]);
  });
});
