/**
 * The arithmetic's shortcuts (types/arith/index.ts Quick and Small: identities below 4096, sums,
 * differences and comparisons below 100 by tuple spreads, products below 100 by the Products
 * table) against BigInt, on every pair of operands around their edges and on products drawn with
 * a fixed seed: the random cases of property.test.ts seldom draw two operands below 100. Unions
 * distribute through every op.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import { root } from "./message-check.mjs";
import { typecheckGenerated } from "./generated-source.js";

const ops = {
  Add: (a: bigint, b: bigint) => a + b,
  Sub: (a: bigint, b: bigint) => a - b,
  Mul: (a: bigint, b: bigint) => a * b,
  Div: (a: bigint, b: bigint) => a / b,
  Compare: (a: bigint, b: bigint) => (a < b ? -1n : a > b ? 1n : 0n),
};
type Op = keyof typeof ops;

// Each side of every shortcut's edge: 0, 1, the two-digit ones, 99 / 100, 4095 / 4096, and beyond.
const edges = [0, 1, 2, 3, 9, 10, 11, 16, 50, 98, 99, 100, 101, 127, 999, 1000, 4095, 4096, 4097, 12345678];
const cases: { op: Op; a: number; b: number }[] = [];
for (const op of Object.keys(ops) as Op[])
  for (const a of edges) for (const b of edges) if (!(op === "Div" && b === 0)) cases.push({ op, a, b });
const below100 = fc.integer({ min: 0, max: 99 });
for (const [a, b] of fc.sample(fc.tuple(below100, below100), { seed: 19, numRuns: 300 }))
  cases.push({ op: "Mul", a, b });

describe("the arithmetic's shortcuts", () => {
  const lines = [`import type { Add, Sub, Mul, Div, Compare } from "${join(root, "types/arith/index.js")}";`];
  cases.forEach((c, i) => lines.push(`type C${i} = ${c.op}<${c.a}, ${c.b}>;`));
  lines.push("type U0 = Mul<2 | 3, 12 | 1>;", "type U1 = Add<1 | 40, 0 | 59>;");
  const { file, diagnostics } = typecheckGenerated("__arith_shortcuts_generated.ts", lines);

  it(`give BigInt's result on ${cases.length} cases`, () => {
    expect([...diagnostics.values()]).toEqual([]);
    const wrong = cases.flatMap((c, i) => {
      const got = file.getTypeAliasOrThrow(`C${i}`).getType().getLiteralValue();
      const want = ops[c.op](BigInt(c.a), BigInt(c.b));
      return typeof got === "number" && BigInt(got) === want
        ? []
        : [`${c.op}<${c.a}, ${c.b}>: got ${JSON.stringify(got)}, want ${want}`];
    });
    expect(wrong).toEqual([]);
  }, 600_000);

  it("distribute over unions", () => {
    const values = (name: string) =>
      file
        .getTypeAliasOrThrow(name)
        .getType()
        .getUnionTypes()
        .map((t) => t.getLiteralValue())
        .sort((x, y) => Number(x) - Number(y));
    expect(values("U0")).toEqual([2, 3, 24, 36]);
    expect(values("U1")).toEqual([1, 40, 60, 99]);
  });
});
