// The type tests under TypeScript 7 (the native compiler, no JS API: its command line is parsed).
// 1. test-d/messages/: every bad conv2d call fails at the annotated argument with exactly the
//    annotated message (the runtime's text), every shape assertion holds, nothing else errs.
// 2. The type-cost budget of bench/types/ under TS 7.
// Run by `npm test`; exits 1 on any difference.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { compare, fixtureConfig, parseTscOutput, root } from "../test/types/message-check.mjs";
import { runBudget, targetNote } from "../bench/types/budget.mjs";

const tsc7 = join(root, "node_modules/typescript7/bin/tsc");
const r = spawnSync(process.execPath, [tsc7, "-p", fixtureConfig, "--pretty", "false"], {
  cwd: root,
  encoding: "utf8",
});
const diagnostics = parseTscOutput(`${r.stdout}\n${r.stderr}`);
const problems = compare(diagnostics);
let failed = problems.length > 0;
console.log(`TS 7 message and shape fixtures: ${diagnostics.length} diagnostics, ${problems.length} problems`);
for (const p of problems) console.log(`  ${p}`);

for (const row of runBudget([7])) {
  const ok = row.net <= row.ceiling && row.errors.length === 0;
  failed ||= !ok;
  console.log(
    `TS 7 budget: ${row.name}: ${row.net} instantiations (target ${row.budget}: ${targetNote(row)}; ceiling ${row.ceiling}) ${ok ? "ok" : "FAIL"}`,
  );
  for (const e of row.errors) console.log(`  ${e}`);
}
process.exit(failed ? 1 : 0);
