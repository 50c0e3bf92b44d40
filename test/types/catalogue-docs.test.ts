/**
 * docs/errors.md lists every message of the catalogue (types/errors.ts): each function is rendered
 * with `{parameter}` placeholders and the text must appear on the page verbatim.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as catalogue from "../../types/errors.js";
import { root } from "./message-check.mjs";

type MessageFn = (...args: unknown[]) => string;
const groups = Object.entries(catalogue).filter(([name]) => name.endsWith("Errors")) as [
  string,
  Record<string, MessageFn>,
][];

/**
 * A placeholder that a message may take as a string or as dims (opErrors and nnErrors format shapes
 * themselves): it prints as "{name}", a shape of it as "[{name}]", its element count as "numel({name})".
 */
function placeholder(name: string): string[] {
  return Object.assign([name], { toString: () => name, toJSON: () => name, reduce: () => `numel(${name})` });
}

/** "(channels, expected) => ..." -> "{channels}", "{expected}" */
function placeholders(fn: MessageFn): string[][] {
  const params = /^\(?([^)]*?)\)?\s*=>/.exec(fn.toString());
  if (!params) throw new Error(`cannot read the parameters of ${fn.toString().slice(0, 60)}`);
  return params[1]
    .split(",")
    .map((p) => p.trim().replace(/\s*=.*$/, ""))
    .filter(Boolean)
    .map((p) => placeholder(`{${p}}`));
}

/** A message that is another group's with its values formatted (opErrors.broadcast) is listed there. */
const delegates = (fn: MessageFn) => /\b\w+Errors\.\w+\(/.test(fn.toString());

describe("docs/errors.md", () => {
  const page = readFileSync(join(root, "docs/errors.md"), "utf8");
  it("finds the catalogue's groups", () =>
    expect(groups.map(([g]) => g).sort()).toEqual([
      "argumentErrors",
      "arithErrors",
      "autogradErrors",
      "conv2dErrors",
      "dataErrors",
      "interpolateErrors",
      "joinErrors",
      "layerErrors",
      "moduleErrors",
      "nnErrors",
      "normErrors",
      "onnxErrors",
      "opErrors",
      "optimErrors",
      "padErrors",
      "shapeErrors",
      "tensorErrors",
      "weightErrors",
      "workerErrors",
    ]));
  for (const [group, fns] of groups) {
    for (const [name, fn] of Object.entries(fns)) {
      if (delegates(fn)) continue;
      it(`lists ${group}.${name}`, () => expect(page).toContain(`\`${fn(...placeholders(fn))}\``));
    }
  }
});
