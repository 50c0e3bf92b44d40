/**
 * The closed list of primitives. Everything a tensor can do is a composition of these.
 *
 * Each family file (./elementwise.ts, ./reduce.ts, ./movement.ts, ./pad.ts, ./matmul.ts,
 * ./conv2d.ts, ./pool2d.ts, ./batch-norm.ts, ./interpolate.ts, ./normalization.ts) holds, for each of its primitives, the parameters,
 * the arity, the runtime shape rule, the saved data and the gradient rule side by side. They are
 * assembled here into `definitions`, a mapped type over `Primitive`: a primitive added without
 * any of them does not compile. Each backend's kernel table (src/backends/*) and the ONNX
 * exporter's table (src/onnx/) are keyed the same way, one module per family with the same names.
 *
 * Gradient rules are written with public ops (passed in as `GradOps`), so they are themselves
 * recorded on the tape when a graph is being built: double backward needs no extra machinery. For
 * that to close, the adjoint of every linear primitive is itself a primitive (pad <->
 * padAdjoint, the conv2d family, the maxPool2d family, interpolate <-> interpolateAdjoint).
 */
import {
  type Arity,
  type PrimitiveDefinition,
  type Saved,
  type ShapeRule,
  type VjpRule,
  noGradient,
} from "./definition.js";
import { type BatchNormParams, batchNormFamily } from "./batch-norm.js";
import { type Conv2dParams, conv2dFamily } from "./conv2d.js";
import { type ElementwiseParams, elementwiseFamily } from "./elementwise.js";
import { type MatmulParams, matmulFamily } from "./matmul.js";
import { type MovementParams, movementFamily } from "./movement.js";
import { type InterpolateParams, interpolateFamily } from "./interpolate.js";
import { type PadParams, padFamily } from "./pad.js";
import { type Pool2dParams, pool2dFamily } from "./pool2d.js";
import { type ReduceParams, reduceFamily } from "./reduce.js";
import { type NormalizationParams, normalizationFamily } from "./normalization.js";

export type {
  Arity,
  FamilyDefinitions,
  GradOps,
  Meta,
  PrimitiveDefinition,
  Saved,
  ShapeRule,
  VjpRule,
} from "./definition.js";
export { type BinaryPrimitive, type UnaryPrimitive, binaryPrimitives, unaryPrimitives } from "./elementwise.js";
export {
  type Conv2dGeometry,
  type Conv2dShapeArgs,
  conv2dGeometry,
  convFlops,
  convOutSize,
  transposedGeometry,
} from "./conv2d.js";
export { type PadGeometry, type PadMode, padGeometry, padOutShape } from "./pad.js";
export type { Pool2dGeometry } from "./pool2d.js";
export {
  type InterpolateAxis,
  type InterpolateGeometry,
  type InterpolateMode,
  type InterpolationTaps,
  interpolationTaps,
} from "./interpolate.js";
export { type RowNormGeometry, rowNormLayout } from "./normalization.js";
export type {
  BatchNormParams,
  Conv2dParams,
  ElementwiseParams,
  InterpolateParams,
  MatmulParams,
  MovementParams,
  PadParams,
  Pool2dParams,
  ReduceParams,
  NormalizationParams,
};

export interface PrimitiveParams
  extends
    ElementwiseParams,
    ReduceParams,
    MovementParams,
    PadParams,
    MatmulParams,
    Conv2dParams,
    Pool2dParams,
    BatchNormParams,
    InterpolateParams,
    NormalizationParams {}

export type Primitive = keyof PrimitiveParams;

export type PrimitiveDefinitions = { readonly [P in Primitive]: PrimitiveDefinition<PrimitiveParams[P]> };

const definitions: PrimitiveDefinitions = {
  ...elementwiseFamily,
  ...reduceFamily,
  ...movementFamily,
  ...padFamily,
  ...matmulFamily,
  ...conv2dFamily,
  ...pool2dFamily,
  ...batchNormFamily,
  ...interpolateFamily,
  ...normalizationFamily,
};

type Column<K extends keyof PrimitiveDefinition<unknown>> = {
  readonly [P in Primitive]: PrimitiveDefinition<PrimitiveParams[P]>[K];
};

function column<K extends keyof PrimitiveDefinition<unknown>>(key: K): Column<K> {
  return Object.fromEntries(Object.entries(definitions).map(([p, d]) => [p, d[key]])) as Column<K>;
}

/** How many tensor inputs each primitive takes. */
export const primitiveArity: { readonly [P in Primitive]: Arity } = column("arity");
/** The runtime shape rule of every primitive. */
export const shapeRules: { readonly [P in Primitive]: ShapeRule<PrimitiveParams[P]> } = column("shape");
/** What each gradient rule reads besides g, which backward checks is unchanged since the forward. */
export const savedData: { readonly [P in Primitive]: readonly Saved[] } = column("saved");
/** Every gradient rule. */
export const vjpRules: { readonly [P in Primitive]: VjpRule<PrimitiveParams[P]> } = column("vjp");

/** Primitives whose output is piecewise constant in every input (their rule is noGradient): never recorded. */
export const piecewiseConstant: ReadonlySet<Primitive> = new Set(
  (Object.keys(definitions) as Primitive[]).filter((p) => definitions[p].vjp === noGradient),
);
