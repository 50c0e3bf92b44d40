#!/usr/bin/env node
/** The `shapegrad` bin (see ./program.ts). */
import { createProgram } from "./program.js";

createProgram().parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`shapegrad: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
