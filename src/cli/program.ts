/**
 * The `shapegrad` command line. `shapegrad shapes <file.ts> [--json] [--project tsconfig.json]`
 * prints what the compiler infers for every tensor and layer in the file and every error; the exit
 * code is 1 when the file has errors (so it can gate CI) and 2 when the file cannot be inspected.
 */
import { Command } from "commander";
import { inspectFile } from "./inspect.js";
import { formatInspection } from "./format.js";

export interface ProgramIO {
  write(text: string): void;
  setExitCode(code: number): void;
}

const processIO: ProgramIO = {
  write: (text) => process.stdout.write(text),
  setExitCode: (code) => { process.exitCode = code; },
};

export function createProgram(io: ProgramIO = processIO): Command {
  const program = new Command("shapegrad")
    .description("shapegrad tools: inspect the shapes the TypeScript compiler infers")
    .version("0.1.0");
  program.command("shapes")
    .description("type-check a file with its tsconfig and print the shape, dtype and device of every tensor, the layers of every nn.Sequential and every shape error; no code is run")
    .argument("<file>", "a TypeScript file")
    .option("--json", "machine-readable output")
    .option("-p, --project <tsconfig>", "tsconfig.json to use (default: the nearest one above the file)")
    .action((file: string, opts: { json?: boolean; project?: string }) => {
      const result = inspectFile(file, { project: opts.project });
      io.write(`${opts.json ? JSON.stringify(result, null, 2) : formatInspection(result)}\n`);
      io.setExitCode(result.diagnostics.length ? 1 : 0);
    });
  return program;
}
