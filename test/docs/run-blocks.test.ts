/**
 * The ```ts blocks of docs/getting-started.md and docs/pytorch-guide.md also run: the guides are
 * what a new user copies first, so each block that shows no error is executed as written (with
 * "shapegrad" pointing at src/index.ts), and must finish without throwing. A block that trains
 * (logs `step, loss` each step) must end with a lower loss than it started with.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { codeBlocks } from "./code-blocks.js";

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "shapegrad-doc-blocks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the guides' code runs", () => {
  for (const doc of ["docs/getting-started.md", "docs/pytorch-guide.md"]) {
    const blocks = codeBlocks(readFileSync(path.join(root, doc), "utf8")).filter((b) => b.expectedErrors.length === 0);
    it(`${doc} has blocks to run`, () => expect(blocks.length).toBeGreaterThan(1));
    blocks.forEach((block, i) => {
      it(`${doc}:${block.line}`, async () => {
        const file = path.join(dir, `${path.basename(doc, ".md")}_${i}.ts`);
        writeFileSync(
          file,
          block.code.replace(/from "shapegrad"/g, `from ${JSON.stringify(path.join(root, "src/index.ts"))}`),
        );
        const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
        try {
          await import(pathToFileURL(file).href);
          expect(log).toHaveBeenCalled();
          if (block.code.includes("optimizer.step()") && block.code.includes("loss.item()")) {
            const losses = log.mock.calls
              .map((args: unknown[]) => args.at(-1))
              .filter((v): v is number => typeof v === "number");
            expect(losses.length).toBeGreaterThan(2);
            expect(losses.at(-1)!).toBeLessThan(losses[0]);
          }
        } finally {
          log.mockRestore();
        }
      }, 120_000);
    });
  }
});
