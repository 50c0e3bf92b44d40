/**
 * The segmentation builders of shapegrad/models against torchvision 0.14 (fixtures from
 * scripts/golden/models/gen_models.py, built with weights=None): fcnResnet50,
 * deeplabv3MobilenetV3Large, lrasppMobilenetV3Large. The state dict's names, shapes and dtypes
 * with and without the auxiliary head and the parameter counts (21 classes); with 3 classes
 * and hashed weights (test/models/weights.ts) loaded strictly through safetensors, the eval-mode
 * `out` and `aux` on a [2, 3, 48, 48] and a [1, 3, 45, 37] input in float32 and float64; and the
 * float64 train-mode loss (out + 0.5 aux, torchvision's recipe) and its gradients.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { tensor, type AnyTensor, type DType, type Device, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as models from "../../src/models/index.js";
import { argumentErrors } from "../../types/errors.js";
import { decode, readFixture, type FixtureTensor } from "../reference/helpers.js";
import { hashedInput, hashedState } from "./weights.js";
import { expectGradients } from "./train-golden.js";

interface Scores {
  shape: number[];
  out32: FixtureTensor;
  out64: FixtureTensor;
  aux32?: FixtureTensor;
  aux64?: FixtureTensor;
}
interface Golden {
  aux: boolean;
  stateDict: [string, number[], "F32" | "I64"][];
  parameters: number;
  parametersNoAux: number;
  numClasses: number;
  input: Scores;
  odd: Scores;
  train: { shape: number[]; loss: number; gradSquaredNorm: number; grads: Record<string, number[]> };
}

/** max |a - e| / max(1, max |e|), after checking the shape. */
function relativeError(actual: AnyTensor, expected: FixtureTensor): number {
  expect([...actual.shape]).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = decode(expected);
  let diff = 0,
    scale = 1;
  e.forEach((v, i) => {
    scale = Math.max(scale, Math.abs(v));
    diff = Math.max(diff, Number.isNaN(a[i]) ? Infinity : Math.abs(a[i] - v));
  });
  return diff / scale;
}

const to64 = <S extends readonly number[]>(t: Tensor<S, DType, Device>): Tensor<S, "float64"> =>
  tensor(Float64Array.from(t.dataSync()), { shape: t.shape, dtype: "float64" });

/** What the tests call: a segmentation model over float32 or float64 images. */
interface Segmenter extends nn.Module {
  forward(x: Tensor<[number, 3, number, number], "float32" | "float64", "cpu">): { out: AnyTensor; aux?: AnyTensor };
}
interface Case {
  /** The builder's default (21 classes, no auxiliary head). */
  readonly plain: () => Segmenter;
  /** 21 classes, with the auxiliary head where the builder has one. */
  readonly full: () => Segmenter;
  /** 3 classes, with the auxiliary head where the builder has one. */
  readonly small: () => Segmenter;
}
const CASES: Record<string, Case> = {
  fcnResnet50: {
    plain: () => models.fcnResnet50(),
    full: () => models.fcnResnet50({ auxLoss: true }),
    small: () => models.fcnResnet50({ numClasses: 3, auxLoss: true }),
  },
  deeplabv3MobilenetV3Large: {
    plain: () => models.deeplabv3MobilenetV3Large(),
    full: () => models.deeplabv3MobilenetV3Large({ auxLoss: true }),
    small: () => models.deeplabv3MobilenetV3Large({ numClasses: 3, auxLoss: true }),
  },
  lrasppMobilenetV3Large: {
    plain: () => models.lrasppMobilenetV3Large(),
    full: () => models.lrasppMobilenetV3Large(),
    small: () => models.lrasppMobilenetV3Large({ numClasses: 3 }),
  },
};

const entries = (m: nn.Module) =>
  [...m.stateDict()].map(([k, t]) => [k, [...t.shape], t.dtype === "int32" ? "I64" : "F32"]);

describe.each(Object.entries(CASES))("%s vs torchvision", (name, c) => {
  const g = readFixture<Golden>(`models/${name}.json`);
  let model: Segmenter;
  beforeAll(() => {
    model = c.small();
  }, 600_000);

  it("has torchvision's state-dict names, shapes and dtypes and parameter counts, with and without aux", () => {
    const full = c.full();
    expect(entries(full)).toEqual(g.stateDict);
    expect(full.parameterCount()).toBe(g.parameters);
    const plain = c.plain();
    expect(entries(plain)).toEqual(g.stateDict.filter(([k]) => !k.startsWith("aux_classifier.")));
    expect(plain.parameterCount()).toBe(g.parametersNoAux);
  }, 600_000);

  it("loads hashed weights strictly (through safetensors) and gives torchvision's eval-mode out and aux", () => {
    const state = hashedState([...model.stateDict()].map(([k, t]) => [k, t.shape] as const));
    const result = nn.loadSafetensors(model, nn.stateDictToSafetensors(state, { format: "pt" }));
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    state.clear();
    model.eval();
    const heads = g.aux ? (["out", "aux"] as const) : (["out"] as const);
    for (const key of ["input", "odd"] as const) {
      const y = model.forward(hashedInput(key, g[key].shape));
      expect(Object.keys(y).sort()).toEqual([...heads].sort());
      for (const h of heads) expect(relativeError(y[h]!, g[key][`${h}32`]!), `${key} ${h} float32`).toBeLessThan(1e-5);
    }
    model.to("float64");
    for (const key of ["input", "odd"] as const) {
      const y = model.forward(to64(hashedInput(key, g[key].shape)));
      for (const h of heads) expect(relativeError(y[h]!, g[key][`${h}64`]!), `${key} ${h} float64`).toBeLessThan(1e-9);
    }
    model.to("float32");
  }, 1_800_000);

  it("in train mode (batch statistics; dropout off) gives torchvision's float64 loss and gradients", () => {
    const t = g.train;
    const state = hashedState([...model.stateDict()].map(([k, v]) => [k, v.shape] as const));
    model.to("float64");
    model.loadStateDict(new Map([...state].map(([k, v]) => [k, v.dtype === "int32" ? v : to64(v)])));
    model.train();
    for (const [, m] of model.namedModules()) if (m instanceof nn.Dropout) m.eval();
    const [n, , h, w] = t.shape;
    const labels = new Int32Array(n * h * w);
    for (let i = 0; i < n; i++)
      for (let r = 0; r < h; r++) for (let s = 0; s < w; s++) labels[(i * h + r) * w + s] = (i + r + s) % g.numClasses;
    const target = tensor(labels, { shape: [n, h, w], dtype: "int32" });
    const y = model.forward(to64(hashedInput("input", t.shape)));
    let loss = nn.functional.crossEntropy(y.out, target);
    if (y.aux) loss = loss.add(nn.functional.crossEntropy(y.aux, target).mul(0.5));
    expect(Math.abs(loss.item() - t.loss) / t.loss).toBeLessThan(1e-10);
    model.zeroGrad();
    loss.backward();
    expectGradients(model, t);
    model.zeroGrad();
    model.to("float32");
  }, 600_000);
});

describe("segmentation builders' options", () => {
  it("refuse an auxLoss that is not a boolean with the catalogued message", () => {
    // @ts-expect-error: auxLoss is a boolean
    expect(() => models.fcnResnet50({ auxLoss: 1 })).toThrow(
      argumentErrors.booleanOption("fcnResnet50", "auxLoss", "1"),
    );
  });
});
