/**
 * The ONNX exporter's rule for one primitive: it writes the primitive's node(s) into the graph and
 * returns the name of the value that stands for its output. One module per primitive family
 * (./elementwise.ts, ./conv2d.ts, ...), named as the family's file in src/primitives/, assembled
 * in ./graph-builder.ts as one table keyed by primitive.
 */
import type { DType } from "../../types/core.js";
import type { Primitive, PrimitiveParams } from "../primitives/index.js";
import type { AnyTensor } from "../tensor.js";
import type { GraphBuilder } from "./graph-builder.js";
import type { OnnxAttribute, OnnxElementType } from "./model.js";

export type EmitRule<P extends Primitive> = (
  b: GraphBuilder,
  inputs: readonly string[],
  params: PrimitiveParams[P],
  tensors: readonly AnyTensor[],
  output: AnyTensor,
) => string;

/** A family's rules (or explicit refusals): none of its primitives may be missing. */
export type EmitRules<Params> = { readonly [P in keyof Params & Primitive]: EmitRule<P> };

export const ints = (name: string, value: readonly number[]): OnnxAttribute => ({ name, type: "ints", value });
export const int = (name: string, value: number): OnnxAttribute => ({ name, type: "int", value });
export const float = (name: string, value: number): OnnxAttribute => ({ name, type: "float", value });

export const onnxType: Record<DType, OnnxElementType> = { float32: "float32", float64: "float64", int32: "int32" };
/** Cast's `to`: the TensorProto.DataType of each dtype. */
export const onnxCastTo: Record<DType, number> = { float32: 1, int32: 6, float64: 11 };

/** A primitive that is one ONNX op of the same inputs. */
export const same =
  (opType: string): EmitRule<Primitive> =>
  (b, inputs) =>
    b.node(opType, inputs);

/**
 * The explicit entry of a primitive that is not exported, with its message: these occur only in
 * gradient computations, and the exporter writes forward passes.
 */
export const gradientOnly =
  (p: Primitive): EmitRule<Primitive> =>
  () => {
    throw new Error(`exportOnnx: ${p} only occurs in gradient computations; export the forward pass of a model`);
  };
