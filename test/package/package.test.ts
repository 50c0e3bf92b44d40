/**
 * The packaging checks of scripts/check-package.mjs, run on the real package: build, npm pack,
 * contents, attw, publint, install of the tarball into a fresh Node ESM project (import, run,
 * the `shapegrad shapes` bin's per-layer shapes as in the repository, tsc without skipLibCheck)
 * and alone into a vite-built browser bundle run without Node globals (no CLI dependency installed).
 * Each check is its own assertion so a failure names what broke.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

describe("the npm package", () => {
  it("passes every packaging check", () => {
    const r = spawnSync(process.execPath, [path.join(root, "scripts/check-package.mjs"), "--json"], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      env: process.env,
    });
    const checks = JSON.parse(r.stdout.slice(r.stdout.indexOf("["))) as Check[];
    const names = checks.map((c) => c.name);
    for (const expected of [
      "npm pack",
      "tarball holds only",
      "@arethetypeswrong",
      "publint",
      "Node ESM project: import shapegrad",
      "shapegrad shapes model.ts",
      "tsc (no skipLibCheck) reports",
      "shapegrad shapes nested.ts",
      "tsc (no skipLibCheck) accepts",
      "without it tsc (no skipLibCheck) finds no error",
      "library-only install holds no CLI dependency",
      "npm warns about no install script",
      "asks for ts-morph",
      "vite builds it",
      "bare V8 context",
      // Issue 22: the shapegrad/models subpath.
      'import * as models from "shapegrad/models"',
      "types shapegrad/models",
    ]) {
      expect(
        names.some((n) => n.includes(expected)),
        `check "${expected}" ran`,
      ).toBe(true);
    }
    const failed = checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    expect(failed).toEqual([]);
  }, 900_000);
});
