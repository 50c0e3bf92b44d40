/**
 * Every ```ts block in README.md and docs/*.md compiles against the library as a user would
 * import it (`"shapegrad"` resolves to src/index.ts), in memory; a block that shows an error
 * (`// error: <text>` under the failing line) must produce exactly that error there and no other.
 * Also: every repository path the docs name exists, so the architecture walk cannot drift from
 * the code it describes.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Project, ts } from "ts-morph";
import { shapegradMessage } from "../../src/cli/inspect.js";
import { codeBlocks } from "./code-blocks.js";

const root = path.resolve(import.meta.dirname, "../..");
const docs = [
  ...(existsSync(path.join(root, "README.md")) ? ["README.md"] : []),
  ...readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("the annotation parser", () => {
  it("ties each // error: comment to the code line above it", () => {
    const md = [
      "# t",
      "```ts",
      "const a = 1;",
      "f(a);",
      "// ~~~",
      "// error: first",
      "// error: second",
      "```",
      "```text",
      "// error: not ts",
      "```",
    ].join("\n");
    expect(codeBlocks(md)).toEqual([
      {
        line: 3,
        code: "const a = 1;\nf(a);\n// ~~~\n// error: first\n// error: second",
        expectedErrors: [
          { line: 2, text: "first" },
          { line: 2, text: "second" },
        ],
      },
    ]);
  });
});

describe("code blocks in the docs compile", () => {
  const project = new Project({
    tsConfigFilePath: path.join(root, "tsconfig.json"),
    skipAddingFilesFromTsConfig: true,
    compilerOptions: { paths: { shapegrad: [path.join(root, "src/index.ts")] }, noUnusedLocals: false },
  });
  const files = docs.flatMap((doc) =>
    codeBlocks(readFileSync(path.join(root, doc), "utf8")).map((block, i) => {
      // Each block is its own module in docs/ (never written to disk), so top-level names do not clash.
      const file = project.createSourceFile(
        path.join(root, "docs", `__block_${path.basename(doc, ".md")}_${i}.ts`),
        `${block.code}\nexport {};\n`,
        { overwrite: true },
      );
      return { doc, block, file };
    }),
  );
  project.resolveSourceFileDependencies();

  it("finds the blocks", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const [index, { doc, block }] of files.entries()) {
    it(`${doc}:${block.line}`, () => {
      const { file } = files[index];
      const actual = file
        .getPreEmitDiagnostics()
        .filter((d) => d.getSourceFile()?.getFilePath() === file.getFilePath())
        .map((d) => {
          const text = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n");
          return {
            line: file.getLineAndColumnAtPos(d.getStart() ?? 0).line,
            text: shapegradMessage(text) ?? text.split("\n")[0],
          };
        });
      expect(actual).toEqual(block.expectedErrors);
    }, 60_000);
  }
});

/** Whether a path exists; a `*` in the file name must match at least one file of its folder. */
function matches(p: string): boolean {
  if (!p.includes("*")) return existsSync(path.join(root, p));
  const dir = path.join(root, path.dirname(p));
  const pattern = new RegExp(
    `^${path
      .basename(p)
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return existsSync(dir) && readdirSync(dir).some((f) => pattern.test(f));
}

describe("paths named in the docs exist", () => {
  for (const doc of docs) {
    it(doc, () => {
      const text = readFileSync(path.join(root, doc), "utf8");
      const named = [
        ...text.matchAll(/`((?:src|types|test|examples|docs|scripts)\/[\w./*-]+?\.(?:ts|md|json|mjs))`/g),
      ].map((m) => m[1]);
      const missing = named.filter((p) => !matches(p));
      expect(missing).toEqual([]);
    });
  }
});
