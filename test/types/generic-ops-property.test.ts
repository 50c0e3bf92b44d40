/**
 * Issue 19, item 2: chains of the ops fixed for generic dims (pad, interpolate, flatten,
 * adaptiveAvgPool2d, layerNorm, cat, broadcasting against a keepdim mean, and nn's MaxPool2d,
 * AvgPool2d, Upsample and a Sequential of them; session 16, in chains of their own: split, chunk
 * and narrow along a generic dim, cat along one, broadcasting a generic dim against 1, expand's -1)
 * over a batch B and
 * a spatial size H that are type parameters, against the run time. fast-check (fixed seed) draws
 * chains; ONE generated file declares, per draw, `function g<B, H>(x: Tensor<[B, 8, H, H]>)`
 * returning the chain, and calls it at two literal sizes, type-checked once. Then:
 * - the file compiles, and no result type is `any`, `number[]` or unresolved;
 * - each dim of a helper's return type is B, H, a literal or `number`, or (a cat along a generic
 *   dim) a sum of them that the compiler finishes at the call, and the call's inferred type equals
 *   the run-time shape wherever it is not `number` (B and H substituted);
 * - the rank always equals the run time's.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import { ts, type Type } from "ts-morph";
import * as sg from "../../src/index.js";
import { typecheckGenerated } from "./generated-source.js";
import { root } from "./message-check.mjs";

type AnyTensor = sg.AnyTensor;
/** The ops with their compile-time signatures set aside: the run time gives the shapes compared with. */
type Untyped = (...args: unknown[]) => AnyTensor;
const u = {
  pad: sg.pad as Untyped,
  interpolate: sg.interpolate as Untyped,
  flatten: sg.flatten as Untyped,
  adaptive: sg.nn.functional.adaptiveAvgPool2d as Untyped,
  layerNorm: sg.nn.functional.layerNorm as Untyped,
  cat: sg.cat as unknown as (ts: AnyTensor[], dim: number) => AnyTensor,
  sub: sg.sub as Untyped,
  mean: sg.mean as Untyped,
  maxPool2d: sg.maxPool2d as Untyped,
  div: sg.div as Untyped,
  sum: sg.sum as Untyped,
  expand: sg.expand as Untyped,
  narrow: sg.narrow as Untyped,
  split: sg.split as unknown as (...args: unknown[]) => AnyTensor[],
  chunk: sg.chunk as unknown as (...args: unknown[]) => AnyTensor[],
};

/** A layer's forward with its compile-time signatures set aside. */
const forward = (m: unknown) => (m as { forward: (y: AnyTensor) => AnyTensor }).forward.bind(m);

/** One step: its TypeScript text on `y`, and the same call at run time. */
interface Step {
  code: (y: string) => string;
  run: (y: AnyTensor) => AnyTensor;
  /** Merges the channel dim into another: the only steps after which the channels are not a literal. */
  mergesChannels?: true;
  /** Cuts or joins along the batch: the batch is then a literal, `number` or a sum of B, not B. */
  movesBatch?: true;
  /** Joins along a generic dim: the result keeps the sum (`B + B`), exact at the call. */
  sums?: true;
  /** The channel count after the step (the layerNorm step names it), when the step changes it. */
  channels?: (c: number) => number;
}

const modes = ["constant", "reflect", "replicate", "circular"] as const;
/** Pads valid at every size a chain reaches (6 and up, less two crops of 1 each side): reflect below the size, circular within it. */
const padStep = fc
  .record({
    n: fc.constantFrom(2, 4),
    pads: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 4, maxLength: 4 }),
    mode: fc.constantFrom(...modes),
  })
  .map(({ n, pads, mode }): Step => {
    // the other modes pad the last two dims of a 4-D input (PyTorch's dispatch): 4 pads
    const p = pads
      .slice(0, mode === "constant" ? n : 4)
      .map((v) => (mode === "constant" ? v : Math.min(1, Math.max(0, v))));
    const opts = mode === "constant" ? "" : `, { mode: "${mode}" }`;
    return {
      code: (y) => `pad(${y}, [${p.join(", ")}]${opts})`,
      run: (y) => u.pad(y, p, mode === "constant" ? undefined : { mode }),
    };
  });
const interpolateStep = fc
  .record({
    size: fc.option(
      fc.oneof(
        fc.integer({ min: 6, max: 12 }),
        fc.tuple(fc.integer({ min: 6, max: 9 }), fc.integer({ min: 6, max: 9 })),
      ),
      { nil: undefined, freq: 2 },
    ),
    scale: fc.oneof(fc.constantFrom(1, 2, 3), fc.tuple(fc.constantFrom(1, 2), fc.constantFrom(1, 3))),
    bilinear: fc.boolean(),
  })
  .map(({ size, scale, bilinear }): Step => {
    const o = size === undefined ? { scaleFactor: scale } : { size };
    const opts = { ...o, ...(bilinear ? { mode: "bilinear" } : {}) };
    return { code: (y) => `interpolate(${y}, ${JSON.stringify(opts)})`, run: (y) => u.interpolate(y, opts) };
  });
const adaptiveStep = fc
  .oneof(fc.integer({ min: 6, max: 8 }), fc.tuple(fc.integer({ min: 6, max: 8 }), fc.integer({ min: 6, max: 8 })))
  .map((o): Step => ({
    code: (y) => `nn.functional.adaptiveAvgPool2d(${y}, ${JSON.stringify(o)})`,
    run: (y) => u.adaptive(y, o),
  }));
/** Shape-keeping steps: normalise the channels (as the last dim), x minus its channel mean, a stride-1 window, x joined to itself. */
const keepStep = fc.constantFrom<Step>(
  {
    code: (y) => `layerNorm(${y}.permute([0, 2, 3, 1]), [${"${"}C}]).permute([0, 3, 1, 2])`,
    run: (y) => u.layerNorm(y.permute([0, 2, 3, 1]), [y.shape[1]]).permute([0, 3, 1, 2]),
  },
  { code: (y) => `sub(${y}, mean(${y}, 1, true))`, run: (y) => u.sub(y, u.mean(y, 1, true)) },
  {
    code: (y) => `maxPool2d(${y}, { kernelSize: 3, stride: 1, padding: 1 })`,
    run: (y) => u.maxPool2d(y, { kernelSize: 3, stride: 1, padding: 1 }),
  },
  { code: (y) => `cat([${y}, ${y}], 1)`, run: (y) => u.cat([y, y], 1), channels: (c) => 2 * c },
);
/** nn's layers whose rule computes sizes, under the generic sizes (Layer.forward's rule on [B, C, number, number]). */
const layerStep = fc.constantFrom<Step>(
  {
    code: (y) => `nn.MaxPool2d(3, { stride: 1, padding: 1 }).forward(${y})`,
    run: (y) => forward(sg.nn.MaxPool2d(3, { stride: 1, padding: 1 }))(y),
  },
  {
    code: (y) => `nn.AvgPool2d(3, { stride: 1, padding: 1 }).forward(${y})`,
    run: (y) => forward(sg.nn.AvgPool2d(3, { stride: 1, padding: 1 }))(y),
  },
  {
    code: (y) => `nn.Upsample({ scaleFactor: 2 }).forward(${y})`,
    run: (y) => forward(sg.nn.Upsample({ scaleFactor: 2 }))(y),
  },
  {
    code: (y) => `nn.Upsample({ size: [7, 9], mode: "bilinear" }).forward(${y})`,
    run: (y) => forward(sg.nn.Upsample({ size: [7, 9], mode: "bilinear" }))(y),
  },
  {
    code: (y) => `nn.Sequential(nn.ReLU(), nn.MaxPool2d(3, { stride: 1, padding: 1 }), nn.Dropout2d(0)).forward(${y})`,
    run: (y) =>
      forward(sg.nn.Sequential(sg.nn.ReLU(), sg.nn.MaxPool2d(3, { stride: 1, padding: 1 }), sg.nn.Dropout2d(0)))(y),
  },
);
/** A last step that changes the rank, or none. */
const endStep = fc.constantFrom<Step | null>(
  null,
  { code: (y) => `flatten(${y}, 1)`, run: (y) => u.flatten(y, 1), mergesChannels: true },
  { code: (y) => `flatten(${y}, 2)`, run: (y) => u.flatten(y, 2) },
  { code: (y) => `${y}.flatten()`, run: (y) => u.flatten(y), mergesChannels: true },
  { code: (y) => `mean(${y}, [2, 3])`, run: (y) => u.mean(y, [2, 3]) },
  { code: (y) => `nn.MaxPool2d(2).forward(${y})`, run: (y) => forward(sg.nn.MaxPool2d(2))(y) },
);
const chainArb = fc
  .record({
    steps: fc.array(
      fc.oneof(
        { arbitrary: padStep, weight: 2 },
        { arbitrary: interpolateStep, weight: 3 },
        adaptiveStep,
        keepStep,
        layerStep,
      ),
      { minLength: 1, maxLength: 3 },
    ),
    // half the chains end without a rank change, which would merge the sizes compared
    end: fc.oneof(fc.constant(null), endStep),
  })
  .map(({ steps, end }) => (end ? [...steps, end] : steps));

/**
 * Session 16: cuts along a dim that may be generic in the helper (the batch, or H until a step makes
 * it a literal), cat along one, a generic dim broadcast against a keepdim 1, expand keeping dims with
 * -1. Every size stays at least 2 and each cut needs at most 2, so every chain runs.
 */
const genericStep = fc.constantFrom<Step>(
  { code: (y) => `narrow(${y}, 2, 0, 2)`, run: (y) => u.narrow(y, 2, 0, 2) },
  { code: (y) => `${y}.narrow(-1, -2, 2)`, run: (y) => u.narrow(y, -1, -2, 2) },
  { code: (y) => `narrow(${y}, 1, 0, 2)`, run: (y) => u.narrow(y, 1, 0, 2), channels: () => 2 },
  { code: (y) => `split(${y}, 2, 2)[0]`, run: (y) => u.split(y, 2, 2)[0] },
  { code: (y) => `${y}.chunk(1, -1)[0]`, run: (y) => u.chunk(y, 1, -1)[0] },
  { code: (y) => `split(${y}, 1, 0)[0]`, run: (y) => u.split(y, 1, 0)[0], movesBatch: true },
  { code: (y) => `narrow(${y}, 0, 0, 1)`, run: (y) => u.narrow(y, 0, 0, 1), movesBatch: true },
  { code: (y) => `cat([${y}, ${y}], 0)`, run: (y) => u.cat([y, y], 0), movesBatch: true, sums: true },
  { code: (y) => `cat([${y}, ${y}], 2)`, run: (y) => u.cat([y, y], 2), sums: true },
  { code: (y) => `${y}.sub(${y}.mean([2, 3], true))`, run: (y) => u.sub(y, u.mean(y, [2, 3], true)) },
  { code: (y) => `div(${y}, sum(${y}, 0, true))`, run: (y) => u.div(y, u.sum(y, 0, true)) },
  {
    code: (y) => `expand(mean(${y}, [2, 3], true), [-1, -1, 5, 4])`,
    run: (y) => u.expand(u.mean(y, [2, 3], true), [-1, -1, 5, 4]),
  },
  {
    code: (y) => `layerNorm(${y}.permute([0, 2, 3, 1]), [${"${"}C}]).permute([0, 3, 1, 2])`,
    run: (y) => u.layerNorm(y.permute([0, 2, 3, 1]), [y.shape[1]]).permute([0, 3, 1, 2]),
  },
);
const genericChainArb = fc.array(genericStep, { minLength: 1, maxLength: 4 });

/** The layerNorm step names the channel count; it is the literal the compiler carries, rewritten at generation. */
function codeOf(chain: readonly Step[]): string {
  let y = "x";
  let channels = 8;
  for (const s of chain) {
    const text = s.code(y);
    y = text.replace("${C}", String(channels));
    channels = s.channels?.(channels) ?? channels;
  }
  return y;
}
function runOf(chain: readonly Step[], x: AnyTensor): AnyTensor {
  return chain.reduce((y, s) => s.run(y), x);
}

/** Generates one file of helpers for `chains`, checks it compiles and each typed dim against the run time. */
function checkChains(name: string, chains: readonly (readonly Step[])[], least: { exact: number; widened: number }) {
  const sizes = [
    [2, 6],
    [3, 8],
  ] as const;
  const lines = [
    `import { cat, chunk, div, expand, flatten, interpolate, maxPool2d, mean, narrow, nn, pad, split, sub, sum, zeros, type Tensor } from "${join(root, "src/index.js")}";`,
    `const layerNorm = nn.functional.layerNorm;`,
  ];
  chains.forEach((c, i) => {
    lines.push(
      `export function g${i}<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>) { return ${codeOf(c)}; }`,
    );
    sizes.forEach(([b, h], j) => lines.push(`export const c${i}_${j} = g${i}(zeros([${b}, 8, ${h}, ${h}]));`));
  });
  const { file } = typecheckGenerated(name, lines);
  const diagnostics = file.getPreEmitDiagnostics();
  const dims = (type: Type) => {
    const shape = type.getPropertyOrThrow("shape").getTypeAtLocation(file);
    return shape.isTuple() ? shape.getTupleElements().map((t) => t.getText()) : [shape.getText()];
  };

  it("the helpers and their calls compile", () => {
    expect(
      diagnostics.map(
        (d) => `${d.getLineNumber()}: ${ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n")}`,
      ),
    ).toEqual([]);
  });

  it(`${chains.length} helpers: each dim is B, H, a literal or number, and each call's type is the run time's shape`, () => {
    let exact = 0;
    let widened = 0;
    const wrong = chains.flatMap((c, i) => {
      const problems: string[] = [];
      const declared = dims(file.getFunctionOrThrow(`g${i}`).getReturnType());
      const simple = (d: string) => d === "B" || d === "H" || d === "number" || /^\d+$/.test(d);
      // a cat along a generic dim keeps the sum of B or H: checked at the calls, where it is a literal
      const kept = (d: string) => c.some((step) => step.sums) && /\b[BH]\b/.test(d);
      if (!declared.every((d) => simple(d) || kept(d))) problems.push(`declared ${JSON.stringify(declared)}`);
      // the batch stays B and the channels a literal through every step but a merge of the channels
      if (!c.some((step) => step.mergesChannels) && !/^\d+$/.test(declared[1] ?? ""))
        problems.push(`channels not kept: ${JSON.stringify(declared)}`);
      if (!c.some((step) => step.mergesChannels || step.movesBatch) && declared[0] !== "B")
        problems.push(`batch not kept: ${JSON.stringify(declared)}`);
      sizes.forEach(([b, h], j) => {
        const typed = dims(file.getVariableDeclarationOrThrow(`c${i}_${j}`).getType());
        const actual = runOf(c, sg.zeros([b, 8, h, h])).shape;
        if (typed.length !== actual.length)
          problems.push(`rank: typed ${JSON.stringify(typed)}, run time [${actual.join(", ")}]`);
        typed.forEach((t, k) => {
          if (t === "number") widened++;
          else if (t === String(actual[k])) exact++;
          else problems.push(`dim ${k}: typed ${t}, run time ${actual[k]} (B ${b}, H ${h})`);
        });
        // the declared type, B and H substituted, is the call's
        const substituted = declared.map((d, k) =>
          d === "B" ? String(b) : d === "H" ? String(h) : simple(d) ? d : (typed[k] ?? d),
        );
        if (JSON.stringify(substituted) !== JSON.stringify(typed))
          problems.push(`declared ${JSON.stringify(declared)} but called ${JSON.stringify(typed)}`);
      });
      return problems.length ? [`${codeOf(c)}: ${problems.join("; ")}`] : [];
    });
    expect(wrong).toEqual([]);
    expect(exact).toBeGreaterThan(least.exact);
    expect(widened).toBeGreaterThan(least.widened);
  });
}

describe("generic helpers over the ops fixed for generic dims", () => {
  checkChains("__generic_ops_generated.ts", fc.sample(chainArb, { seed: 1923, numRuns: 150 }), {
    exact: 150,
    widened: 40,
  });
});

describe("generic helpers cutting, joining and broadcasting along generic dims (session 16)", () => {
  checkChains("__generic_cuts_generated.ts", fc.sample(genericChainArb, { seed: 1916, numRuns: 120 }), {
    exact: 300,
    widened: 40,
  });
});
