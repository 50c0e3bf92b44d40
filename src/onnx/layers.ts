/** Layers the ONNX exporter writes as one named op instead of their traced primitives. */
import type { AnyTensor } from "../tensor.js";
import * as L from "../nn/layers.js";
import type { GraphBuilder } from "./graph-builder.js";
import { float, int, ints, onnxType } from "./emit-rule.js";
import { parsePads } from "../ops/arguments.js";

/** A module as the exporter hooks it. */
export interface ModuleNode {
  training: boolean;
  forward(x: AnyTensor): unknown;
}

/**
 * Layers written as one named ONNX op instead of their traced primitives: LeakyReLU, Softmax and
 * LogSoftmax must be (their traces use ops the tape does not record), the others read better and
 * run faster that way (BatchNormalization, Gemm, AveragePool, Flatten).
 */
export interface LayerRule {
  matches(m: unknown): boolean;
  /** Whether this call (this input) can be written with the op; otherwise the trace is used. */
  applies(m: ModuleNode, input: AnyTensor): boolean;
  emit(b: GraphBuilder, input: string, m: ModuleNode, inputTensor: AnyTensor, output: AnyTensor): string;
}

export interface LayerCall {
  readonly module: ModuleNode;
  readonly input: AnyTensor;
  readonly rule: LayerRule;
}

function layerRule<T>(
  cls: abstract new (...args: never[]) => T,
  applies: (m: T, x: AnyTensor) => boolean,
  emit: (b: GraphBuilder, input: string, m: T, x: AnyTensor, y: AnyTensor) => string,
): LayerRule {
  return {
    matches: (m) => m instanceof cls,
    applies: (m, x) => applies(m as unknown as T, x),
    emit: (b, input, m, x, y) => emit(b, input, m as unknown as T, x, y),
  };
}

const always = () => true;
type AvgPoolLayer = {
  readonly kernelSize: number | readonly [number, number];
  readonly options: L.AvgPool2dLayerOptions;
};

export const layerRules: readonly LayerRule[] = [
  layerRule(L.LeakyReLU, always, (b, x, m) => b.node("LeakyRelu", [x], [float("alpha", m.negativeSlope)])),
  layerRule(L.Softmax, always, (b, x, m) => b.node("Softmax", [x], [int("axis", m.dim)])),
  layerRule(L.LogSoftmax, always, (b, x, m) => b.node("LogSoftmax", [x], [int("axis", m.dim)])),
  // ONNX Flatten always gives 2-D [d0 * .. * d(axis-1), rest]: torch's flatten(x, 1, -1) exactly.
  layerRule(
    L.Flatten,
    (m, x) => m.startDim === 1 && (m.endDim === -1 || m.endDim === x.shape.length - 1) && x.shape.length >= 2,
    (b, x) => b.node("Flatten", [x], [int("axis", 1)]),
  ),
  // Gemm: y = x W^T + b for a 2-D input (transB = 1 reads the [out, in] weight as PyTorch stores it).
  // On more dims (ConvNeXt's channels-last blocks) MatMul with a Transpose node of the weight: the
  // trace would store the transposed weight as a second constant, computed and copied per trace.
  layerRule(
    L.Linear,
    (m, x) => x.shape.length === 2 || (x.shape.length > 2 && x.shape[x.shape.length - 1] === m.inFeatures),
    (b, x, m, input) => {
      const bias = m.bias ? [b.nameOf(m.bias)] : [];
      if (input.shape.length === 2) return b.node("Gemm", [x, b.nameOf(m.weight), ...bias], [int("transB", 1)]);
      const y = b.node("MatMul", [x, b.node("Transpose", [b.nameOf(m.weight)], [ints("perm", [1, 0])])]);
      return bias.length ? b.node("Add", [y, ...bias]) : y;
    },
  ),
  // Evaluation-mode batch norm with running statistics: (x - mean) / sqrt(var + eps) * scale + B.
  layerRule(
    L.BatchNorm2d,
    (m, x) => !m.training && m.runningMean !== null && m.runningVar !== null && x.shape.length === 4,
    (b, x, m) => {
      const c = m.numFeatures;
      const dtype = m.runningMean!.dtype;
      const filled = (base: string, v: number) => {
        const name = b.fresh(base);
        b.initializers.push({
          name,
          type: onnxType[dtype],
          dims: [c],
          data: dtype === "float64" ? new Float64Array(c).fill(v) : new Float32Array(c).fill(v),
        });
        return name;
      };
      const scale = m.weight ? b.nameOf(m.weight) : filled("bn_scale", 1);
      const shift = m.bias ? b.nameOf(m.bias) : filled("bn_shift", 0);
      return b.node(
        "BatchNormalization",
        [x, scale, shift, b.nameOf(m.runningMean!), b.nameOf(m.runningVar!)],
        [float("epsilon", m.eps)],
      );
    },
  ),
  // AveragePool matches PyTorch's divisor without ceil mode (count_include_pad counts the zero
  // padding, else only the cells inside the input); ceil mode and divisorOverride keep the exact
  // traced form (a depthwise Conv and a Div).
  layerRule(
    L.AvgPool2d as abstract new (...args: never[]) => AvgPoolLayer,
    (m, x) => !m.options.ceilMode && (m.options.divisorOverride ?? null) === null && x.shape.length === 4,
    (b, x, m) => {
      const two = (v: number | readonly [number, number] | undefined, fallback: [number, number]): [number, number] =>
        v === undefined ? fallback : typeof v === "number" ? [v, v] : [v[0], v[1]];
      const k = two(m.kernelSize, [1, 1]);
      const s = two(m.options.stride ?? undefined, k);
      // [top, bottom, left, right] (the forward has validated it); ONNX lists the begins, then the ends
      const [top, bottom, left, right] = parsePads(m.options.padding ?? 0)!;
      return b.node(
        "AveragePool",
        [x],
        [
          ints("kernel_shape", k),
          ints("strides", s),
          ints("pads", [top, left, bottom, right]),
          int("count_include_pad", (m.options.countIncludePad ?? true) ? 1 : 0),
        ],
      );
    },
  ),
  // Issue 21: the clamped activations' traces hold reluBackward and comparison masks, which have
  // no ONNX form; ONNX has each as one op (HardSigmoid/HardSwish with alpha 1/6, beta 1/2 are
  // PyTorch's own exports), and SiLU reads better as Sigmoid and Mul than as its trace.
  layerRule(L.SiLU, always, (b, x) => b.node("Mul", [x, b.node("Sigmoid", [x])])),
  layerRule(L.Hardswish, always, (b, x) => b.node("HardSwish", [x])),
  layerRule(L.Hardsigmoid, always, (b, x) => b.node("HardSigmoid", [x], [float("alpha", 1 / 6), float("beta", 0.5)])),
  layerRule(L.ReLU6, always, (b, x, _m, t) =>
    b.node("Clip", [x, b.scalar("clip_min", 0, t.dtype), b.scalar("clip_max", 6, t.dtype)]),
  ),
  // Issue 21: LayerNorm as opset 17's LayerNormalization over the last k axes (Scale is required:
  // ones without elementwiseAffine). GroupNorm has no op at opset 17 (GroupNormalization is 18,
  // with per-group parameters until 21): its traced composition is exported.
  layerRule(L.LayerNorm, always, (b, x, m, t) => {
    const ones = () => {
      const name = b.fresh("ln_scale");
      const n = m.normalizedShape.reduce((a, d) => a * d, 1);
      const data = t.dtype === "float64" ? new Float64Array(n).fill(1) : new Float32Array(n).fill(1);
      b.initializers.push({ name, type: onnxType[t.dtype], dims: [...m.normalizedShape], data });
      return name;
    };
    const scale = m.weight ? b.nameOf(m.weight) : ones();
    return b.node(
      "LayerNormalization",
      [x, scale, ...(m.bias ? [b.nameOf(m.bias)] : [])],
      [int("axis", -m.normalizedShape.length), float("epsilon", m.eps)],
    );
  }),
];
