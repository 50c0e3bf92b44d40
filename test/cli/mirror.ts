/**
 * A temporary mirror of the repository for files that must not sit in the project itself (they
 * fail to compile by design, and the project's type-check includes examples/ and test/): src,
 * types and node_modules are symlinked, tsconfig.json and package.json copied, and the given files written at their
 * paths, so their relative imports resolve exactly as they would in place.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../..");

export function mirror(files: Record<string, string>): { root: string; remove(): void } {
  const root = mkdtempSync(path.join(tmpdir(), "shapegrad-mirror-"));
  for (const dir of ["src", "types", "node_modules"])
    symlinkSync(path.join(repoRoot, dir), path.join(root, dir), "dir");
  for (const file of ["tsconfig.json", "package.json"]) cpSync(path.join(repoRoot, file), path.join(root, file));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
