/**
 * The `shapegrad` command line. `shapegrad shapes <file.ts> [--json] [--project tsconfig.json]`
 * prints what the compiler infers for every tensor and layer in the file and every error; the exit
 * code is 1 when the file has errors (so it can gate CI) and 2 when the file cannot be inspected.
 *
 * Arguments are read with node:util's parseArgs, and the inspector (with ts-morph, which brings
 * its own TypeScript) is imported only when `shapes` runs: ts-morph is an optional peer
 * dependency, so a project that only imports the library does not install it.
 */
import { parseArgs } from "node:util";
import { formatInspection } from "./format.js";

export interface ProgramIO {
  write(text: string): void;
  setExitCode(code: number): void;
}

const processIO: ProgramIO = {
  write: (text) => process.stdout.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export const version = "0.1.0";

export const usage = `Usage: shapegrad shapes <file.ts> [--json] [-p, --project <tsconfig.json>]

Type-checks a file with its tsconfig and prints the shape, dtype and device of every tensor, the
layers of every nn.Sequential with the shape after each, and every shape error; no code is run.

  --json                      machine-readable output
  -p, --project <tsconfig>    tsconfig.json to use (default: the nearest one above the file)
  -h, --help                  this text
  -v, --version               the version

Needs ts-morph next to shapegrad: npm install --save-dev ts-morph
`;

/** The message when the inspector's peer dependency is not installed. */
export const missingTsMorph =
  "shapegrad shapes: needs the optional peer dependency ts-morph (it reads the types with the TypeScript compiler); install it with: npm install --save-dev ts-morph";

/** Whether `e` says that the package `name` could not be found (ESM resolution). */
function isMissingPackage(e: unknown, name: string): boolean {
  const error = e as { code?: string; message?: string } | null;
  return error?.code === "ERR_MODULE_NOT_FOUND" && (error.message ?? "").includes(`'${name}'`);
}

/** Runs the command line on `args` (process.argv without node and the script); throws on bad usage. */
export async function runProgram(args: readonly string[], io: ProgramIO = processIO): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: "boolean" },
      project: { type: "string", short: "p" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
  if (values.version) return io.write(`${version}\n`);
  if (values.help || positionals.length === 0) return io.write(usage);
  const [command, file, ...rest] = positionals;
  if (command !== "shapes") throw new Error(`unknown command ${JSON.stringify(command)}\n\n${usage}`);
  if (file === undefined || rest.length)
    throw new Error(`shapes takes one file, got ${positionals.length - 1}\n\n${usage}`);
  let inspector: typeof import("./inspect.js");
  try {
    inspector = await import("./inspect.js");
  } catch (e) {
    if (isMissingPackage(e, "ts-morph")) throw new Error(missingTsMorph, { cause: e });
    throw e;
  }
  const result = inspector.inspectFile(file, { project: values.project });
  io.write(`${values.json ? JSON.stringify(result, null, 2) : formatInspection(result)}\n`);
  io.setExitCode(result.diagnostics.length ? 1 : 0);
}
