/**
 * Issue 24, item 4: exportOnnx refuses, with the catalogue's messages and before it makes its
 * sample input, what it cannot write right: a sample input past the element limit, names that
 * clash, wrong-typed arguments, and a dynamic batch whose output's first dim is not the batch.
 * What it does write loads in onnxruntime and computes what shapegrad computes.
 */
import * as ort from "onnxruntime-node";
import { afterEach, describe, expect, it } from "vitest";
import { manualSeed, nn, noGrad, randn, relu, setMaxElements, type AnyTensor } from "../../src/index.js";
import { exportOnnx, traceOnnx, writeOnnx, type OnnxExportable } from "../../src/onnx/index.js";
import { onnxErrors } from "../../types/errors.js";
import { opErrors } from "../../types/errors.js";

const LIMIT = 2 ** 31 - 1;
afterEach(() => setMaxElements(LIMIT));

/** Runs the file in onnxruntime on `x` and returns the output's dims and the worst difference from shapegrad. */
async function ortRun(
  bytes: Uint8Array,
  f: (x: AnyTensor) => AnyTensor,
  x: AnyTensor,
  inputName = "input",
  outputName = "output",
) {
  const session = await ort.InferenceSession.create(bytes);
  const out = (
    await session.run({ [inputName]: new ort.Tensor("float32", x.dataSync() as Float32Array, [...x.shape]) })
  )[outputName];
  const want = noGrad(() => f(x)).dataSync();
  const got = out.data as Float32Array;
  let worst = got.length === want.length ? 0 : Infinity;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  await session.release();
  return { dims: out.dims, worst };
}

describe("exportOnnx: the sample input's size is checked before it is filled", () => {
  it("an input of [2^31] is refused with the element limit's message", () => {
    const f = (x: AnyTensor) => relu(x);
    expect(() => exportOnnx(f, [2 ** 31])).toThrowError(
      new Error(opErrors.tooManyElements("exportOnnx", [2 ** 31], 2 ** 31, LIMIT)),
    );
    expect(() => exportOnnx(f, [2 ** 16, 2 ** 16])).toThrowError(
      new Error(opErrors.tooManyElements("exportOnnx", [2 ** 16, 2 ** 16], 2 ** 32, LIMIT)),
    );
  });

  it("with dynamicBatch the second trace's batch + 1 is checked too", () => {
    setMaxElements(100);
    const f = (x: AnyTensor) => relu(x);
    expect(exportOnnx(f, [100]).length).toBeGreaterThan(0);
    expect(() => exportOnnx(f, [100], { dynamicBatch: true })).toThrowError(
      new Error(opErrors.tooManyElements("exportOnnx", [101], 101, 100)),
    );
  });
});

describe("exportOnnx: names", () => {
  manualSeed(7);
  const model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2));
  const forward = (x: AnyTensor) => model.forward(x) as unknown as AnyTensor;

  it("an output name equal to the input's, a parameter's, or an empty name is refused", () => {
    expect(() => exportOnnx(model, [2, 4], { inputName: "x", outputName: "x" })).toThrowError(
      new Error(onnxErrors.nameClash("outputName", '"x"', "the input")),
    );
    expect(() => exportOnnx(model, [2, 4], { outputName: "input" })).toThrowError(
      new Error(onnxErrors.nameClash("outputName", '"input"', "the input")),
    );
    expect(() => exportOnnx(model, [2, 4], { outputName: "2.weight" })).toThrowError(
      new Error(onnxErrors.nameClash("outputName", '"2.weight"', "a parameter or buffer of the model")),
    );
    expect(() => exportOnnx(model, [2, 4], { inputName: "0.bias" })).toThrowError(
      new Error(onnxErrors.nameClash("inputName", '"0.bias"', "a parameter or buffer of the model")),
    );
    expect(() => exportOnnx(model, [2, 4], { inputName: "" })).toThrowError(
      new Error(onnxErrors.optionType("inputName", "a non-empty string", '""')),
    );
    expect(() => exportOnnx(model, [2, 4], { outputName: "" })).toThrowError(
      new Error(onnxErrors.optionType("outputName", "a non-empty string", '""')),
    );
  });

  it("an output name equal to an internal value's name gives a file onnxruntime loads and runs right", async () => {
    const f = (x: AnyTensor) => relu(forward(x)).mul(2).add(1) as AnyTensor;
    const internal = traceOnnx(f, [2, 4])
      .graph.nodes.flatMap((n) => n.outputs)
      .filter((name) => name !== "output");
    expect(internal.length).toBeGreaterThan(2);
    const x = randn([2, 4]) as unknown as AnyTensor;
    for (const name of internal) {
      const graph = traceOnnx(f, [2, 4], { outputName: name }).graph;
      const values = [
        ...graph.inputs.map((v) => v.name),
        ...graph.initializers.map((t) => t.name),
        ...graph.nodes.flatMap((n) => n.outputs),
      ];
      expect(new Set(values).size, `outputName ${name}`).toBe(values.length);
      const r = await ortRun(exportOnnx(f, [2, 4], { outputName: name }), f, x, "input", name);
      expect(r.worst).toBeLessThan(1e-5);
    }
  });
});

describe("exportOnnx: dynamicBatch and reshapes that mix the batch into other dims", () => {
  it("x.reshape([-1]) is refused: the output's first dim is 4 times the batch", () => {
    const f = (x: AnyTensor) => relu(x).reshape([-1]) as AnyTensor;
    expect(() => exportOnnx(f, [2, 4], { dynamicBatch: true })).toThrowError(
      new Error(onnxErrors.batchOutput(8, 2, 12, 3)),
    );
    // without dynamicBatch the fixed shape is right
    expect(exportOnnx(f, [2, 4]).length).toBeGreaterThan(0);
  });

  it("a reshape that folds the batch in and back out exports a correct dynamic shape, checked in onnxruntime at batch 1, 2 and 5", async () => {
    manualSeed(8);
    const w = randn([4, 4]) as unknown as AnyTensor;
    const f = (x: AnyTensor) => {
      const n = x.shape[0];
      // [n, 4] -> [4n] -> [2, 2n] -> [n, 4]
      return relu(x.reshape([-1]).reshape([2, 2 * n]))
        .reshape([n, 4])
        .matmul(w as never) as AnyTensor;
    };
    const bytes = exportOnnx(f, [3, 4], { dynamicBatch: true });
    for (const n of [1, 2, 5]) {
      const r = await ortRun(bytes, f, randn([n, 4]));
      expect(r.dims).toEqual([n, 4]);
      expect(r.worst).toBeLessThan(1e-5);
    }
  });
});

describe("exportOnnx: wrong-typed arguments", () => {
  const f = (x: AnyTensor) => relu(x);
  const cases: [string, () => unknown, string][] = [
    ["exportOnnx(null)", () => exportOnnx(null as unknown as OnnxExportable, [1]), onnxErrors.model("null")],
    [
      "exportOnnx(undefined)",
      () => exportOnnx(undefined as unknown as OnnxExportable, [1]),
      onnxErrors.model("undefined"),
    ],
    ["exportOnnx(5)", () => exportOnnx(5 as unknown as OnnxExportable, [1]), onnxErrors.model("5")],
    ["exportOnnx({})", () => exportOnnx({} as unknown as OnnxExportable, [1]), onnxErrors.model("object")],
    ["inputShape null", () => exportOnnx(f, null as unknown as number[]), onnxErrors.inputShape("null")],
    ["inputShape [2, -1]", () => exportOnnx(f, [2, -1]), onnxErrors.inputShape("[2, -1]")],
    ["options null", () => exportOnnx(f, [1], null as never), onnxErrors.options("null")],
    ["options a string", () => exportOnnx(f, [1], "x" as never), onnxErrors.options('"x"')],
    [
      "an unknown option",
      () => exportOnnx(f, [1], { dynamic_batch: true } as never),
      onnxErrors.unknownOption("dynamic_batch"),
    ],
    [
      "dtype int32",
      () => exportOnnx(f, [1], { dtype: "int32" as never }),
      onnxErrors.optionType("dtype", '"float32" or "float64"', '"int32"'),
    ],
    [
      "inputName 5",
      () => exportOnnx(f, [1], { inputName: 5 as never }),
      onnxErrors.optionType("inputName", "a non-empty string", "5"),
    ],
    [
      "docString null",
      () => exportOnnx(f, [1], { docString: null as never }),
      onnxErrors.optionType("docString", "a string", "null"),
    ],
    [
      "dynamicBatch 1",
      () => exportOnnx(f, [1], { dynamicBatch: 1 as never }),
      onnxErrors.optionType("dynamicBatch", "a boolean or a non-empty string (the batch dim's name)", "1"),
    ],
  ];
  for (const [name, call, message] of cases) it(name, () => expect(call).toThrowError(new Error(message)));

  it("writeOnnx with a path that is not a string", async () => {
    await expect(writeOnnx(5 as unknown as string, f, [1])).rejects.toThrowError(new Error(onnxErrors.path("5")));
  });
});
