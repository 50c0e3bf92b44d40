/**
 * convTranspose2d against PyTorch (test/fixtures/ops/convTranspose2d.json, docs/goldens-ops.md):
 * float64 outputs, the gradients of input, weight and bias, the double backward, float32 outputs,
 * every configuration PyTorch rejects (with our catalogue's message), float64 finite differences,
 * and the nn.functional export.
 */
import { describe, expect, it } from "vitest";
import { type AnyTensor, convTranspose2d, gradients, mul, sum, tensor, zeros, nn } from "../../src/index.js";
import { conv2dErrors } from "../../types/errors.js";
import { gradcheck } from "../helpers/gradcheck.js";

import { type FixtureTensor as T, fixture } from "./convTranspose2d-fixture.js";

const f64 = (t: T, requiresGrad = false) =>
  tensor(Float64Array.from(t.data), { shape: t.shape, dtype: "float64", requiresGrad });
const f32 = (t: T) => tensor(Float32Array.from(t.data), { shape: t.shape, dtype: "float32" });

function relErr(got: AnyTensor, want: T): number {
  expect(got.shape).toEqual(want.shape);
  const g = got.dataSync();
  let num = 0,
    den = 0;
  for (let i = 0; i < want.data.length; i++) {
    num = Math.max(num, Math.abs(g[i] - want.data[i]));
    den = Math.max(den, Math.abs(want.data[i]));
  }
  return num / Math.max(den, 1e-300);
}

describe("convTranspose2d vs PyTorch", () => {
  it("has the fixture's cases", () => {
    expect(fixture.cases.length).toBe(23);
    expect(fixture.float32Cases.length).toBe(4);
    expect(fixture.errors.length).toBe(12);
  });

  for (const c of fixture.cases) {
    it(`${c.id}: output, gradients and double backward (float64)`, () => {
      const x = f64(c.inputs.input, true);
      const w = f64(c.inputs.weight, true);
      const b = c.inputs.bias ? f64(c.inputs.bias, true) : null;
      const y = convTranspose2d(x, w, b, c.args.options);
      expect(relErr(y, c.output)).toBeLessThan(1e-12);
      if (!c.gy || !c.grads) return;
      const gy = f64(c.gy, true);
      const leaves = b ? [x, w, b] : [x, w];
      const names = b ? ["input", "weight", "bias"] : ["input", "weight"];
      const firsts = gradients([sum(mul(y, gy))], leaves, { createGraph: true });
      names.forEach((n, i) => {
        const want = (c.grads as Record<string, T>)[n];
        expect(relErr(firsts[i], want), `${c.id} d${n}`).toBeLessThan(1e-12);
      });
      if (!c.double) return;
      const v = c.double.v;
      let l2 = sum(mul(firsts[0], f64(v.input)));
      l2 = l2.add(sum(mul(firsts[1], f64(v.weight))));
      if (b) l2 = l2.add(sum(mul(firsts[2], f64(v.bias))));
      const secondNames = [...names, "gy"];
      const seconds = gradients([l2], [...leaves, gy]);
      secondNames.forEach((n, i) => {
        const want = c.double?.grads[n];
        if (!want) return;
        const got = seconds[i] ?? zeros(want.shape, { dtype: "float64" });
        expect(relErr(got, want), `${c.id} second-order d${n}`).toBeLessThan(1e-12);
      });
    });
  }

  for (const c of fixture.float32Cases) {
    it(`${c.id}: float32 output`, () => {
      const y = convTranspose2d(
        f32(c.inputs.input),
        f32(c.inputs.weight),
        c.inputs.bias ? f32(c.inputs.bias) : null,
        c.args.options,
      );
      expect(y.dtype).toBe("float32");
      expect(relErr(y, c.output)).toBeLessThan(1e-5);
    });
  }

  for (const e of fixture.errors) {
    it(`refuses ${e.id} with a catalogue message`, () => {
      const make = (s: { shape: number[] }) => zeros(s.shape, { dtype: "float64" });
      const call = () =>
        convTranspose2d(
          make(e.inputs.input),
          make(e.inputs.weight),
          e.inputs.bias ? make(e.inputs.bias) : null,
          e.args.options,
        );
      expect(call).toThrow(/^convTranspose2d: /);
    });
  }
});

describe("convTranspose2d messages", () => {
  // Every call below is a compile error too, with the same text (test-d/messages/conv-transpose.ts):
  // the run time is reached through the untyped form.
  const untyped = convTranspose2d as (...args: unknown[]) => AnyTensor;
  const x = zeros([1, 2, 3, 3], { dtype: "float64" });
  const w = zeros([2, 2, 3, 3], { dtype: "float64" });
  it("names the rule and the numbers", () => {
    expect(() => untyped(x, w, null, { stride: 2, outputPadding: 2 })).toThrow(
      conv2dErrors.transposeOutputPadding("[2, 2]", "[2, 2]", "[1, 1]"),
    );
    expect(() => untyped(zeros([1, 4, 3, 3], { dtype: "float64" }), zeros([3, 2, 3, 3], { dtype: "float64" }))).toThrow(
      conv2dErrors.transposeChannelMismatch(4, 3, "[3, 2, 3, 3]"),
    );
    expect(() => untyped(x, w, zeros([3], { dtype: "float64" }))).toThrow(conv2dErrors.transposeBiasShape(2, "[3]"));
    expect(() =>
      untyped(zeros([1, 2, 1, 1], { dtype: "float64" }), zeros([2, 2, 1, 1], { dtype: "float64" }), null, {
        padding: 1,
      }),
    ).toThrow(conv2dErrors.transposeOutputSize("[-1, -1]", "[1, 1]", "[1, 1]", "[1, 1]"));
    expect(() => untyped(x, w, null, { groups: 0 })).toThrow(conv2dErrors.transposeGroups("0"));
    expect(() => untyped(x, w, null, { padding: -1 })).toThrow(conv2dErrors.transposePadOption("padding", "-1"));
    expect(() => untyped(x, w, null, { outputPadding: [1] })).toThrow(
      conv2dErrors.transposePadOption("outputPadding", "[1]"),
    );
    expect(() => untyped(x, w, null, { stride: 0 })).toThrow(conv2dErrors.transposePairOption("stride", "0"));
    expect(() => untyped(x, w, null, { dilation: 0 })).toThrow(conv2dErrors.transposePairOption("dilation", "0"));
    expect(() => untyped(x, w, null, { strides: 2 })).toThrow(conv2dErrors.transposeUnknownOption('"strides"'));
    expect(() =>
      untyped(zeros([1, 3, 3, 3], { dtype: "float64" }), zeros([3, 2, 3, 3], { dtype: "float64" }), null, {
        groups: 2,
      }),
    ).toThrow(conv2dErrors.transposeGroupsDivide(3, 2));
    expect(() => untyped(x, zeros([2, 3, 3], { dtype: "float64" }))).toThrow(
      conv2dErrors.transposeWeightRank(3, "[2, 3, 3]"),
    );
    expect(() => untyped(x, zeros([2, 2, 3, 3], { dtype: "float32" }))).toThrow(
      conv2dErrors.transposeDtypeMismatch("weight", "float32", "float64"),
    );
  });
  it("is in nn.functional", () => expect(nn.functional.convTranspose2d).toBe(convTranspose2d));
});

describe("convTranspose2d gradients by finite differences (float64)", () => {
  const r = (shape: number[], k: number) =>
    tensor(
      Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.7 + k)),
      { shape, dtype: "float64" },
    );
  it("stride 2, padding 1, outputPadding 1, groups 2, dilation 2, with bias", () => {
    gradcheck(
      (x, w, b) => convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 2 }),
      [r([2, 4, 3, 3], 1), r([4, 1, 3, 3], 2), r([2], 3)],
    );
  });
  it("unbatched, asymmetric options", () => {
    gradcheck(
      (x, w) => convTranspose2d(x, w, null, { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0] }),
      [r([2, 3, 4], 4), r([2, 3, 3, 2], 5)],
    );
  });
});
