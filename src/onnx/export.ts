/**
 * exportOnnx: a model's forward pass as an ONNX graph (opset 17), by tracing.
 *
 * The model runs once on a sample input that requires grad, so the tape (src/autograd/engine.ts)
 * records every primitive that depends on the input or on a parameter. Walking the tape back from
 * the output gives the graph: a tensor computed from the input becomes an ONNX node (one table,
 * keyed by primitive, in ./graph-builder.ts, its rules one module per primitive family); any other tensor (a parameter, a buffer, a constant, or something
 * computed from those alone, such as a transposed weight) is already a value, and becomes an
 * initializer holding that value. Primitives map one to one, so the graph computes what
 * shapegrad computes: a zero-padded conv2d becomes Conv with its (possibly asymmetric) pads, a
 * reflect/replicate pad a Pad node before it (circular: Slice + Concat, since opset 17 has no
 * "wrap"), max pooling MaxPool (ceil_mode when PyTorch's ceil rule gave the extra window).
 *
 * The trace is run twice with two different inputs and the two graphs must be identical. That
 * catches what a single trace cannot: a value computed from the input by an op the tape does not
 * record (comparisons, argmax, detach) would otherwise be frozen into the file as a constant.
 * Such models are refused with a message rather than exported wrong.
 */
import type { DType } from "../../types/core.js";
import { Tensor, type AnyTensor } from "../tensor.js";
import { checkElementCount, withGrad } from "../autograd/engine.js";
import { onnxErrors, show } from "../../types/errors.js";
import { tensor } from "../ops/creation.js";
import { formatShape, numel, isArray } from "../runtime/shape.js";
import { encodeModel, OPSET_VERSION, type OnnxModel, type OnnxNode, type OnnxTensor } from "./model.js";
import { onnxType } from "./emit-rule.js";
import { GraphBuilder } from "./graph-builder.js";
import { type LayerCall, type ModuleNode, layerRules } from "./layers.js";

/**
 * Anything with a forward pass from one tensor to a tensor, or to an object of tensors (one graph
 * output per key): an nn.Module, or a plain function.
 */
export type OnnxExportable = { forward(x: never): unknown } | ((x: never) => unknown);

export interface ExportOnnxOptions {
  /** Element type of the graph input; default: the dtype of the model's parameters, else "float32". */
  dtype?: "float32" | "float64";
  /**
   * Name of the graph input (default "input") and output (default "output"). A forward returning
   * an object of tensors names its outputs by its keys, and refuses outputName.
   */
  inputName?: string;
  outputName?: string;
  /** ModelProto.doc_string. */
  docString?: string;
  /**
   * Make dim 0 of the input and output symbolic (true: named "N", or the given name), so the
   * file accepts any batch size. The model is traced at a second batch size to find every
   * reshape/expand size that follows the batch (written as -1 or 1 so ONNX infers it); a model
   * whose graph depends on the batch size in any other way is refused.
   */
  dynamicBatch?: boolean | string;
}

/** The structural parts of an nn.Module the exporter reads (it is duck-typed, so functions work too). */
interface ModuleLike {
  forward(x: AnyTensor): unknown;
  namedParameters?(): [string, AnyTensor][];
  namedBuffers?(): [string, AnyTensor][];
  namedModules?(): [string, ModuleNode][];
  eval?(): unknown;
}

const producerVersion = "0.1.0";

/**
 * The ONNX file (ModelProto bytes) of `model`'s forward pass on an input of `inputShape`.
 * The model runs in evaluation mode (batch norm uses its running statistics, dropout is the
 * identity); its training flags are restored afterwards. Parameters must be on the CPU.
 * A float64 model is written in float64, which ONNX allows but onnxruntime's CPU provider has no
 * double Conv kernel for: call `model.to("float32")` first to deploy there.
 */
export function exportOnnx(
  model: OnnxExportable,
  inputShape: readonly number[],
  options: ExportOnnxOptions = {},
): Uint8Array {
  // The weights are encoded straight from the parameters' storage (no copy): nothing runs between
  // the trace and the encoding that could change them.
  return encodeModel(traceModel(model, inputShape, options, false));
}

/** The ONNX model as objects, before encoding (what exportOnnx writes), holding a copy of the weights. */
export function traceOnnx(
  model: OnnxExportable,
  inputShape: readonly number[],
  options: ExportOnnxOptions = {},
): OnnxModel {
  return traceModel(model, inputShape, options, true);
}

function traceModel(
  model: OnnxExportable,
  inputShape: readonly number[],
  options: ExportOnnxOptions,
  copyState: boolean,
): OnnxModel {
  const isObject = (v: unknown): v is object => typeof v === "object" && v !== null;
  if (!(
    typeof model === "function" ||
    (isObject(model) && typeof (model as { forward?: unknown }).forward === "function")
  )) {
    throw new Error(onnxErrors.model(show(model)));
  }
  if (!isArray(inputShape) || !inputShape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new Error(onnxErrors.inputShape(show(inputShape)));
  }
  checkOptions(options);
  // The sample inputs are filled element by element: their size is checked first (and the
  // second batch size's, with dynamicBatch), so [2^31] is refused instead of growing to gigabytes.
  checkElementCount("exportOnnx", inputShape);
  if (options.dynamicBatch) checkElementCount("exportOnnx", [inputShape[0] + 1, ...inputShape.slice(1)]);
  const m: ModuleLike = typeof model === "function" ? { forward: model } : model;
  const params = m.namedParameters?.() ?? [];
  const buffers = m.namedBuffers?.() ?? [];
  for (const [name, p] of [...params, ...buffers]) {
    if (p.device !== "cpu")
      throw new Error(`exportOnnx: ${name} is on ${p.device}; move the model to the CPU first (model.to("cpu"))`);
  }
  checkNames(
    options.inputName ?? "input",
    options.outputName ?? "output",
    [...params, ...buffers].map(([name]) => name),
  );
  const dtype: "float32" | "float64" = options.dtype ?? (params[0]?.[1].dtype === "float64" ? "float64" : "float32");
  const names = new Map<AnyTensor, string>();
  for (const [name, t] of [...params, ...buffers]) if (!names.has(t)) names.set(t, name);

  const modules = m.namedModules?.() ?? [];
  const modes = modules.map(([, mod]) => mod.training);
  m.eval?.();
  try {
    const layers = modules.map(([, mod]) => mod);
    const snapshots = new Map<AnyTensor, OnnxTensor["data"]>();
    const trace = (shape: readonly number[], seed: number) =>
      buildGraph(m, layers, shape, dtype, names, options, seed, snapshots, copyState);
    const first = trace(inputShape, 1);
    const second = trace(inputShape, 2);
    const difference = compareGraphs(first, second);
    if (difference) {
      throw new Error(
        `exportOnnx: the traced graph depends on the input's values (${difference}). ` +
          "An op the tape does not record (a comparison such as leakyRelu's mask, argmax, detach, or control flow on values) " +
          "feeds the output; such a model cannot be exported as a fixed graph.",
      );
    }
    let graph: OnnxModel["graph"] = {
      name: first.name,
      nodes: first.nodes,
      initializers: first.initializers,
      inputs: first.inputs,
      outputs: first.outputs,
    };
    if (options.dynamicBatch) {
      const batchName = typeof options.dynamicBatch === "string" ? options.dynamicBatch : "N";
      const other = [inputShape[0] + 1, ...inputShape.slice(1)];
      graph = withDynamicBatch(first, trace(other, 1), batchName);
    }
    return {
      graph: fuseConvBias(graph),
      opsetVersion: OPSET_VERSION,
      producerName: "shapegrad",
      producerVersion,
      ...(options.docString ? { docString: options.docString } : {}),
    };
  } finally {
    modules.forEach(([, mod], i) => {
      mod.training = modes[i];
    });
  }
}

const optionTypes: Record<keyof ExportOnnxOptions, [string, (v: unknown) => boolean]> = {
  dtype: ['"float32" or "float64"', (v) => v === "float32" || v === "float64"],
  inputName: ["a non-empty string", (v) => typeof v === "string" && v.length > 0],
  outputName: ["a non-empty string", (v) => typeof v === "string" && v.length > 0],
  docString: ["a string", (v) => typeof v === "string"],
  dynamicBatch: [
    "a boolean or a non-empty string (the batch dim's name)",
    (v) => typeof v === "boolean" || (typeof v === "string" && v.length > 0),
  ],
};

/** Every option known and of its type (undefined stands for the default, as if absent). */
function checkOptions(options: unknown): asserts options is ExportOnnxOptions {
  if (typeof options !== "object" || options === null || isArray(options))
    throw new Error(onnxErrors.options(show(options)));
  for (const [key, value] of Object.entries(options)) {
    const rule = optionTypes[key as keyof ExportOnnxOptions] as
      (typeof optionTypes)[keyof ExportOnnxOptions] | undefined;
    if (!rule) throw new Error(onnxErrors.unknownOption(key));
    if (value !== undefined && !rule[1](value)) throw new Error(onnxErrors.optionType(key, rule[0], show(value)));
  }
}

/**
 * The graph's input and output names against each other and the parameters' and buffers' (which
 * name their initializers). Internal values cannot clash: both names are reserved before any
 * internal one is made (GraphBuilder.fresh skips them).
 */
function checkNames(inputName: string, outputName: string, stateNames: readonly string[]): void {
  if (outputName === inputName) throw new Error(onnxErrors.nameClash("outputName", show(outputName), "the input"));
  for (const [key, name] of [
    ["inputName", inputName],
    ["outputName", outputName],
  ] as const) {
    if (stateNames.includes(name))
      throw new Error(onnxErrors.nameClash(key, show(name), `a parameter or buffer of the model`));
  }
}

/** A deterministic sample input, independent of the user's manualSeed stream. */
function sampleInput(shape: readonly number[], dtype: DType, seed: number): AnyTensor {
  const n = numel(shape);
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  // xorshift32, mapped to (-2, 2): distinct, non-special values in every element.
  let s = (0x9e3779b9 * seed) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    data[i] = (s / 2 ** 32) * 4 - 2;
  }
  return tensor(data, {
    shape: shape as number[],
    dtype: dtype as "float32",
    requiresGrad: true,
  });
}

function compareGraphs(a: OnnxModel["graph"], b: OnnxModel["graph"]): string | null {
  if (a.nodes.length !== b.nodes.length) return `${a.nodes.length} vs ${b.nodes.length} nodes`;
  for (let i = 0; i < a.nodes.length; i++) {
    if (JSON.stringify(a.nodes[i]) !== JSON.stringify(b.nodes[i])) return `node ${a.nodes[i].name} differs`;
  }
  if (a.initializers.length !== b.initializers.length)
    return `${a.initializers.length} vs ${b.initializers.length} constants`;
  for (let i = 0; i < a.initializers.length; i++) {
    const x = a.initializers[i],
      y = b.initializers[i];
    if (x.name !== y.name || !sameConstant(x, y))
      return `constant ${x.name} [${x.dims.join(", ")}] takes different values for different inputs`;
  }
  if (a.outputs.map((o) => o.name).join() !== b.outputs.map((o) => o.name).join()) return "the outputs differ";
  return null;
}

/** Same dims and values (bit for bit, NaN equal to NaN); a parameter's snapshot, shared by the traces, by reference. */
function sameConstant(x: OnnxTensor, y: OnnxTensor): boolean {
  if (x.dims.join() !== y.dims.join() || x.data.length !== y.data.length) return false;
  if (x.data === y.data) return true;
  for (let k = 0; k < x.data.length; k++) if (!Object.is(x.data[k], y.data[k])) return false;
  return true;
}

/**
 * The graph traced at batch size B (`a`) made batch-agnostic using the same graph traced at B + 1
 * (`b`): the two may differ only in the int64 size vectors of Reshape and Expand. A Reshape size
 * that differs in exactly one position gets -1 there (ONNX infers it from the element count); an
 * Expand size gets 1 there (ONNX Expand broadcasts, keeping the input's own batch dim).
 */
function withDynamicBatch(a: TracedGraph, b: TracedGraph, batchName: string): OnnxModel["graph"] {
  const refuse = (why: string) => new Error(`exportOnnx: dynamicBatch: ${why}; export with a fixed batch size instead`);
  if (a.nodes.length !== b.nodes.length || a.nodes.some((n, i) => JSON.stringify(n) !== JSON.stringify(b.nodes[i]))) {
    throw refuse("the graph's operations change with the batch size");
  }
  if (a.initializers.length !== b.initializers.length)
    throw refuse("the number of constants changes with the batch size");
  const consumer = new Map<string, OnnxNode>();
  for (const n of a.nodes)
    n.inputs.forEach((name, i) => {
      if (i === 1) consumer.set(name, n);
    });
  const initializers = a.initializers.map((x, i) => {
    const y = b.initializers[i];
    if (sameConstant(x, y)) return x;
    const use = consumer.get(x.name);
    if (
      x.type !== "int64" ||
      !use ||
      (use.opType !== "Reshape" && use.opType !== "Expand") ||
      x.data.length !== y.data.length
    ) {
      throw refuse(`constant ${x.name} [${x.dims.join(", ")}] depends on the batch size`);
    }
    const values = Array.from(x.data as BigInt64Array);
    const moved = values.map((v, k) => v !== (y.data as BigInt64Array)[k]);
    if (use.opType === "Reshape" && moved.filter(Boolean).length !== 1)
      throw refuse(`${use.name} has ${moved.filter(Boolean).length} sizes that follow the batch`);
    if (use.opType === "Expand") {
      // 1 keeps the input's own size there, which is right only if that size follows the batch too.
      const inA = a.shapes.get(use.inputs[0]),
        inB = b.shapes.get(use.inputs[0]);
      const offset = values.length - (inA?.length ?? 0);
      const follows = (k: number) =>
        inA !== undefined && inB !== undefined && k >= offset && inA[k - offset] !== inB[k - offset];
      if (!moved.every((mv, k) => !mv || follows(k)))
        throw refuse(`${use.name} broadcasts a size-1 dim to the batch size`);
    }
    const fill = use.opType === "Reshape" ? -1n : 1n;
    return { ...x, data: BigInt64Array.from(values.map((v, k) => (moved[k] ? fill : v))) };
  });
  const symbolic = (v: OnnxModel["graph"]["inputs"][number]) => ({ ...v, dims: [batchName, ...v.dims.slice(1)] });
  const batchA = a.inputs[0].dims[0],
    batchB = b.inputs[0].dims[0];
  a.outputs.forEach((outA, i) => {
    const outB = b.outputs[i];
    // A reshape that folds the batch into another dim (x.reshape([-1]) of [B, 4] is [4B]) is exported
    // right (its -1 is inferred from the element count), but the output's dim 0 is then not the
    // batch, and a file declaring [N] would produce [4N].
    if (outA.dims[0] !== batchA || outB.dims[0] !== batchB)
      throw new Error(onnxErrors.batchOutput(outA.dims[0], batchA, outB.dims[0], batchB));
    if (outA.dims.slice(1).join() !== outB.dims.slice(1).join())
      throw refuse("the output's other dims change with the batch size");
  });
  return {
    name: a.name,
    nodes: a.nodes,
    initializers,
    inputs: a.inputs.map(symbolic),
    outputs: a.outputs.map(symbolic),
  };
}

/**
 * conv2d's bias is a broadcast add of the bias reshaped to [1, C, 1, 1] (src/ops/conv2d.ts); in
 * ONNX it is Conv's optional third input. Each `Add(Conv(x, W), b)` whose Conv output has no
 * other use becomes `Conv(x, W, b)` with b as a [C] constant: the same sums, one node fewer, the
 * graph PyTorch's exporter writes.
 */
function fuseConvBias(g: OnnxModel["graph"]): OnnxModel["graph"] {
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of g.outputs) uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
  const constants = new Map(g.initializers.map((t) => [t.name, t]));
  const producer = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  const initializers = [...g.initializers];
  const replaced = new Map<OnnxNode, OnnxNode>();
  const removed = new Set<OnnxNode>();
  for (const add of g.nodes) {
    if (add.opType !== "Add") continue;
    for (const [convSide, biasSide] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const conv = producer.get(add.inputs[convSide]);
      const bias = constants.get(add.inputs[biasSide]);
      if (
        !conv ||
        conv.opType !== "Conv" ||
        conv.inputs.length !== 2 ||
        removed.has(conv) ||
        uses.get(conv.outputs[0]) !== 1 ||
        !bias
      )
        continue;
      const weight = constants.get(conv.inputs[1]);
      const channels = weight?.dims[0];
      if (channels === undefined || bias.dims.join() !== [1, channels, 1, 1].join()) continue;
      // A [C] copy under the bias's own name when nothing else reads it, else under a fresh one.
      const shared = (uses.get(bias.name) ?? 0) > 1;
      const name = shared ? `${bias.name}_conv` : bias.name;
      const flat: OnnxTensor = { ...bias, name, dims: [channels] };
      if (shared) initializers.push(flat);
      else initializers[initializers.indexOf(bias)] = flat;
      replaced.set(conv, { ...conv, inputs: [...conv.inputs, name], outputs: add.outputs });
      removed.add(add);
      break;
    }
  }
  if (!removed.size) return g;
  const nodes = g.nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
  return { ...g, nodes, initializers };
}

/**
 * Runs the forward pass with every layer that has a rule in `layerRules` instrumented: its own
 * `forward` property (shadowing the class's) records which tensor it turned into which, then is
 * removed again.
 */
function traceForward(
  m: ModuleLike,
  modules: readonly ModuleNode[],
  x: AnyTensor,
): { result: unknown; calls: Map<AnyTensor, LayerCall> } {
  const calls = new Map<AnyTensor, LayerCall>();
  const hooked: ModuleNode[] = [];
  for (const mod of modules) {
    const rule = layerRules.find((r) => r.matches(mod));
    if (!rule || Object.prototype.hasOwnProperty.call(mod, "forward")) continue;
    const original = mod.forward.bind(mod);
    Object.defineProperty(mod, "forward", {
      configurable: true,
      writable: true,
      enumerable: false,
      value: (input: AnyTensor) => {
        const output = original(input);
        if (output instanceof Tensor && output !== input && input instanceof Tensor && rule.applies(mod, input)) {
          calls.set(output as AnyTensor, { module: mod, input, rule });
        }
        return output;
      },
    });
    hooked.push(mod);
  }
  try {
    return { result: withGrad(true, () => m.forward(x)), calls };
  } finally {
    for (const mod of hooked) delete (mod as { forward?: unknown }).forward;
  }
}

type TracedGraph = OnnxModel["graph"] & { readonly shapes: ReadonlyMap<string, readonly number[]> };

function buildGraph(
  m: ModuleLike,
  modules: readonly ModuleNode[],
  inputShape: readonly number[],
  dtype: "float32" | "float64",
  paramNames: ReadonlyMap<AnyTensor, string>,
  options: ExportOnnxOptions,
  seed: number,
  snapshots: Map<AnyTensor, OnnxTensor["data"]>,
  copyState: boolean,
): TracedGraph {
  const x = sampleInput(inputShape, dtype, seed);
  const { result, calls } = traceForward(m, modules, x);
  const inputName = options.inputName ?? "input";
  const outputs = namedOutputs(result, options, inputName, paramNames);
  const b = new GraphBuilder(x, inputName, paramNames, calls, snapshots, copyState);
  for (const [name] of outputs) b.fresh(name); // reserved: no internal value takes an output's name
  for (const [name, y] of outputs) {
    if (!b.isDynamic(y)) {
      throw new Error(
        `exportOnnx: the output${outputs.length > 1 ? ` ${name}` : ""} does not depend on the input through recorded ops (was forward run under noGrad, or the input detached?)`,
      );
    }
  }
  // Each output gets its public name through an Identity, so internal names never collide with it.
  for (const [name, y] of outputs) b.node("Identity", [b.emit(y)], [], name);
  return {
    name: "shapegrad",
    nodes: b.nodes,
    initializers: b.initializers,
    inputs: [{ name: inputName, type: onnxType[dtype], dims: [...inputShape] }],
    outputs: outputs.map(([name, y]) => ({ name, type: onnxType[y.dtype], dims: [...y.shape] })),
    shapes: b.shapes,
  };
}

/**
 * The graph's outputs, by name: one tensor is named `outputName`; an object of tensors (a
 * segmentation model's `{ out, aux }`, as torchvision's) gives one output per key, named as the
 * key, in the object's order. The keys are checked here, after the trace has shown them, as
 * `checkNames` checks `outputName` before it.
 */
function namedOutputs(
  result: unknown,
  options: ExportOnnxOptions,
  inputName: string,
  paramNames: ReadonlyMap<AnyTensor, string>,
): [string, AnyTensor][] {
  if (result instanceof Tensor) return [[options.outputName ?? "output", result as AnyTensor]];
  const entries = typeof result === "object" && result !== null && !isArray(result) ? Object.entries(result) : [];
  if (!entries.length || !entries.every(([k, v]) => k.length > 0 && v instanceof Tensor))
    throw new Error(onnxErrors.output(describeOutput(result)));
  const keys = entries.map(([k]) => k);
  if (options.outputName !== undefined)
    throw new Error(onnxErrors.outputNameOfObject(show(options.outputName), keys.map(show).join(", ")));
  const stateNames = new Set(paramNames.values());
  for (const key of keys) {
    if (key === inputName) throw new Error(onnxErrors.nameClash("output key", show(key), "the input"));
    if (stateNames.has(key))
      throw new Error(onnxErrors.nameClash("output key", show(key), "a parameter or buffer of the model"));
  }
  return entries as [string, AnyTensor][];
}

/** What a forward returned, for the message: a tensor's shape, an object's keys with what each holds. */
function describeOutput(v: unknown): string {
  const one = (u: unknown) => (u instanceof Tensor ? `Tensor ${formatShape((u as AnyTensor).shape)}` : show(u));
  if (typeof v !== "object" || v === null || isArray(v) || v instanceof Tensor) return one(v);
  const entries = Object.entries(v);
  return entries.length ? `{ ${entries.map(([k, u]) => `${show(k)}: ${one(u)}`).join(", ")} }` : "{}";
}
