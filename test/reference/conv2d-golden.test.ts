/**
 * The reference conv2d family against PyTorch: every case of the committed golden fixtures, the
 * output and the gradients of sum(y * gy) in x, w and b, in float64 and float32.
 * Error measure: see relError in helpers.ts (max abs difference over max(1, max |reference|)).
 */
import { describe, expect, it } from "vitest";
import { conv2dForward } from "../../src/backends/cpu/reference/index.js";
import { type ConvCase, type ConvFixture, decode, planConv, readFixture, relError, runConv } from "./helpers.js";

const FLOAT64_TOL = 1e-9;
const FLOAT32_TOL = 2e-4;

function check(c: ConvCase, toArray: (a: Float64Array) => Float32Array | Float64Array, tol: number): void {
  const xShape = c.x.shape;
  const plan = planConv(xShape, c.w.shape, c);
  expect([plan.conv.batch, plan.conv.outChannels, plan.conv.outHeight, plan.conv.outWidth]).toEqual(c.y.shape);
  const got = runConv(
    plan,
    toArray(decode(c.x)),
    toArray(decode(c.w)),
    c.b ? toArray(decode(c.b)) : null,
    toArray(decode(c.gy)),
  );
  const errors = {
    y: relError(got.y, decode(c.y)),
    gx: relError(got.gx, decode(c.gx)),
    gw: relError(got.gw, decode(c.gw)),
    gb: c.gb && got.gb ? relError(got.gb, decode(c.gb)) : 0,
  };
  expect(Boolean(c.gb)).toBe(Boolean(got.gb));
  for (const [name, err] of Object.entries(errors)) {
    expect(err, `${c.id} ${name}`).toBeLessThanOrEqual(tol);
  }
}

const fixtures = ["conv2d-torch.json", "conv2d-torch-big.json"] as const;

for (const file of fixtures) {
  describe(`reference conv2d vs PyTorch: ${file}`, () => {
    const fixture = readFixture<ConvFixture>(file);
    it("has cases", () => {
      expect(fixture.cases.length).toBeGreaterThan(0);
    });
    it("float64, relative error <= 1e-9", () => {
      for (const c of fixture.cases) check(c, (a) => a, FLOAT64_TOL);
    });
    it("float32, relative error <= 2e-4", () => {
      for (const c of fixture.cases) check(c, (a) => Float32Array.from(a), FLOAT32_TOL);
    });
  });
}

interface InvalidConfig {
  reason: string;
  config: {
    n: number;
    cin: number;
    cout: number;
    h: number;
    w: number;
    kh: number;
    kw: number;
    stride: [number, number];
    dilation: [number, number];
    groups: number;
    padding: ConvCase["padding"];
    mode: ConvCase["paddingMode"];
  };
  outSize: [number, number];
}

describe("reference conv2d on PyTorch's invalid configurations", () => {
  const { invalid } = readFixture<{ invalid: InvalidConfig[] }>("conv2d-torch.json");
  it("computes the same non-positive output size and refuses to run", () => {
    expect(invalid.length).toBeGreaterThan(0);
    for (const { config: c, outSize } of invalid) {
      const plan = planConv([c.n, c.cin, c.h, c.w], [c.cout, c.cin / c.groups, c.kh, c.kw], {
        ...c,
        paddingMode: "zeros",
      });
      expect([plan.conv.outHeight, plan.conv.outWidth]).toEqual(outSize);
      const x = new Float64Array(c.n * c.cin * c.h * c.w);
      const w = new Float64Array(c.cout * (c.cin / c.groups) * c.kh * c.kw);
      expect(() => conv2dForward(plan.conv, x, w)).toThrow(/output size must be positive/);
    }
  });
});
