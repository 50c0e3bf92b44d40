/** types/arith/tables.ts is exactly what its generator computes from plain integer arithmetic. */
import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateTables } from "./arith-tables.mjs";
import { root } from "./message-check.mjs";

it("the committed digit tables are the generator's output", () => {
  expect(readFileSync(join(root, "types/arith/tables.ts"), "utf8")).toBe(generateTables());
});
