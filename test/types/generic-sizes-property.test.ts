/**
 * Issue 19: conv2d, convTranspose2d, maxPool2d and avgPool2d, and the layers nn.MaxPool2d and
 * nn.AvgPool2d (Layer.forward's route, src/nn/types.ts), over a generic spatial size
 * (types/shape/generic.ts), against the run time. fast-check (fixed seed) draws layer geometries;
 * ONE generated file declares, per draw, a helper generic in its batch and both spatial sizes
 * (`function g<B, H, W>(x: Tensor<[B, C, H, W]>) { return op(x, ...) }`), type-checked once. Then:
 * - the file compiles, and each helper's return type is [B, C_out, H or number, W or number];
 * - an output size typed H (W) is the run time's output size for every input size tried, and one
 *   typed `number` is not (the layer does not keep sizes): so the compiler keeps H exactly when the
 *   layer maps every size to itself;
 * - a generic call with a channel mismatch fails to compile with the catalogue's text as the whole
 *   diagnostic (one signature per op: no overload list, no `ArgV<...>`), and the run time throws
 *   that very text.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import { ts, type Diagnostic } from "ts-morph";
import * as sg from "../../src/index.js";
import { shapeElements, typecheckGenerated } from "./generated-source.js";
import { parameterMessage, root } from "./message-check.mjs";

type AnyTensor = sg.AnyTensor;
type Op = "conv2d" | "convTranspose2d" | "maxPool2d" | "avgPool2d" | "MaxPool2d" | "AvgPool2d";

interface Case {
  op: Op;
  c: number;
  co: number;
  k: [number, number];
  s: [number, number];
  d: [number, number];
  /** [top, bottom, left, right] */
  p: [number, number, number, number];
  /** convTranspose2d's outputPadding, per axis */
  op2: [number, number];
}

/** The call in TypeScript and at run time; `x` is the input, `w` the weight. */
function source(c: Case): string {
  const [kh, kw] = c.k;
  const pads = `[${c.p.join(", ")}]`;
  switch (c.op) {
    case "conv2d":
      return `conv2d(x, zeros([${c.co}, ${c.c}, ${kh}, ${kw}]), null, { stride: [${c.s}], dilation: [${c.d}], padding: ${pads} })`;
    case "convTranspose2d":
      return `convTranspose2d(x, zeros([${c.c}, ${c.co}, ${kh}, ${kw}]), null, { stride: [${c.s}], dilation: [${c.d}], padding: [${c.p[0]}, ${c.p[2]}], outputPadding: [${c.op2}] })`;
    case "maxPool2d":
      return `maxPool2d(x, { kernelSize: [${c.k}], stride: [${c.s}], dilation: [${c.d}], padding: ${pads} })`;
    case "avgPool2d":
      return `nn.functional.avgPool2d(x, { kernelSize: [${c.k}], stride: [${c.s}], padding: ${pads} })`;
    case "MaxPool2d":
      return `nn.MaxPool2d([${c.k}], { stride: [${c.s}], dilation: [${c.d}], padding: ${pads} }).forward(x)`;
    case "AvgPool2d":
      return `nn.AvgPool2d([${c.k}], { stride: [${c.s}], padding: ${pads} }).forward(x)`;
  }
}
/** The ops with their compile-time signatures set aside: the run time's checks are the point here. */
type Untyped = (...args: unknown[]) => AnyTensor;
const untyped = {
  conv2d: sg.conv2d as Untyped,
  convTranspose2d: sg.convTranspose2d as Untyped,
  maxPool2d: sg.maxPool2d as Untyped,
  avgPool2d: sg.nn.functional.avgPool2d as Untyped,
  MaxPool2d: sg.nn.MaxPool2d as unknown as (...args: unknown[]) => { forward: (x: AnyTensor) => AnyTensor },
  AvgPool2d: sg.nn.AvgPool2d as unknown as (...args: unknown[]) => { forward: (x: AnyTensor) => AnyTensor },
};
function run(c: Case, x: AnyTensor): AnyTensor {
  const [kh, kw] = c.k;
  switch (c.op) {
    case "conv2d":
      return untyped.conv2d(x, sg.zeros([c.co, c.c, kh, kw]), null, { stride: c.s, dilation: c.d, padding: c.p });
    case "convTranspose2d":
      return untyped.convTranspose2d(x, sg.zeros([c.c, c.co, kh, kw]), null, {
        stride: c.s,
        dilation: c.d,
        padding: [c.p[0], c.p[2]],
        outputPadding: c.op2,
      });
    case "maxPool2d":
      return untyped.maxPool2d(x, { kernelSize: c.k, stride: c.s, dilation: c.d, padding: c.p });
    case "avgPool2d":
      return untyped.avgPool2d(x, { kernelSize: c.k, stride: c.s, padding: c.p });
    case "MaxPool2d":
      return untyped.MaxPool2d(c.k, { stride: c.s, dilation: c.d, padding: c.p }).forward(x);
    case "AvgPool2d":
      return untyped.AvgPool2d(c.k, { stride: c.s, padding: c.p }).forward(x);
  }
}
const outChannels = (c: Case) => (c.op === "conv2d" || c.op === "convTranspose2d" ? c.co : c.c);

const pair = (max: number) => fc.tuple(fc.integer({ min: 1, max }), fc.integer({ min: 1, max }));
/**
 * Valid geometries only, each axis drawn alone: pooling pads within PyTorch's limits (each side
 * below the window, both within it), transposed-conv pads symmetric and outputPadding below the
 * stride or the dilation. A third of the draws are built to keep sizes (stride 1, pads adding up
 * to d (k - 1)), so both kinds of output size occur often.
 */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    op: fc.constantFrom<Op>("conv2d", "convTranspose2d", "maxPool2d", "avgPool2d", "MaxPool2d", "AvgPool2d"),
    c: fc.integer({ min: 1, max: 4 }),
    co: fc.integer({ min: 1, max: 4 }),
    k: pair(4),
    s: pair(3),
    d: pair(3),
    keep: fc.tuple(fc.boolean(), fc.boolean()),
    split: fc.tuple(fc.nat(), fc.nat()),
    extra: fc.tuple(fc.nat(), fc.nat()),
  })
  .map(({ op, c, co, k, s, d, keep, split, extra }): Case => {
    const dil: [number, number] = op === "avgPool2d" || op === "AvgPool2d" ? [1, 1] : d;
    const pads: number[] = [];
    const strides: number[] = [];
    const ops: number[] = [];
    for (const a of [0, 1]) {
      const span = dil[a] * (k[a] - 1); // d (k - 1): the total padding that keeps the size
      const stride = keep[a] ? 1 : s[a];
      let lo: number;
      let hi: number;
      if (op === "convTranspose2d") {
        // keeps when d (k - 1) + outputPadding = 2 p, outputPadding below the stride or the dilation
        const limit = Math.max(stride, dil[a]);
        const keepable = keep[a] && span % 2 < limit;
        const out = keepable ? span % 2 : extra[a] % limit;
        lo = keepable ? (span + out) / 2 : split[a] % (Math.floor(span / 2) + 1);
        hi = lo;
        ops.push(out);
      } else {
        // pooling's rule (conv2d accepts more): both sides within the window, each below it
        const window = span + 1;
        const total = keep[a] ? span : split[a] % (Math.min(window, 2 * (window - 1)) + 1);
        hi = Math.min(Math.floor(total / 2) + (extra[a] % 2), total, window - 1);
        lo = total - hi;
        if (lo > window - 1) [lo, hi] = [window - 1, total - window + 1];
      }
      pads.push(lo, hi);
      strides.push(stride);
    }
    return {
      op,
      c,
      co,
      k,
      s: [strides[0], strides[1]],
      d: dil,
      p: [pads[0], pads[1], pads[2], pads[3]],
      op2: op === "convTranspose2d" ? [ops[0], ops[1]] : [0, 0],
    };
  });

/** The full text of a diagnostic, chain included. */
function fullText(d: Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n");
}

describe("conv2d, convTranspose2d and pooling over a generic spatial size", () => {
  const cases = fc.sample(caseArb, { seed: 1919, numRuns: 120 });
  const lines = [
    `import { conv2d, convTranspose2d, maxPool2d, zeros, nn, type Tensor } from "${join(root, "src/index.js")}";`,
  ];
  cases.forEach((c, i) =>
    lines.push(
      `export function g${i}<B extends number, H extends number, W extends number>(x: Tensor<[B, ${c.c}, H, W]>) { return ${source(c)}; }`,
    ),
  );
  // A channel mismatch under a generic size, per op with channels: line numbers are 1-based.
  const refusals = [
    {
      code: "conv2d(x, zeros([8, 3, 3, 3]), null, { padding: 1 })",
      run: (x: AnyTensor) => untyped.conv2d(x, sg.zeros([8, 3, 3, 3]), null, { padding: 1 }),
    },
    {
      code: "convTranspose2d(x, zeros([3, 8, 3, 3]))",
      run: (x: AnyTensor) => untyped.convTranspose2d(x, sg.zeros([3, 8, 3, 3])),
    },
  ];
  const refusalLine = lines.length + 1;
  refusals.forEach((r, i) =>
    lines.push(
      `export function r${i}<B extends number, H extends number>(x: Tensor<[B, 4, H, H]>) { return ${r.code}; }`,
    ),
  );
  const { file } = typecheckGenerated("__generic_sizes_generated.ts", lines);
  const diagnostics = file.getPreEmitDiagnostics();
  const returned = (name: string) =>
    shapeElements(file, file.getFunctionOrThrow(name).getReturnType()).map((t) => t.getText());

  it("the helpers compile", () => {
    const helperErrors = diagnostics.filter((d) => (d.getLineNumber() ?? 0) < refusalLine);
    expect(helperErrors.map((d) => `${d.getLineNumber()}: ${fullText(d)}`)).toEqual([]);
  });

  it(`${cases.length} helpers keep H exactly where the run time keeps the size`, () => {
    let kept = 0;
    let widened = 0;
    const wrong = cases.flatMap((c, i) => {
      const ret = returned(`g${i}`);
      const problems: string[] = [];
      if (ret[0] !== "B" || ret[1] !== String(outChannels(c)) || ret.length !== 4)
        problems.push(`dims ${JSON.stringify(ret)}`);
      // Two consecutive sizes per axis, large enough for every drawn window.
      for (const h of [9, 10]) {
        const y = run(c, sg.zeros([2, c.c, h, h + 1]));
        const sizes = [h, h + 1];
        [2, 3].forEach((dim, a) => {
          const same = y.shape[dim] === sizes[a];
          const typed = ret[dim];
          if (typed === (a === 0 ? "H" : "W") && !same)
            problems.push(`typed ${typed}, run time ${y.shape[dim]} for ${sizes[a]}`);
          if (typed === "number" && same && h === 10) {
            const y9 = run(c, sg.zeros([2, c.c, 9, 10]));
            if (y9.shape[dim] === [9, 10][a]) problems.push(`typed number, but the size is kept (${y.shape[dim]})`);
          }
          if (typed !== "number" && typed !== (a === 0 ? "H" : "W")) problems.push(`dim ${dim} typed ${typed}`);
        });
      }
      kept += ret.slice(2).filter((t) => t !== "number").length;
      widened += ret.slice(2).filter((t) => t === "number").length;
      return problems.length ? [`${source(c)}: ${problems.join("; ")}`] : [];
    });
    expect(wrong).toEqual([]);
    // both kinds occur, for every op
    expect(kept).toBeGreaterThan(40);
    expect(widened).toBeGreaterThan(40);
    expect(new Set(cases.map((c) => c.op)).size).toBe(6);
  });

  it("a channel mismatch under a generic size: the compiler and the run time give one text", () => {
    refusals.forEach((r, i) => {
      const line = refusalLine + i;
      const found = diagnostics.filter((d) => d.getLineNumber() === line).map(fullText);
      let thrown = "";
      try {
        r.run(sg.zeros([2, 4, 5, 5]));
      } catch (e) {
        thrown = (e as Error).message;
      }
      expect(thrown).toMatch(/channels/);
      expect(found).toHaveLength(1);
      expect(parameterMessage(found[0])).toBe(thrown);
    });
  });
});
