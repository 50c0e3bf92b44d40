/**
 * Writing the exported model to a file (Node). node:fs is loaded only when this is called, through
 * a specifier bundlers do not follow, so importing shapegrad in a browser never pulls it in.
 */
import { exportOnnx, type ExportOnnxOptions, type OnnxExportable } from "./export.js";
import { onnxErrors, show } from "../../types/errors.js";

/** Exports `model` (see exportOnnx) and writes the .onnx file; resolves to the number of bytes written. */
export async function writeOnnx(
  path: string,
  model: OnnxExportable,
  inputShape: readonly number[],
  options: ExportOnnxOptions = {},
): Promise<number> {
  if (typeof path !== "string" || path.length === 0) throw new Error(onnxErrors.path(show(path)));
  const bytes = exportOnnx(model, inputShape, options);
  const specifier = "node:fs/promises";
  const fs = (await import(/* @vite-ignore */ specifier)) as {
    writeFile(path: string, data: Uint8Array): Promise<void>;
  };
  await fs.writeFile(path, bytes);
  return bytes.length;
}
