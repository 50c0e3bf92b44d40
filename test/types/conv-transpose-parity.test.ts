/**
 * One text for both sides, for convTranspose2d: every call of test-d/messages/conv-transpose.ts that
 * the compiler rejects (with the text checked there under TS 6 and 7) throws exactly that text at
 * run time, and every shape the compiler computes there is the run time's.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { zeros } from "../../src/index.js";
import { resolveConvTranspose2d } from "../../src/ops/conv2d.js";
import type { AnyTensor } from "../../src/index.js";
import { root } from "./message-check.mjs";

// Imported by path, so that the fixture (which holds compile errors on purpose) stays out of the
// project's own type check.
const path = join(root, "test-d/messages/conv-transpose.ts");
const fixture = (await import(path)) as {
  cases: Record<string, () => AnyTensor>;
  shapes: Record<string, () => AnyTensor>;
  generic: (x: AnyTensor) => AnyTensor;
  genericChannels: (x: AnyTensor) => AnyTensor;
};
const lines = readFileSync(path, "utf8").split("\n");

/** [call line, message] of every annotated call. */
const annotated = lines.flatMap((l, i) => {
  const m = /^\s*\/\/ error: (.*)$/.exec(l);
  return m ? [[lines[i - 2], m[1]] as const] : [];
});
const messageOf = (pattern: RegExp) => {
  const found = annotated.find(([call]) => pattern.test(call));
  if (!found) throw new Error(`no annotated call matches ${pattern}`);
  return found[1];
};

describe("convTranspose2d: the run time throws the compile-time text", () => {
  const cases = Object.entries(fixture.cases);
  it("covers every annotated call", () => {
    // The two outside `cases` are the generic one and the one past 2^53 - 1, below.
    expect(cases.length + 2).toBe(annotated.length);
  });
  for (const [name, call] of cases) {
    it(name, () => expect(call).toThrow(new Error(messageOf(new RegExp(`^\\s*${name}: \\(\\) =>`)))));
  }
  it("under a generic batch", () => {
    expect(() => fixture.genericChannels(zeros([5, 2, 3, 3]))).toThrow(new Error(messageOf(/zeros\(\[3, 4, 3, 3\]\)/)));
  });
  it("past 2^53 - 1 (before anything is allocated)", () => {
    const meta = (shape: number[]) => ({ shape, dtype: "float32", device: "cpu" });
    expect(() =>
      resolveConvTranspose2d(meta([1, 2, 4503599627370497, 1]), meta([2, 4, 3, 3]), null, { stride: 2 }),
    ).toThrow(new Error(messageOf(/^export const large/)));
  });
});

describe("convTranspose2d: the run time gives the compile-time shapes", () => {
  const written = new Map(
    lines.flatMap((l) => {
      const m = /Expect<Equal<ReturnType<typeof shapes\.(\w+)>\["shape"\], (\[[^\]]*\])>>/.exec(l);
      return m ? [[m[1], JSON.parse(m[2]) as number[]] as const] : [];
    }),
  );
  it("checks every entry", () => expect([...written.keys()].sort()).toEqual(Object.keys(fixture.shapes).sort()));
  for (const [name, call] of Object.entries(fixture.shapes)) {
    it(name, () => expect(call().shape).toEqual(written.get(name)));
  }
  it("keeps a generic batch", () => expect(fixture.generic(zeros([5, 2, 3, 3])).shape).toEqual([5, 4, 7, 7]));
});
