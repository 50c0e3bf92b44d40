/**
 * The encoder alone, checked by onnxruntime: hand-built models (no tracing, no shapegrad runtime)
 * load and compute what the ONNX operators define, on values small enough to verify by hand.
 */
import { describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { encodeModel, OPSET_VERSION, type OnnxGraph } from "../../src/onnx/model.js";

async function run(
  graph: OnnxGraph,
  input: Float32Array,
  dims: number[],
): Promise<{ data: number[]; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(
    encodeModel({ graph, opsetVersion: OPSET_VERSION, producerName: "test", producerVersion: "0" }),
  );
  const out = (await session.run({ input: new ort.Tensor("float32", input, dims) })).output;
  await session.release();
  return { data: Array.from(out.data as Float32Array), dims: out.dims };
}

describe("hand-built ONNX models in onnxruntime", () => {
  it("Conv with asymmetric pads, then Relu", async () => {
    // 1x1x2x2 input, one 2x2 kernel [[1, 0], [0, -1]], pads top 1 / bottom 0, left 0 / right 1:
    // the padded input is [[0, 0, 0], [1, 2, 0], [3, 4, 0]] and each output is a - d of its window.
    const graph: OnnxGraph = {
      name: "g",
      nodes: [
        {
          opType: "Conv",
          name: "c",
          inputs: ["input", "w"],
          outputs: ["y"],
          attributes: [
            { name: "kernel_shape", type: "ints", value: [2, 2] },
            { name: "pads", type: "ints", value: [1, 0, 0, 1] },
          ],
        },
        { opType: "Relu", name: "r", inputs: ["y"], outputs: ["output"], attributes: [] },
      ],
      initializers: [{ name: "w", type: "float32", dims: [1, 1, 2, 2], data: Float32Array.of(1, 0, 0, -1) }],
      inputs: [{ name: "input", type: "float32", dims: [1, 1, 2, 2] }],
      outputs: [{ name: "output", type: "float32", dims: [1, 1, 2, 2] }],
    };
    // windows: [0,0;1,2] -> 0-2 = -2; [0,0;2,0] -> 0; [1,2;3,4] -> 1-4 = -3; [2,0;4,0] -> 2
    const r = await run(graph, Float32Array.of(1, 2, 3, 4), [1, 1, 2, 2]);
    expect(r.dims).toEqual([1, 1, 2, 2]);
    expect(r.data).toEqual([0, 0, 0, 2]);
  });

  it("Reshape with an int64 shape constant (including -1) and ReduceSum with int64 axes", async () => {
    const graph: OnnxGraph = {
      name: "g",
      nodes: [
        { opType: "Reshape", name: "a", inputs: ["input", "shape"], outputs: ["r"], attributes: [] },
        {
          opType: "ReduceSum",
          name: "b",
          inputs: ["r", "axes"],
          outputs: ["output"],
          attributes: [{ name: "keepdims", type: "int", value: 0 }],
        },
      ],
      initializers: [
        { name: "shape", type: "int64", dims: [2], data: BigInt64Array.of(-1n, 3n) },
        { name: "axes", type: "int64", dims: [1], data: BigInt64Array.of(-1n) },
      ],
      inputs: [{ name: "input", type: "float32", dims: [6] }],
      outputs: [{ name: "output", type: "float32", dims: [2] }],
    };
    const r = await run(graph, Float32Array.of(1, 2, 3, 4, 5, 6), [6]);
    expect(r.data).toEqual([6, 15]);
  });
});
