/** ONNX export: `exportOnnx` (bytes, any platform) and `writeOnnx` (a file, Node). */
export { exportOnnx, traceOnnx, type ExportOnnxOptions, type OnnxExportable } from "./export.js";
export { writeOnnx } from "./node.js";
export {
  encodeModel,
  IR_VERSION,
  OPSET_VERSION,
  type OnnxModel,
  type OnnxGraph,
  type OnnxNode,
  type OnnxTensor,
  type OnnxAttribute,
  type OnnxValueInfo,
  type OnnxElementType,
} from "./model.js";
