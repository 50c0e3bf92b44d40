/**
 * Numerics (issue 8, item 3).
 *
 * 1. NaN and +-Infinity propagate exactly as in PyTorch (goldens from torch 1.13, float64, in
 *    fixtures/nonfinite-torch.json; regenerate with fixtures/gen_nonfinite.py). The behaviour they
 *    pin down, written out:
 *      - relu(NaN) = NaN, relu(inf) = inf, relu(-inf) = 0; its gradient passes g where relu(x) is
 *        positive or NaN and is 0 elsewhere, even for an infinite or NaN g (threshold_backward);
 *      - maximum's gradient: g to the larger operand, g / 2 to each on a tie, g to both where either
 *        is NaN, and 0 to the smaller one whatever g is;
 *      - sum/mean: any NaN, or both +inf and -inf, give NaN; one kind of infinity gives it;
 *      - max (amax): NaN wins over everything; +inf wins over finite values;
 *      - matmul / conv2d: each output reading a NaN or an infinity is non-finite (0 * inf = NaN,
 *        inf + -inf = NaN), every other output stays finite and exact;
 *      - maxPool2d: a NaN in a window makes that output NaN; padding never wins over -inf.
 *    Both float64 and float32 (where the fast WebAssembly kernels serve conv2d and matmul) must
 *    reproduce the pattern of NaN / +inf / -inf element for element.
 * 2. float32 conv2d with long reductions (C kH kW = 4,608, 9,216 and 12,544) against a float64
 *    reference computed here from the same float32-rounded inputs: every output within
 *    TOL_LONG = 1e-6 times sum |x w| of the reference (a bound stated on the sum of absolute
 *    terms, the quantity rounding error scales with).
 * 3. softmax / logSoftmax / crossEntropy stay finite and exact for logits of +-1e4.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as sg from "../../src/index.js";

type Encoded = number | "nan" | "inf" | "-inf";
interface Case {
  op: string;
  inputs: { shape: number[]; data: Encoded[] }[];
  params: Record<string, unknown>;
  shape: number[];
  output: Encoded[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/nonfinite-torch.json", import.meta.url), "utf8")) as {
  cases: Case[];
};
const decode = (v: Encoded): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);

/** conv2d without its literal-shape signature: the shapes here come from JSON. */
const untypedConv2d = sg.conv2d as unknown as (
  x: sg.AnyTensor,
  w: sg.AnyTensor,
  b: sg.AnyTensor | null,
  o: object,
) => sg.AnyTensor;

function run(c: Case, dtype: "float32" | "float64"): sg.AnyTensor {
  const [x, y, z] = c.inputs.map((i) => sg.tensor(i.data.map(decode), { shape: i.shape, dtype }));
  const leaf = (t: sg.AnyTensor) => sg.tensor(t.dataSync(), { shape: t.shape, dtype, requiresGrad: true });
  const p = c.params as {
    dims?: number[];
    kernelSize?: number;
    stride?: number;
    padding?: number;
    paddingMode?: "zeros";
  };
  switch (c.op) {
    case "relu":
      return sg.relu(x);
    case "sum":
      return sg.sum(x, p.dims);
    case "max":
      return sg.max(x, p.dims);
    case "mean":
      return sg.mean(x, p.dims);
    case "matmul":
      return sg.matmul(x, y);
    case "maxPool2d":
      return sg.maxPool2d(x, { kernelSize: p.kernelSize!, stride: p.stride, padding: p.padding });
    case "conv2d":
      return untypedConv2d(x, y, null, { padding: p.padding, paddingMode: p.paddingMode });
    case "reluGrad": {
      const a = leaf(x);
      return sg.gradients(sg.relu(a), [a], { seeds: [y] })[0];
    }
    case "maximumGradA":
    case "maximumGradB": {
      const a = leaf(x),
        b = leaf(y);
      return sg.gradients(sg.maximum(a, b), [a, b], { seeds: [z] })[c.op === "maximumGradA" ? 0 : 1];
    }
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

describe("NaN and Infinity propagate as in PyTorch", () => {
  for (const dtype of ["float64", "float32"] as const) {
    it(`${fixture.cases.length} golden cases, ${dtype}`, () => {
      const tol = dtype === "float64" ? 1e-12 : 2e-5;
      for (const c of fixture.cases) {
        const out = run(c, dtype);
        expect([...out.shape], c.op).toEqual(c.shape);
        const got = out.dataSync();
        c.output.forEach((e, i) => {
          const want = decode(e);
          const where = `${c.op} ${JSON.stringify(c.params)} element ${i}: got ${got[i]}, PyTorch ${want}`;
          if (Number.isNaN(want)) expect(Number.isNaN(got[i]), where).toBe(true);
          else if (!Number.isFinite(want)) expect(got[i], where).toBe(want);
          else expect(Math.abs(got[i] - want), where).toBeLessThanOrEqual(tol * (1 + Math.abs(want)));
        });
      }
    });
  }
});

/** Uniform on [-1, 1) from a 32-bit LCG (Numerical Recipes constants): reproducible, no library. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/**
 * Stated tolerance for float32 dot products of length n <= 12,544: |y32 - y64| <= TOL_LONG * sum|x w|.
 * The worst case of recursive float32 summation is n u sum|x w| (u = 2^-24), 7.5e-4 at n = 12,544;
 * the fast kernels' blocked sums measure ~7e-8 here (2026-11, all three sizes). 1e-6 leaves a
 * 14x margin for another summation order and still catches a dropped or doubled term (an error
 * of about sum|x w| / n >= 8e-5).
 */
const TOL_LONG = 1e-6;

describe("float32 conv2d with long reductions stays close to float64", () => {
  const shapes: [number, number, number][] = [
    [512, 3, 3],
    [1024, 3, 3],
    [256, 7, 7],
  ];
  for (const [c, k] of shapes) {
    it(`C ${c}, kernel ${k}x${k}: C kH kW = ${c * k * k}`, () => {
      const rand = lcg(c * 31 + k);
      const H = k + 3,
        O = 4;
      const x32 = Float32Array.from({ length: c * H * H }, rand);
      const w32 = Float32Array.from({ length: O * c * k * k }, rand);
      const y = sg.conv2d(sg.tensor(x32, { shape: [1, c, H, H] }), sg.tensor(w32, { shape: [O, c, k, k] })).dataSync();
      const oh = H - k + 1;
      let worst = 0;
      for (let o = 0; o < O; o++) {
        for (let i = 0; i < oh; i++) {
          for (let j = 0; j < oh; j++) {
            let ref = 0,
              mag = 0;
            for (let ch = 0; ch < c; ch++) {
              for (let a = 0; a < k; a++) {
                for (let b = 0; b < k; b++) {
                  const term = x32[(ch * H + i + a) * H + j + b] * w32[((o * c + ch) * k + a) * k + b];
                  ref += term;
                  mag += Math.abs(term);
                }
              }
            }
            const got = y[(o * oh + i) * oh + j];
            expect(Number.isFinite(got)).toBe(true);
            worst = Math.max(worst, Math.abs(got - ref) / mag);
          }
        }
      }
      console.log(
        `conv2d float32 C kH kW = ${c * k * k}: worst error / sum|x w| = ${worst.toExponential(2)} (tolerance ${TOL_LONG})`,
      );
      expect(worst).toBeLessThanOrEqual(TOL_LONG);
    });
  }
});

describe("softmax and cross-entropy at logits of +-1e4", () => {
  const F = sg.nn.functional;
  const logits = [
    [1e4, -1e4, 0],
    [-1e4, -1e4, -1e4],
    [1e4, 1e4, -1e4],
  ];
  for (const dtype of ["float32", "float64"] as const) {
    it(`finite and exact, ${dtype}`, () => {
      const z = sg.tensor(logits, { dtype, requiresGrad: true });
      const p = F.softmax(z, -1).dataSync();
      expect([...p]).toEqual(
        [1, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0.5, 0.5, 0].map((v) => (dtype === "float32" ? Math.fround(v) : v)),
      );
      const lp = F.logSoftmax(z, -1).dataSync();
      // log softmax = z - logsumexp(z); logsumexp is 1e4, -1e4 + log 3 and 1e4 + log 2 (the tiny terms vanish).
      const lse = [1e4, -1e4 + Math.log(3), 1e4 + Math.log(2)];
      lp.forEach((v, i) =>
        expect(Math.abs(v - (logits[Math.floor(i / 3)][i % 3] - lse[Math.floor(i / 3)]))).toBeLessThanOrEqual(
          dtype === "float32" ? 2e-3 : 1e-9,
        ),
      );
      const target = sg.tensor([1, 0, 2], { dtype: "int32" });
      const loss = F.crossEntropy(z, target, { reduction: "none" } as never) as sg.AnyTensor;
      const want = [2e4, Math.log(3), 2e4 + Math.log(2)];
      loss
        .dataSync()
        .forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(dtype === "float32" ? 2e-3 : 1e-9));
      sg.sum(loss).backward();
      // d loss / d z = softmax(z) - onehot(target): finite, each row sums to 0.
      const g = z.grad!.dataSync();
      for (const v of g) expect(Number.isFinite(v)).toBe(true);
      expect([...g].map((v) => Math.round(v * 1e6) / 1e6)).toEqual(
        [1, -1, 0, -2 / 3, 1 / 3, 1 / 3, 0.5, 0.5, -1].map((v) => Math.round(v * 1e6) / 1e6),
      );
    });
  }
});
