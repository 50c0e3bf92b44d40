/**
 * The safetensors format, read and written from and to bytes (no file system, so it runs in
 * browsers as well as Node; see ./safetensors-node.ts for files).
 *
 * Layout: an unsigned 64-bit little-endian header length N, then N bytes of UTF-8 JSON
 * `{ "__metadata__"?: {string: string}, name: { dtype, shape, data_offsets: [begin, end] } }`,
 * then the data section: each tensor row-major, little-endian, at `[begin, end)` relative to the
 * start of the data section. Like the reference implementation we insist that the tensors tile
 * the data section exactly (no overlap, no hole, nothing past the end): a file that breaks this
 * was truncated or corrupted, and loading part of it silently would hide that.
 */
import type { AnyTypedArray, DType } from "../../types/core.js";
import { weightErrors } from "../../types/errors.js";

/** Largest header accepted, in bytes: the reference implementation's cap (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Every dtype the format names, with its element size in bytes. */
const formatDTypeBytes = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  U16: 2,
  U32: 4,
  U64: 8,
  F8_E4M3: 1,
  F8_E5M2: 1,
} as const;
export type SafetensorsDType = keyof typeof formatDTypeBytes;

/** A decoded tensor: its dtype in the file, and its data converted to a shapegrad dtype. */
export interface SafetensorsTensor {
  /** The dtype the file stores. */
  readonly fileDType: SafetensorsDType;
  /** The shapegrad dtype the data was decoded to (F16/BF16 widen to float32, integers to int32). */
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: AnyTypedArray;
}

export interface SafetensorsFile {
  readonly tensors: Map<string, SafetensorsTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** What `serializeSafetensors` writes: shapegrad dtypes map to F32, F64 and I32. */
export interface SafetensorsInput {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: AnyTypedArray;
}

const fileDTypeOf: { readonly [D in DType]: SafetensorsDType } = {
  float32: "F32",
  float64: "F64",
  int32: "I32",
};

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(message: string): never {
  throw new Error(`safetensors: ${message}`);
}

/**
 * The first name that occurs twice among the keys of the header's top-level object, or null.
 * JSON.parse keeps the last of duplicate keys silently, so a second tensor of the same name would
 * replace the first. `json` has already been parsed, so it is valid JSON: a string is a key when
 * it is at depth 1 and a ':' follows it.
 */
function duplicateKey(json: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === "\\" ? 2 : 1;
      if (depth === 1) {
        let k = j + 1;
        while (json[k] === " " || json[k] === "\t" || json[k] === "\n" || json[k] === "\r") k++;
        if (json[k] === ":") {
          const key = JSON.parse(json.slice(i, j + 1)) as string;
          if (seen.has(key)) return key;
          seen.add(key);
        }
      }
      i = j;
    }
  }
  return null;
}

function isSafetensorsDType(s: unknown): s is SafetensorsDType {
  return typeof s === "string" && Object.prototype.hasOwnProperty.call(formatDTypeBytes, s);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Half precision (IEEE binary16) bits to a number: 1 sign, 5 exponent (bias 15), 10 fraction. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal: 0.f * 2^-14
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Copies `n` bytes at `offset` into a fresh, aligned buffer (views must be element-aligned). */
function copyBytes(bytes: Uint8Array, offset: number, n: number): ArrayBuffer {
  const out = new Uint8Array(n);
  out.set(bytes.subarray(offset, offset + n));
  return out.buffer;
}

function decode(
  name: string,
  dtype: SafetensorsDType,
  bytes: Uint8Array,
  offset: number,
  count: number,
): { dtype: DType; data: AnyTypedArray } {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * formatDTypeBytes[dtype]);
  switch (dtype) {
    case "F32":
      if (littleEndian) return { dtype: "float32", data: new Float32Array(copyBytes(bytes, offset, count * 4)) };
      return { dtype: "float32", data: Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true)) };
    case "F64":
      if (littleEndian) return { dtype: "float64", data: new Float64Array(copyBytes(bytes, offset, count * 8)) };
      return { dtype: "float64", data: Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true)) };
    case "I32":
      if (littleEndian) return { dtype: "int32", data: new Int32Array(copyBytes(bytes, offset, count * 4)) };
      return { dtype: "int32", data: Int32Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true)) };
    case "F16": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return { dtype: "float32", data: out };
    }
    case "BF16": {
      // bfloat16 is the top half of a float32: shift the 16 bits up and reinterpret.
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return { dtype: "float32", data: out };
    }
    case "I64":
    case "U64":
    case "U32":
    case "I16":
    case "U16":
    case "I8":
    case "U8":
    case "BOOL": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        let v: number | bigint;
        switch (dtype) {
          case "I64":
            v = view.getBigInt64(i * 8, true);
            break;
          case "U64":
            v = view.getBigUint64(i * 8, true);
            break;
          case "U32":
            v = view.getUint32(i * 4, true);
            break;
          case "I16":
            v = view.getInt16(i * 2, true);
            break;
          case "U16":
            v = view.getUint16(i * 2, true);
            break;
          case "I8":
            v = view.getInt8(i);
            break;
          default:
            v = view.getUint8(i);
            break;
        }
        if (v < -2147483648 || v > 2147483647) {
          fail(
            `tensor "${name}" (${dtype}) holds ${v} at element ${i}, outside the int32 range shapegrad stores integers in`,
          );
        }
        out[i] = Number(v);
      }
      return { dtype: "int32", data: out };
    }
    case "F8_E4M3":
    case "F8_E5M2":
      return fail(
        `tensor "${name}" has dtype ${dtype}, which shapegrad does not read (it reads F64, F32, F16, BF16 and integer types)`,
      );
  }
}

interface HeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

function parseEntry(name: string, value: unknown): HeaderEntry {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`tensor "${name}": header entry is not an object`);
  }
  const entry = value as Record<string, unknown>;
  const { dtype, shape, data_offsets: offsets } = entry;
  if (!isSafetensorsDType(dtype)) fail(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)} (want non-negative integers)`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    fail(
      `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)} (want [begin, end] with 0 <= begin <= end)`,
    );
  }
  const dims = shape as number[];
  const [begin, end] = offsets as [number, number];
  const count = dims.reduce((a, b) => a * b, 1);
  const need = count * formatDTypeBytes[dtype];
  if (end - begin !== need) {
    fail(
      `tensor "${name}": shape ${shapeText(dims)} of ${dtype} needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, shape: dims, begin, end };
}

/** Parses a safetensors file. Throws an `Error` naming the tensor on any inconsistency. */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  // refused before it is decoded, as the reference implementation does, whatever the file's length
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    throw new Error(weightErrors.headerTooLarge(String(headerLength), MAX_HEADER_BYTES));
  if (headerLength > BigInt(bytes.length - 8)) {
    fail(`header length ${headerLength} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  }
  const n = Number(headerLength);
  let header: unknown;
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header is not a JSON object");
  const twice = duplicateKey(text);
  if (twice !== null) throw new Error(weightErrors.duplicateName(twice));

  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (
        typeof value !== "object" ||
        value === null ||
        Array.isArray(value) ||
        !Object.values(value).every((v) => typeof v === "string")
      ) {
        fail("__metadata__ must map strings to strings");
      }
      metadata = value as Record<string, string>;
      continue;
    }
    entries.push(parseEntry(name, value));
  }

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  // Sorted by begin, the tensors must tile [0, dataLength): each starts where the last ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: HeaderEntry | undefined;
  for (const e of sorted) {
    if (e.begin < cursor && previous) {
      fail(
        `tensors "${previous.name}" [${previous.begin}, ${previous.end}) and "${e.name}" [${e.begin}, ${e.end}) overlap`,
      );
    }
    if (e.begin > cursor) {
      fail(`bytes [${cursor}, ${e.begin}) of the data section before tensor "${e.name}" belong to no tensor`);
    }
    if (e.end > dataLength) {
      fail(`tensor "${e.name}" ends at byte ${e.end} but the data section has only ${dataLength} bytes (truncated?)`);
    }
    cursor = e.end;
    if (e.end > e.begin || !previous) previous = e;
  }
  if (cursor !== dataLength) {
    fail(
      `${dataLength - cursor} bytes after the last tensor${previous ? ` ("${previous.name}")` : ""} belong to no tensor`,
    );
  }

  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const { dtype, data } = decode(e.name, e.dtype, bytes, dataStart + e.begin, count);
    tensors.set(e.name, { fileDType: e.dtype, dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/**
 * Serialises tensors to safetensors bytes. As the reference writer does, tensors are laid out by
 * decreasing element size and then by name (so every tensor is aligned to its element size), and
 * the header is padded with spaces to a multiple of 8 bytes.
 */
export function serializeSafetensors(
  tensors: Readonly<Record<string, SafetensorsInput>> | ReadonlyMap<string, SafetensorsInput>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const list =
    tensors instanceof Map
      ? [...(tensors as ReadonlyMap<string, SafetensorsInput>).entries()]
      : Object.entries(tensors as Readonly<Record<string, SafetensorsInput>>);
  for (const [name, t] of list) {
    if (name === "__metadata__") fail(`"__metadata__" is reserved and cannot name a tensor`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`tensor "${name}" has an invalid shape ${shapeText(t.shape)}`);
    if (count !== t.data.length) {
      fail(`tensor "${name}": shape ${shapeText(t.shape)} has ${count} elements but its data has ${t.data.length}`);
    }
    const expected = { float32: Float32Array, float64: Float64Array, int32: Int32Array }[t.dtype];
    if (!(t.data instanceof expected))
      fail(`tensor "${name}": dtype ${t.dtype} but data is a ${t.data.constructor.name}`);
  }
  const size = (t: SafetensorsInput): number => formatDTypeBytes[fileDTypeOf[t.dtype]];
  list.sort(([na, a], [nb, b]) => size(b) - size(a) || (na < nb ? -1 : na > nb ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of list) {
    const n = t.data.length * size(t);
    header[name] = { dtype: fileDTypeOf[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of list) {
    if (littleEndian) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    } else {
      for (let i = 0; i < t.data.length; i++) {
        const v = t.data[i];
        if (t.dtype === "float32") view.setFloat32(at + i * 4, v, true);
        else if (t.dtype === "float64") view.setFloat64(at + i * 8, v, true);
        else view.setInt32(at + i * 4, v, true);
      }
    }
    at += t.data.byteLength;
  }
  return out;
}
