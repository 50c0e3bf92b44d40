#!/usr/bin/env node
// `npm run lint`: ESLint (type-aware, no warnings allowed), dependency-cruiser (layer rules, no
// runtime import cycles) and prettier's check. All three run even when one fails, so one run
// reports everything; the exit code is 1 if any failed.
import { spawnSync } from "node:child_process";

const checks = [
  ["eslint", ["eslint", "--max-warnings", "0", "."]],
  ["dependency-cruiser", ["depcruise", "src", "types", "--config", ".dependency-cruiser.cjs"]],
  ["prettier", ["prettier", "--check", "--log-level", "warn", "."]],
];
const failed = [];
for (const [name, [bin, ...args]] of checks) {
  console.log(`lint: ${name}`);
  const r = spawnSync("npx", ["--no-install", bin, ...args], { stdio: "inherit" });
  if (r.status !== 0) failed.push(name);
}
console.log(failed.length === 0 ? "lint: all passed" : `lint: failed: ${failed.join(", ")}`);
process.exit(failed.length === 0 ? 0 : 1);
