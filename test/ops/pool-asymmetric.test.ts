/**
 * maxPool2d and avgPool2d (and nn.MaxPool2d / nn.AvgPool2d) with padding [top, bottom, left, right]
 * against PyTorch's goldens (test/fixtures/ops/{maxPool2d,avgPool2d}-asymmetric.json,
 * docs/goldens-ops.md: ONNX SAME_UPPER / SAME_LOWER and explicit pads): values and gradients in
 * float64, float32 values; the padding rule and its messages (the same texts are compile errors in
 * test-d/messages/pool.ts); p and [h, w] equal their four sides; ceil mode with unequal sides
 * against a loop over the windows; float64 finite differences of first and second order.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gradients, maxPool2d, nn, tensor, type AnyTensor } from "../../src/index.js";
import { argumentErrors, opErrors, shapeErrors } from "../../types/errors.js";
import { gradcheck, gradgradcheck, randomArray, seededRng } from "../helpers/gradcheck.js";
import { type GoldenTensor, expectClose, goldenTensor, readOpsGolden } from "../helpers/goldens.js";

type Options = Record<string, unknown>;
interface Case {
  id: string;
  inputs: { x: GoldenTensor };
  args: { options: Options };
  output: GoldenTensor;
  gy?: GoldenTensor;
  grads?: { x: GoldenTensor };
}
interface Golden {
  cases: Case[];
  float32Cases: Case[];
  errors: unknown[];
}

const maxPool = maxPool2d as unknown as (x: AnyTensor, o: Options) => AnyTensor;
const avgPool = nn.functional.avgPool2d as unknown as (x: AnyTensor, o: Options) => AnyTensor;
type Layer = { forward(x: AnyTensor): AnyTensor };
/** The layer computing the same function: kernelSize apart, the other options as given. */
const layerOf = (op: "maxPool2d" | "avgPool2d", { kernelSize, ...rest }: Options): Layer =>
  op === "maxPool2d"
    ? nn.MaxPool2d(kernelSize as number, rest as never)
    : nn.AvgPool2d(kernelSize as number, rest as never);

const ops = [
  ["maxPool2d", maxPool, readOpsGolden<Golden>("maxPool2d-asymmetric"), [17, 2]],
  ["avgPool2d", avgPool, readOpsGolden<Golden>("avgPool2d-asymmetric"), [28, 4]],
] as const;

for (const [name, op, golden, counts] of ops) {
  describe(`${name} with asymmetric padding: PyTorch goldens`, () => {
    it("has the cases the docs count", () => {
      expect([golden.cases.length, golden.float32Cases.length, golden.errors.length]).toEqual([...counts, 0]);
    });
    for (const c of golden.cases) {
      it(`${c.id} (float64: values, gradient, the layer)`, () => {
        const x = goldenTensor(c.inputs.x, "float64").requiresGrad_(true);
        const y = op(x, c.args.options);
        expectClose(y, c.output, 1e-12);
        const [gx] = gradients(y, [x], { seeds: [goldenTensor(c.gy!, "float64")] });
        expectClose(gx, c.grads!.x, 1e-12);
        expectClose(layerOf(name, c.args.options).forward(x), c.output, 1e-12);
        // unbatched [C, H, W] gives the same planes
        if (c.inputs.x.shape[0] === 1) {
          const y3 = op(goldenTensor({ ...c.inputs.x, shape: c.inputs.x.shape.slice(1) }, "float64"), c.args.options);
          expectClose(y3, { ...c.output, shape: c.output.shape.slice(1) }, 1e-12);
        }
      });
    }
    for (const c of golden.float32Cases) {
      it(`${c.id} (float32)`, () => {
        const y = op(goldenTensor(c.inputs.x, "float32"), c.args.options);
        expect(y.dtype).toBe("float32");
        expectClose(y, c.output, 1e-6);
      });
    }
  });
}

describe("pooling padding: the rule and its messages", () => {
  const x = tensor(randomArray(2 * 8 * 8, seededRng(3)), { shape: [1, 2, 8, 8], dtype: "float64" });
  const refused: [string, "maxPool2d" | "avgPool2d", Options, string][] = [
    [
      "top + bottom over the kernel",
      "maxPool2d",
      { kernelSize: 3, padding: [2, 2, 0, 0] },
      shapeErrors.poolPaddingSides("maxPool2d", "[2, 2, 0, 0]", 3, 3, "[3, 3]", "[1, 1]"),
    ],
    [
      "one side equal to the kernel",
      "avgPool2d",
      { kernelSize: 2, padding: [0, 0, 2, 0] },
      shapeErrors.poolPaddingSides("avgPool2d", "[0, 0, 2, 0]", 2, 2, "[2, 2]", "[1, 1]"),
    ],
    [
      "over the dilated window",
      "maxPool2d",
      { kernelSize: 3, dilation: 2, padding: [3, 3, 0, 0] },
      shapeErrors.poolPaddingSides("maxPool2d", "[3, 3, 0, 0]", 5, 5, "[3, 3]", "[2, 2]"),
    ],
    [
      "equal sides, PyTorch's message",
      "avgPool2d",
      { kernelSize: 3, padding: 2 },
      "avgPool2d: padding [2, 2] must be at most half the kernel size [3, 3]",
    ],
    [
      "equal sides, dilated",
      "maxPool2d",
      { kernelSize: 3, dilation: [1, 2], padding: 3 },
      shapeErrors.poolPaddingDilated("maxPool2d", "[3, 3]", 3, 5, "[3, 3]", "[1, 2]"),
    ],
    [
      "no window left",
      "maxPool2d",
      { kernelSize: 5, stride: 1, padding: [0, 0, 2, 2] },
      opErrors.poolOutput("maxPool2d", [0, 4], [5, 5], [1, 1], [4, 4], [0, 0, 2, 2]),
    ],
    ["three numbers", "maxPool2d", { kernelSize: 2, padding: [1, 1, 1] }, opErrors.poolPads("maxPool2d", [1, 1, 1])],
    [
      "a negative side",
      "avgPool2d",
      { kernelSize: 2, padding: [0, -1, 0, 0] },
      opErrors.poolPads("avgPool2d", [0, -1, 0, 0]),
    ],
    [
      "a fraction",
      "maxPool2d",
      { kernelSize: 2, padding: [0, 0.5, 0, 0] },
      opErrors.poolPads("maxPool2d", [0, 0.5, 0, 0]),
    ],
  ];
  for (const [what, name, o, message] of refused) {
    it(`${name} refuses ${what}`, () => {
      const input = what === "no window left" ? tensor(new Float64Array(16), { shape: [1, 1, 4, 4] }) : x;
      expect(() => (name === "maxPool2d" ? maxPool : avgPool)(input as never, o)).toThrow(message);
    });
  }
  it("the messages are the catalogue's texts (with the padding as written)", () => {
    expect(opErrors.poolPaddingRule("maxPool2d", [2, 2, 0, 0], [3, 3], [1, 1])).toBe(
      "maxPool2d: padding [2, 2, 0, 0] must add up to at most the window 3x3 along each axis (top + bottom, left + right), each side smaller than it (kernel [3, 3], dilation [1, 1])",
    );
    expect(opErrors.poolPaddingRule("maxPool2d", [2, 1], [3, 3], [1, 1])).toBe(
      opErrors.poolPadding("maxPool2d", [2, 1], [3, 3]),
    );
    expect(opErrors.poolPads("maxPool2d", [1, 1, 1])).toBe(
      "maxPool2d: padding must be a non-negative integer, a pair [h, w] or four [top, bottom, left, right] of them, got [1, 1, 1]",
    );
  });
  it("accepts the goldens' explicit pads and ONNX's dilated SAME pads that PyTorch's rule refuses", () => {
    expect(maxPool(x, { kernelSize: 3, stride: 2, padding: [1, 0, 0, 2] }).shape).toEqual([1, 2, 4, 4]);
    expect(maxPool(x, { kernelSize: 3, stride: 1, dilation: 2, padding: 2 }).shape).toEqual([1, 2, 8, 8]);
    expect(avgPool(x, { kernelSize: 1, padding: [0, 0, 0, 0] }).shape).toEqual([1, 2, 8, 8]);
  });
  it("avgPool2d refuses an option PyTorch's avg_pool2d does not have instead of dropping it (the fuzz found dilation ignored)", () => {
    const known = "kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride";
    expect(() => avgPool(x, { kernelSize: 2, dilation: 2 })).toThrow(
      argumentErrors.unknownOption("avgPool2d", '"dilation"', known),
    );
    expect(() => new nn.AvgPool2d(2, { dilation: 2 } as never).forward(x as never)).toThrow(
      argumentErrors.unknownOption("avgPool2d", '"dilation"', known),
    );
  });
  it("a dilated window wholly in the padding names the axis's two sides", () => {
    const narrow = tensor(new Float64Array(2 * 9), { shape: [1, 1, 2, 9] });
    expect(() => maxPool(narrow as never, { kernelSize: 2, stride: 1, dilation: 3, padding: [2, 1, 0, 0] })).toThrow(
      opErrors.poolWindowInPadding("maxPool2d", "height", 1, 2, 2, 1, "[2, 1]", 3),
    );
  });
});

/** A draw of an input size and options whose padding the rule accepts, in the four-sided form. */
const config = fc
  .record({
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    k: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
    s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    fractions: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    splits: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
    ceilMode: fc.boolean(),
    seed: fc.nat(1000),
  })
  .map((r) => {
    // per axis a total of at most the window, split so that each side stays below it
    const sides = (axis: 0 | 1): [number, number] => {
      const window = r.d[axis] * (r.k[axis] - 1) + 1;
      const total = Math.floor(r.fractions[axis] * (window + 1) * 0.999);
      const before = Math.min(window - 1, Math.floor(r.splits[axis] * (total + 1) * 0.999));
      return [before, Math.min(window - 1, total - before)];
    };
    const [top, bottom] = sides(0),
      [left, right] = sides(1);
    return { ...r, pads: [top, bottom, left, right] as [number, number, number, number] };
  });

/** The pooling outcome: the output's shape and data, or the message. */
function outcome(f: () => AnyTensor): { shape: readonly number[]; data: number[] } | { error: string } {
  try {
    const y = f();
    return { shape: y.shape, data: Array.from(y.dataSync()) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe("pooling padding: p and [h, w] are their four sides", () => {
  it("maxPool2d and avgPool2d, values or the same refusal", () => {
    fc.assert(
      fc.property(config, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (c, ph, pw) => {
        const x = tensor(randomArray(2 * c.h * c.w, seededRng(c.seed)), { shape: [1, 2, c.h, c.w], dtype: "float64" });
        const base = { kernelSize: c.k, stride: c.s, ceilMode: c.ceilMode };
        for (const [op, extra] of [
          [maxPool, { dilation: c.d }],
          [avgPool, {}],
        ] as const) {
          const four = outcome(() => op(x, { ...base, ...extra, padding: [ph, ph, pw, pw] }));
          const pair = outcome(() => op(x, { ...base, ...extra, padding: [ph, pw] }));
          if ("error" in pair) {
            // the same rule; the message shows the padding as written
            expect("error" in four).toBe(true);
          } else expect(four).toEqual(pair);
          if (ph === pw) expect(outcome(() => op(x, { ...base, ...extra, padding: ph }))).toEqual(pair);
        }
      }),
      { seed: 2112, numRuns: 300 },
    );
  });
});

/**
 * The windows as ONNX MaxPool / AveragePool (explicit pads) define them, with PyTorch's ceil-mode
 * rule: window (i, j) covers rows i s - top + a d, a < k (columns alike); max over the taps inside
 * the input; the average divides by the taps inside the input, or with countIncludePad by the
 * window clipped to rows -top .. H + bottom (PyTorch's divisor).
 */
function loopPool(
  x: Float64Array,
  [n, c, h, w]: number[],
  o: { k: number[]; s: number[]; d: number[]; pads: number[]; ceilMode: boolean },
  kind: "max" | "avgInclude" | "avgExclude",
): { shape: number[]; data: number[] } {
  const [top, bottom, left, right] = o.pads;
  const size = (len: number, axis: 0 | 1, before: number, after: number) => {
    const span = len + before + after - o.d[axis] * (o.k[axis] - 1) - 1;
    let out = Math.floor((o.ceilMode ? span + o.s[axis] - 1 : span) / o.s[axis]) + 1;
    if (o.ceilMode && (out - 1) * o.s[axis] >= len + before) out--;
    return out;
  };
  const oh = size(h, 0, top, bottom),
    ow = size(w, 1, left, right);
  const data: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity,
          total = 0,
          inside = 0;
        const r0 = i * o.s[0] - top,
          c0 = j * o.s[1] - left;
        for (let a = 0; a < o.k[0]; a++) {
          for (let b = 0; b < o.k[1]; b++) {
            const r = r0 + a * o.d[0],
              q = c0 + b * o.d[1];
            if (r < 0 || r >= h || q < 0 || q >= w) continue;
            const v = x[(p * h + r) * w + q];
            best = Math.max(best, v);
            total += v;
            inside++;
          }
        }
        const clipped = (Math.min(r0 + o.k[0], h + bottom) - r0) * (Math.min(c0 + o.k[1], w + right) - c0);
        data.push(kind === "max" ? best : total / (kind === "avgInclude" ? clipped : inside));
      }
    }
  }
  return { shape: [n, c, oh, ow], data };
}

describe("pooling with unequal sides and ceil mode, against the windows' loop", () => {
  it("maxPool2d (dilated) and avgPool2d (countIncludePad both ways)", () => {
    let compared = 0;
    fc.assert(
      fc.property(config, (c) => {
        const shape = [2, 2, c.h, c.w];
        const data = randomArray(4 * c.h * c.w, seededRng(c.seed));
        const x = tensor(data, { shape, dtype: "float64" });
        const runs = [
          [
            "max",
            () => maxPool(x, { kernelSize: c.k, stride: c.s, dilation: c.d, padding: c.pads, ceilMode: c.ceilMode }),
          ],
          ["avgInclude", () => avgPool(x, { kernelSize: c.k, stride: c.s, padding: c.pads, ceilMode: c.ceilMode })],
          [
            "avgExclude",
            () =>
              avgPool(x, {
                kernelSize: c.k,
                stride: c.s,
                padding: c.pads,
                ceilMode: c.ceilMode,
                countIncludePad: false,
              }),
          ],
        ] as const;
        for (const [kind, run] of runs) {
          const got = outcome(run);
          if ("error" in got) continue; // a size or window refusal: its messages are checked above and in the fuzz
          const d = kind === "max" ? c.d : [1, 1];
          const want = loopPool(data, shape, { ...c, d }, kind);
          expect(got.shape).toEqual(want.shape);
          got.data.forEach((v, i) => expect(Math.abs(v - want.data[i])).toBeLessThanOrEqual(1e-12));
          compared++;
        }
      }),
      { seed: 4242, numRuns: 300 },
    );
    expect(compared).toBeGreaterThan(500);
  });
});

describe("pooling with unequal sides: float64 finite differences", () => {
  const cases: [string, (x: AnyTensor) => AnyTensor, number[]][] = [
    [
      "maxPool2d SAME_UPPER, stride 2",
      (x) => maxPool(x, { kernelSize: 3, stride: 2, padding: [0, 1, 0, 1] }),
      [1, 2, 6, 6],
    ],
    [
      "maxPool2d dilated, ceil mode",
      (x) => maxPool(x, { kernelSize: 2, stride: 2, dilation: 2, padding: [1, 0, 0, 1], ceilMode: true }),
      [1, 1, 6, 7],
    ],
    ["avgPool2d explicit", (x) => avgPool(x, { kernelSize: 3, stride: 2, padding: [1, 0, 0, 2] }), [2, 1, 5, 6]],
    [
      "avgPool2d ceil mode, countIncludePad false",
      (x) =>
        avgPool(x, { kernelSize: [2, 3], stride: 2, padding: [0, 1, 2, 0], ceilMode: true, countIncludePad: false }),
      [1, 2, 6, 5],
    ],
  ];
  // distinct values (a permutation of multiples of 1/8), so every max window has a clear winner
  const distinct = (shape: number[], seed: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const r = seededRng(seed);
    const values = Array.from({ length: n }, (_, i) => i / 8 - n / 16);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [values[i], values[j]] = [values[j], values[i]];
    }
    return tensor(values, { shape, dtype: "float64" }) as unknown as AnyTensor;
  };
  for (const [name, f, shape] of cases) {
    it(`${name}: first order`, () => gradcheck(f, [distinct(shape, 5)]));
    it(`${name}: second order (the gradient graph against central differences)`, () =>
      gradgradcheck(f, distinct(shape, 5), seededRng(9)));
  }
});
