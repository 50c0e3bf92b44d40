/** Elementwise primitives as ONNX's elementwise ops (comparisons give bool there: cast back to 1 or 0). */
import type { DType } from "../../types/core.js";
import type { ElementwiseParams } from "../primitives/index.js";
import type { GraphBuilder } from "./graph-builder.js";
import { type EmitRules, gradientOnly, int, onnxCastTo, same } from "./emit-rule.js";

/** 1 or 0 in the output's dtype (ONNX comparisons give bool). */
const asNumber = (b: GraphBuilder, boolName: string, dtype: DType) =>
  b.node("Cast", [boolName], [int("to", onnxCastTo[dtype])]);

export const elementwiseEmitRules: EmitRules<ElementwiseParams> = {
  neg: same("Neg"),
  exp: same("Exp"),
  log: same("Log"),
  sqrt: same("Sqrt"),
  abs: same("Abs"),
  sign: same("Sign"),
  tanh: same("Tanh"),
  sigmoid: same("Sigmoid"),
  relu: same("Relu"),
  erf: same("Erf"),

  add: same("Add"),
  sub: same("Sub"),
  mul: same("Mul"),
  div: same("Div"),
  maximum: same("Max"),
  greater: (b, inputs, _p, _t, out) => asNumber(b, b.node("Greater", inputs), out.dtype),
  equal: (b, inputs, _p, _t, out) => asNumber(b, b.node("Equal", inputs), out.dtype),
  reluBackward: gradientOnly("reluBackward"),
};
