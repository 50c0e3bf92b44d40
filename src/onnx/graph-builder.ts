/**
 * The graph of one trace: ONNX nodes and initializers for the tape's tensors, each primitive
 * written by its family's rule from `emitRules`, one table keyed by primitive (a primitive
 * without a rule, or an explicit refusal, does not compile).
 */
import type { DType } from "../../types/core.js";
import type { Primitive } from "../primitives/index.js";
import type { AnyTensor } from "../tensor.js";
import { formatShape } from "../runtime/shape.js";
import type { OnnxAttribute, OnnxNode, OnnxTensor } from "./model.js";
import { type EmitRule, onnxType } from "./emit-rule.js";
import type { LayerCall } from "./layers.js";
import { batchNormEmitRules } from "./batch-norm.js";
import { conv2dEmitRules } from "./conv2d.js";
import { elementwiseEmitRules } from "./elementwise.js";
import { interpolateEmitRules } from "./interpolate.js";
import { matmulEmitRules } from "./matmul.js";
import { movementEmitRules } from "./movement.js";
import { normalizationEmitRules } from "./normalization.js";
import { padEmitRules } from "./pad.js";
import { pool2dEmitRules } from "./pool2d.js";
import { reduceEmitRules } from "./reduce.js";

const emitRules: { readonly [P in Primitive]: EmitRule<P> } = {
  ...elementwiseEmitRules,
  ...reduceEmitRules,
  ...movementEmitRules,
  ...padEmitRules,
  ...matmulEmitRules,
  ...conv2dEmitRules,
  ...pool2dEmitRules,
  ...batchNormEmitRules,
  ...interpolateEmitRules,
  ...normalizationEmitRules,
};

/** Builds the graph for one trace. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  /** The shape of each traced value by ONNX name (what dynamicBatch compares between two batch sizes). */
  readonly shapes = new Map<string, readonly number[]>();
  readonly #names = new Map<AnyTensor, string>();
  readonly #dynamic = new Map<AnyTensor, boolean>();
  #counter = 0;
  readonly #used = new Set<string>();

  /**
   * @param snapshots the data of parameters and buffers already read, shared by the traces of one
   * export: a parameter is the same tensor in every trace, so its data is read once (not once per
   * trace: VGG's are 530 MB) and the traces' graphs compare it by reference.
   * @param copyState whether that data is a copy (traceOnnx, whose model outlives the weights'
   * current values) or the tensors' own storage (exportOnnx, which encodes it before returning).
   */
  constructor(
    readonly input: AnyTensor,
    inputName: string,
    readonly paramNames: ReadonlyMap<AnyTensor, string>,
    readonly layerCalls: ReadonlyMap<AnyTensor, LayerCall> = new Map(),
    readonly snapshots = new Map<AnyTensor, OnnxTensor["data"]>(),
    readonly copyState = true,
  ) {
    this.#names.set(input, inputName);
    this.shapes.set(inputName, input.shape);
    this.#dynamic.set(input, true);
    this.#used.add(inputName);
  }

  fresh(base: string): string {
    let name = base;
    while (this.#used.has(name)) name = `${base}_${++this.#counter}`;
    this.#used.add(name);
    return name;
  }

  /** Whether t is computed from the input; iterative, since a graph may be thousands of ops deep. */
  isDynamic(root: AnyTensor): boolean {
    const stack: AnyTensor[] = [root];
    while (stack.length) {
      const t = stack[stack.length - 1];
      if (this.#dynamic.has(t)) {
        stack.pop();
        continue;
      }
      if (!t.node) {
        this.#dynamic.set(t, false);
        stack.pop();
        continue;
      }
      const pending = t.node.inputs.filter((i) => !this.#dynamic.has(i));
      if (pending.length) {
        stack.push(...pending);
        continue;
      }
      this.#dynamic.set(
        t,
        t.node.inputs.some((i) => this.#dynamic.get(i)),
      );
      stack.pop();
    }
    return this.#dynamic.get(root)!;
  }

  /** A constant for an int64 vector (shapes, axes, pads). */
  int64(base: string, values: readonly number[]): string {
    const name = this.fresh(base);
    this.initializers.push({
      name,
      type: "int64",
      dims: [values.length],
      data: BigInt64Array.from(values.map((v) => BigInt(v))),
    });
    return name;
  }

  /** A scalar constant of a floating or int32 dtype. */
  scalar(base: string, value: number, dtype: DType): string {
    const name = this.fresh(base);
    const data =
      dtype === "float64" ? Float64Array.of(value) : dtype === "int32" ? Int32Array.of(value) : Float32Array.of(value);
    this.initializers.push({ name, type: onnxType[dtype], dims: [], data });
    return name;
  }

  node(opType: string, inputs: readonly string[], attributes: OnnxAttribute[] = [], output?: string): string {
    const out = output ?? this.fresh(`${opType.toLowerCase()}_out`);
    this.nodes.push({ opType, inputs, outputs: [out], name: this.fresh(opType), attributes });
    return out;
  }

  /** The ONNX value name of a tensor: the input, a constant, or the output of its (emitted) node. */
  nameOf(t: AnyTensor): string {
    const known = this.#names.get(t);
    if (known !== undefined) return known;
    if (!this.isDynamic(t)) {
      // A value derived from one parameter (a reshaped bias, a transposed weight) keeps its name.
      const source =
        this.paramNames.get(t) ?? t.node?.inputs.map((i) => this.paramNames.get(i)).find((n) => n !== undefined);
      const name = this.fresh(source ?? "const");
      // A computed constant is copied: its storage is reused once the tensor is dropped.
      // readSync, not dataSync: nothing is handed to the user.
      let data = this.snapshots.get(t);
      if (!data) {
        const state = this.paramNames.has(t);
        const own = t.readSync("exportOnnx") as OnnxTensor["data"];
        data = state && !this.copyState ? own : own.slice();
        if (state) this.snapshots.set(t, data);
      }
      this.initializers.push({ name, type: onnxType[t.dtype], dims: [...t.shape], data });
      this.#names.set(t, name);
      return name;
    }
    throw new Error(`exportOnnx internal error: tensor ${formatShape(t.shape)} used before it was emitted`);
  }

  /** Emits every node the output depends on, inputs before users (iterative post-order). */
  emit(root: AnyTensor): string {
    const stack: [AnyTensor, boolean][] = [[root, false]];
    while (stack.length) {
      const [t, expanded] = stack.pop()!;
      if (this.#names.has(t)) continue;
      if (!this.isDynamic(t)) {
        this.nameOf(t);
        continue;
      }
      const call = this.layerCalls.get(t);
      // A recorded layer call stands for the whole subgraph between its input and output.
      const sources = call ? [call.input] : t.node!.inputs;
      if (expanded) {
        if (call) {
          this.#names.set(t, call.rule.emit(this, this.nameOf(call.input), call.module, call.input, t));
        } else {
          const node = t.node!;
          const rule = emitRules[node.primitive] as EmitRule<Primitive>;
          this.#names.set(
            t,
            rule(
              this,
              node.inputs.map((i) => this.nameOf(i)),
              node.params,
              node.inputs,
              t,
            ),
          );
        }
        this.shapes.set(this.#names.get(t)!, t.shape);
        continue;
      }
      stack.push([t, true]);
      for (let i = sources.length - 1; i >= 0; i--) if (!this.#names.has(sources[i])) stack.push([sources[i], false]);
    }
    return this.#names.get(root)!;
  }
}
