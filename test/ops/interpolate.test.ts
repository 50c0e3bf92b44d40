/**
 * interpolate against PyTorch's goldens (test/fixtures/ops/interpolate.json, docs/goldens-ops.md):
 * values, first- and second-order gradients, float32 cases, the refused configurations; finite
 * differences; compile-time shape equals run-time shape.
 */
import { describe, expect, it } from "vitest";
import { gradients, interpolate, mul, nn, randn, sum, tensor, zeros, type AnyTensor } from "../../src/index.js";
import { interpolateErrors } from "../../types/errors.js";
import { type GoldenTensor, expectClose, goldenTensor, readOpsGolden } from "../helpers/goldens.js";
import { gradcheck } from "../helpers/gradcheck.js";

type Data = GoldenTensor;
interface Case {
  id: string;
  dtype: "float32" | "float64";
  inputs: { input: Data };
  args: { options: Record<string, unknown> };
  output: Data;
  gy?: Data;
  grads?: { input: Data };
  double?: { v: { input: Data }; grads: { input: Data; gy: Data } };
}
interface ErrorCase {
  id: string;
  inputs: { input: { shape: number[] } };
  args: { options: Record<string, unknown> };
}
const golden = readOpsGolden<{
  cases: Case[];
  float32Cases: Case[];
  errors: ErrorCase[];
}>("interpolate");

const call = interpolate as unknown as (x: AnyTensor, o: unknown) => AnyTensor;
const make = goldenTensor;

const close = expectClose;

describe("interpolate: PyTorch goldens, float64", () => {
  it("has the cases the docs count", () => {
    expect([golden.cases.length, golden.float32Cases.length, golden.errors.length]).toEqual([40, 4, 9]);
  });
  for (const c of golden.cases) {
    it(c.id, () => {
      const x = make(c.inputs.input, "float64").requiresGrad_(true);
      const y = call(x, c.args.options);
      close(y, c.output, 1e-12);
      const gy = make(c.gy!, "float64").requiresGrad_(true);
      const [gx] = gradients(y, [x], { seeds: [gy], createGraph: c.double !== undefined });
      close(gx, c.grads!.input, 1e-12);
      if (c.double) {
        const v = make(c.double.v.input, "float64");
        const [ggx, ggy] = gradients(sum(mul(gx, v)), [x, gy]);
        close(ggx, c.double.grads.input, 1e-12);
        close(ggy, c.double.grads.gy, 1e-12);
      }
    });
  }
});

describe("interpolate: PyTorch goldens, float32", () => {
  for (const c of golden.float32Cases) {
    it(c.id, () => {
      const y = call(make(c.inputs.input, "float32"), c.args.options);
      expect(y.dtype).toBe("float32");
      close(y, c.output, 1e-5);
    });
  }
});

describe("interpolate: the configurations PyTorch refuses throw our catalogued message", () => {
  const expected: Record<string, string> = {
    "size-and-scale-factor": interpolateErrors.sizeAndScale(),
    "neither-size-nor-scale-factor": interpolateErrors.noSizeNorScale(),
    "align-corners-with-nearest": interpolateErrors.alignCornersNearest("true"),
    "align-corners-false-with-nearest": interpolateErrors.alignCornersNearest("false"),
    "size-wrong-length": interpolateErrors.size("[2, 3, 4]"),
    "scale-wrong-length": interpolateErrors.scaleFactor("[2, 2, 2]"),
    "output-zero": interpolateErrors.outputSize(0, 0, 3, 3, "0.25"),
    "bilinear-3d-input": interpolateErrors.rank("[1, 3, 3]"),
    "unknown-mode": interpolateErrors.mode('"bilinear-exact"'),
  };
  for (const e of golden.errors) {
    it(e.id, () => {
      const x = randn(e.inputs.input.shape, { dtype: "float64" });
      expect(() => call(x, e.args.options)).toThrow(expected[e.id]);
    });
  }
  it("refuses bad sizes, scales and inputs by name", () => {
    const x = randn([1, 1, 3, 3]);
    expect(() => call(x, { size: 0 })).toThrow(interpolateErrors.size("0"));
    expect(() => call(x, { size: 2.5 })).toThrow(interpolateErrors.size("2.5"));
    expect(() => call(x, { scaleFactor: -1 })).toThrow(interpolateErrors.scaleFactor("-1"));
    expect(() => call(x, { scaleFactor: Infinity })).toThrow(interpolateErrors.scaleFactor("Infinity"));
    expect(() => call(x, { size: 2, align: true })).toThrow('interpolate: unknown option "align"');
    expect(() => call(x, null)).toThrow("interpolate: options must be an object");
    expect(() => call(tensor([[[[1]]]], { dtype: "int32" }), { size: 2 })).toThrow("interpolate");
  });
});

describe("interpolate: gradients by finite differences", () => {
  const configs = [
    { size: [5, 7], mode: "bilinear" },
    { scaleFactor: 1.5, mode: "bilinear", alignCorners: true },
    { scaleFactor: [0.6, 1.7] },
  ];
  for (const o of configs) {
    it(JSON.stringify(o), () => {
      gradcheck((x) => call(x, o), [randn([2, 3, 4, 5], { dtype: "float64" })]);
    });
  }
});

describe("interpolate: compile-time shape equals run-time shape", () => {
  it("size, integer scale, decimal scale, generic batch", () => {
    const x = randn([2, 3, 4, 5]);
    const a = interpolate(x, { size: [6, 7] });
    const b = interpolate(x, { scaleFactor: 2, mode: "bilinear" });
    const c = interpolate(x, { scaleFactor: [3, 1] });
    const d = interpolate(x, { size: 9, mode: "bilinear", alignCorners: true });
    const e = interpolate(x, { scaleFactor: 1.5 });
    const shapes: [[2, 3, 6, 7], [2, 3, 8, 10], [2, 3, 12, 5], [2, 3, 9, 9], number[]] = [
      a.shape,
      b.shape,
      c.shape,
      d.shape,
      e.shape,
    ];
    expect(shapes).toEqual([
      [2, 3, 6, 7],
      [2, 3, 8, 10],
      [2, 3, 12, 5],
      [2, 3, 9, 9],
      [2, 3, 6, 7],
    ]);
    expect(nn.functional.interpolate).toBe(interpolate);
  });
  it("property: the declared shape of random literal configurations matches", () => {
    // Sizes and integer scales drawn at random; the type-level rule is the runtime's floor(in * s).
    for (let h = 1; h <= 6; h++) {
      for (const s of [1, 2, 3]) {
        const y = call(randn([1, 2, h, 7 - h]), { scaleFactor: s, mode: "bilinear" });
        expect(y.shape).toEqual([1, 2, h * s, (7 - h) * s]);
      }
    }
  });
});

describe("nn.Upsample", () => {
  it("is interpolate with its options, callable without new, typed", () => {
    const x = randn([2, 3, 4, 5], { dtype: "float64" });
    const up = nn.Upsample({ scaleFactor: 2, mode: "bilinear", alignCorners: true });
    const made = new nn.Upsample({ size: [3, 8] });
    const y = up.forward(x);
    const z = made.forward(x);
    const shapes: [[2, 3, 8, 10], [2, 3, 3, 8]] = [y.shape, z.shape];
    expect(shapes).toEqual([
      [2, 3, 8, 10],
      [2, 3, 3, 8],
    ]);
    expect(Array.from(y.dataSync())).toEqual(
      Array.from(interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: true }).dataSync()),
    );
    expect(Array.from(z.dataSync())).toEqual(Array.from(interpolate(x, { size: [3, 8] }).dataSync()));
    expect(nn.Sequential(nn.Upsample({ scaleFactor: 2 }), nn.Upsample({ size: 5 })).forward(x).shape).toEqual([
      2, 3, 5, 5,
    ]);
  });
  it("checks its options at the call, with interpolate's messages", () => {
    const bad = nn.Upsample({ size: 4, mode: "nearest", alignCorners: false } as never);
    expect(() => bad.forward(randn([1, 1, 2, 2]) as never)).toThrow(interpolateErrors.alignCornersNearest("false"));
  });
});

describe("interpolate: calls that cannot work are compile errors too", () => {
  it("both, neither, alignCorners with nearest, 3-D input", () => {
    const x = randn([1, 1, 3, 3]);
    // @ts-expect-error -- both size and scaleFactor
    expect(() => interpolate(x, { size: 4, scaleFactor: 2 })).toThrow(interpolateErrors.sizeAndScale());
    // @ts-expect-error -- neither
    expect(() => interpolate(x, { mode: "bilinear" })).toThrow(interpolateErrors.noSizeNorScale());
    // @ts-expect-error -- alignCorners with nearest
    expect(() => interpolate(x, { size: 4, alignCorners: true })).toThrow(
      interpolateErrors.alignCornersNearest("true"),
    );
    // @ts-expect-error -- 3-D input
    expect(() => interpolate(randn([1, 3, 3]), { size: 4 })).toThrow(interpolateErrors.rank("[1, 3, 3]"));
    // @ts-expect-error -- an empty plane (PyTorch refuses it; the matmul form returned zeros)
    expect(() => interpolate(zeros([1, 2, 0, 3]), { size: 4 })).toThrow(interpolateErrors.emptyInput(0, 3));
    // @ts-expect-error -- an empty plane, with a scale
    expect(() => interpolate(zeros([1, 2, 5, 0]), { scaleFactor: 2 })).toThrow(interpolateErrors.emptyInput(5, 0));
    // @ts-expect-error -- no channels (torch 1.13: "Non-empty 4D data tensor expected but got a tensor with sizes [2, 0, 3, 3]")
    expect(() => interpolate(zeros([2, 0, 3, 3]), { size: 4 })).toThrow(interpolateErrors.channels("[2, 0, 3, 3]"));
    // @ts-expect-error -- no channels and no batch, checked before a scale's output size (torch checks it after)
    expect(() => interpolate(zeros([0, 0, 4, 4]), { scaleFactor: 0.1, mode: "bilinear" })).toThrow(
      interpolateErrors.channels("[0, 0, 4, 4]"),
    );
    // an empty batch is PyTorch's empty result, its gradient empty too
    const none = zeros([0, 3, 4, 4], { dtype: "float64" }).requiresGrad_(true);
    const [g] = gradients(sum(interpolate(none, { scaleFactor: 2, mode: "bilinear" })), [none]);
    expect([...g.shape]).toEqual([0, 3, 4, 4]);
    const batchless = interpolate(zeros([0, 2, 3, 3]), { size: 4, mode: "bilinear" });
    const empty: [0, 2, 4, 4] = batchless.shape;
    expect(empty).toEqual([0, 2, 4, 4]);
  });
});
