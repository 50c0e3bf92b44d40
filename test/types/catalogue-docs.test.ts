/**
 * docs/errors.md lists every message of the catalogue (types/errors.ts): each function is rendered
 * with `{parameter}` placeholders and the text must appear on the page verbatim.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as catalogue from "../../types/errors.js";
import { root } from "./message-check.mjs";

type MessageFn = (...args: string[]) => string;
const groups = Object.entries(catalogue).filter(([name]) => name.endsWith("Errors")) as [string, Record<string, MessageFn>][];

/** "(channels, expected) => ..." -> "{channels}", "{expected}" */
function placeholders(fn: MessageFn): string[] {
  const params = /^\(?([^)=]*)\)?\s*=>/.exec(fn.toString());
  if (!params) throw new Error(`cannot read the parameters of ${fn.toString().slice(0, 60)}`);
  return params[1].split(",").map((p) => p.trim()).filter(Boolean).map((p) => `{${p}}`);
}

describe("docs/errors.md", () => {
  const page = readFileSync(join(root, "docs/errors.md"), "utf8");
  it("finds the catalogue's groups", () => expect(groups.map(([g]) => g).sort()).toEqual(["argumentErrors", "arithErrors", "autogradErrors", "conv2dErrors", "dataErrors", "onnxErrors", "optimErrors", "shapeErrors", "tensorErrors", "weightErrors", "workerErrors"]));
  for (const [group, fns] of groups) {
    for (const [name, fn] of Object.entries(fns)) {
      it(`lists ${group}.${name}`, () => expect(page).toContain(`\`${fn(...placeholders(fn))}\``));
    }
  }
});
