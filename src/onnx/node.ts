/** Node-only helper: write the exported model to a file (kept apart so browser bundles never see node:fs). */
import { writeFile } from "node:fs/promises";
import { exportOnnx, type ExportOnnxOptions, type OnnxExportable } from "./export.js";

/** Exports `model` (see exportOnnx) and writes the .onnx file; resolves to the number of bytes written. */
export async function writeOnnx(path: string, model: OnnxExportable, inputShape: readonly number[], options: ExportOnnxOptions = {}): Promise<number> {
  const bytes = exportOnnx(model, inputShape, options);
  await writeFile(path, bytes);
  return bytes.length;
}
