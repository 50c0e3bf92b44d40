/**
 * File helpers for safetensors in Node. Kept apart from ./safetensors.ts so the core never
 * imports `node:fs` and still bundles for browsers.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseSafetensors, serializeSafetensors, type SafetensorsFile, type SafetensorsInput } from "./safetensors.js";

export async function readSafetensorsFile(path: string): Promise<SafetensorsFile> {
  const buffer = await readFile(path);
  return parseSafetensors(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
}

export async function writeSafetensorsFile(
  path: string,
  tensors: Readonly<Record<string, SafetensorsInput>> | ReadonlyMap<string, SafetensorsInput>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFile(path, serializeSafetensors(tensors, metadata));
}
