/**
 * Inferred shape = runtime shape for nn.Sequential and nn.Residual of users' modules under a
 * generic batch (issue 19 items 2 and 3). fast-check (fixed seed) draws chains of modules written
 * as in PyTorch (fields and a `forward` generic in the batch: a conv + relu, a dense layer that
 * appends its new channels with `cat`), with batch norms and activations between them; ONE
 * generated file declares, per draw, the chain in an nn.Sequential (or, when it keeps the shape,
 * an nn.Residual), a helper generic in its batch that runs it (`function h<B extends number>(x:
 * Tensor<[B, C, H, W]>)`), a module whose own generic forward runs it, and calls on a literal
 * input. The file is type-checked once, then imported and run:
 * - inside the helper, the chain's output keeps `B` and the literal channels (a residual: the
 *   literal spatial sizes too);
 * - the call's inferred shape equals the shape the same code gives at run time, dim for dim
 *   (`number` only where the modules' forwards take spatial sizes as `number`);
 * - a chain whose channels do not meet (one module expecting other channels) is a compile error
 *   under the generic batch, and throws naming the layer at run time.
 */
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Project } from "ts-morph";
import { root } from "./message-check.mjs";
import { shapeElements } from "./generated-source.js";

/** A module of the chain: what it is in the generated code, from C channels in. */
type Step = { kind: "conv"; out: number; k: number; s: number } | { kind: "dense"; growth: number } | { kind: "bn" };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("conv" as const),
    out: fc.integer({ min: 1, max: 6 }),
    k: fc.constantFrom(1, 3),
    s: fc.integer({ min: 1, max: 2 }),
  }),
  fc.record({ kind: fc.constant("dense" as const), growth: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant("bn" as const) }),
);
const chainCase: fc.Arbitrary<Case> = fc.record({
  b: fc.integer({ min: 1, max: 4 }),
  c: fc.integer({ min: 1, max: 6 }),
  h: fc.integer({ min: 4, max: 9 }),
  w: fc.integer({ min: 4, max: 9 }),
  steps: fc.array(step, { minLength: 1, maxLength: 4 }),
  /** the chain made shape-keeping (convs C -> C, "same", stride 1; no dense layer) and put in a Residual */
  residual: fc.boolean(),
  /** the last module built for one channel more than it receives: a compile error */
  broken: fc.boolean(),
});
interface Case {
  b: number;
  c: number;
  h: number;
  w: number;
  steps: Step[];
  residual: boolean;
  broken: boolean;
}

/** The case's modules as code, with the channels after each; `broken` shifts the last one's input. */
function modules({ c, steps, residual, broken }: Case): { code: string[]; channels: number } {
  let ch = c;
  const code = steps.map((st, j) => {
    const cin = broken && j === steps.length - 1 ? ch + 1 : ch;
    if (residual || st.kind === "bn") {
      if (st.kind === "bn") return `nn.BatchNorm2d(${cin})`;
      return `new Conv(${cin}, ${cin}, 3, 1)`;
    }
    if (st.kind === "conv") {
      ch = st.out;
      return `new Conv(${cin}, ${st.out}, ${st.k}, ${st.s})`;
    }
    ch = cin + st.growth;
    return `new Dense(${cin}, ${st.growth})`;
  });
  return { code, channels: ch };
}

const generated = join(root, "test/types/__sequential_property_generated.ts");

describe("nn.Sequential / nn.Residual of users' modules under a generic batch: inferred shape = runtime shape", () => {
  const cases = fc.sample(chainCase, { seed: 1919, numRuns: 60 });

  const lines = [
    `import { cat, relu, randn, nn, type Tensor } from "${join(root, "src/index.js")}";`,
    // Users' modules: fields and a forward generic in the batch, channels from the class.
    "class Conv<const Cin extends number, const Cout extends number> extends nn.Module {",
    "  conv: nn.Conv2d<Cin, Cout, number, { readonly stride: number; readonly padding: number }>;",
    "  constructor(cin: Cin, cout: Cout, k: number, stride: number) {",
    "    super();",
    "    this.conv = nn.Conv2d(cin, cout, k, { stride, padding: (k - 1) / 2 });",
    "  }",
    "  forward<N extends number>(x: Tensor<[N, Cin, number, number]>) { return relu(this.conv.forward(x)); }",
    "}",
    "class Dense<const Cin extends number, const G extends number> extends nn.Module {",
    "  norm: nn.BatchNorm2d<Cin>;",
    "  conv: nn.Conv2d<Cin, G, 3, { readonly padding: 1 }>;",
    "  constructor(cin: Cin, growth: G) {",
    "    super();",
    "    this.norm = nn.BatchNorm2d(cin);",
    "    this.conv = nn.Conv2d(cin, growth, 3, { padding: 1 });",
    "  }",
    "  forward<N extends number>(x: Tensor<[N, Cin, number, number]>) {",
    "    return cat([x, this.conv.forward(relu(this.norm.forward(x)))], 1);",
    "  }",
    "}",
  ];
  cases.forEach((k, i) => {
    const { code } = modules(k);
    const chain = `nn.Sequential(${code.join(", ")})`;
    lines.push(`const s${i} = ${k.residual ? `nn.Residual(${chain})` : chain};`);
    lines.push(
      `export function h${i}<B extends number>(x: Tensor<[B, ${k.c}, ${k.h}, ${k.w}]>) {`,
      `  return s${i}.forward(x); // case ${i}`,
      "}",
      `class Outer${i} extends nn.Module {`,
      `  body = s${i};`,
      `  forward<N extends number>(x: Tensor<[N, ${k.c}, number, number]>) { return this.body.forward(x); // case ${i}`,
      "  }",
      "}",
      `export const run${i} = () => h${i}(randn([${k.b}, ${k.c}, ${k.h}, ${k.w}])); // case ${i}`,
      `export const outer${i} = () => nn.Sequential(new Outer${i}(), nn.ReLU()).forward(randn([${k.b}, ${k.c}, ${k.h}, ${k.w}])); // case ${i}`,
    );
  });
  const source = `${lines.join("\n")}\n`;

  const project = new Project({ tsConfigFilePath: join(root, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
  const file = project.createSourceFile(generated, source, { overwrite: true });
  /** Case index -> number of diagnostics on its lines. */
  const errors = new Map<number, number>();
  const unexpected: string[] = [];
  for (const d of file.getPreEmitDiagnostics()) {
    const line = source.split("\n")[(d.getLineNumber() ?? 1) - 1] ?? "";
    const at = /case (\d+)/.exec(line);
    if (at) errors.set(Number(at[1]), (errors.get(Number(at[1])) ?? 0) + 1);
    else unexpected.push(`${d.getLineNumber()}: ${line}`);
  }
  /** A type's shape dims: a number, "number", or a type parameter's name. */
  const dimsOf = (t: ReturnType<typeof file.getType>): (number | string)[] =>
    shapeElements(file, t).map((e) => (e.isNumberLiteral() ? Number(e.getLiteralValue()) : e.getText()));
  const helperShape = (i: number) => dimsOf(file.getFunctionOrThrow(`h${i}`).getReturnType());
  const callShape = (name: string) =>
    dimsOf(file.getVariableDeclarationOrThrow(name).getType().getCallSignatures()[0].getReturnType());

  writeFileSync(generated, source);
  afterAll(() => rmSync(generated, { force: true }));

  it("the generated file compiles except the broken chains' calls", () => {
    expect(unexpected).toEqual([]);
    const broken = cases.flatMap((k, i) => (k.broken ? [i] : []));
    expect([...errors.keys()].sort((a, b) => a - b)).toEqual(broken);
    expect(broken.length).toBeGreaterThan(5);
  });

  it("a chain keeps B and the literal channels under the generic batch, and the call gives the runtime's shape", async () => {
    const mod = (await import(pathToFileURL(generated).href)) as Record<string, () => { shape: readonly number[] }>;
    const wrong = cases.flatMap((k, i) => {
      if (k.broken) return [];
      const { channels } = modules(k);
      const inside = helperShape(i);
      const runtime = [...mod[`run${i}`]().shape];
      const call = callShape(`run${i}`);
      const outer = callShape(`outer${i}`);
      const outerRun = [...mod[`outer${i}`]().shape];
      // A residual adds the identity: its literal shape. A chain: B and the channels literal, the
      // spatial sizes `number` (the modules' forwards take them as number) unless only batch norms.
      const onlyBn = k.steps.every((s) => s.kind === "bn");
      const expectInside = k.residual || onlyBn ? ["B", channels, k.h, k.w] : ["B", channels, "number", "number"];
      const expectCall = expectInside.map((d, j) => (j === 0 ? k.b : d));
      const expectOuter = [k.b, channels, "number", "number"];
      const agrees = (typed: (number | string)[], run: number[]) =>
        typed.length === run.length && typed.every((d, j) => d === run[j] || d === "number");
      const ok =
        JSON.stringify(inside) === JSON.stringify(expectInside) &&
        JSON.stringify(call) === JSON.stringify(expectCall) &&
        JSON.stringify(outer) === JSON.stringify(expectOuter) &&
        agrees(call, runtime) &&
        agrees(outer, outerRun) &&
        runtime[1] === channels;
      return ok
        ? []
        : [
            `#${i} ${JSON.stringify(k)}: helper ${JSON.stringify(inside)}, call ${JSON.stringify(call)}, outer ${JSON.stringify(outer)}, runtime ${JSON.stringify(runtime)} / ${JSON.stringify(outerRun)}`,
          ];
    });
    expect(wrong).toEqual([]);
    expect(cases.some((k) => k.residual && !k.broken) && cases.some((k) => !k.residual && !k.broken)).toBe(true);
    expect(cases.some((k) => !k.broken && !k.residual && k.steps.some((s) => s.kind === "dense"))).toBe(true);
  });

  it("a broken chain throws at run time, naming the layer that refused", async () => {
    const mod = (await import(pathToFileURL(generated).href)) as Record<string, () => unknown>;
    const wrong = cases.flatMap((k, i) => {
      if (!k.broken) return [];
      const layer = k.steps.length - 1;
      const prefix = `nn.Sequential: layer ${layer} (`;
      try {
        mod[`run${i}`]();
        return [`#${i}: no error`];
      } catch (e) {
        const message = (e as Error).message;
        return message.includes(prefix) ? [] : [`#${i}: ${message}`];
      }
    });
    expect(wrong).toEqual([]);
  });
});
