/**
 * Issue 22: exportOnnx on a forward that returns an object of tensors (torchvision's segmentation
 * `{ out, aux }`): one graph output per key, named as the key, in the object's order, each equal
 * in onnxruntime to shapegrad's; with a dynamic batch too. Refusals name the rule: outputName
 * with an object, a key that is the input's or a parameter's name, a value that is not a tensor.
 * And the two encodings of the weights agree: exportOnnx writes them from the parameters' own
 * storage, traceOnnx keeps a copy that later training does not change.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { manualSeed, mul, nn, noGrad, randn, relu, tensor, type AnyTensor } from "../../src/index.js";
import { encodeModel, exportOnnx, traceOnnx } from "../../src/onnx/index.js";
import { onnxErrors } from "../../types/errors.js";

/** A conv and two heads: `out` through both convs, `aux` after the first; batch norm in eval mode. */
class TwoHeads extends nn.Module {
  stem = nn.Sequential(nn.Conv2d(3, 4, 3, { padding: 1 }), nn.BatchNorm2d(4), nn.ReLU());
  head = nn.Conv2d(4, 2, 1);
  auxHead = nn.Conv2d(4, 5, 3, { stride: 2 });
  forward(x: AnyTensor): { out: AnyTensor; aux: AnyTensor } {
    const f = this.stem.forward(x) as unknown as AnyTensor;
    return {
      out: this.head.forward(f),
      aux: this.auxHead.forward(f),
    };
  }
}

function model(): TwoHeads {
  manualSeed(22);
  const m = new TwoHeads();
  m.train();
  noGrad(() => m.forward(randn([4, 3, 6, 6])));
  m.eval();
  return m;
}

async function run(bytes: Uint8Array, x: AnyTensor): Promise<[string[], Record<string, ort.Tensor>]> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ input: new ort.Tensor("float32", x.dataSync() as Float32Array, [...x.shape]) });
  const names = [...session.outputNames];
  await session.release();
  return [names, out];
}

function expectSame(got: ort.Tensor, want: AnyTensor): void {
  expect(got.dims).toEqual(want.shape);
  const w = want.dataSync();
  const g = got.data as Float32Array;
  const scale = Math.max(1, ...Array.from(w, Math.abs));
  for (let i = 0; i < w.length; i++) expect(Math.abs(g[i] - w[i]) / scale).toBeLessThan(1e-5);
}

describe("exportOnnx: a forward returning an object of tensors", () => {
  it("one graph output per key, named as the key, in order, each equal in onnxruntime", async () => {
    const m = model();
    const graph = traceOnnx(m, [2, 3, 8, 8]).graph;
    expect(graph.outputs.map((o) => [o.name, o.dims])).toEqual([
      ["out", [2, 2, 8, 8]],
      ["aux", [2, 5, 3, 3]],
    ]);
    const x = randn([2, 3, 8, 8]);
    const [names, got] = await run(exportOnnx(m, [2, 3, 8, 8]), x);
    expect(names).toEqual(["out", "aux"]);
    const want = noGrad(() => m.forward(x));
    expectSame(got.out, want.out);
    expectSame(got.aux, want.aux);
  });

  it("the order is the object's, and a key may name a value read twice", async () => {
    const f = (x: AnyTensor) => {
      const y = relu(x);
      return { b: mul(y, 2), a: y, c: y };
    };
    const x = randn([3, 4]);
    const [names, got] = await run(exportOnnx(f, [3, 4]), x);
    expect(names).toEqual(["b", "a", "c"]);
    const want = f(x);
    for (const k of ["a", "b", "c"] as const) expectSame(got[k], want[k]);
  });

  it("with dynamicBatch every output follows the batch", async () => {
    const m = model();
    const bytes = exportOnnx(m, [2, 3, 8, 8], { dynamicBatch: true });
    for (const n of [1, 3]) {
      const x = randn([n, 3, 8, 8]);
      const [, got] = await run(bytes, x);
      const want = noGrad(() => m.forward(x));
      expectSame(got.out, want.out);
      expectSame(got.aux, want.aux);
    }
    // an output whose first dim is not the batch is refused as for one tensor
    const f = (x: AnyTensor) => ({ out: relu(x), flat: relu(x).reshape([-1]) });
    expect(() => exportOnnx(f, [2, 4], { dynamicBatch: true })).toThrowError(
      new Error(onnxErrors.batchOutput(8, 2, 12, 3)),
    );
  });

  it("refuses outputName, a key naming the input or a parameter, and anything but tensors under non-empty keys", () => {
    const m = model();
    expect(() => exportOnnx(m, [1, 3, 8, 8], { outputName: "y" })).toThrowError(
      new Error(onnxErrors.outputNameOfObject('"y"', '"out", "aux"')),
    );
    const f = (key: string) => (x: AnyTensor) => ({ [key]: relu(x) });
    expect(() => exportOnnx(f("input"), [2])).toThrowError(
      new Error(onnxErrors.nameClash("output key", '"input"', "the input")),
    );
    expect(() => exportOnnx(f("x"), [2], { inputName: "x" })).toThrowError(
      new Error(onnxErrors.nameClash("output key", '"x"', "the input")),
    );
    const withParam = Object.assign(new TwoHeads(), {
      forward(this: TwoHeads, x: AnyTensor) {
        return { "head.weight": this.head.forward(this.stem.forward(x as never)) };
      },
    });
    expect(() => exportOnnx(withParam, [1, 3, 4, 4])).toThrowError(
      new Error(onnxErrors.nameClash("output key", '"head.weight"', "a parameter or buffer of the model")),
    );
    const bad: [unknown, string][] = [
      [{ out: 3 }, '{ "out": 3 }'],
      [{ out: tensor([1, 2]), aux: null }, '{ "out": Tensor [2], "aux": null }'],
      [{}, "{}"],
      [{ "": tensor([1]) }, '{ "": Tensor [1] }'],
      [[tensor([1])], "[object]"],
      [7, "7"],
      [undefined, "undefined"],
    ];
    for (const [value, shown] of bad) {
      expect(() => exportOnnx(() => value, [2])).toThrowError(new Error(onnxErrors.output(shown)));
    }
  });

  it("an output that does not depend on the input is refused by its key", () => {
    const w = tensor([1, 2]);
    expect(() => exportOnnx((x: AnyTensor) => ({ out: relu(x), stale: w }), [2])).toThrowError(
      "exportOnnx: the output stale does not depend on the input",
    );
  });
});

describe("exportOnnx writes the weights from the parameters' storage, traceOnnx from a copy", () => {
  it("the same bytes either way; training after traceOnnx leaves its model unchanged", () => {
    const m = model();
    const traced = traceOnnx(m, [1, 3, 8, 8]);
    const bytes = exportOnnx(m, [1, 3, 8, 8]);
    expect(encodeModel(traced)).toEqual(bytes);
    const weight = traced.graph.initializers.find((t) => t.name === "head.weight")!;
    const before = Array.from(weight.data as Float32Array);
    // an in-place update of the parameter, as an optimizer's step does
    (m.head.weight.dataSync() as Float32Array).fill(0.5);
    expect(Array.from(weight.data as Float32Array)).toEqual(before);
    expect(encodeModel(traceOnnx(m, [1, 3, 8, 8]))).toEqual(exportOnnx(m, [1, 3, 8, 8]));
    expect(encodeModel(traceOnnx(m, [1, 3, 8, 8]))).not.toEqual(bytes);
  });
});

describe("exportOnnx: nn.Linear on more than two dims (ConvNeXt's channels-last blocks)", () => {
  it("is MatMul with a Transpose node of the weight, the weight stored once, and runs right", async () => {
    manualSeed(23);
    const model = nn.Sequential(nn.Linear(4, 3));
    const f = (x: AnyTensor) => model.forward(x) as unknown as AnyTensor;
    const graph = traceOnnx(model, [2, 5, 5, 4]).graph;
    expect(graph.nodes.map((n) => n.opType)).toEqual(["Transpose", "MatMul", "Add", "Identity"]);
    expect(graph.initializers.reduce((n, t) => n + t.data.length, 0)).toBe(4 * 3 + 3);
    const x = randn([2, 5, 5, 4]);
    const session = await ort.InferenceSession.create(exportOnnx(model, [2, 5, 5, 4]));
    const got = await session.run({ input: new ort.Tensor("float32", x.dataSync(), [2, 5, 5, 4]) });
    await session.release();
    expectSame(got.output, f(x));
  });
});
