/**
 * The type-cost budget (bench/types/budget.mjs) under TypeScript 6 and 7: instantiations counted by
 * `tsc --extendedDiagnostics`, net of a baseline fixture with the same imports, must stay under the
 * enforced ceiling (issue 2's target), and the fixtures (whose final shapes are asserted) must
 * compile cleanly. Whether each target is met is printed.
 */
import { describe, expect, it } from "vitest";
import { runBudget, targetNote } from "../../bench/types/budget.mjs";

describe.each([6, 7] as const)("TypeScript %i", (version) => {
  const rows = runBudget([version]);
  for (const row of rows) {
    it(`${row.name}: within the ${row.ceiling}-instantiation ceiling`, () => {
      console.log(
        `TS ${version} ${row.name}: ${row.net} instantiations (target ${row.budget}: ${targetNote(row)}; raw ${row.raw}, baseline ${row.baselineCount})`,
      );
      expect(row.errors).toEqual([]);
      expect(row.net).toBeLessThanOrEqual(row.ceiling);
    });
  }
});
