/**
 * Double backward of conv2d from the reference family alone, against PyTorch
 * (test/fixtures/conv2d-torch-double.json: scripts/golden/gen_conv2d.py --double). With P = pad
 * for the padding mode (identity for zeros) and P* its adjoint, the first-order gradients are
 * gx = P*(backInput(gy, w)) and gw = backWeight(P(x), gy); differentiating
 * L2 = <gx, u> + <gw, v> gives, because conv is bilinear,
 *   dL2/dx  = P*(backInput(gy, v))
 *   dL2/dw  = backWeight(P(u), gy)
 *   dL2/dgy = conv(P(u), w) + conv(P(x), v)
 * so the three primitives close under differentiation. Same error measure and bounds as the
 * first-order goldens.
 */
import { describe, expect, it } from "vitest";
import {
  type FloatArray,
  conv2dBackInput,
  conv2dBackWeight,
  conv2dForward,
  pad,
  padAdjoint,
} from "../../src/backends/cpu/reference/index.js";
import { type ConvCase, type FixtureTensor, decode, planConv, readFixture, relError } from "./helpers.js";

interface DoubleCase extends ConvCase {
  u: FixtureTensor;
  v: FixtureTensor;
  ggx: FixtureTensor;
  ggw: FixtureTensor;
  ggy: FixtureTensor;
}

function secondOrder<F extends FloatArray>(c: DoubleCase, of: (a: Float64Array) => F): { ggx: F; ggw: F; ggy: F } {
  const plan = planConv(c.x.shape, c.w.shape, c);
  const P = (t: F): F => (plan.pad ? pad(plan.pad, t) : t);
  const Pstar = (t: F): F => (plan.pad ? padAdjoint(plan.pad, t) : t);
  const [x, w, gy, u, v] = [c.x, c.w, c.gy, c.u, c.v].map((t) => of(decode(t)));
  const ggy = conv2dForward(plan.conv, P(u), w);
  const second = conv2dForward(plan.conv, P(x), v);
  for (let i = 0; i < ggy.length; i++) ggy[i] += second[i];
  return { ggx: Pstar(conv2dBackInput(plan.conv, gy, v)), ggw: conv2dBackWeight(plan.conv, P(u), gy), ggy };
}

describe("reference conv2d double backward vs PyTorch", () => {
  const { cases } = readFixture<{ cases: DoubleCase[] }>("conv2d-torch-double.json");
  const dtypes = [
    { name: "float64", of: (a: Float64Array): FloatArray => a, tol: 1e-9 },
    { name: "float32", of: (a: Float64Array): FloatArray => Float32Array.from(a), tol: 2e-4 },
  ];
  it("covers every padding mode", () => {
    expect(new Set(cases.map((c) => c.paddingMode))).toEqual(new Set(["zeros", "reflect", "replicate", "circular"]));
  });
  for (const dt of dtypes) {
    it(`${dt.name}: d/dx, d/dw, d/dgy of <gx, u> + <gw, v>`, () => {
      for (const c of cases) {
        const got = secondOrder(c, dt.of);
        expect(relError(got.ggx, decode(c.ggx)), `${c.id} ggx`).toBeLessThanOrEqual(dt.tol);
        expect(relError(got.ggw, decode(c.ggw)), `${c.id} ggw`).toBeLessThanOrEqual(dt.tol);
        expect(relError(got.ggy, decode(c.ggy)), `${c.id} ggy`).toBeLessThanOrEqual(dt.tol);
      }
    });
  }
});
