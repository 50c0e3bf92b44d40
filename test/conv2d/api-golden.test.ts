/**
 * PyTorch's conv2d through the public API: `tensor`, `conv2d`, `backward`, `.grad`, exactly as a
 * user calls them, in float64 (<= 1e-9) and float32 (<= 2e-4), plus PyTorch's double-backward
 * numbers through `gradients(..., { createGraph: true })`. The kernels alone are tested in
 * test/reference; this proves the option parsing, padding modes, bias and autograd wiring.
 */
import { describe, expect, it } from "vitest";
import { conv2d, gradients, mul, sum, tensor, type AnyTensor } from "../../src/index.js";
import { type ConvCase, type ConvFixture, decode, readFixture, relError } from "../reference/helpers.js";

type Options = Parameters<typeof conv2d>[3];

function optionsOf(c: ConvCase): Options {
  return {
    stride: c.stride,
    padding: c.padding,
    dilation: c.dilation,
    groups: c.groups,
    paddingMode: c.paddingMode,
  };
}

function leaf(t: ConvCase["x"], dtype: "float32" | "float64"): AnyTensor {
  return tensor(decode(t), { shape: t.shape, dtype, requiresGrad: true });
}

function check(c: ConvCase, dtype: "float32" | "float64", tol: number): void {
  const x = leaf(c.x, dtype),
    w = leaf(c.w, dtype),
    b = c.b ? leaf(c.b, dtype) : null;
  const y = (conv2d as (...a: unknown[]) => AnyTensor)(x, w, b, optionsOf(c));
  expect(y.shape).toEqual(c.y.shape);
  expect(relError(y.dataSync(), decode(c.y)), `${c.id} y`).toBeLessThanOrEqual(tol);
  y.backward(tensor(decode(c.gy), { shape: c.gy.shape, dtype }));
  expect(relError(x.grad!.dataSync(), decode(c.gx)), `${c.id} gx`).toBeLessThanOrEqual(tol);
  expect(relError(w.grad!.dataSync(), decode(c.gw)), `${c.id} gw`).toBeLessThanOrEqual(tol);
  if (b && c.gb) expect(relError(b.grad!.dataSync(), decode(c.gb)), `${c.id} gb`).toBeLessThanOrEqual(tol);
}

const fixtures = ["conv2d-torch.json", "conv2d-torch-big.json"].map((f) => readFixture<ConvFixture>(f));

describe.each(fixtures.map((f, i) => [["original 150", "larger generated"][i], f] as const))(
  "PyTorch conv2d cases (%s) through the public API",
  (_name, fixture) => {
    it("float64, relative error <= 1e-9", () => {
      for (const c of fixture.cases) check(c, "float64", 1e-9);
    });
    it("float32, relative error <= 2e-4", () => {
      for (const c of fixture.cases) check(c, "float32", 2e-4);
    });
  },
);

interface DoubleCase extends ConvCase {
  u: ConvCase["x"];
  v: ConvCase["x"];
  ggx: ConvCase["x"];
  ggw: ConvCase["x"];
  ggy: ConvCase["x"];
}

describe("double backward matches PyTorch", () => {
  const fixture = readFixture<{ cases: DoubleCase[] }>("conv2d-torch-double.json");
  it("d/d(x, w, gy) of sum(gx*u) + sum(gw*v), float64 <= 1e-9", () => {
    for (const c of fixture.cases) {
      const x = leaf(c.x, "float64"),
        w = leaf(c.w, "float64"),
        gy = leaf(c.gy, "float64");
      const b = c.b ? leaf(c.b, "float64") : null;
      const y = (conv2d as (...a: unknown[]) => AnyTensor)(x, w, b, optionsOf(c));
      const [gx, gw] = gradients(y, [x, w], { seeds: [gy], createGraph: true });
      const u = tensor(decode(c.u), { shape: c.u.shape, dtype: "float64" });
      const v = tensor(decode(c.v), { shape: c.v.shape, dtype: "float64" });
      const l2 = sum(mul(gx, u)).add(sum(mul(gw, v)));
      const [ggx, ggw, ggy] = gradients(l2, [x, w, gy]);
      expect(relError(ggx.dataSync(), decode(c.ggx)), `${c.id} ggx`).toBeLessThanOrEqual(1e-9);
      expect(relError(ggw.dataSync(), decode(c.ggw)), `${c.id} ggw`).toBeLessThanOrEqual(1e-9);
      expect(relError(ggy.dataSync(), decode(c.ggy)), `${c.id} ggy`).toBeLessThanOrEqual(1e-9);
    }
  });
});

describe("unbatched input", () => {
  it("[C, H, W] gives [C_out, H_out, W_out] equal to the batched result", () => {
    const c = fixtures[0].cases.find((k) => k.x.shape[0] === 1)!;
    const x = tensor(decode(c.x), { shape: c.x.shape.slice(1), dtype: "float64", requiresGrad: true });
    const w = leaf(c.w, "float64");
    const y = (conv2d as (...a: unknown[]) => AnyTensor)(x, w, null, optionsOf(c));
    expect(y.shape).toEqual(c.y.shape.slice(1));
    y.backward();
    expect(x.grad!.shape).toEqual(c.x.shape.slice(1));
  });
});
