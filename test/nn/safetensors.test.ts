import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseSafetensors, serializeSafetensors, type SafetensorsInput } from "../../src/io/safetensors.js";

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/nn/${name}`, import.meta.url));

interface SmallExpected {
  metadata: Record<string, string>;
  tensors: Record<string, { fileDType: string; shape: number[]; data: (number | "inf" | "-inf")[] }>;
}

/** Builds a file by hand: header JSON, then raw bytes, for the corruption cases. */
function build(header: Record<string, unknown>, data: Uint8Array, headerLengthOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLengthOverride ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("safetensors", () => {
  it("reads the file PyTorch wrote, every dtype, with metadata", () => {
    const bytes = new Uint8Array(readFileSync(fixture("small.safetensors")));
    const expected = JSON.parse(readFileSync(fixture("small.json"), "utf8")) as SmallExpected;
    const file = parseSafetensors(bytes);
    expect(file.metadata).toEqual(expected.metadata);
    expect([...file.tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, e] of Object.entries(expected.tensors)) {
      const t = file.tensors.get(name)!;
      expect(t.fileDType, name).toBe(e.fileDType);
      expect(t.shape, name).toEqual(e.shape);
      const want = e.data.map((v) => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : v));
      // F64 and integers are exact; F32/F16/BF16 were rounded to float32 (or coarser) by PyTorch,
      // and Python stored that rounded value, so the decoded float32 must equal it exactly.
      expect(Array.from(t.data), name).toEqual(want);
      expect(t.dtype, name).toBe({ F64: "float64", I32: "int32", I64: "int32" }[e.fileDType] ?? "float32");
    }
    expect(Object.is(file.tensors.get("half")!.data[6], -0)).toBe(true);
  });

  it("writes what PyTorch writes, byte for byte, for the dtypes it writes", () => {
    const bytes = new Uint8Array(readFileSync(fixture("small.safetensors")));
    const file = parseSafetensors(bytes);
    const subset: Record<string, SafetensorsInput> = {};
    for (const name of ["weight", "bias", "ids", "empty", "scalar"]) subset[name] = file.tensors.get(name)!;
    const ours = parseSafetensors(serializeSafetensors(subset, file.metadata));
    for (const [name, t] of Object.entries(subset)) {
      expect(ours.tensors.get(name)!.data, name).toEqual(t.data);
      expect(ours.tensors.get(name)!.shape, name).toEqual(t.shape);
    }
    expect(ours.metadata).toEqual(file.metadata);
  });

  it("round-trips random tensors exactly (property)", () => {
    const entry = fc.record({
      dtype: fc.constantFrom("float32" as const, "float64" as const, "int32" as const),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s !== "__metadata__"),
          entry,
          { maxKeys: 5 },
        ),
        (spec) => {
          const tensors: Record<string, SafetensorsInput> = {};
          for (const [name, { dtype, shape, seed }] of Object.entries(spec)) {
            const n = shape.reduce((a, b) => a * b, 1);
            const values = Array.from({ length: n }, (_, i) => Math.sin(seed + i * 7.31) * 1e4);
            const data =
              dtype === "float32"
                ? Float32Array.from(values)
                : dtype === "float64"
                  ? Float64Array.from(values)
                  : Int32Array.from(values.map(Math.round));
            tensors[name] = { dtype, shape, data };
          }
          const bytes = serializeSafetensors(tensors, { k: "v" });
          expect(new DataView(bytes.buffer).getBigUint64(0, true) % 8n).toBe(0n);
          const back = parseSafetensors(bytes);
          expect(back.metadata).toEqual({ k: "v" });
          expect(back.tensors.size).toBe(Object.keys(tensors).length);
          for (const [name, t] of Object.entries(tensors)) {
            const b = back.tensors.get(name)!;
            expect(b.dtype).toBe(t.dtype);
            expect(b.shape).toEqual(t.shape);
            expect(b.data).toEqual(t.data);
          }
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it("reads from an unaligned view into a larger buffer", () => {
    const bytes = serializeSafetensors({ a: { dtype: "float64", shape: [2], data: Float64Array.of(1.5, -2) } });
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expect(Array.from(parseSafetensors(big.subarray(3)).tensors.get("a")!.data)).toEqual([1.5, -2]);
  });

  const f32 = (n: number): Uint8Array => new Uint8Array(new Float32Array(n).buffer);
  const corrupt: [string, () => Uint8Array, RegExp][] = [
    ["shorter than 8 bytes", () => new Uint8Array(5), /file is 5 bytes/],
    ["header length past the end", () => build({}, new Uint8Array(0), 1000), /header length 1000 runs past the end/],
    [
      "header not JSON",
      () => {
        const b = build({ a: 1 }, new Uint8Array(0));
        b[9] = 0x7b;
        b[8] = 0x5b;
        return b;
      },
      /not valid UTF-8 JSON/,
    ],
    [
      "unknown dtype",
      () => build({ w: { dtype: "F33", shape: [1], data_offsets: [0, 4] } }, f32(1)),
      /tensor "w" has unknown dtype "F33"/,
    ],
    [
      "shape mismatch",
      () => build({ w: { dtype: "F32", shape: [2, 3], data_offsets: [0, 20] } }, f32(5)),
      /tensor "w": shape \[2, 3\] of F32 needs 24 bytes but data_offsets \[0, 20\] hold 20/,
    ],
    [
      "truncated data",
      () => build({ w: { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] } }, f32(5)),
      /tensor "w" ends at byte 24 but the data section has only 20 bytes/,
    ],
    [
      "overlap",
      () =>
        build(
          {
            a: { dtype: "F32", shape: [3], data_offsets: [0, 12] },
            b: { dtype: "F32", shape: [2], data_offsets: [8, 16] },
          },
          f32(4),
        ),
      /tensors "a" \[0, 12\) and "b" \[8, 16\) overlap/,
    ],
    [
      "hole",
      () =>
        build(
          {
            a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
            b: { dtype: "F32", shape: [1], data_offsets: [8, 12] },
          },
          f32(3),
        ),
      /bytes \[4, 8\) of the data section before tensor "b" belong to no tensor/,
    ],
    [
      "trailing bytes",
      () => build({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32(2)),
      /4 bytes after the last tensor \("a"\) belong to no tensor/,
    ],
    [
      "negative dim",
      () => build({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32(1)),
      /tensor "a" has an invalid shape \[-1\]/,
    ],
    [
      "bad offsets",
      () => build({ a: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }, f32(1)),
      /tensor "a" has invalid data_offsets \[4,0\]/,
    ],
    [
      "int64 out of int32 range",
      () => {
        const d = new Uint8Array(8);
        new DataView(d.buffer).setBigInt64(0, 1n << 40n, true);
        return build({ n: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, d);
      },
      /tensor "n" \(I64\) holds 1099511627776 at element 0, outside the int32 range/,
    ],
    [
      "bad metadata",
      () => build({ __metadata__: { a: 1 } }, new Uint8Array(0)),
      /__metadata__ must map strings to strings/,
    ],
  ];
  for (const [what, make, message] of corrupt) {
    it(`refuses a corrupt file: ${what}`, () => {
      expect(() => parseSafetensors(make())).toThrow(message);
    });
  }

  it("refuses to write inconsistent tensors, naming them", () => {
    expect(() => serializeSafetensors({ w: { dtype: "float32", shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      /tensor "w": shape \[2, 2\] has 4 elements but its data has 3/,
    );
    expect(() => serializeSafetensors({ w: { dtype: "float64", shape: [1], data: new Float32Array(1) } })).toThrow(
      /tensor "w": dtype float64 but data is a Float32Array/,
    );
  });

  it("truncating a valid file anywhere is refused, never misread", () => {
    const bytes = new Uint8Array(readFileSync(fixture("small.safetensors")));
    for (let n = 0; n < bytes.length; n += 7)
      expect(() => parseSafetensors(bytes.subarray(0, n))).toThrow(/safetensors: /);
  });
});
