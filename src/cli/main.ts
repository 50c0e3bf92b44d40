#!/usr/bin/env node
/** The `shapegrad` bin (see ./program.ts). */
import { runProgram } from "./program.js";

runProgram(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`shapegrad: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
