/**
 * Issue 19, item 5, the run-time side of test-d/messages/conv-generic.ts: each bad call there is
 * annotated with the one text the compiler gives at its argument (checked by messages.test.ts under
 * TS 6 and scripts/check-ts7.mjs under TS 7), for a generic B and H and for the same call on literal
 * sizes; here each function is called on literal-size tensors and must throw exactly that text.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { randn } from "../../src/index.js";
import { expectations, root } from "./message-check.mjs";

const file = "test-d/messages/conv-generic.ts";
// Imported by path: the fixture holds compile errors on purpose, outside the project's type check.
const fixture = (await import(join(root, file))) as Record<string, (...a: unknown[]) => unknown>;
const source = readFileSync(join(root, file), "utf8").split("\n");

/** The exported function each annotated call is in: the nearest `export function` above its line. */
function functionAt(line: number): string {
  for (let i = line - 1; i >= 0; i--) {
    const m = /^export function (\w+)/.exec(source[i]);
    if (m) return m[1];
  }
  throw new Error(`${file}:${line}: no function`);
}

/** Arguments on literal sizes: a batched [2, 16, 8, 8] input, or the unbatched helper's [16, 8, 7]. */
const argsOf = (name: string): unknown[] => (name === "unbatched" ? [randn([16, 8, 7])] : [randn([2, 16, 8, 8])]);

describe("conv2d / convTranspose2d under a generic size: the compiler's text is the run time's", () => {
  const annotated = expectations()
    .filter((e) => e.file === file)
    .map((e) => ({ ...e, name: functionAt(e.line) }));

  it("annotates a generic call and its literal twin with one text", () => {
    const byName = new Map(annotated.map((e) => [e.name, e.message]));
    const twins = [...byName.keys()].filter((n) => n.endsWith("Literal"));
    expect(twins.length).toBeGreaterThanOrEqual(6);
    for (const twin of twins) expect(byName.get(twin.replace(/Literal$/, ""))).toBe(byName.get(twin));
  });

  // A device mix needs a WebGPU tensor: its run-time check is test/webgpu's; here compile time only.
  const runnable = annotated.filter((e) => !e.name.startsWith("device"));
  it.each(runnable.map((e) => [e.name, e.message]))("%s throws the annotated text", (name, message) => {
    const f = fixture[name];
    let thrown = "";
    try {
      f(...(name.endsWith("Literal") ? [] : argsOf(name)));
    } catch (e) {
      thrown = (e as Error).message;
    }
    expect(thrown).toBe(message);
  });
});
