/**
 * What the docs say about the package, kept true (issue 18): how to install it, what `summary()`
 * does, that every API they name is exported, that doc comments name only options that exist,
 * and that what the PyTorch guide lists as not there yet is indeed missing.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Node, Project } from "ts-morph";
import * as sg from "../../src/index.js";

const root = path.resolve(import.meta.dirname, "../..");
const read = (rel: string) => readFileSync(path.join(root, rel), "utf8");
const docs = [
  "README.md",
  ...readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const pkg = JSON.parse(read("package.json")) as { name: string; version: string };

/** The paragraphs (and list items) of a markdown page, code blocks left out. */
function paragraphs(md: string): string[] {
  return md
    .replace(/```[\s\S]*?```/g, "")
    .split(/\n\s*\n|\n(?=- )/)
    .map((p) => p.replace(/\s+/g, " "));
}

/** Every line of the ```sh / ```bash blocks of a page. */
function shellLines(md: string): string[] {
  return [...md.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].flatMap((m) => m[1].split("\n"));
}

describe("the docs' claims", () => {
  it("install: no command fetches shapegrad from the registry (it is not published); the tarball is the one npm pack writes", () => {
    const installs = docs.flatMap((d) =>
      shellLines(read(d))
        .filter((l) => /\bnpm (?:install|i|add)\b[^#]*\sshapegrad(?:@\S*)?(?:\s|$)/.test(l))
        .map((l) => `${d}: ${l}`),
    );
    expect(installs).toEqual([]);
    const started = read("docs/getting-started.md");
    expect(started).toContain("not published on the npm registry");
    const tarballs = new Set(docs.flatMap((d) => [...read(d).matchAll(/shapegrad-[\w.-]+?\.tgz/g)].map((m) => m[0])));
    expect([...tarballs]).toEqual([`${pkg.name}-${pkg.version}.tgz`]);
    expect(shellLines(started).some((l) => l.includes(`npm install ../shapegrad/${pkg.name}-${pkg.version}.tgz`))).toBe(
      true,
    );
  });

  it("summary(): a paragraph that says it prints also says that only { print: true } does", () => {
    const wrong = docs.flatMap((d) =>
      paragraphs(read(d))
        .filter((p) => /summary\(/.test(p) && /\bprints?\b/.test(p) && !p.includes("print: true"))
        .map((p) => `${d}: ${p.slice(0, 120)}`),
    );
    expect(wrong).toEqual([]);
    // and the method behaves so (test/nn/module.test.ts checks the printing itself)
    expect(typeof sg.nn.Linear(2, 2).summary([1, 2])).toBe("string");
  });

  it("every safetensors function the docs name is exported", () => {
    // functions (lower-case names) inside inline code: `nn.loadSafetensors(...)`, `readSafetensorsFile`
    const named = new Set(
      docs.flatMap((d) =>
        [...read(d).matchAll(/`([^`\n]+)`/g)].flatMap((m) =>
          [...m[1].matchAll(/\b([a-z]\w*Safetensors\w*)\b/g)].map((n) => n[1]),
        ),
      ),
    );
    expect(named.size).toBeGreaterThan(0);
    const exported = (name: string) => name in sg || name in sg.nn;
    expect([...named].filter((n) => !exported(n))).toEqual([]);
  });

  it("Module's doc comments name only parameters, options, members and exports that exist", () => {
    const project = new Project({
      tsConfigFilePath: path.join(root, "tsconfig.json"),
      skipAddingFilesFromTsConfig: true,
    });
    const file = project.addSourceFileAtPath(path.join(root, "src/nn/module.ts"));
    const module = file.getClassOrThrow("Module");
    const members = new Set(
      module
        .getType()
        .getProperties()
        .map((p) => p.getName()),
    );
    const known = (name: string, method: Node) => {
      if (["null", "undefined", "true", "false"].includes(name)) return true;
      if (members.has(name) || name in sg.ones([1]) || name in sg || name in sg.nn || name in sg.optim) return true;
      if (!Node.isMethodDeclaration(method)) return false;
      return method.getParameters().some(
        (p) =>
          p.getName() === name ||
          p
            .getType()
            .getProperties()
            .some((o) => o.getName() === name),
      );
    };
    const unknown: string[] = [];
    for (const method of module.getMethods()) {
      const text = method
        .getJsDocs()
        .map((d) => d.getInnerText())
        .join("\n");
      for (const [, name] of text.matchAll(/`([a-z][A-Za-z0-9]*)`/g))
        if (!known(name, method)) unknown.push(`${method.getName()}: ${name}`);
    }
    expect(unknown).toEqual([]);
  }, 60_000);

  it("what the PyTorch guide lists as not there yet is missing from the exports", () => {
    const guide = read("docs/pytorch-guide.md");
    const section = guide.slice(guide.indexOf("## Not there yet"));
    const rows = section.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const present: string[] = [];
    for (const row of rows) {
      const missing = row.split("|")[2];
      let scope = "";
      for (const [, name] of missing.matchAll(/`([\w.]+)`/g)) {
        // `.conv3d` continues the row's namespace (nn.functional).
        const full = name.startsWith(".") ? `${scope}${name}` : name;
        scope = full.slice(0, full.lastIndexOf(".") < 0 ? 0 : full.lastIndexOf("."));
        const parts = full.split(".");
        const owner = parts
          .slice(0, -1)
          .reduce<Record<string, unknown> | undefined>(
            (o, k) => o?.[k] as Record<string, unknown> | undefined,
            sg as unknown as Record<string, unknown>,
          );
        const last = parts.at(-1)!;
        const found =
          parts.length === 1 ? last in sg || last in sg.Tensor.prototype : owner !== undefined && last in owner;
        if (found) present.push(full);
      }
    }
    expect(present).toEqual([]);
  });
});
