/**
 * The protobuf writer against the wire format's published examples and a small independent
 * decoder (written here from the spec: key = field << 3 | wire type, varints little-endian base
 * 128), and the ONNX model encoding read back through that decoder.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ProtoWriter } from "../../src/onnx/protobuf.js";
import { encodeModel, IR_VERSION, OPSET_VERSION, type OnnxModel } from "../../src/onnx/model.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

type Field = { field: number; wire: number; value: bigint | Uint8Array };

function readVarint(b: Uint8Array, at: number): [bigint, number] {
  let v = 0n,
    shift = 0n,
    i = at;
  for (;;) {
    const byte = b[i++];
    v |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [v, i];
    shift += 7n;
  }
}

function decode(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  while (i < b.length) {
    const [key, next] = readVarint(b, i);
    i = next;
    const field = Number(key >> 3n),
      wire = Number(key & 7n);
    if (wire === 0) {
      const [v, n] = readVarint(b, i);
      out.push({ field, wire, value: v });
      i = n;
    } else if (wire === 5) {
      out.push({ field, wire, value: b.slice(i, i + 4) });
      i += 4;
    } else if (wire === 2) {
      const [len, n] = readVarint(b, i);
      out.push({ field, wire, value: b.slice(n, n + Number(len)) });
      i = n + Number(len);
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

const text = (v: Field["value"]) => new TextDecoder().decode(v as Uint8Array);
const sub = (fields: Field[], n: number) =>
  fields.filter((f) => f.field === n).map((f) => decode(f.value as Uint8Array));

describe("ProtoWriter", () => {
  it("matches the encoding guide's examples", () => {
    // field 1 = 150 -> 08 96 01; field 2 = "testing" -> 12 07 74 65 73 74 69 6e 67
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe("08 96 01");
    expect(hex(new ProtoWriter().string(2, "testing").finish())).toBe("12 07 74 65 73 74 69 6e 67");
    // a nested message: field 3 holding { field 1 = 150 }
    expect(hex(new ProtoWriter().message(3, (w) => w.int(1, 150)).finish())).toBe("1a 03 08 96 01");
    // packed repeated field 4 = [3, 270, 86942]
    expect(hex(new ProtoWriter().packedInts(4, [3, 270, 86942]).finish())).toBe("22 06 03 8e 02 9e a7 05");
  });

  it("writes a negative int64 as ten bytes of two's complement", () => {
    expect(hex(new ProtoWriter().int(1, -1).finish())).toBe("08 ff ff ff ff ff ff ff ff ff 01");
  });

  it("round-trips any int64 and any float32 (property, seed 42)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.float({ noNaN: true }), (v, f) => {
        const [a, b] = decode(new ProtoWriter().int(5, v).float(6, f).finish());
        expect(a).toMatchObject({ field: 5, wire: 0 });
        expect(BigInt.asIntN(64, a.value as bigint)).toBe(v);
        expect(b).toMatchObject({ field: 6, wire: 5 });
        expect(new DataView((b.value as Uint8Array).buffer).getFloat32(0, true)).toBe(Math.fround(f));
      }),
      { seed: 42, numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (v) => {
        expect(decode(new ProtoWriter().int(1, v).finish())[0].value).toBe(BigInt(v));
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe("encodeModel", () => {
  const model: OnnxModel = {
    opsetVersion: OPSET_VERSION,
    producerName: "shapegrad",
    producerVersion: "0.1.0",
    graph: {
      name: "g",
      nodes: [
        {
          opType: "Conv",
          name: "Conv",
          inputs: ["input", "w"],
          outputs: ["output"],
          attributes: [
            { name: "pads", type: "ints", value: [1, 0, 2, 0] },
            { name: "group", type: "int", value: 2 },
            { name: "alpha", type: "float", value: 0.5 },
          ],
        },
      ],
      initializers: [{ name: "w", type: "float32", dims: [2, 1, 1, 1], data: Float32Array.of(1.5, -2) }],
      inputs: [{ name: "input", type: "float32", dims: ["N", 2, 3, 3] }],
      outputs: [{ name: "output", type: "float32", dims: [1, 2, 3, 3] }],
    },
  };
  const top = decode(encodeModel(model));

  it("writes ModelProto: ir_version, producer, graph, opset import", () => {
    expect(top.find((f) => f.field === 1)?.value).toBe(BigInt(IR_VERSION));
    expect(text(top.find((f) => f.field === 2)!.value)).toBe("shapegrad");
    const [opset] = sub(top, 8);
    expect(opset).toEqual([{ field: 2, wire: 0, value: 17n }]);
  });

  it("writes GraphProto nodes, attributes, initializers and typed inputs", () => {
    const [graph] = sub(top, 7);
    const [node] = sub(graph, 1);
    expect(node.filter((f) => f.field === 1).map((f) => text(f.value))).toEqual(["input", "w"]);
    expect(text(node.find((f) => f.field === 4)!.value)).toBe("Conv");
    const attrs = sub(node, 5);
    // pads: type INTS (7), packed in field 8
    expect(text(attrs[0].find((f) => f.field === 1)!.value)).toBe("pads");
    expect(attrs[0].find((f) => f.field === 20)!.value).toBe(7n);
    expect(hex(attrs[0].find((f) => f.field === 8)!.value as Uint8Array)).toBe("01 00 02 00");
    expect(attrs[1].find((f) => f.field === 3)!.value).toBe(2n);
    expect(hex(attrs[2].find((f) => f.field === 2)!.value as Uint8Array)).toBe("00 00 00 3f");
    const [init] = sub(graph, 5);
    expect(hex(init.find((f) => f.field === 1)!.value as Uint8Array)).toBe("02 01 01 01");
    expect(init.find((f) => f.field === 2)!.value).toBe(1n);
    // 1.5 = 0x3fc00000, -2 = 0xc0000000, little-endian
    expect(hex(init.find((f) => f.field === 9)!.value as Uint8Array)).toBe("00 00 c0 3f 00 00 00 c0");
    const [input] = sub(graph, 11);
    const [type] = sub(input, 2);
    const [tensorType] = sub(type, 1);
    const [shape] = sub(tensorType, 2);
    const dims = sub(shape, 1);
    expect(text(dims[0][0].value)).toBe("N");
    expect(dims.slice(1).map((d) => d[0].value)).toEqual([2n, 3n, 3n]);
  });
});
