/**
 * pad against PyTorch's goldens (test/fixtures/ops/pad.json, docs/goldens-ops.md): values and
 * gradients in every mode (negative pads included), float32 cases, the refused configurations;
 * finite differences of first and second order; the adjoint identity over random N-d geometries;
 * compile-time shape equals run-time shape.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gradients, mul, nn, pad, randn, sum, tensor, type AnyTensor } from "../../src/index.js";
import { argumentErrors, padErrors } from "../../types/errors.js";
import { type GoldenTensor, expectClose, goldenTensor, readOpsGolden } from "../helpers/goldens.js";
import { gradcheck, gradgradcheck, randomArray, seededRng } from "../helpers/gradcheck.js";

type Data = GoldenTensor;
interface Case {
  id: string;
  dtype: "float32" | "float64";
  inputs: { x: Data };
  args: { pads: number[]; options?: Record<string, unknown> };
  output: Data;
  gy?: Data;
  grads?: { x: Data };
}
interface ErrorCase {
  id: string;
  inputs: { x: { shape: number[] } };
  args: { pads: number[]; options?: Record<string, unknown> };
}
const golden = readOpsGolden<{
  cases: Case[];
  float32Cases: Case[];
  errors: ErrorCase[];
}>("pad");

const call = pad as unknown as (x: AnyTensor, pads: unknown, o?: unknown) => AnyTensor;
const make = goldenTensor;

const close = expectClose;

describe("pad: PyTorch goldens, float64", () => {
  it("has the cases the docs count", () => {
    expect([golden.cases.length, golden.float32Cases.length, golden.errors.length]).toEqual([25, 4, 11]);
  });
  for (const c of golden.cases) {
    it(c.id, () => {
      const x = make(c.inputs.x, "float64").requiresGrad_(true);
      const y = call(x, c.args.pads, c.args.options);
      close(y, c.output, 1e-12);
      const [gx] = gradients(y, [x], { seeds: [make(c.gy!, "float64")] });
      close(gx, c.grads!.x, 1e-12);
    });
  }
});

describe("pad: PyTorch goldens, float32", () => {
  for (const c of golden.float32Cases) {
    it(c.id, () => {
      const y = call(make(c.inputs.x, "float32"), c.args.pads, c.args.options);
      expect(y.dtype).toBe("float32");
      close(y, c.output, 1e-6);
    });
  }
});

describe("pad: the configurations PyTorch refuses throw our catalogued message", () => {
  const expected: Record<string, string> = {
    "reflect-pad-equals-size": padErrors.reflectLimit(4, 0, 3, 4, "[1, 1, 3, 4]"),
    "reflect-pad-height": padErrors.reflectLimit(0, 3, 2, 3, "[1, 1, 3, 4]"),
    "circular-pad-beyond-size": padErrors.circularLimit(4, 0, 2, 3, "[1, 1, 3, 4]"),
    "odd-length": padErrors.oddLength(3),
    "too-long": padErrors.tooLong(6, "[3, 4]"),
    "constant-crop-below-zero": padErrors.outputSize(-3, -2, 3, 4, -1, "[1, 1, 3, 4]"),
    "reflect-6-on-4d": padErrors.reflectLimit(1, 1, 1, 1, "[1, 1, 4, 5]"),
    "reflect-1d-input": padErrors.modeRank('"reflect"', 2, "[5]"),
    "circular-wrap-beyond-cropped": padErrors.circularLimit(3, -3, 2, 2, "[1, 1, 5]"),
    "reflect-pads-2-on-4d": padErrors.modeRank('"reflect"', 2, "[1, 1, 4, 5]"),
    "unknown-mode": padErrors.mode('"symmetric"'),
  };
  for (const e of golden.errors) {
    it(e.id, () => {
      const x = randn(e.inputs.x.shape, { dtype: "float64" });
      expect(() => call(x, e.args.pads, e.args.options)).toThrow(expected[e.id]);
    });
  }
  it("refuses bad pads, options and inputs by name", () => {
    const x = randn([1, 2, 3]);
    expect(() => call(x, [1.5, 0])).toThrow(padErrors.pads("[1.5, 0]"));
    expect(() => call(x, 2)).toThrow(padErrors.pads("2"));
    expect(() => call(x, [1, 1], { value: "1" })).toThrow(padErrors.value('"1"'));
    expect(() => call(x, [1, 1], { mode: "reflect", value: 2 })).toThrow(padErrors.valueWithMode('"reflect"', "2"));
    expect(() => call(x, [1, 1], { fill: 1 })).toThrow(argumentErrors.unknownOption("pad", '"fill"', "mode, value"));
    expect(() => call(x, [1, 1], 3)).toThrow(argumentErrors.options("pad", "3"));
    expect(() => call(randn([1, 0, 2, 4]), [1, 1, 1, 1], { mode: "replicate" })).toThrow(
      padErrors.emptyDim('"replicate"', "[1, 0, 2, 4]"),
    );
    expect(() => call(randn([2, 0]), [1, 1], { mode: "reflect" })).toThrow(padErrors.emptyDim('"reflect"', "[2, 0]"));
    expect(() => call(tensor([[1, 2]], { dtype: "int32" }), [1, 1])).toThrow("pad: expected a floating-point tensor");
    expect(() => call([1, 2] as never, [1, 1])).toThrow("pad");
  });
  it("accepts what PyTorch accepts at the edges: empty results, empty batches, value 0 with a mode", () => {
    expect(call(randn([1, 1, 3, 4]), [-2, -2]).shape).toEqual([1, 1, 3, 0]);
    expect(call(randn([0, 1, 2, 4]), [1, 1, 1, 1], { mode: "reflect" }).shape).toEqual([0, 1, 4, 6]);
    expect(call(randn([1, 0, 2, 4]), [1, 1, 1, 1], { mode: "circular" }).shape).toEqual([1, 0, 4, 6]);
    expect(call(randn([1, 1, 2, 4]), [1, 1, 0, 0], { mode: "reflect", value: 0 }).shape).toEqual([1, 1, 2, 6]);
    expect(Array.from(call(tensor([[]]), [1, 2], { value: 7 }).dataSync())).toEqual([7, 7, 7]);
    expect(Array.from(call(tensor(3), []).dataSync())).toEqual([3]);
  });
});

describe("pad: gradients by finite differences", () => {
  const configs: [number[], number[], Record<string, unknown>][] = [
    [[2, 3, 4], [1, -2], { value: 0.5 }],
    [[1, 2, 4, 5], [2, -1, 1, 3], { mode: "reflect" }],
    [[2, 3, 4], [4, -1], { mode: "replicate" }],
    [[1, 2, 4, 5], [-2, 1, 3, -1], { mode: "circular" }],
    [[1, 2, 2, 3, 4], [1, 1, 1, 0, 0, 1], { mode: "replicate" }],
    [[2, 3, 2], [1, 0, 0, 1, 1, 1], {}],
  ];
  for (const [shape, pads, o] of configs) {
    it(`${JSON.stringify(shape)} ${JSON.stringify(pads)} ${JSON.stringify(o)}`, () => {
      gradcheck((x) => call(x, pads, o), [randn(shape, { dtype: "float64" })]);
    });
    it(`second order: ${JSON.stringify(shape)} ${JSON.stringify(pads)} ${JSON.stringify(o)}`, () => {
      // f(x) = sum(c * pad(x)^3): padAdjoint's own gradient, pad, against central differences
      const draw = seededRng(5);
      const x0 = tensor(
        randomArray(
          shape.reduce((a, b) => a * b, 1),
          draw,
        ),
        { shape: [...shape], dtype: "float64" },
      ) as AnyTensor;
      gradgradcheck((x) => call(x, pads, o), x0, draw);
    });
  }
});

describe("pad: the adjoint identity <pad(x), g> = <x, padAdjoint(g)> over random N-d geometries", () => {
  const geometry = fc
    .record({
      mode: fc.constantFrom("constant", "reflect", "replicate", "circular"),
      k: fc.integer({ min: 1, max: 3 }),
      batched: fc.boolean(),
      dims: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 5, maxLength: 5 }),
      pads: fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 6, maxLength: 6 }),
    })
    .map(({ mode, k, batched, dims, pads }) => {
      const shape = dims.slice(0, k + (batched ? 2 : 1));
      const p = pads.slice(0, 2 * k).map((v, i) => {
        const n = shape[shape.length - 1 - (i >> 1)];
        // Keep the drawn pads inside PyTorch's limits so most draws are valid; the rest must throw.
        return mode === "reflect" ? Math.min(v, n - 1) : mode === "circular" ? Math.min(v, Math.floor(n / 2)) : v;
      });
      return { mode, shape, pads: p };
    });
  it("holds, and the shape is each dim + before + after", () => {
    fc.assert(
      fc.property(geometry, fc.nat(), ({ mode, shape, pads }, seed) => {
        let y: AnyTensor;
        const draw = seededRng(seed);
        const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
        const x = tensor(randomArray(numel(shape), draw), { shape, dtype: "float64" }).requiresGrad_(true) as AnyTensor;
        try {
          y = call(x, pads, { mode });
        } catch (e) {
          expect((e as Error).message).toMatch(/^pad: /);
          return;
        }
        const expected = shape.map((n, d) => {
          const j = shape.length - 1 - d;
          return 2 * j < pads.length ? n + pads[2 * j] + pads[2 * j + 1] : n;
        });
        expect(y.shape).toEqual(expected);
        const g = tensor(randomArray(numel(y.shape), draw), { shape: y.shape, dtype: "float64" }) as AnyTensor;
        const [gx] = gradients(y, [x], { seeds: [g] });
        const lhs = sum(mul(y, g)).item();
        const rhs = sum(mul(x, gx)).item();
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(lhs)) * 100);
      }),
      { seed: 21, numRuns: 300 },
    );
  });
});

describe("pad: compile-time shape equals run-time shape", () => {
  it("every mode, negative pads, generic batch, nn.functional", () => {
    const x = randn([2, 3, 4, 5]);
    const a = pad(x, [1, 2, 3, 0], { mode: "reflect" });
    const b = pad(x, [-1, 0]);
    const c = pad(x, [0, 0, 0, 0, 1, 0], { value: 3 });
    const d = pad(randn([2, 3, 5]), [2, -1], { mode: "circular" });
    const e = pad(randn([3, 5]), [4, 4], { mode: "replicate" });
    const shapes: [[2, 3, 7, 8], [2, 3, 4, 4], [2, 4, 4, 5], [2, 3, 6], [3, 13]] = [
      a.shape,
      b.shape,
      c.shape,
      d.shape,
      e.shape,
    ];
    expect(shapes).toEqual([
      [2, 3, 7, 8],
      [2, 3, 4, 4],
      [2, 4, 4, 5],
      [2, 3, 6],
      [3, 13],
    ]);
    const generic = <B extends number>(t: ReturnType<typeof randn<[B, 3, 5]>>) => {
      const r: [B, 3, 8] = pad(t, [1, 2], { mode: "reflect" }).shape;
      return r;
    };
    expect(generic(randn([4, 3, 5]))).toEqual([4, 3, 8]);
    expect(nn.functional.pad).toBe(pad);
  });
  it("property: the declared shape of literal configurations matches", () => {
    for (let n = 1; n <= 6; n++) {
      for (const [lo, hi] of [
        [0, 0],
        [1, -1],
        [n - 1, 0],
        [-n, 2],
      ]) {
        const y = call(randn([2, n]), [lo, hi], { mode: lo >= n || hi >= n ? "constant" : "replicate" });
        expect(y.shape).toEqual([2, n + lo + hi]);
      }
    }
  });
});

describe("pad: calls that cannot work are compile errors too", () => {
  it("odd pads, too many pads, reflect limit, crop below zero, mode rank, value with a mode", () => {
    const x = randn([1, 1, 3, 4]);
    // @ts-expect-error -- odd length
    expect(() => pad(x, [1, 1, 1])).toThrow(padErrors.oddLength(3));
    // @ts-expect-error -- too long
    expect(() => pad(randn([3, 4]), [1, 1, 1, 1, 1, 1])).toThrow(padErrors.tooLong(6, "[3, 4]"));
    // @ts-expect-error -- reflect pad >= size
    expect(() => pad(x, [4, 0, 0, 0], { mode: "reflect" })).toThrow(padErrors.reflectLimit(4, 0, 3, 4, "[1, 1, 3, 4]"));
    // @ts-expect-error -- crop below zero
    expect(() => pad(x, [-3, -2])).toThrow(padErrors.outputSize(-3, -2, 3, 4, -1, "[1, 1, 3, 4]"));
    // @ts-expect-error -- 2 pads on a 4-D input in reflect mode
    expect(() => pad(x, [1, 1], { mode: "reflect" })).toThrow(padErrors.modeRank('"reflect"', 2, "[1, 1, 3, 4]"));
    // @ts-expect-error -- a fill with a non-constant mode
    expect(() => pad(x, [1, 1, 1, 1], { mode: "replicate", value: 2 })).toThrow(
      padErrors.valueWithMode('"replicate"', "2"),
    );
    // @ts-expect-error -- circular wraps more than what is kept
    expect(() => pad(randn([1, 1, 5]), [3, -3], { mode: "circular" })).toThrow(
      padErrors.circularLimit(3, -3, 2, 2, "[1, 1, 5]"),
    );
  });
});
