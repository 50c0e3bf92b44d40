/** Runs an exported model in onnxruntime-node and compares it with shapegrad's own forward pass. */
import * as ort from "onnxruntime-node";
import { noGrad, type AnyTensor } from "../../src/index.js";
import { exportOnnx, type ExportOnnxOptions, type OnnxExportable } from "../../src/onnx/index.js";

export interface Comparison {
  maxAbsDiff: number;
  /** Largest |expected|, to judge the difference against. */
  scale: number;
  shape: readonly number[];
  onnxShape: readonly number[];
}

/**
 * Exports (at `exportShape`, default the input's shape), runs the file in onnxruntime on `input`,
 * and runs the model in shapegrad (eval mode, no graph).
 */
export async function runBoth(
  model: OnnxExportable,
  input: AnyTensor,
  options: ExportOnnxOptions = {},
  exportShape: readonly number[] = input.shape,
): Promise<Comparison> {
  const bytes = exportOnnx(model, exportShape, options);
  const session = await ort.InferenceSession.create(bytes);
  const data = input.dataSync() as Float32Array | Float64Array;
  const feeds = { input: new ort.Tensor(input.dtype === "float64" ? "float64" : "float32", data, [...input.shape]) };
  const out = (await session.run(feeds)).output;
  const forward =
    typeof model === "function"
      ? (model as (x: AnyTensor) => AnyTensor)
      : (x: AnyTensor) => (model as unknown as { forward(x: AnyTensor): AnyTensor }).forward(x);
  const expected = noGrad(() => forward(input));
  const want = expected.dataSync();
  const got = out.data as Float32Array | Float64Array;
  let maxAbsDiff = got.length === want.length ? 0 : Infinity;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  await session.release();
  return { maxAbsDiff, scale, shape: expected.shape, onnxShape: out.dims };
}
