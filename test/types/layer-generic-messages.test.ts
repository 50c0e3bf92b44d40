/**
 * Issue 19, item 1, the run-time side of test-d/messages/layer-generic.ts: each bad layer call there
 * is annotated with the one text the compiler gives at its argument (messages.test.ts under TS 6,
 * scripts/check-ts7.mjs under TS 7), for a generic B and H and for the same call on literal sizes;
 * here each function runs on a literal [2, 16, 8, 8] input and must throw exactly that text.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { randn } from "../../src/index.js";
import { expectations, root } from "./message-check.mjs";

const file = "test-d/messages/layer-generic.ts";
// Imported by path: the fixture holds compile errors on purpose, outside the project's type check.
const fixture = (await import(join(root, file))) as Record<string, (...a: unknown[]) => unknown>;
const lines = readFileSync(join(root, file), "utf8").split("\n");
/** The exported function an annotated line is in. */
const enclosing = (line: number): string =>
  lines
    .slice(0, line)
    .reverse()
    .map((l) => /^export function (\w+)/.exec(l)?.[1])
    .find((n) => n !== undefined) ?? "";

describe("a layer under a generic batch and size: the compiler's text is the run time's", () => {
  const annotated = expectations()
    .filter((e) => e.file === file)
    .map((e) => ({ name: enclosing(e.line), message: e.message }));

  it("annotates each generic call and its literal twin with one text", () => {
    const byName = new Map(annotated.map((e) => [e.name, e.message]));
    const twins = [...byName.keys()].filter((n) => n.endsWith("Literal"));
    expect(twins.length).toBe(3);
    for (const twin of twins) expect(byName.get(twin.replace(/Literal$/, ""))).toBe(byName.get(twin));
  });

  it.each(annotated.map((e) => [e.name, e.message]))("%s throws the annotated text", (name, message) => {
    let thrown = "";
    try {
      fixture[name](...(name.endsWith("Literal") ? [] : [randn([2, 16, 8, 8])]));
    } catch (e) {
      thrown = (e as Error).message;
    }
    expect(thrown).toBe(message);
  });
});
