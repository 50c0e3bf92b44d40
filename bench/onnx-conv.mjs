// A one-node ONNX model (Conv, weights as an initializer) encoded by hand: the protobuf wire format
// needs only varints and length-delimited fields, so no ONNX tooling is required.
// Field numbers from onnx.proto: ModelProto{ir_version=1, graph=7, opset_import=8},
// GraphProto{node=1, name=2, initializer=5, input=11, output=12}, NodeProto{input=1, output=2,
// op_type=4, attribute=5}, AttributeProto{name=1, i=3, ints=8, type=20 (INT=2, INTS=7)},
// TensorProto{dims=1, data_type=2 (FLOAT=1), name=8, raw_data=9}, ValueInfoProto{name=1, type=2},
// TypeProto{tensor_type=1}, TypeProto.Tensor{elem_type=1, shape=2}, TensorShapeProto{dim=1},
// Dimension{dim_value=1}, OperatorSetIdProto{domain=1, version=2}.

function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field, wire) => varint((field << 3) | wire);
const vint = (field, n) => [...key(field, 0), ...varint(n)];
function bytes(field, data) {
  const arr = typeof data === "string" ? [...Buffer.from(data, "utf8")] : [...data];
  return [...key(field, 2), ...varint(arr.length), ...arr];
}
const msg = (field, parts) => bytes(field, parts.flat());

function valueInfo(field, name, dims) {
  const shape = dims.map((d) => msg(1, [vint(1, d)]));
  return msg(field, [bytes(1, name), msg(2, [msg(1, [vint(1, 1), msg(2, shape)])])]);
}
const intsAttr = (name, values) => msg(5, [bytes(1, name), ...values.map((v) => vint(8, v)), vint(20, 7)]);
const intAttr = (name, v) => msg(5, [bytes(1, name), vint(3, v), vint(20, 2)]);

/** ONNX bytes for y = Conv(x, w) with the given geometry (pads [top, left, bottom, right]). */
export function convModel({ x, w, y, strides, dilations, pads, group, weights }) {
  const node = msg(1, [
    bytes(1, "x"),
    bytes(1, "w"),
    bytes(2, "y"),
    bytes(4, "Conv"),
    intsAttr("kernel_shape", [w[2], w[3]]),
    intsAttr("strides", strides),
    intsAttr("dilations", dilations),
    intsAttr("pads", pads),
    intAttr("group", group),
  ]);
  const init = msg(5, [
    ...w.map((d) => vint(1, d)),
    vint(2, 1),
    bytes(8, "w"),
    bytes(9, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)),
  ]);
  const graph = msg(7, [node, bytes(2, "conv"), init, valueInfo(11, "x", x), valueInfo(12, "y", y)]);
  return Uint8Array.from([...vint(1, 8), graph, msg(8, [bytes(1, ""), vint(2, 13)])].flat());
}
