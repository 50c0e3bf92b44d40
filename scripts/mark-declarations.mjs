#!/usr/bin/env node
/**
 * After `tsc -p tsconfig.build.json`: every emitted declaration file (dist/**\/*.d.ts) starts with
 * `// @ts-nocheck`, so a consumer's tsc without skipLibCheck (TypeScript's default) does not check
 * shapegrad's type-level machinery again on every run (~33,000 instantiations, several seconds).
 * Calls into the library are still checked in full: the pragma only skips the bodies of the
 * declarations themselves. Those are checked where they are built: tsc checks the sources they
 * come from, and scripts/check-package.mjs type-checks the installed declarations without the
 * pragma under TypeScript's default lib check. Idempotent (an incremental build leaves unchanged
 * files alone).
 *
 *   node scripts/mark-declarations.mjs [dir]   (default dist)
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const pragma = "// @ts-nocheck";

/** Every .d.ts file under `dir`. */
export function declarationFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** Adds the pragma line to each file that lacks it (`add`), or removes it (`!add`); returns the count changed. */
export function markDeclarations(dir, add = true) {
  let changed = 0;
  for (const file of declarationFiles(dir)) {
    const text = readFileSync(file, "utf8");
    const marked = text.startsWith(`${pragma}\n`);
    if (marked === add) continue;
    writeFileSync(file, add ? `${pragma}\n${text}` : text.slice(pragma.length + 1));
    changed++;
  }
  return changed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  markDeclarations(path.resolve(root, process.argv[2] ?? "dist"));
}
