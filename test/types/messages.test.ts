/**
 * Compile-time errors under TS 6, through ts-morph: every annotated bad call in test-d/messages/
 * fails at the annotated argument with exactly the annotated text, every shape assertion holds,
 * and there is no other diagnostic (scripts/check-ts7.mjs checks the same files under TS 7).
 * The fixtures are generated from test/types/conv2d-cases.mjs and must be up to date.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Project } from "ts-morph";
import { compare, expectations, fixtureConfig, fixtureFiles, root } from "./message-check.mjs";
import { errorFixture, shapeFixture, tsdFixture } from "../../scripts/fixtures/gen-message-fixtures.mjs";
import { errorCases } from "./conv2d-cases.mjs";

describe("test-d/messages fixtures", () => {
  it("are the generator's current output", () => {
    expect(readFileSync(join(root, "test-d/messages/conv2d-errors.generated.ts"), "utf8")).toBe(errorFixture());
    expect(readFileSync(join(root, "test-d/messages/conv2d-shapes.generated.ts"), "utf8")).toBe(shapeFixture());
    expect(readFileSync(join(root, "test-d/conv2d.generated.test-d.ts"), "utf8")).toBe(tsdFixture());
  });

  it("annotate one error per error case", () => {
    const generated = expectations().filter((e) => e.file.endsWith("conv2d-errors.generated.ts"));
    expect(generated.map((e) => e.message)).toEqual(errorCases.filter((c) => !c.compiler).map((c) => c.message));
  });

  it("the comparison notices a missing, an extra and a different error", () => {
    const [first, second] = expectations().filter((e) => e.file.endsWith("conv2d-errors.generated.ts"));
    const diag = (e: { file: string; line: number; column: number }, text: string) => ({
      file: e.file,
      line: e.line,
      column: e.column,
      text,
    });
    const ok = `Argument of type 'X' is not assignable to parameter of type '"${first.message.replace(/"/g, '\\"')}"'.`;
    expect(compare([diag(first, ok)], [first])).toEqual([]);
    expect(compare([], [first])).toHaveLength(1);
    expect(
      compare([diag(first, ok), diag(second, "Type 'string' is not assignable to type 'number'.")], [first]),
    ).toHaveLength(1);
    expect(compare([diag(first, ok.replace("conv2d", "conv3d"))], [first])).toHaveLength(1);
    expect(compare([{ ...diag(first, ok), column: first.column + 1 }], [first])).toHaveLength(1);
  });

  it("compile under TS 6 with exactly the annotated errors", () => {
    const project = new Project({ tsConfigFilePath: fixtureConfig, skipAddingFilesFromTsConfig: true });
    for (const f of fixtureFiles()) project.addSourceFileAtPath(f);
    const diagnostics = project.getPreEmitDiagnostics().map((d) => {
      const file = d.getSourceFile();
      const start = d.getStart() ?? 0;
      const { line, column } = file ? file.getLineAndColumnAtPos(start) : { line: 0, column: 0 };
      const text = d.getMessageText();
      return {
        file: file ? relative(root, file.getFilePath()) : "?",
        line,
        column,
        text: typeof text === "string" ? text : text.getMessageText(),
      };
    });
    expect(compare(diagnostics)).toEqual([]);
  }, 600_000); // one type check of every fixture: minutes on a loaded machine
});
