/**
 * The compile-time side of the fuzz: test-d/reliability/invalid-calls.test-d.ts is compiled with
 * the TypeScript API (tsd itself only checks that each call fails). Here every invalid call must
 * fail with the catalogue's text, built by the same functions the runtime throws with, printed at
 * the offending argument, so the editor and the exception say the same thing.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import ts from "typescript";
import { conv2dErrors } from "../../types/errors.js";
import { opErrors } from "../../types/errors.js";

const file = fileURLToPath(new URL("../../test-d/reliability/invalid-calls.test-d.ts", import.meta.url));
const source = readFileSync(file, "utf8").split("\n");

/** The call (as written in the file) and the message its diagnostic must carry. */
const expectations: [string, string][] = [
  ["conv2d(x, w4)", conv2dErrors.channelMismatch(3, 4, "[16, 4, 3, 3]", 1)],
  ["conv2d(x, wg, null, { groups: 3 })", conv2dErrors.groupsDivide(16, 3)],
  ["conv2d(x, w, b15)", conv2dErrors.biasShape(16, "[15]")],
  ["conv2d(x, w64)", conv2dErrors.dtypeMismatch("weight", "float64", "float32")],
  ["conv2d(x, wgpu)", conv2dErrors.deviceMismatch("weight", "webgpu", "cpu")],
  ["conv2d(x2d, w)", conv2dErrors.inputRank(2, "[3, 32]")],
  ["conv2d(small, w7)", conv2dErrors.outputSize("[-2, -2]", "[4, 4]", "[7, 7]", "[1, 1]")],
  ["conv2d(small, w7, null, { padding: 1 })", conv2dErrors.outputSize("[0, 0]", "[6, 6]", "[7, 7]", "[1, 1]")],
  [
    'conv2d(small, w3, null, { padding: 4, paddingMode: "reflect" })',
    conv2dErrors.reflectLimit("[4, 4, 4, 4]", "[4, 4]"),
  ],
  [
    'conv2d(small, w3, null, { padding: 5, paddingMode: "circular" })',
    conv2dErrors.circularLimit("[5, 5, 5, 5]", "[4, 4]"),
  ],
  ['conv2d(small, w3, null, { padding: "same", stride: 2 })', conv2dErrors.sameStride(2)],
  ["conv2d(x, w, null, { stride: 0 })", conv2dErrors.pairOption("stride", 0)],
  ["conv2d(x, w, null, { stride: 1.5 })", conv2dErrors.pairOption("stride", 1.5)],
  ["conv2d(x, w, null, { padding: -1 })", conv2dErrors.padding(-1)],
  ["conv2d(x, w, null, { dilation: 9007199254740992 })", conv2dErrors.pairOption("dilation", 9007199254740992)],
  ["conv2d(x, w, null, { groups: 1e21 })", conv2dErrors.groups(1e21)],
  ["conv2d(frac, w)", conv2dErrors.inputDim("[1, 3, 1.5, 8]", 1.5)],
  ["conv2d(x, negW)", conv2dErrors.weightDim("[16, 3, -1, 3]", -1)],
  ["conv2d(hugeH, w)", conv2dErrors.inputDim("[1, 3, 1e+21, 8]", 1e21)],
  ["conv2d(past, w)", conv2dErrors.inputDim("[1, 3, 9007199254740992, 8]", 9007199254740992)],
  ["add(f32, f64)", opErrors.dtypeMismatch("add", "float32", "float64")],
  ["mul(f32, gpu)", opErrors.deviceMismatch("mul", "cpu", "webgpu")],
  ["matmul(f32, f64)", opErrors.dtypeMismatch("matmul", "float32", "float64")],
];

describe("literal-shape invalid calls fail to compile with the runtime's message", () => {
  it("every expectError in test-d/reliability carries its catalogue text", () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      fileURLToPath(new URL("../../tsconfig.json", import.meta.url)),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
      },
    )!;
    const program = ts.createProgram([file], { ...parsed.options, noEmit: true });
    const sf = program.getSourceFile(file)!;
    const byLine = new Map<number, string[]>();
    for (const d of program.getSemanticDiagnostics(sf)) {
      const line = sf.getLineAndCharacterOfPosition(d.start!).line;
      byLine.set(line, [...(byLine.get(line) ?? []), ts.flattenDiagnosticMessageText(d.messageText, "\n")]);
    }
    for (const [call, message] of expectations) {
      const line = source.findIndex((l) => l.includes(`expectError(${call});`));
      expect(line, `the call ${call} is in the file`).toBeGreaterThanOrEqual(0);
      const diagnostics = byLine.get(line) ?? [];
      // tsc prints a string literal type with JSON escaping of its inner quotes
      expect(
        diagnostics.some((d) => d.includes(`parameter of type '${JSON.stringify(message)}'`)),
        `${call}: ${diagnostics.join(" | ")}`,
      ).toBe(true);
    }
    // and every expectError line fails to compile at all (tsd's own check, without tsd)
    source.forEach((l, i) => {
      if (l.startsWith("expectError(")) expect(byLine.has(i), `line ${i + 1} compiles: ${l}`).toBe(true);
    });
    // the valid calls compile cleanly
    const stray = [...byLine.keys()].filter((i) => !source[i].startsWith("expectError("));
    expect(stray.map((i) => `${i + 1}: ${byLine.get(i)}`)).toEqual([]);
  });
});
