/**
 * The ONNX messages shapegrad writes (onnx.proto, IR version 8, opset 17), as plain objects, and
 * their encoding. Field numbers are those of onnx/onnx.proto; only the fields used are written.
 */
import { ProtoWriter } from "./protobuf.js";

/** TensorProto.DataType values. */
export const OnnxDataType = { float32: 1, int32: 6, int64: 7, float64: 11 } as const;
export type OnnxElementType = keyof typeof OnnxDataType;

export type OnnxAttribute =
  | { readonly name: string; readonly type: "int"; readonly value: number }
  | { readonly name: string; readonly type: "float"; readonly value: number }
  | { readonly name: string; readonly type: "string"; readonly value: string }
  | { readonly name: string; readonly type: "ints"; readonly value: readonly number[] }
  | { readonly name: string; readonly type: "floats"; readonly value: readonly number[] };

export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attributes: readonly OnnxAttribute[];
}

/** A constant (weights, shapes, axes): its bytes are written little-endian in raw_data. */
export interface OnnxTensor {
  readonly name: string;
  readonly type: OnnxElementType;
  readonly dims: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array | BigInt64Array;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly type: OnnxElementType;
  /** A number for a fixed dim, a string for a named (symbolic) one. */
  readonly dims: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly graph: OnnxGraph;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
}

export const IR_VERSION = 8;
export const OPSET_VERSION = 17;

// AttributeProto.AttributeType
const attributeTypeCode = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name);
  w.int(20, attributeTypeCode[a.type]);
  switch (a.type) {
    case "float":
      w.float(2, a.value);
      break;
    case "int":
      w.int(3, a.value);
      break;
    case "string":
      w.string(4, a.value);
      break;
    case "floats":
      w.packedFloats(7, a.value);
      break;
    case "ints":
      w.packedInts(8, a.value);
      break;
  }
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes) w.message(5, (aw) => writeAttribute(aw, a));
}

const littleEndianHost = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Little-endian bytes of a typed array: on a little-endian host (every platform shapegrad runs on)
 * the array's own bytes, viewed without a copy (an initializer's data is the exporter's snapshot,
 * not a live tensor's storage); elsewhere written value by value.
 */
function littleEndianBytes(data: OnnxTensor["data"]): Uint8Array {
  if (littleEndianHost) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * data.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  else if (data instanceof Float64Array) data.forEach((v, i) => view.setFloat64(8 * i, v, true));
  else if (data instanceof Int32Array) data.forEach((v, i) => view.setInt32(4 * i, v, true));
  else data.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  return out;
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  if (t.dims.length) w.packedInts(1, t.dims);
  w.int(2, OnnxDataType[t.type]);
  w.string(8, t.name);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length)
    throw new Error(`onnx: tensor ${t.name} has dims [${t.dims.join(", ")}] but ${t.data.length} values`);
  if (t.data.length) w.bytes(9, littleEndianBytes(t.data));
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  // TypeProto { tensor_type = 1: Tensor { elem_type = 1, shape = 2: TensorShapeProto { dim = 1 } } }
  w.message(2, (tw) =>
    tw.message(1, (tt) => {
      tt.int(1, OnnxDataType[v.type]);
      tt.message(2, (sw) => {
        for (const d of v.dims) sw.message(1, (dw) => (typeof d === "number" ? dw.int(1, d) : dw.string(2, d)));
      });
    }),
  );
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(1, (nw) => writeNode(nw, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (tw) => writeTensor(tw, t));
  for (const v of g.inputs) w.message(11, (vw) => writeValueInfo(vw, v));
  for (const v of g.outputs) w.message(12, (vw) => writeValueInfo(vw, v));
}

/** The serialized ModelProto. */
export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, (gw) => writeGraph(gw, m.graph));
  // OperatorSetIdProto { domain = 1 (empty: the default ai.onnx domain), version = 2 }
  w.message(8, (ow) => ow.int(2, m.opsetVersion));
  return w.finish();
}
