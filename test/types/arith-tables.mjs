/**
 * Generates the digit lookup tables of types/arith/tables.ts from plain integer arithmetic, so
 * the committed tables can be checked (test/types/arith-tables.test.ts) and regenerated:
 *   node test/types/arith-tables.mjs > types/arith/tables.ts
 * Each table maps digit characters to digit characters; a "pair" is [digit, carry].
 */
const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
/** Naturals below this convert between number literals and digit strings by table lookup. */
const SMALL = 4096;
/** Naturals below this also have a tuple of that length (Units), for adding and comparing small values by spreading. */
const UNITS = 100;
/** Products of two naturals 2..PRODUCTS-1 are one lookup (Products): the digit path costs ~450 instantiations for a two-digit product. */
const PRODUCTS = 100;
// NextIndex's length: the positions a chain of layers can count to (TypeScript stops a tail-recursive
// conditional type at 1,000 steps anyway).
const CHAIN = 1000;
/** @param {string | number} s */
const q = (s) => JSON.stringify(String(s));

/**
 * @param {readonly (string | number)[]} keys
 * @param {(k: string | number) => string} value
 * @param {string} indent
 */
function obj(keys, value, indent) {
  const inner = indent + "  ";
  return `{\n${keys.map((k) => `${inner}${q(k)}: ${value(k)};`).join("\n")}\n${indent}}`;
}
/** @param {number} d @param {number} c */
const pair = (d, c) => `[${q(d)}, ${q(c)}]`;

/** @returns {string} */
export function generateTables() {
  const add = obj(
    [0, 1],
    (c) =>
      obj(
        digits,
        (a) =>
          obj(
            digits,
            (b) => {
              const s = +a + +b + +c;
              return pair(s % 10, Math.floor(s / 10));
            },
            "    ",
          ),
        "  ",
      ),
    "",
  );
  const sub = obj(
    [0, 1],
    (br) =>
      obj(
        digits,
        (a) =>
          obj(
            digits,
            (b) => {
              const s = +a - +b - +br;
              return pair((s + 10) % 10, s < 0 ? 1 : 0);
            },
            "    ",
          ),
        "  ",
      ),
    "",
  );
  const mul = obj(
    [0, 1, 2, 3, 4, 5, 6, 7, 8],
    (c) =>
      obj(
        digits,
        (a) =>
          obj(
            digits,
            (b) => {
              const s = +a * +b + +c;
              return pair(s % 10, Math.floor(s / 10));
            },
            "    ",
          ),
        "  ",
      ),
    "",
  );
  const cmp = obj(
    ["<", "=", ">"],
    (r) => obj(digits, (a) => obj(digits, (b) => q(+a === +b ? String(r) : +a < +b ? "<" : ">"), "    "), "  "),
    "",
  );
  const div = obj(
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
    (b) =>
      obj(
        digits.filter((r) => r < +b),
        (r) =>
          obj(
            digits,
            (d) => {
              const n = 10 * +r + +d;
              return pair(Math.floor(n / +b), n % +b);
            },
            "    ",
          ),
        "  ",
      ),
    "",
  );
  const two = digits.flatMap((a) => digits.map((b) => `${a}${b}`));
  // Flat, keyed by the divisor, the remainder and two dividend digits in one string: a step is one
  // property lookup with a template key.
  const div2Lines = [1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((b) =>
    digits
      .filter((r) => r < b)
      .flatMap((r) =>
        two.map((dd) => {
          const n = 100 * r + +dd;
          return `  ${q(`${b}${r}${dd}`)}: [${q(String(Math.floor(n / b)).padStart(2, "0"))}, ${q(n % b)}];`;
        }),
      ),
  );
  const div2 = `{\n${div2Lines.join("\n")}\n  [other: string]: unknown;\n}`;
  const succ = obj(digits.slice(0, 9), (d) => q(+d + 1), "");
  // Small naturals both ways, rows of 16 entries per line.
  /** @param {(n: number) => string} entry @param {string} other */
  const rows = (entry, other) => {
    const lines = [];
    for (let r = 0; r < SMALL; r += 16) lines.push(`  ${Array.from({ length: 16 }, (_, i) => entry(r + i)).join(" ")}`);
    return `{\n${lines.join("\n")}\n  [other: ${other}]: ${other === "number" ? "string" : "number"} | undefined;\n}`;
  };
  const nextLines = [];
  for (let r = 0; r < CHAIN; r += 20)
    nextLines.push(
      `  ${Array.from({ length: Math.min(20, CHAIN - r) }, (_, i) => `${r + i}: ${r + i + 1};`).join(" ")}`,
    );
  /** @param {number} n */
  const rev = (n) => String(n).split("").reverse().join("");
  // The 16-digit texts at most 2^53 - 1, as one pattern per digit position: MAX's digits up to
  // that position, then a smaller digit (the last position: a smaller or equal one), then anything.
  const max = String(Number.MAX_SAFE_INTEGER);
  /** @param {number} m */
  const upTo = (m) =>
    digits
      .filter((d) => d < m)
      .map(q)
      .join(" | ");
  const safe16 = [...max].flatMap((m, i) => {
    const bound = i === max.length - 1 ? +m + 1 : +m;
    return bound === 0 ? [] : [`\`${max.slice(0, i)}\${${upTo(bound)}}\${string}\``];
  });
  // Divisors 10..SMALL-1 that are products of digits 2..9, as the fewest such digits (a division by
  // them is that many one-digit divisions, floor(floor(n / a) / b) = floor(n / (a b))).
  /** @type {string[]} */
  const fewest = [""];
  for (let n = 1; n < SMALL; n++) {
    let best;
    for (let d = 9; d >= 2; d--) {
      if (n % d === 0 && fewest[n / d] !== undefined && (best === undefined || fewest[n / d].length + 1 < best.length))
        best = `${fewest[n / d]}${d}`;
    }
    fewest[n] = n === 1 ? "" : best;
  }
  const units = Array.from({ length: UNITS }, (_, n) => `  ${q(rev(n))}: [${Array(n).fill("0").join(", ")}];`);
  const factorLines = [];
  for (let n = 10; n < SMALL; n++)
    if (fewest[n] !== undefined) factorLines.push(`  ${q(rev(n))}: ${q([...fewest[n]].sort().reverse().join(""))};`);
  // Keyed by the operands themselves (0 and 1 are the identities, handled before any lookup), one
  // row of the right operand per line.
  const factors = Array.from({ length: PRODUCTS - 2 }, (_, i) => i + 2);
  const productRows = factors.map(
    (a) => `  ${a}: { ${factors.map((b) => `${b}: ${a * b};`).join(" ")} [other: number]: unknown };`,
  );
  const toLE = rows((n) => `${n}: ${q(rev(n))};`, "number");
  const fromLE = rows((n) => `${q(rev(n))}: ${n};`, "string");
  return [
    "// Generated by test/types/arith-tables.mjs from plain integer arithmetic; test/types/arith-tables.test.ts",
    "// checks that this file is exactly its output. Keys and values are decimal digit characters.",
    "",
    "/** AddTable[carry][a][b] = [(a + b + carry) % 10, carry out] */",
    `export type AddTable = ${add};`,
    "",
    "/** SubTable[borrow][a][b] = [(a - b - borrow) mod 10, borrow out] */",
    `export type SubTable = ${sub};`,
    "",
    "/** MulTable[carry][a][b] = [(a * b + carry) % 10, floor((a * b + carry) / 10)], carry 0..8 */",
    `export type MulTable = ${mul};`,
    "",
    "/** CmpTable[sofar][a][b]: the comparison of a and b, or `sofar` when they are equal */",
    `export type CmpTable = ${cmp};`,
    "",
    "/** DivTable[b][r][d] = [floor((10 r + d) / b), (10 r + d) % b] for remainders r < b */",
    `export type DivTable = ${div};`,
    "",
    "/** DivTable2[`${b}${r}${dd}`] = [floor((100 r + dd) / b) as two digits, (100 r + dd) % b]: two digits per step */",
    `export type DivTable2 = ${div2};`,
    "",
    "/** Successor of a digit below 9 (counts quotient digits in long division) */",
    `export type Succ = ${succ};`,
    "",
    `/** SmallToLE[n] = the little-endian digits of n, for 0 <= n < ${SMALL}: one property lookup instead of a reversal; undefined above */`,
    `export type SmallToLE = ${toLE};`,
    "",
    `/** SmallFromLE[digits] = n, the inverse of SmallToLE */`,
    `export type SmallFromLE = ${fromLE};`,
    "",
    "/** The 16-digit texts (normal order) at most 2^53 - 1 = 9007199254740991; a literal is tested against it in one step */",
    `export type Safe16 =\n${safe16.map((p) => `  | ${p}`).join("\n")};`,
    "",
    `/** Units[LE digits of n] = a tuple of n zeros, for 0 <= n < ${UNITS}: small sums and differences as tuple spreads; undefined above */`,
    `export type Units = {\n${units.join("\n")}\n  [other: string]: unknown;\n};`,
    "",
    `/** Products[a][b] = a * b, for 2 <= a, b < ${PRODUCTS}; unknown otherwise */`,
    `export type Products = {\n${productRows.join("\n")}\n  [other: number]: unknown;\n};`,
    "",
    `/** DigitFactors[LE digits of n] = the fewest digits 2..9 whose product is n, for 10 <= n < ${SMALL} that have such digits */`,
    `export type DigitFactors = {\n${factorLines.join("\n")}\n  [other: string]: string | undefined;\n};`,
    "",
    `/** NextIndex[n] = n + 1, for 0 <= n < ${CHAIN}: a counter that is a number literal (a tuple counter builds a new tuple per step) */`,
    `export type NextIndex = {\n${nextLines.join("\n")}\n  [other: number]: number | undefined;\n};`,
    "",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(generateTables());
