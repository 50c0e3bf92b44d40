/**
 * The property tests' one generated source file: written in memory under test/types/, type-checked
 * once with the project's tsconfig; its diagnostics by line number (the last one on a line).
 */
import { join } from "node:path";
import { Project, type SourceFile, type Type } from "ts-morph";
import { root } from "./message-check.mjs";

export function typecheckGenerated(
  name: string,
  lines: readonly string[],
): {
  file: SourceFile;
  diagnostics: Map<number, string>;
} {
  const project = new Project({ tsConfigFilePath: join(root, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
  const file = project.createSourceFile(join(root, "test/types", name), `${lines.join("\n")}\nexport {};\n`, {
    overwrite: true,
  });
  const diagnostics = new Map<number, string>();
  for (const d of file.getPreEmitDiagnostics()) {
    const text = d.getMessageText();
    diagnostics.set(d.getLineNumber() ?? 0, typeof text === "string" ? text : text.getMessageText());
  }
  return { file, diagnostics };
}

/** The dims of a tensor type's `shape` as the compiler resolves them in `file`. */
export const shapeElements = (file: SourceFile, tensor: Type): Type[] =>
  tensor.getPropertyOrThrow("shape").getTypeAtLocation(file).getTupleElements();
