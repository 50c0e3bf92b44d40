/**
 * The API reference: typedoc (configured by typedoc.json) builds it from the doc comments of
 * src/index.ts's exports with warnings treated as errors. It is written to a temporary folder
 * (docs/api is generated, not committed: `npx typedoc` writes it there).
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Application, LogLevel } from "typedoc";
import * as shapegrad from "../../src/index.js";

const root = path.resolve(import.meta.dirname, "../..");

describe("typedoc", () => {
  it("builds the API reference from typedoc.json without a warning", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "shapegrad-typedoc-"));
    const messages: string[] = [];
    try {
      const app = await Application.bootstrapWithPlugins({
        options: path.join(root, "typedoc.json"),
        out,
        logLevel: "Warn",
      });
      app.logger.log = (message: string, level: LogLevel) => {
        if (level >= LogLevel.Warn) messages.push(message);
      };
      const project = await app.convert();
      expect(project).toBeDefined();
      app.validate(project!);
      await app.generateDocs(project!, out);
      expect(messages).toEqual([]);
      expect(app.logger.hasErrors() || app.logger.hasWarnings()).toBe(false);
      // The pages a user looks for first exist.
      const page = (name: string) =>
        ["functions", "variables"].some((kind) => existsSync(path.join(out, kind, `${name}.html`)));
      for (const name of ["randn", "tensor", "manualSeed", "conv2d", "exportOnnx"]) expect(page(name), name).toBe(true);
      expect(existsSync(path.join(out, "classes", "Tensor.html"))).toBe(true);
      // Every op is documented as a function with its signature, including those declared as a
      // typed const (conv2d: Conv2dSignature, marked @function), never as a variable.
      const ops = Object.entries(shapegrad)
        .filter(([, v]) => typeof v === "function" && !/^class\b/.test(Function.prototype.toString.call(v)))
        .map(([k]) => k);
      expect(ops.length).toBeGreaterThan(30);
      expect(ops.filter((name) => existsSync(path.join(out, "variables", `${name}.html`)))).toEqual([]);
      expect(ops.filter((name) => !existsSync(path.join(out, "functions", `${name}.html`)))).toEqual([]);
      expect(readFileSync(path.join(out, "functions", "conv2d.html"), "utf8")).toContain("stride");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
