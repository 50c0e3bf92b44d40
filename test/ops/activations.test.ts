/**
 * silu, hardswish, hardsigmoid, relu6, dropout2d and gelu against PyTorch (test/fixtures/ops/*.json,
 * docs/goldens-ops.md): float64 outputs, first-order gradients (the kinks take PyTorch's side),
 * double backward where recorded, float32 outputs, the layers, finite differences away from the
 * kinks, and dropout2d's channel structure under a fixed seed.
 */
import { describe, expect, it } from "vitest";
import { gradients, manualSeed, mul, sum, tensor, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import { gradcheck } from "../helpers/gradcheck.js";
import { expectEachClose, goldenTensor, readOpsGolden, type GoldenTensor as Enc } from "../helpers/goldens.js";

interface Case {
  id: string;
  dtype: "float64" | "float32";
  inputs: { x: Enc };
  args: { p?: number; training?: boolean };
  output: Enc;
  gy?: Enc;
  grads?: { x: Enc };
  double?: { v: { x: Enc }; grads: { x: Enc; gy: Enc } };
  layer?: { class: string; args: number[]; mode?: "train" | "eval" };
}
interface Golden {
  signature: string[];
  cases: Case[];
  float32Cases: Case[];
  errors: { id: string; inputs: { x: { shape: number[] } }; args: { p: number; training: boolean } }[];
}

const load = (op: string) => readOpsGolden<Golden>(op);

const F = nn.functional as unknown as Record<string, (x: AnyTensor, ...args: unknown[]) => AnyTensor>;
const layers = nn as unknown as Record<
  string,
  (...args: unknown[]) => { forward(x: AnyTensor): unknown; train(on?: boolean): unknown }
>;

const t64 = (e: Enc, requiresGrad = false): AnyTensor => goldenTensor(e, "float64", { requiresGrad });
const t32 = (e: Enc): AnyTensor => goldenTensor(e, "float32");

function expectClose(actual: AnyTensor | null | undefined, expected: Enc, tol: number, label: string): void {
  expect(actual, `${label}: missing`).toBeTruthy();
  expectEachClose(actual!.dataSync(), actual!.shape, expected, tol, label);
}

/**
 * PyTorch 1.13's hardsigmoid_backward multiplies by `1.0f / 6.0f`, a float32 constant, even in
 * float64 (a relative 4e-8 off); ours is the exact 1/6 of the forward's division, so the golden
 * gradient is rescaled by (1/6) / fround(1/6) and then compared to 1e-12 as every other.
 */
const exactSixth = (e: Enc): Enc => ({ shape: e.shape, data: e.data.map((v) => (v * (1 / 6)) / Math.fround(1 / 6)) });

const call = (op: string, c: Case, x: AnyTensor): AnyTensor =>
  op === "dropout2d" ? F.dropout2d(x, c.args.p, c.args.training) : F[op](x);

// gelu (i22-dense): its golden includes ConvNeXt's channels-last [1, 2, 2, 384] input.
for (const op of ["silu", "hardswish", "hardsigmoid", "relu6", "dropout2d", "gelu"]) {
  const g = load(op);
  describe(`${op} vs PyTorch`, () => {
    it("has the documented signature and cases", () => {
      expect(g.signature[0]).toBe("x");
      expect(g.cases.length).toBeGreaterThanOrEqual(10);
    });
    for (const c of g.cases) {
      it(`${c.id}: output, gradient${c.double ? ", double backward" : ""}`, () => {
        const x = t64(c.inputs.x, true);
        const y = call(op, c, x);
        expectClose(y, c.output, 1e-12, "output");
        const gy = t64(c.gy!, true);
        const [gx] = gradients(y, [x], { seeds: [gy], createGraph: true });
        expectClose(gx, op === "hardsigmoid" ? exactSixth(c.grads!.x) : c.grads!.x, 1e-12, "grad x");
        if (c.double) {
          const s = sum(mul(gx, t64(c.double.v.x)));
          const [ggx, ggy] = gradients(s, [x, gy]);
          expectClose(ggx, c.double.grads.x, 1e-12, "double grad x");
          expectClose(ggy, c.double.grads.gy, 1e-12, "double grad gy");
        }
      });
      if (c.layer) {
        it(`${c.id}: ${c.layer.class}`, () => {
          const layer = layers[c.layer!.class.replace("nn.", "")](...c.layer!.args);
          if (c.layer!.mode) layer.train(c.layer!.mode === "train");
          expectClose(layer.forward(t64(c.inputs.x)) as AnyTensor, c.output, 1e-12, "layer output");
        });
      }
    }
    for (const c of g.float32Cases) {
      it(c.id, () => {
        const y = call(op, c, t32(c.inputs.x));
        expect(y.dtype).toBe("float32");
        expectClose(y, c.output, 1e-6, "float32 output");
      });
    }
    for (const e of g.errors) {
      it(`refuses ${e.id}`, () => {
        const x = tensor(new Float64Array(e.inputs.x.shape.reduce((a, b) => a * b, 1)), {
          shape: e.inputs.x.shape,
          dtype: "float64",
        });
        expect(() => F.dropout2d(x, e.args.p, e.args.training)).toThrow(
          `dropout2d: p must be a probability in [0, 1], got ${e.args.p}`,
        );
        expect(() => nn.Dropout2d(e.args.p)).toThrow(`Dropout2d: p must be a probability in [0, 1], got ${e.args.p}`);
      });
    }
  });
}

describe("activations: finite differences away from the kinks", () => {
  // Points of the 1/64 grid shifted by 1/7: none lies on a kink (0, +-3, 6).
  const xs = Float64Array.from({ length: 24 }, (_, i) => (i - 12) * 0.6 + 1 / 7);
  for (const op of ["silu", "hardswish", "hardsigmoid", "relu6", "gelu"]) {
    it(op, () => {
      gradcheck((x) => F[op](x), [tensor(xs, { shape: [4, 6], dtype: "float64" })]);
    });
  }

  it("keep NaN and clamp infinities as PyTorch", () => {
    const x = tensor(Float64Array.from([NaN, Infinity, -Infinity]), { shape: [3], dtype: "float64" });
    expect([...F.relu6(x).dataSync()]).toEqual([NaN, 6, 0]);
    expect([...F.hardsigmoid(x).dataSync()]).toEqual([NaN, 1, 0]);
    expect([...F.hardswish(x).dataSync()].map((v) => (Object.is(v, -0) ? 0 : v))).toEqual([NaN, Infinity, NaN]);
  });

  it("refuse an integer tensor, naming the op", () => {
    const x = tensor(Int32Array.from([1, 2]), { shape: [2], dtype: "int32" });
    for (const op of ["silu", "hardswish", "hardsigmoid", "relu6", "dropout2d"])
      expect(() => F[op](x)).toThrow(`${op}: input must be float32 or float64, got int32`);
  });
});

describe("dropout2d: whole channels, fixed seed", () => {
  it("zeros whole [H, W] planes, scales survivors by 1/(1-p), keeps about 1-p of them", () => {
    manualSeed(21);
    const [n, c, h, w] = [8, 16, 3, 4];
    const data = Float64Array.from({ length: n * c * h * w }, (_, i) => 1 + (i % 7));
    const x = tensor(data, { shape: [n, c, h, w], dtype: "float64", requiresGrad: true });
    const p = 0.25;
    const y = F.dropout2d(x, p, true);
    const out = y.dataSync();
    let kept = 0;
    for (let plane = 0; plane < n * c; plane++) {
      const base = plane * h * w;
      const zero = out[base] === 0;
      if (!zero) kept++;
      for (let k = 0; k < h * w; k++) {
        expect(out[base + k]).toBeCloseTo(zero ? 0 : data[base + k] / (1 - p), 12);
      }
    }
    // 128 channels, keep probability 0.75: the mean is 96, the standard deviation 4.9.
    expect(kept).toBeGreaterThan(96 - 20);
    expect(kept).toBeLessThan(96 + 20);
    expect(kept).toBeLessThan(n * c);
    // The gradient carries the same mask and scale.
    const [gx] = gradients(y, [x]);
    const gd = gx.dataSync();
    for (let i = 0; i < out.length; i++) expect(gd[i]).toBeCloseTo(out[i] === 0 ? 0 : 1 / (1 - p), 12);
    // The same seed, the same channels.
    manualSeed(21);
    expect([...F.dropout2d(x, p, true).dataSync()]).toEqual([...out]);
  });

  it("takes [C, H, W] channels and refuses other ranks", () => {
    manualSeed(3);
    const x = tensor(new Float64Array(64 * 2 * 2).fill(1), { shape: [64, 2, 2], dtype: "float64" });
    const out = F.dropout2d(x, 0.5, true).dataSync();
    for (let ch = 0; ch < 64; ch++) {
      const v = out[ch * 4];
      expect(v === 0 || v === 2).toBe(true);
      for (let k = 1; k < 4; k++) expect(out[ch * 4 + k]).toBe(v);
    }
    const flat = tensor(new Float64Array(6), { shape: [2, 3], dtype: "float64" });
    // The same text as the compile-time rule of nn.Dropout2d (test-d/nn/activations.test-d.ts), in eval mode too.
    const message = "dropout2d: expected input [C, H, W] or [N, C, H, W], got shape [2, 3]";
    expect(() => F.dropout2d(flat, 0.5, true)).toThrow(message);
    expect(() => F.dropout2d(flat, 0.5, false)).toThrow(message);
    const layer = nn.Dropout2d(0.5);
    layer.eval();
    expect(() => layer.forward(flat as never)).toThrow(message);
  });

  it("nn.Dropout2d is the identity in eval mode and is callable without new", () => {
    const layer = nn.Dropout2d(0.5);
    layer.eval();
    const x = tensor(Float64Array.from([1, 2, 3, 4]), { shape: [1, 1, 2, 2], dtype: "float64" });
    expect(layer.forward(x)).toBe(x);
    expect(String(layer)).toContain("p=0.5");
  });
});
