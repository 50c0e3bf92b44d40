/**
 * The property harness: fast-check (fixed seed) draws 2,000 arithmetic cases on integers up to
 * 2^53 - 1, 1,000 conv2d configurations and 2,000 convTranspose2d configurations; all are written
 * into ONE generated source file that is type-checked once; the types the checker inferred are
 * read back and compared with BigInt arithmetic (arithmetic) and with both a plain formula and the
 * run time's resolution (conv2d, convTranspose2d: the output shape, or for a configuration the run
 * time refuses, the exact error text).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import type { Type } from "ts-morph";
import { resolveConv2d, resolveConvTranspose2d } from "../../src/ops/conv2d.js";
import { parameterMessage, root } from "./message-check.mjs";
import { shapeElements, typecheckGenerated } from "./generated-source.js";

const MAX = (1n << 53n) - 1n;
const ops = ["Add", "Sub", "Mul", "Div", "Mod", "Compare"] as const;
type Op = (typeof ops)[number];

/** The oracle: the value, or the catalogue text for an out-of-range result or a zero divisor. */
function oracle(op: Op, a: bigint, b: bigint): bigint | string {
  const big = (v: bigint) => (v > MAX ? `arithmetic: the result ${v} is larger than 9007199254740991` : v);
  switch (op) {
    case "Add":
      return big(a + b);
    case "Sub":
      return a - b;
    case "Mul":
      return big(a * b);
    case "Div":
      return b === 0n ? `arithmetic: ${a} divided by zero` : a / b;
    case "Mod":
      return b === 0n ? `arithmetic: ${a} divided by zero` : a % b;
    case "Compare":
      return a < b ? -1n : a > b ? 1n : 0n;
  }
}

/** Naturals spread over every digit count, with the edges 0, 1 and 2^53 - 1 common. */
const natural = fc.oneof(
  fc.constantFrom(0n, 1n, 9n, 10n, MAX, MAX - 1n),
  fc.bigInt({ min: 0n, max: 9999n }),
  fc
    .integer({ min: 1, max: 16 })
    .chain((digits) => fc.bigInt({ min: 0n, max: 10n ** BigInt(digits) - 1n }))
    .map((v) => (v > MAX ? v % (MAX + 1n) : v)),
);
const arithCase = fc.record({ op: fc.constantFrom(...ops), a: natural, b: natural });

interface ConvConfig {
  n: number;
  c: number;
  g: number;
  co: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  stride: number | [number, number];
  dilation: number | [number, number];
  padding: number | [number, number] | [number, number, number, number] | "same" | "valid";
  mode: "zeros" | "reflect" | "replicate" | "circular";
  unbatched: boolean;
}
const size = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) },
);
const pairOr = (a: fc.Arbitrary<number>) => fc.oneof(a, fc.tuple(a, a));
/**
 * The fields conv2d's and convTranspose2d's draws share, first in each record (fast-check draws a
 * record's fields in key order, so the samples of each seed stay what they were).
 */
const geometryFields = (spatial: fc.Arbitrary<number>) => ({
  n: fc.integer({ min: 1, max: 64 }),
  g: fc.integer({ min: 1, max: 4 }),
  cg: fc.integer({ min: 1, max: 8 }),
  cog: fc.integer({ min: 1, max: 8 }),
  h: spatial,
  w: spatial,
  kh: fc.integer({ min: 1, max: 7 }),
  kw: fc.integer({ min: 1, max: 7 }),
  stride: pairOr(
    fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 1, max: 4 }) },
      { weight: 1, arbitrary: fc.integer({ min: 10, max: 40 }) },
    ),
  ),
});
const convConfig: fc.Arbitrary<ConvConfig> = fc
  .record({
    ...geometryFields(size),
    dilation: pairOr(fc.integer({ min: 1, max: 3 })),
    padding: fc.oneof(
      fc.integer({ min: 0, max: 4 }),
      fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })),
      fc.tuple(
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
      ),
      fc.constant("same" as const),
      fc.constant("valid" as const),
    ),
    mode: fc.constantFrom(
      "zeros" as const,
      "zeros" as const,
      "reflect" as const,
      "replicate" as const,
      "circular" as const,
    ),
    unbatched: fc.boolean(),
  })
  .map(({ cg, cog, g, ...r }) => {
    // "same" needs stride 1; reflect/circular need small pads: keep such draws valid so they exercise shapes.
    const stride = r.padding === "same" ? 1 : r.stride;
    const mode = r.mode === "reflect" || r.mode === "circular" ? (Math.min(r.h, r.w) > 40 ? r.mode : "zeros") : r.mode;
    return { ...r, stride, mode, g, c: cg * g, co: cog * g };
  });

const pair = (v: number | [number, number]): [number, number] => (typeof v === "number" ? [v, v] : v);
/** The plain formula, independent of resolveConv2d: [top, bottom, left, right] then PyTorch's rule. */
function plainOut(k: ConvConfig): [number, number] {
  const [sh, sw] = pair(k.stride),
    [dh, dw] = pair(k.dilation);
  const p = k.padding;
  let pads: number[];
  if (p === "valid") pads = [0, 0, 0, 0];
  else if (p === "same") {
    const th = dh * (k.kh - 1),
      tw = dw * (k.kw - 1);
    pads = [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
  } else if (typeof p === "number") pads = [p, p, p, p];
  else if (p.length === 2) pads = [p[0], p[0], p[1], p[1]];
  else pads = [...p];
  const out = (s: bigint, kk: bigint, st: bigint, d: bigint, lo: bigint, hi: bigint) => {
    const num = s + lo + hi - d * (kk - 1n) - 1n;
    const q = num >= 0n ? num / st : -((-num + st - 1n) / st); // floor division
    return Number(q + 1n);
  };
  const B = BigInt;
  return [
    out(B(k.h), B(k.kh), B(sh), B(dh), B(pads[0]), B(pads[1])),
    out(B(k.w), B(k.kw), B(sw), B(dw), B(pads[2]), B(pads[3])),
  ];
}

interface TransposeConfig {
  n: number;
  c: number;
  cog: number;
  g: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  stride: number | [number, number];
  padding: number | [number, number];
  outputPadding: number | [number, number];
  dilation: number | [number, number];
  /** null: no bias; else its length (C_out, or one off to reach the bias check). */
  bias: number | null;
  unbatched: boolean;
}
/** Mostly small sizes (0 included: a legal input size), some up to 2^53 - 1. */
const transposeSize = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) },
);
const transposeConfig: fc.Arbitrary<TransposeConfig> = fc
  .record({
    ...geometryFields(transposeSize),
    padding: pairOr(fc.integer({ min: 0, max: 6 })),
    outputPadding: pairOr(fc.integer({ min: 0, max: 3 })),
    dilation: pairOr(fc.integer({ min: 1, max: 3 })),
    bias: fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 3, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constantFrom(-1, 1) },
    ),
    unbatched: fc.boolean(),
  })
  .map(({ cg, bias, ...r }) => ({ ...r, c: cg * r.g, bias: bias === null ? null : r.cog * r.g + bias }));

/** PyTorch's rule in BigInt, independent of resolveConvTranspose2d: (H - 1) s - 2 p + d (k - 1) + op + 1. */
function plainTransposeOut(k: TransposeConfig): [bigint, bigint] {
  const B = BigInt;
  const [sh, sw] = pair(k.stride),
    [ph, pw] = pair(k.padding),
    [oh, ow] = pair(k.outputPadding),
    [dh, dw] = pair(k.dilation);
  const out = (size: number, kk: number, s: number, p: number, d: number, o: number) =>
    (B(size) - 1n) * B(s) - 2n * B(p) + B(d) * (B(kk) - 1n) + B(o) + 1n;
  return [out(k.h, k.kh, sh, ph, dh, oh), out(k.w, k.kw, sw, pw, dw, ow)];
}

const lit = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(lit).join(", ")}]` : typeof v === "string" ? JSON.stringify(v) : String(v);
/** A tensor's metadata as the resolvers read it. */
const meta = (shape: number[]) => ({ shape, dtype: "float32" as const, device: "cpu" as const });

describe("type-level results equal the oracles", () => {
  const arith = fc.sample(arithCase, { seed: 42, numRuns: 2000 });
  const convs = fc.sample(convConfig, { seed: 42, numRuns: 1000 });
  const transposes = fc.sample(transposeConfig, { seed: 42, numRuns: 2000 });

  const lines = [
    `import type { Add, Sub, Mul, Div, Mod, Compare } from "${join(root, "types/arith/index.js")}";`,
    `import type { Tensor } from "${join(root, "src/tensor.js")}";`,
    `import type { Conv2dSignature, ConvTranspose2dSignature } from "${join(root, "src/ops/conv2d.js")}";`,
    "declare const conv2d: Conv2dSignature;",
    "declare const convTranspose2d: ConvTranspose2dSignature;",
  ];
  arith.forEach((c, i) => lines.push(`type A${i} = ${c.op}<${c.a}, ${c.b}>;`));
  const convLine: number[] = [];
  convs.forEach((k, i) => {
    const xs = k.unbatched ? [k.c, k.h, k.w] : [k.n, k.c, k.h, k.w];
    lines.push(
      `declare const x${i}: Tensor<${lit(xs)}>;`,
      `declare const w${i}: Tensor<${lit([k.co, k.c / k.g, k.kh, k.kw])}>;`,
    );
    lines.push(
      `const y${i} = conv2d(x${i}, w${i}, null, { stride: ${lit(k.stride)}, dilation: ${lit(k.dilation)}, padding: ${lit(k.padding)}, groups: ${k.g}, paddingMode: ${lit(k.mode)} });`,
    );
    convLine.push(lines.length);
  });

  const transposeLine: number[] = [];
  const transposeShapes = (k: TransposeConfig) => ({
    input: k.unbatched ? [k.c, k.h, k.w] : [k.n, k.c, k.h, k.w],
    weight: [k.c, k.cog, k.kh, k.kw],
  });
  transposes.forEach((k, i) => {
    const { input, weight } = transposeShapes(k);
    lines.push(`declare const tx${i}: Tensor<${lit(input)}>;`, `declare const tw${i}: Tensor<${lit(weight)}>;`);
    if (k.bias !== null) lines.push(`declare const tb${i}: Tensor<[${k.bias}]>;`);
    lines.push(
      `const ty${i} = convTranspose2d(tx${i}, tw${i}, ${k.bias === null ? "null" : `tb${i}`}, { stride: ${lit(k.stride)}, padding: ${lit(k.padding)}, outputPadding: ${lit(k.outputPadding)}, groups: ${k.g}, dilation: ${lit(k.dilation)} });`,
    );
    transposeLine.push(lines.length);
  });

  // Only the generated file is checked (the library's own files are checked by `npm run typecheck`).
  const { file, diagnostics } = typecheckGenerated("__property_generated.ts", lines);
  const literal = (t: Type): bigint | string | undefined => {
    const v = t.getLiteralValue();
    return typeof v === "number" ? BigInt(v) : typeof v === "string" ? v : undefined;
  };
  /** The shape the compiler gave the declaration `name`. */
  const shapeOf = (name: string) =>
    shapeElements(file, file.getVariableDeclarationOrThrow(name).getType()).map((t) => Number(literal(t)));

  it(`computes ${arith.length} arithmetic cases exactly (BigInt oracle)`, () => {
    expect(arith.length).toBeGreaterThanOrEqual(2000);
    const wrong = arith.flatMap((c, i) => {
      const got = literal(file.getTypeAliasOrThrow(`A${i}`).getType());
      const want = oracle(c.op, c.a, c.b);
      return got === want ? [] : [`${c.op}<${c.a}, ${c.b}>: got ${String(got)}, want ${want}`];
    });
    expect(wrong).toEqual([]);
  }, 600_000); // the first type query runs the one type check of the whole generated file (minutes on a loaded machine)

  it(`computes ${convs.length} conv2d configurations as the plain formula and resolveConv2d do`, () => {
    expect(convs.length).toBeGreaterThanOrEqual(1000);
    let empty = 0;
    const wrong = convs.flatMap((k, i) => {
      const [oh, ow] = plainOut(k);
      const xs = k.unbatched ? [k.c, k.h, k.w] : [k.n, k.c, k.h, k.w];
      const call = () =>
        resolveConv2d(meta(xs), meta([k.co, k.c / k.g, k.kh, k.kw]), null, {
          stride: k.stride,
          dilation: k.dilation,
          padding: k.padding,
          groups: k.g,
          paddingMode: k.mode,
        });
      const diagnostic = diagnostics.get(convLine[i]);
      if (oh <= 0 || ow <= 0) {
        empty++;
        let thrown = "";
        try {
          call();
        } catch (e) {
          thrown = (e as Error).message;
        }
        const typed = diagnostic === undefined ? undefined : parameterMessage(diagnostic);
        return typed === thrown && thrown.startsWith(`conv2d: output size [${oh}, ${ow}]`)
          ? []
          : [`#${i} ${JSON.stringify(k)}: compiler ${typed ?? diagnostic}, runtime ${thrown}`];
      }
      const want = k.unbatched ? [k.co, oh, ow] : [k.n, k.co, oh, ow];
      const got = shapeOf(`y${i}`);
      const runtime = call().outShape;
      return diagnostic === undefined && lit(got) === lit(want) && lit(runtime) === lit(want)
        ? []
        : [
            `#${i} ${JSON.stringify(k)}: compiler ${diagnostic ?? lit(got)}, formula ${lit(want)}, runtime ${lit(runtime)}`,
          ];
    });
    expect(wrong).toEqual([]);
    // The draws must reach both outcomes, or the comparison proves little.
    expect(empty).toBeGreaterThan(20);
    expect(convs.length - empty).toBeGreaterThan(500);
  });

  it(`computes ${transposes.length} convTranspose2d configurations as the BigInt formula and resolveConvTranspose2d do`, () => {
    expect(transposes.length).toBeGreaterThanOrEqual(2000);
    const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
    let refused = 0,
      empty = 0,
      huge = 0;
    const wrong = transposes.flatMap((k, i) => {
      const [oh, ow] = plainTransposeOut(k);
      const { input, weight } = transposeShapes(k);
      let thrown: string | null = null,
        runtime: number[] = [];
      try {
        runtime = resolveConvTranspose2d(meta(input), meta(weight), k.bias === null ? null : meta([k.bias]), {
          stride: k.stride,
          padding: k.padding,
          outputPadding: k.outputPadding,
          groups: k.g,
          dilation: k.dilation,
        }).outShape;
      } catch (e) {
        thrown = (e as Error).message;
      }
      const diagnostic = diagnostics.get(transposeLine[i]);
      const isEmpty = oh <= 0n || ow <= 0n,
        isHuge = !isEmpty && (oh > MAX_SAFE || ow > MAX_SAFE);
      if (thrown !== null) {
        refused++;
        if (isEmpty) empty++;
        if (isHuge) huge++;
        const typed = diagnostic === undefined ? undefined : parameterMessage(diagnostic);
        // The formula's verdict on the sizes is the run time's (with the exact sizes in the text),
        // and the compiler's text is the run time's.
        const sizeRule = thrown.startsWith(`convTranspose2d: output size [${oh}, ${ow}] is `) === (isEmpty || isHuge);
        return typed === thrown && sizeRule
          ? []
          : [`#${i} ${JSON.stringify(k)}: compiler ${typed ?? diagnostic}, runtime ${thrown}`];
      }
      const want = [...(k.unbatched ? [] : [k.n]), k.cog * k.g, Number(oh), Number(ow)];
      const got = shapeOf(`ty${i}`);
      return diagnostic === undefined && !isEmpty && !isHuge && lit(got) === lit(want) && lit(runtime) === lit(want)
        ? []
        : [
            `#${i} ${JSON.stringify(k)}: compiler ${diagnostic ?? lit(got)}, formula ${lit(want)}, runtime ${lit(runtime)}`,
          ];
    });
    expect(wrong).toEqual([]);
    // The draws must reach every outcome: shapes, empty outputs, sizes past 2^53 - 1, the other refusals.
    expect(empty).toBeGreaterThan(50);
    expect(huge).toBeGreaterThan(5);
    expect(refused - empty - huge).toBeGreaterThan(50);
    expect(transposes.length - refused).toBeGreaterThan(600);
  });
});
