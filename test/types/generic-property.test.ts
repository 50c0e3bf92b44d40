/**
 * Inferred shape = runtime shape, for generic helpers and for users' modules (issue 19). fast-check
 * (fixed seed) draws shapes and ops; ONE generated file declares, per draw, a helper generic in
 * its batch (`function g<B extends number>(x: Tensor<[B, C, H, W]>) { return op(x) }`) or a
 * module written as in PyTorch (fields and a generic `forward`) inside nn.Sequential /
 * nn.Residual, and calls it on a literal input. The file is type-checked once; then:
 * - the helper's own return type (inside the generic function) keeps `B` where the op keeps the
 *   batch, and has no `number` where the op's output is literal;
 * - the call's inferred shape equals, dim for dim, the shape the same op gives at run time (a dim
 *   the compiler leaves `number` is allowed only where the module's forward takes spatial sizes
 *   as `number`).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import { Project } from "ts-morph";
import * as sg from "../../src/index.js";
import { root } from "./message-check.mjs";
import { shapeElements } from "./generated-source.js";

const nn = sg.nn;
type AnyTensor = sg.AnyTensor;

interface Op {
  /** the op applied to `x` ([B, C, H, W]) in TypeScript, with C, H, W, K literal */
  code: (d: Dims) => string;
  /** the same op at run time */
  run: (x: AnyTensor, d: Dims) => AnyTensor;
  /** the output keeps the generic batch at dim 0 */
  keepsBatch: boolean;
}
interface Dims {
  b: number;
  c: number;
  h: number;
  w: number;
  k: number;
}

const ops: Record<string, Op> = {
  addSelf: { code: () => "add(x, x)", run: (x) => sg.add(x, x as never), keepsBatch: true },
  methodAdd: { code: () => "x.add(x)", run: (x) => sg.add(x, x as never), keepsBatch: true },
  mulScalar: { code: () => "mul(x, 2)", run: (x) => sg.mul(x, 2 as never), keepsBatch: true },
  subScalar: { code: () => "x.sub(1)", run: (x) => sg.sub(x, 1 as never), keepsBatch: true },
  addBias: {
    code: (d) => `add(x, zeros([${d.c}, 1, 1]))`,
    run: (x, d) => sg.add(x, sg.zeros([d.c, 1, 1]) as never),
    keepsBatch: true,
  },
  centre: {
    code: () => "x.sub(x.mean([0, 2, 3], true))",
    run: (x) => sg.sub(x, sg.mean(x as never, [0, 2, 3], true) as never),
    keepsBatch: true,
  },
  flatten: { code: () => "flatten(x, 1)", run: (x) => sg.flatten(x, 1), keepsBatch: true },
  mean: { code: () => "mean(x, [2, 3])", run: (x) => sg.mean(x, [2, 3]), keepsBatch: true },
  reshape: {
    code: (d) => `x.reshape([-1, ${d.c * d.h * d.w}])`,
    run: (x, d) => sg.reshape(x, [-1, d.c * d.h * d.w] as never),
    keepsBatch: true,
  },
  pool: {
    code: (d) => `maxPool2d(x, { kernelSize: ${d.k} })`,
    run: (x, d) => sg.maxPool2d(x, { kernelSize: d.k }),
    keepsBatch: true,
  },
  matmul: {
    code: (d) => `matmul(mean(x, [2, 3]), zeros([${d.c}, ${d.k}]))`,
    run: (x, d) => sg.matmul(sg.mean(x as never, [2, 3]), sg.zeros([d.c, d.k]) as never),
    keepsBatch: true,
  },
  sumAll: { code: () => "x.sum()", run: (x) => sg.sum(x), keepsBatch: false },
};
const opNames = Object.keys(ops);

const dims = fc.record({
  b: fc.integer({ min: 1, max: 5 }),
  c: fc.integer({ min: 1, max: 6 }),
  h: fc.integer({ min: 2, max: 9 }),
  w: fc.integer({ min: 2, max: 9 }),
  k: fc.integer({ min: 1, max: 2 }),
});
const opCase = fc.record({ op: fc.constantFrom(...opNames), d: dims });
/** A module: conv (stride s, padding p, kernel k) then relu, in a Sequential with Flatten, or a same-size block in a Residual. */
const moduleCase = fc.record({
  d: dims,
  co: fc.integer({ min: 1, max: 6 }),
  s: fc.integer({ min: 1, max: 2 }),
  p: fc.integer({ min: 0, max: 1 }),
  residual: fc.boolean(),
});

describe("generic helpers and custom modules: inferred shape = runtime shape", () => {
  const opCases = fc.sample(opCase, { seed: 19, numRuns: 120 });
  const moduleCases = fc.sample(moduleCase, { seed: 19, numRuns: 40 });

  const lines = [
    `import { add, flatten, matmul, maxPool2d, mean, mul, relu, zeros, nn, type Tensor } from "${join(root, "src/index.js")}";`,
  ];
  opCases.forEach(({ op, d }, i) => {
    lines.push(
      `export function g${i}<B extends number>(x: Tensor<[B, ${d.c}, ${d.h}, ${d.w}]>) { return ${ops[op].code(d)}; }`,
    );
    lines.push(`declare const x${i}: Tensor<[${d.b}, ${d.c}, ${d.h}, ${d.w}]>;`, `export const y${i} = g${i}(x${i});`);
  });
  moduleCases.forEach(({ d, co, s, p, residual }, i) => {
    // A residual block keeps the shape: the conv maps C to C with "same" geometry.
    const conv = residual
      ? `nn.Conv2d(${d.c}, ${d.c}, 3, { padding: 1 })`
      : `nn.Conv2d(${d.c}, ${co}, ${1 + 2 * p}, { stride: ${s}, padding: ${p} })`;
    lines.push(
      `class M${i} extends nn.Module {`,
      `  conv = ${conv};`,
      `  forward<N extends number>(x: Tensor<[N, ${d.c}, number, number]>) { return relu(this.conv.forward(x)); }`,
      "}",
    );
    lines.push(`declare const mx${i}: Tensor<[${d.b}, ${d.c}, ${d.h}, ${d.w}]>;`);
    lines.push(
      residual
        ? `export const m${i} = nn.Residual(new M${i}()).forward(mx${i});`
        : `export const m${i} = nn.Sequential(new M${i}(), nn.Flatten()).forward(mx${i});`,
    );
  });

  const project = new Project({ tsConfigFilePath: join(root, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
  const file = project.createSourceFile(
    join(root, "test/types/__generic_property_generated.ts"),
    `${lines.join("\n")}\n`,
    { overwrite: true },
  );
  const diagnostics = file
    .getPreEmitDiagnostics()
    .map(
      (d) =>
        `${d.getLineNumber()}: ${typeof d.getMessageText() === "string" ? (d.getMessageText() as string) : (d.getMessageText() as { getMessageText(): string }).getMessageText()}`,
    );
  /** The dims of a variable's inferred shape: a number, or "number", or the text of a type parameter. */
  const inferred = (name: string): (number | string)[] =>
    shapeElements(file, file.getVariableDeclarationOrThrow(name).getType()).map((t) =>
      t.isNumberLiteral() ? Number(t.getLiteralValue()) : t.getText(),
    );

  it("the generated file compiles", () => expect(diagnostics).toEqual([]));

  it(`${opCases.length} generic helpers keep B and give the runtime's shape`, () => {
    const wrong = opCases.flatMap(({ op, d }, i) => {
      const ret = shapeElements(file, file.getFunctionOrThrow(`g${i}`).getReturnType()).map((t) => t.getText());
      const runtime = [...ops[op].run(sg.randn([d.b, d.c, d.h, d.w]), d).shape];
      const got = inferred(`y${i}`);
      const keeps = ops[op].keepsBatch ? ret[0] === "B" && !ret.slice(1).includes("number") : !ret.includes("number");
      return keeps && JSON.stringify(got) === JSON.stringify(runtime)
        ? []
        : [
            `${op} ${JSON.stringify(d)}: generic ${JSON.stringify(ret)}, call ${JSON.stringify(got)}, runtime ${JSON.stringify(runtime)}`,
          ];
    });
    expect(wrong).toEqual([]);
    expect(new Set(opCases.map((c) => c.op)).size).toBe(opNames.length);
  });

  it(`${moduleCases.length} users' modules in Sequential and Residual give the runtime's shape`, () => {
    const wrong = moduleCases.flatMap(({ d, co, s, p, residual }, i) => {
      const conv = residual
        ? nn.Conv2d(d.c, d.c, 3, { padding: 1 })
        : nn.Conv2d(d.c, co, 1 + 2 * p, { stride: s, padding: p });
      const x = sg.randn([d.b, d.c, d.h, d.w]);
      const body: AnyTensor = sg.relu((conv.forward as (t: AnyTensor) => AnyTensor)(x));
      const runtime = residual
        ? [...sg.add(body, x as never).shape]
        : [d.b, body.shape.slice(1).reduce((a, b) => a * b, 1)];
      const got = inferred(`m${i}`);
      // A residual block is exact (the identity's literal shape); through Flatten the batch is
      // exact and the features are the run time's (the forward takes spatial sizes as number).
      const ok = residual
        ? JSON.stringify(got) === JSON.stringify(runtime)
        : got.length === 2 && got[0] === runtime[0] && got[1] === "number";
      return ok
        ? []
        : [
            `#${i} ${JSON.stringify({ d, co, s, p, residual })}: compiler ${JSON.stringify(got)}, runtime ${JSON.stringify(runtime)}`,
          ];
    });
    expect(wrong).toEqual([]);
    expect(moduleCases.some((c) => c.residual) && moduleCases.some((c) => !c.residual)).toBe(true);
  });
});
