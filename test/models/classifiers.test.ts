/**
 * Every builder of shapegrad/models against torchvision 0.14 (fixtures from
 * scripts/golden/models/gen_models.py): the state dict's names, shapes and dtypes and the parameter
 * count with 1000 classes; with 10 classes and every entry filled from a hash (test/models/weights.ts),
 * loaded strictly through safetensors, the eval-mode logits on a [2, 3, 64, 64] and a [1, 3, 45, 37]
 * input in float32 (relative to the largest logit) and float64; in float64 also the difference
 * between the two samples' logits, which isolates the input-dependent part (small for the
 * MobileNets and EfficientNet under this fill, whose logits are dominated by the biases).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { add, mul, tensor, type AnyTensor, type DType, type Device, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as models from "../../src/models/index.js";
import { hashedInput, hashedState } from "./weights.js";
import { expectGradients } from "./train-golden.js";

interface Enc {
  shape: number[];
  data: number[];
}
interface Golden {
  stateDict: [string, number[], "F32" | "I64"][];
  parameters: number;
  numClasses: number;
  probe: Record<string, number[]>;
  input: { shape: number[]; logits32: Enc; logits64: Enc };
  odd: { shape: number[]; logits32: Enc; logits64: Enc };
  train: {
    shape: number[];
    labels: number[];
    loss: number;
    /** GoogLeNet: the loss adds this times each auxiliary head's cross-entropy. */
    auxWeight?: number;
    gradSquaredNorm: number;
    grads: Record<string, number[]>;
  };
}

function golden(name: string): Golden {
  return JSON.parse(readFileSync(new URL(`../fixtures/models/${name}.json`, import.meta.url), "utf8")) as Golden;
}

/** max |a - e| / max(1, max |e|). */
function relativeError(actual: AnyTensor, expected: Enc): number {
  expect([...actual.shape]).toEqual(expected.shape);
  const a = actual.dataSync();
  let diff = 0,
    scale = 1;
  expected.data.forEach((e, i) => {
    scale = Math.max(scale, Math.abs(e));
    diff = Math.max(diff, Number.isNaN(a[i]) ? Infinity : Math.abs(a[i] - e));
  });
  return diff / scale;
}

/** The two samples' logit difference, relative to its largest entry. */
function sampleDifferenceError(actual: AnyTensor, expected: Enc): number {
  const a = actual.dataSync();
  const k = expected.shape[1];
  let diff = 0,
    scale = 0;
  for (let j = 0; j < k; j++) {
    const e = expected.data[j] - expected.data[k + j];
    scale = Math.max(scale, Math.abs(e));
    diff = Math.max(diff, Math.abs(a[j] - a[k + j] - e));
  }
  return diff / scale;
}

const to64 = <S extends readonly number[]>(t: Tensor<S, DType, Device>): Tensor<S, "float64"> =>
  tensor(Float64Array.from(t.dataSync()), { shape: t.shape, dtype: "float64" });

/** What the tests call: a 10-class model over float32 or float64 images. */
interface Classifier extends nn.Module {
  forward(x: Tensor<[number, 3, number, number], "float32" | "float64", "cpu">): AnyTensor;
  /** GoogLeNet's logits with its auxiliary heads' (torchvision's train-mode output). */
  forwardWithAux?(x: Tensor<[number, 3, number, number], "float32" | "float64", "cpu">): {
    logits: AnyTensor;
    aux1: AnyTensor;
    aux2: AnyTensor;
  };
}
interface Case {
  /** The builder with `{ numClasses: 10 }`. */
  readonly small: () => Classifier;
  /** float32 tolerance, relative to the largest logit. */
  readonly tol32: number;
  /** Also in float64 (the same float32 weights), against torchvision's float64 logits. */
  readonly float64: boolean;
  /**
   * VGG: 133M parameters, so the weights are loaded with loadStateDict (the safetensors round
   * trip holds two more copies; the other models cover it) and only the [2, 3, 64, 64] input runs.
   */
  readonly large?: boolean;
  /** The state-dict entries with a row per class (default: the last two, the final layer's). */
  readonly classEntries?: readonly string[];
}
const CASES: Record<string, Case> = {
  resnet18: { small: () => models.resnet18({ numClasses: 10 }), tol32: 1e-5, float64: true },
  resnet50: { small: () => models.resnet50({ numClasses: 10 }), tol32: 1e-5, float64: true },
  mobilenetV2: { small: () => models.mobilenetV2({ numClasses: 10 }), tol32: 1e-5, float64: true },
  mobilenetV3Small: {
    small: () => models.mobilenetV3Small({ numClasses: 10 }),
    tol32: 1e-5,
    float64: true,
  },
  efficientnetB0: {
    small: () => models.efficientnetB0({ numClasses: 10 }),
    tol32: 1e-5,
    float64: true,
  },
  // 133M parameters: float32 only, to keep the test's time and memory in bounds.
  vgg11Bn: { small: () => models.vgg11Bn({ numClasses: 10 }), tol32: 1e-5, float64: false, large: true },
  regnetY400mf: {
    small: () => models.regnetY400mf({ numClasses: 10 }),
    tol32: 1e-5,
    float64: true,
  },
  // The classes come from a 1x1 conv (`classifier.1`), sized as a linear layer's rows.
  squeezenet1_1: { small: () => models.squeezenet1_1({ numClasses: 10 }), tol32: 1e-5, float64: true },
  shufflenetV2X0_5: { small: () => models.shufflenetV2X0_5({ numClasses: 10 }), tol32: 1e-5, float64: true },
  // With its auxiliary heads (torchvision's builder without weights keeps them), each ending in a
  // linear layer to the classes.
  googlenet: {
    small: () => models.googlenet({ numClasses: 10 }),
    tol32: 1e-5,
    float64: true,
    classEntries: ["aux1.fc2.weight", "aux1.fc2.bias", "aux2.fc2.weight", "aux2.fc2.bias", "fc.weight", "fc.bias"],
  },
  densenet121: { small: () => models.densenet121({ numClasses: 10 }), tol32: 1e-5, float64: true },
  convnextTiny: { small: () => models.convnextTiny({ numClasses: 10 }), tol32: 1e-5, float64: true },
  mobilenetV3Large: {
    small: () => models.mobilenetV3Large({ numClasses: 10 }),
    tol32: 1e-5,
    float64: true,
  },
};

describe.each(Object.entries(CASES))("%s vs torchvision", (name, { small: build, tol32, float64, large }) => {
  const g = golden(name);
  // Built once, when the group runs: VGG's 133M parameters take a while to initialise.
  let model: Classifier;
  beforeAll(() => {
    model = build();
  }, 600_000);

  it("has torchvision's state-dict names, shapes and dtypes, and its parameter count", () => {
    // The fixture is torchvision's 1000-class model; this one has 10 classes, so the final layer
    // (the state dict's last two entries, or the case's classEntries) has 10 rows.
    const perClass = new Set(CASES[name].classEntries ?? g.stateDict.slice(-2).map(([k]) => k));
    const expected = g.stateDict.map(([k, shape, dtype]) =>
      perClass.has(k) ? [k, [g.numClasses, ...shape.slice(1)], dtype] : [k, shape, dtype],
    );
    expect([...model.stateDict()].map(([k, t]) => [k, [...t.shape], t.dtype === "int32" ? "I64" : "F32"])).toEqual(
      expected,
    );
    let fewer = 0;
    for (const [k, [rows, ...rest]] of g.stateDict)
      if (perClass.has(k)) fewer += (rows - g.numClasses) * rest.reduce((a, b) => a * b, 1);
    expect(model.parameterCount() + fewer).toBe(g.parameters);
  });

  // VGG (133M parameters) loads through loadStateDict and checks one input, to keep memory and time
  // down: about 80 s on a quiet 2-vCPU machine (2026-12-07).
  it("loads hashed weights strictly (through safetensors) and gives torchvision's eval-mode logits", () => {
    const state = hashedState([...model.stateDict()].map(([k, t]) => [k, t.shape] as const));
    for (const [key, values] of Object.entries(g.probe))
      expect([...state.get(key)!.dataSync().slice(0, 3)]).toEqual(values);
    const result = large
      ? model.loadStateDict(state)
      : nn.loadSafetensors(model, nn.stateDictToSafetensors(state, { format: "pt" }));
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    model.eval();
    for (const key of large ? (["input"] as const) : (["input", "odd"] as const)) {
      const x = hashedInput(key, g[key].shape);
      expect(relativeError(model.forward(x), g[key].logits32), `${key} float32`).toBeLessThan(tol32);
    }
    state.clear();
    if (!float64) return;
    model.to("float64");
    for (const key of ["input", "odd"] as const) {
      const y = model.to("float64").forward(to64(hashedInput(key, g[key].shape)));
      expect(relativeError(y, g[key].logits64), `${key} float64`).toBeLessThan(1e-9);
      if (key === "input") expect(sampleDifferenceError(y, g[key].logits64), "sample difference").toBeLessThan(1e-7);
    }
    model.to("float32");
  }, 1_800_000);

  it.skipIf(!float64)(
    "in train mode (batch statistics; dropout and stochastic depth off) gives torchvision's float64 loss and gradients",
    () => {
      const t = g.train;
      const state = hashedState([...model.stateDict()].map(([k, v]) => [k, v.shape] as const));
      model.to("float64");
      model.loadStateDict(new Map([...state].map(([k, v]) => [k, v.dtype === "int32" ? v : to64(v)])));
      model.train();
      for (const [, m] of model.namedModules())
        if (m instanceof nn.Dropout || m instanceof models.StochasticDepth) m.eval();
      const x = to64(hashedInput("input", t.shape));
      const labels = tensor(Int32Array.from(t.labels), { shape: [t.labels.length], dtype: "int32" });
      const ce = (logits: AnyTensor) => nn.functional.crossEntropy(logits, labels);
      // GoogLeNet's train-mode output has the auxiliary heads: loss + w * (aux1's + aux2's).
      const withAux = (w: number, out: ReturnType<NonNullable<Classifier["forwardWithAux"]>>) =>
        add(ce(out.logits), mul(add(ce(out.aux1), ce(out.aux2)), w));
      const loss = t.auxWeight === undefined ? ce(model.forward(x)) : withAux(t.auxWeight, model.forwardWithAux!(x));
      expect(Math.abs(loss.item() - t.loss) / t.loss).toBeLessThan(1e-10);
      model.zeroGrad();
      loss.backward();
      expectGradients(model, t);
      model.zeroGrad();
      model.to("float32");
    },
    600_000,
  );
});
