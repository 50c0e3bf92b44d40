// Compares a compiler's diagnostics on the annotated fixtures of test-d/messages/ with their
// annotations (see test/types/gen-message-fixtures.mjs). Used by test/types/messages.test.ts
// (TS 6, through ts-morph) and scripts/check-ts7.mjs (TS 7, through its command line).
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const fixtureDir = join(root, "test-d/messages");
export const fixtureConfig = join(fixtureDir, "tsconfig.json");
export const fixtureFiles = () =>
  readdirSync(fixtureDir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(fixtureDir, f));

/**
 * The calls whose arguments the fixtures annotate by name, and the index of each named argument:
 * the ops' (input, weight, bias, options) and the layer constructors' options. Any other call (the
 * first on its line: `cat(`, `x.split(`) is annotated by position, arg0..arg3.
 */
const callees = {
  conv2d: { input: 0, weight: 1, bias: 2, options: 3 },
  convTranspose2d: { input: 0, weight: 1, bias: 2, options: 3 },
  Conv2d: { options: 3 },
  ConvTranspose2d: { options: 3 },
  Linear: { options: 2 },
};
const positional = { arg0: 0, arg1: 1, arg2: 2, arg3: 3 };
const calleePattern = new RegExp(`\\b(${Object.keys(callees).join("|")})\\(`);

/** The first named callee on a line (else the first call), and the start columns (1-based) of its top-level arguments. */
function argumentColumns(line) {
  const m = calleePattern.exec(line);
  const open = m ? m.index + m[0].length : line.indexOf("(") + 1;
  const cols = [open + 1];
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    const ch = line[i];
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) {
      if (depth === 0) break;
      depth--;
    } else if (ch === "," && depth === 0) cols.push(i + (line[i + 1] === " " ? 2 : 1) + 1);
  }
  return { callee: m ? m[1] : null, cols };
}

/** The expected diagnostics of every fixture: [{ file, line, column, message }]. */
export function expectations() {
  const out = [];
  for (const file of fixtureFiles()) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((l, i) => {
      const m = /^\s*\/\/ error: (.*)$/.exec(l);
      if (!m) return;
      const at = /^\s*\/\/ at: (\w+)$/.exec(lines[i - 1] ?? "");
      if (!at) throw new Error(`${relative(root, file)}:${i + 1}: "// error:" must follow "// at: <argument>"`);
      const callLine = i - 1; // 1-based number of the line above "// at:"
      const { callee, cols } = argumentColumns(lines[callLine - 1]);
      const index = callee === null ? positional[at[1]] : callees[callee][at[1]];
      if (index === undefined)
        throw new Error(`${relative(root, file)}:${callLine}: no ${callee ?? "positional"} argument "${at[1]}"`);
      out.push({ file: relative(root, file), line: callLine, column: cols[index], message: m[1] });
    });
  }
  return out;
}

/** The message a conv2d parameter type carries, from tsc's "not assignable to parameter" text. */
export function parameterMessage(text) {
  const m = /^Argument of type '.*' is not assignable to parameter of type '"(.*)"'\.$/s.exec(text);
  return m ? m[1].replace(/\\"/g, '"').replace(/\\\\/g, "\\") : null;
}

/**
 * Problems (strings; empty when all is well) comparing actual diagnostics
 * [{ file, line, column, text }] with the expectations.
 */
export function compare(actual, expected = expectations()) {
  const problems = [];
  const key = (d) => `${d.file}:${d.line}`;
  const byLine = new Map();
  for (const d of actual) byLine.set(key(d), [...(byLine.get(key(d)) ?? []), d]);
  for (const e of expected) {
    const ds = byLine.get(key(e)) ?? [];
    byLine.delete(key(e));
    if (ds.length === 0) {
      problems.push(`${key(e)}: missing error "${e.message}"`);
      continue;
    }
    if (ds.length > 1) problems.push(`${key(e)}: ${ds.length} errors, expected one`);
    const d = ds[0];
    const got = parameterMessage(d.text);
    if (got !== e.message) problems.push(`${key(e)}: expected "${e.message}", got ${JSON.stringify(got ?? d.text)}`);
    if (d.column !== e.column)
      problems.push(`${key(e)}: error at column ${d.column}, expected the argument at column ${e.column}`);
  }
  for (const ds of byLine.values())
    for (const d of ds) problems.push(`${key(d)}:${d.column}: unexpected error: ${d.text}`);
  return problems;
}

/** Parses `file(line,col): error TSnnnn: text` lines of tsc's plain output (TS 7 has no JS API). */
export function parseTscOutput(output) {
  const out = [];
  for (const l of output.split("\n")) {
    const m = /^(.+?)\((\d+),(\d+)\): error TS\d+: (.*)$/.exec(l.trim());
    if (m) out.push({ file: relative(root, join(root, m[1])), line: Number(m[2]), column: Number(m[3]), text: m[4] });
    else if (out.length && l.startsWith("  ")) out[out.length - 1].text += `\n${l}`;
  }
  return out;
}
