/**
 * Division and products on the sizes models compute (issue 19), against BigInt: Div and Mod across
 * the divisor routes (one digit, products of digits such as 16 and 4096, primes above 10 such as
 * 97 and 1009) with dividends from 0 to 2^53 - 1, and the channel-times-spatial products of
 * flattening chains (512 * 7 * 7, 256 * 14 * 14), operands drawn with fixed seeds. (A two-digit a
 * step division of `${A}` by a one-digit divisor, as types/shape/conv.ts divides, was tried in
 * session 18: Div<223, 2> 261 -> 201 instantiations alone, but src/models +10,650 under TS 7.)
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import { root } from "./message-check.mjs";
import { typecheckGenerated } from "./generated-source.js";

const MAX = 2n ** 53n - 1n;
type Case = { op: "Div" | "Mod" | "Mul"; a: bigint; b: bigint };

const dividend = fc.oneof(
  fc.bigInt({ min: 0n, max: 4095n }),
  fc.bigInt({ min: 4096n, max: 10n ** 6n }),
  fc.bigInt({ min: 0n, max: MAX }),
);
const divisor = fc.oneof(
  fc.bigInt({ min: 1n, max: 9n }),
  fc.constantFrom(10n, 12n, 16n, 25n, 49n, 64n, 100n, 128n, 4096n),
  fc.constantFrom(11n, 13n, 97n, 101n, 1009n),
  fc.bigInt({ min: 1n, max: 4095n }),
);
const cases: Case[] = [];
for (const [a, b] of fc.sample(fc.tuple(dividend, divisor), { seed: 18, numRuns: 1500 }))
  cases.push({ op: "Div", a, b });
for (const [a, b] of fc.sample(fc.tuple(dividend, divisor), { seed: 181, numRuns: 700 }))
  cases.push({ op: "Mod", a, b });
// The edges of a one-digit divisor: a quotient digit of 0 in the middle, a remainder at each size.
for (const a of [0n, 1n, 8n, 9n, 10n, 99n, 100n, 101n, 4095n, 4096n, 1000000007n, MAX])
  for (const b of [1n, 2n, 3n, 7n, 9n, 16n]) for (const op of ["Div", "Mod"] as const) cases.push({ op, a, b });
// Channels times spatial sizes, and their flattening chains.
const channels = [3n, 16n, 64n, 96n, 128n, 256n, 512n, 1024n, 2048n, 4096n];
const spatial = [1n, 2n, 3n, 5n, 7n, 13n, 14n, 28n, 56n, 112n, 224n];
for (const c of channels) for (const s of spatial) cases.push({ op: "Mul", a: c, b: s }, { op: "Mul", a: c * s, b: s });
for (const [a, b] of fc.sample(
  fc.tuple(fc.bigInt({ min: 0n, max: 94906265n }), fc.bigInt({ min: 0n, max: 94906265n })),
  {
    seed: 1818,
    numRuns: 300,
  },
))
  cases.push({ op: "Mul", a, b });

const oracle = {
  Div: (a: bigint, b: bigint) => a / b,
  Mod: (a: bigint, b: bigint) => a % b,
  Mul: (a: bigint, b: bigint) => a * b,
};

describe("division and products on model sizes", () => {
  const lines = [`import type { Div, Mod, Mul } from "${join(root, "types/arith/index.js")}";`];
  cases.forEach((c, i) => lines.push(`type C${i} = ${c.op}<${c.a}, ${c.b}>;`));
  lines.push("type F0 = Div<Mul<Mul<512, 7>, 7>, 49>;", "type U0 = Div<100 | 7, 2 | 16>;");
  const { file, diagnostics } = typecheckGenerated("__arith_division_generated.ts", lines);

  it(`give BigInt's result on ${cases.length} cases`, () => {
    expect([...diagnostics.values()]).toEqual([]);
    const wrong = cases.flatMap((c, i) => {
      const got = file.getTypeAliasOrThrow(`C${i}`).getType().getLiteralValue();
      const want = oracle[c.op](c.a, c.b);
      return typeof got === "number" && BigInt(got) === want
        ? []
        : [`${c.op}<${c.a}, ${c.b}>: got ${JSON.stringify(got)}, want ${want}`];
    });
    expect(wrong).toEqual([]);
  }, 600_000);

  it("chain and distribute", () => {
    expect(file.getTypeAliasOrThrow("F0").getType().getLiteralValue()).toBe(512);
    const u = file
      .getTypeAliasOrThrow("U0")
      .getType()
      .getUnionTypes()
      .map((t) => t.getLiteralValue())
      .sort((x, y) => Number(x) - Number(y));
    expect(u).toEqual([0, 3, 6, 50]);
  });
});
