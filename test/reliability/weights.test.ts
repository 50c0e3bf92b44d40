/**
 * Issue 24, item 5: weight files and state dicts. A safetensors header that names a tensor twice
 * or claims more than 100 MB is refused (as the reference implementation does); a non-strict
 * loadStateDict returns the missing and unexpected keys (PyTorch's _IncompatibleKeys); a loaded
 * module never shares storage with the tensors it was loaded from; and loading a file holds one
 * copy of the weights on top of the file's bytes (measured in a child process).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { manualSeed, nn, tensor, type AnyTensor } from "../../src/index.js";
import { MAX_HEADER_BYTES, parseSafetensors } from "../../src/io/safetensors.js";
import { weightErrors } from "../../types/errors.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** A safetensors file with this exact header text and data bytes. */
function file(header: string, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
const one = (begin: number) => `{"dtype":"F32","shape":[1],"data_offsets":[${begin},${begin + 4}]}`;
const values = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

describe("safetensors headers", () => {
  it("duplicate tensor names are refused, however the second one is spelled", () => {
    // both at the same bytes: with the last one winning the file would otherwise be valid
    expect(() => parseSafetensors(file(`{"w":${one(0)},"w":${one(0)}}`, [0, 0, 128, 63]))).toThrowError(
      new Error(weightErrors.duplicateName("w")),
    );
    expect(() =>
      parseSafetensors(
        file(`{"a\\"b:":${one(0)}, "x":${one(4)} ,\n "a\\u0022b:" : ${one(0)}}`, [0, 0, 128, 63, 0, 0, 0, 64]),
      ),
    ).toThrowError(new Error(weightErrors.duplicateName('a"b:')));
    // keys repeated at other depths (every entry has a "dtype") and in the metadata are not names
    const ok = parseSafetensors(
      file(`{"__metadata__":{"w":"x"},"w":${one(0)},"v":${one(4)}}`, [0, 0, 128, 63, 0, 0, 0, 64]),
    );
    expect([...ok.tensors.keys()].sort()).toEqual(["v", "w"]);
    expect(Array.from(ok.tensors.get("v")!.data)).toEqual([2]);
  });

  it("a header longer than 100 MB is refused before it is read, whatever the file's length", () => {
    for (const length of [BigInt(MAX_HEADER_BYTES) + 1n, 2n ** 63n]) {
      const bytes = new Uint8Array(64);
      new DataView(bytes.buffer).setBigUint64(0, length, true);
      expect(() => parseSafetensors(bytes)).toThrowError(
        new Error(weightErrors.headerTooLarge(String(length), MAX_HEADER_BYTES)),
      );
    }
    expect(MAX_HEADER_BYTES).toBe(100_000_000);
  });
});

describe("loadStateDict", () => {
  it("strict: false returns the missing and unexpected keys; strict returns both empty", () => {
    const m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1));
    const state: nn.StateDict = new Map<string, AnyTensor>([
      ["0.bias", tensor([5, 6, 7])],
      ["2.weight", tensor([1])],
      ["extra", tensor([1, 2])],
    ]);
    expect(m.loadStateDict(state, { strict: false })).toEqual({
      missingKeys: ["0.weight", "1.weight", "1.bias"],
      unexpectedKeys: ["2.weight", "extra"],
    });
    expect(values(m.layers[0].bias!)).toEqual([5, 6, 7]);
    expect(m.loadStateDict(m.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const bytes = nn.saveSafetensors(nn.Sequential(nn.Linear(2, 3)));
    expect(nn.loadSafetensors(m, bytes, { strict: false })).toEqual({
      missingKeys: ["1.weight", "1.bias"],
      unexpectedKeys: [],
    });
  });

  it("the loaded module does not share storage with the source tensors (a write through dataSync() stays in the source)", () => {
    manualSeed(1);
    const source = nn.Sequential(nn.Linear(2, 3));
    const state = source.stateDict();
    const target = nn.Sequential(nn.Linear(2, 3));
    target.loadStateDict(state);
    const before = values(target.layers[0].weight);
    expect(before).toEqual(values(source.layers[0].weight));
    (state.get("0.weight")!.dataSync() as Float32Array)[0] = 99;
    (source.layers[0].bias!.dataSync() as Float32Array)[1] = 98;
    expect(values(target.layers[0].weight)).toEqual(before);
    expect(values(target.layers[0].bias!)[1]).not.toBe(98);
    // nor with the bytes of a file it was loaded from
    const bytes = nn.saveSafetensors(target);
    const again = nn.Sequential(nn.Linear(2, 3));
    nn.loadSafetensors(again, bytes);
    bytes.fill(0);
    expect(values(again.layers[0].weight)).toEqual(before);
  });

  const dist = `${root}dist/src/index.js`;
  it.skipIf(!existsSync(dist) || !existsSync("/proc/self/status"))(
    "loading a 128 MiB file adds at most 1.5x its size to the peak resident memory (it was 2.1x)",
    () => {
      const layers = () => Array.from({ length: 8 }, () => nn.Linear(2048, 2048));
      const dir = mkdtempSync(join(tmpdir(), "shapegrad-weights-"));
      const path = join(dir, "model.safetensors");
      writeFileSync(path, nn.saveSafetensors(nn.Sequential(...layers())));
      // the child holds the model and the file's bytes, then loads: the peak over that is the load's
      const script = `
      import { readFileSync } from "node:fs";
      const { nn } = await import(${JSON.stringify(dist)});
      const model = nn.Sequential(...Array.from({ length: 8 }, () => nn.Linear(2048, 2048)));
      const bytes = readFileSync(${JSON.stringify(path)});
      const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) * 1024;
      globalThis.gc();
      const before = process.memoryUsage().rss;
      nn.loadSafetensors(model, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
      console.log(JSON.stringify({ file: bytes.length, added: hwm() - before }));
    `;
      const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
        encoding: "utf8",
        timeout: 120_000,
      });
      rmSync(dir, { recursive: true, force: true });
      expect(r.stderr).toBe("");
      const out = JSON.parse(r.stdout) as { file: number; added: number };
      expect(out.file).toBeGreaterThan(128 * 2 ** 20);
      expect(out.added).toBeLessThan(1.5 * out.file);
    },
  );
});
