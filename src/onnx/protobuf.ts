/**
 * A minimal protocol-buffers writer: exactly the wire types ONNX needs.
 *
 * Wire format: every field is a key `(fieldNumber << 3) | wireType` written as a varint, then the
 * value: wire type 0 a varint (int32/int64/enum; a negative int64 is its 64-bit two's complement,
 * ten bytes), 5 four little-endian bytes (float), 2 a varint byte length followed by the bytes
 * (strings, bytes, nested messages, packed repeated scalars). Fields at their default value are
 * simply omitted, as proto3 allows.
 */

const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
}

const utf8 = new TextEncoder();

export class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #bytes: number[] = [];
  #length = 0;

  #flush(): void {
    if (this.#bytes.length) {
      this.#chunks.push(Uint8Array.from(this.#bytes));
      this.#bytes = [];
    }
  }

  #byte(b: number): void {
    this.#bytes.push(b);
    this.#length++;
  }

  #raw(data: Uint8Array): void {
    this.#flush();
    this.#chunks.push(data);
    this.#length += data.length;
  }

  /** An unsigned varint: 7 bits per byte, low group first, high bit set on all but the last. */
  #varint(value: number | bigint): void {
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new Error(`protobuf: ${value} is not a safe integer`);
      if (value >= 0) {
        let v = value;
        // Division instead of >>> keeps values above 2^32 exact.
        while (v >= 0x80) {
          this.#byte((v % 0x80) | 0x80);
          v = Math.floor(v / 0x80);
        }
        this.#byte(v);
        return;
      }
      value = BigInt(value);
    }
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.#byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#byte(Number(v));
  }

  #key(field: number, wire: Wire): void {
    this.#varint(field * 8 + wire);
  }

  /** int32, int64 or enum field (negative values as 64-bit two's complement). */
  int(field: number, value: number | bigint): this {
    this.#key(field, Wire.Varint);
    this.#varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.#key(field, Wire.Fixed32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.#raw(b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.#key(field, Wire.LengthDelimited);
    this.#varint(data.length);
    this.#raw(data);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, utf8.encode(text));
  }

  /**
   * A nested message, written by `build` into its own writer. Its chunks are taken over, not
   * copied: the weights of a model are a few hundred megabytes, nested three deep (tensor, graph,
   * model), and only `finish` at the top copies them, once.
   */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    inner.#flush();
    this.#key(field, Wire.LengthDelimited);
    this.#varint(inner.#length);
    this.#flush();
    for (const c of inner.#chunks) this.#chunks.push(c);
    this.#length += inner.#length;
    return this;
  }

  /** A packed repeated int32/int64 field. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.#varint(v);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(4 * values.length);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    this.#flush();
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const c of this.#chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}
