/**
 * Issue 19, item 2: chains of the ops fixed for generic dims (pad, interpolate, flatten,
 * adaptiveAvgPool2d, layerNorm, cat, broadcasting against a keepdim mean, and nn's MaxPool2d,
 * AvgPool2d, Upsample and a Sequential of them) over a batch B and
 * a spatial size H that are type parameters, against the run time. fast-check (fixed seed) draws
 * chains; ONE generated file declares, per draw, `function g<B, H>(x: Tensor<[B, 8, H, H]>)`
 * returning the chain, and calls it at two literal sizes, type-checked once. Then:
 * - the file compiles, and no result type is `any`, `number[]` or unresolved;
 * - each dim of a helper's return type is B, H, a literal or `number`, and the call's inferred
 *   type equals the run-time shape wherever it is not `number` (B and H substituted);
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
};

/** A layer's forward with its compile-time signatures set aside. */
const forward = (m: unknown) => (m as { forward: (y: AnyTensor) => AnyTensor }).forward.bind(m);

/** One step: its TypeScript text on `y`, and the same call at run time. */
interface Step {
  code: (y: string) => string;
  run: (y: AnyTensor) => AnyTensor;
  /** Merges the channel dim into another: the only steps after which the channels are not a literal. */
  mergesChannels?: true;
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
  { code: (y) => `cat([${y}, ${y}], 1)`, run: (y) => u.cat([y, y], 1) },
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

/** The layerNorm step names the channel count; it is the literal the compiler carries, rewritten at generation. */
function codeOf(chain: readonly Step[]): string {
  let y = "x";
  let channels = 8;
  for (const s of chain) {
    const text = s.code(y);
    y = text.replace("${C}", String(channels));
    if (text.startsWith("cat(")) channels *= 2;
  }
  return y;
}
function runOf(chain: readonly Step[], x: AnyTensor): AnyTensor {
  return chain.reduce((y, s) => s.run(y), x);
}

describe("generic helpers over the ops fixed for generic dims", () => {
  const chains = fc.sample(chainArb, { seed: 1923, numRuns: 150 });
  const sizes = [
    [2, 6],
    [3, 8],
  ] as const;
  const lines = [
    `import { cat, flatten, interpolate, maxPool2d, mean, nn, pad, sub, zeros, type Tensor } from "${join(root, "src/index.js")}";`,
    `const layerNorm = nn.functional.layerNorm;`,
  ];
  chains.forEach((c, i) => {
    lines.push(
      `export function g${i}<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>) { return ${codeOf(c)}; }`,
    );
    sizes.forEach(([b, h], j) => lines.push(`export const c${i}_${j} = g${i}(zeros([${b}, 8, ${h}, ${h}]));`));
  });
  const { file } = typecheckGenerated("__generic_ops_generated.ts", lines);
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
      if (!declared.every((d) => d === "B" || d === "H" || d === "number" || /^\d+$/.test(d)))
        problems.push(`declared ${JSON.stringify(declared)}`);
      // the batch stays B and the channels a literal through every step but a merge of the channels
      if (!c.some((step) => step.mergesChannels) && (declared[0] !== "B" || !/^\d+$/.test(declared[1] ?? "")))
        problems.push(`batch and channels not kept: ${JSON.stringify(declared)}`);
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
        const substituted = declared.map((d) => (d === "B" ? String(b) : d === "H" ? String(h) : d));
        if (JSON.stringify(substituted) !== JSON.stringify(typed))
          problems.push(`declared ${JSON.stringify(declared)} but called ${JSON.stringify(typed)}`);
      });
      return problems.length ? [`${codeOf(c)}: ${problems.join("; ")}`] : [];
    });
    expect(wrong).toEqual([]);
    expect(exact).toBeGreaterThan(150);
    expect(widened).toBeGreaterThan(40);
  });
});
