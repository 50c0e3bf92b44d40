/** ONNX export (browser-safe: no Node modules). For writing a file in Node see ./node.ts. */
export { exportOnnx, traceOnnx, type ExportOnnxOptions, type OnnxExportable } from "./export.js";
export { encodeModel, IR_VERSION, OPSET_VERSION, type OnnxModel, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxAttribute, type OnnxValueInfo } from "./model.js";
