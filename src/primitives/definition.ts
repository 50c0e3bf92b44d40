/**
 * What a primitive is made of, as every family file (./elementwise.ts, ./conv2d.ts, ...) writes it:
 * per primitive its arity, runtime shape rule, saved data and gradient rule, side by side.
 * ./index.ts assembles the families into the tables keyed by `Primitive`.
 */
import type { DType } from "../../types/core.js";
import type { AnyTensor } from "../tensor.js";
import type { Primitive, PrimitiveParams } from "./index.js";

/** The shape and dtype of a tensor, all a shape rule reads. */
export interface Meta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * The output's shape and dtype from the inputs'. Public ops validate arguments with catalogued
 * messages before they get here; these rules only compute, and assert the invariants that a
 * public op would have checked (an assert firing is a bug).
 */
export type ShapeRule<Params> = (inputs: readonly Meta[], params: Params) => Meta;

/**
 * The data a gradient rule reads besides g (PyTorch's saved tensors), which backward checks are
 * unchanged since the forward pass: an input by index, "y" for the output, "pair" for a bilinear
 * op's two operands (each is read only for the other's gradient). Shapes are fixed, so a rule
 * that reads only shapes (add, sum, reshape, ...) saves nothing.
 */
export type Saved = number | "y" | "pair";

type Operand = AnyTensor | number;

/**
 * What gradient rules compute with: the public ops (so a gradient computed with a graph is itself
 * recorded, and differentiates again) and `apply` for the primitives that have no public op. The
 * backward pass (src/autograd/backward.ts) passes the implementation in, so this folder imports
 * nothing from ops/ or autograd/ at run time.
 */
export interface GradOps {
  apply<P extends Primitive>(primitive: P, inputs: readonly AnyTensor[], params: PrimitiveParams[P]): AnyTensor;
  /** Whether this backward records a graph (createGraph). */
  isGradEnabled(): boolean;
  neg(x: AnyTensor): AnyTensor;
  exp(x: AnyTensor): AnyTensor;
  sqrt(x: AnyTensor): AnyTensor;
  sign(x: AnyTensor): AnyTensor;
  add(a: Operand, b: Operand): AnyTensor;
  sub(a: Operand, b: Operand): AnyTensor;
  mul(a: Operand, b: Operand): AnyTensor;
  div(a: Operand, b: Operand): AnyTensor;
  greater(a: Operand, b: Operand): AnyTensor;
  equal(a: Operand, b: Operand): AnyTensor;
  sum(x: AnyTensor, dims: readonly number[], keepdim?: boolean): AnyTensor;
  mean(x: AnyTensor, dims: readonly number[], keepdim?: boolean): AnyTensor;
  reshape(x: AnyTensor, shape: readonly number[]): AnyTensor;
  permute(x: AnyTensor, perm: readonly number[]): AnyTensor;
  expand(x: AnyTensor, shape: readonly number[]): AnyTensor;
  /** Zeros of `shape` in `like`'s dtype and on its device, outside any graph. */
  zerosOf(shape: readonly number[], like: AnyTensor): AnyTensor;
  /** The last two dims swapped. */
  transpose(x: AnyTensor): AnyTensor;
  cast(x: AnyTensor, dtype: DType): AnyTensor;
  /** Sums a broadcast result back to an operand's shape. */
  sumTo(x: AnyTensor, shape: readonly number[]): AnyTensor;
  /**
   * batchNormTrain's gradients by its backend's fused loops, reusing the forward's statistics
   * (only without a graph: the loops are not recorded). `reluOutput`: batchNormReluTrain's output,
   * whose relu gradient is applied to g first.
   */
  batchNormTrainFused(
    g: AnyTensor,
    inputs: readonly AnyTensor[],
    params: PrimitiveParams["batchNormTrain"],
    needs: readonly boolean[],
    reluOutput: AnyTensor | null,
  ): (AnyTensor | null)[];
  /** rowNorm's gradients by its backend's fused loops, likewise (only without a graph). */
  rowNormFused(
    g: AnyTensor,
    inputs: readonly AnyTensor[],
    params: PrimitiveParams["rowNorm"],
    needs: readonly boolean[],
  ): (AnyTensor | null)[];
}

/**
 * Maps the output's cotangent `g` to one cotangent per input (null: no gradient flows, the input
 * is piecewise constant there). `needs[i]` says whether input i wants a gradient; a rule may
 * return null for the others, which the expensive ones do (a first conv layer never computes the
 * gradient of the image).
 */
export type VjpRule<Params> = (
  op: GradOps,
  g: AnyTensor,
  inputs: readonly AnyTensor[],
  output: AnyTensor,
  params: Params,
  needs: readonly boolean[],
) => (AnyTensor | null)[];

export type Arity = 1 | 2 | 3 | "variadic";

export interface PrimitiveDefinition<Params> {
  /** How many tensor inputs it takes ("variadic": one or more, concat's list). */
  readonly arity: Arity;
  readonly shape: ShapeRule<Params>;
  readonly saved: readonly Saved[];
  readonly vjp: VjpRule<Params>;
}

/** A family's definitions, one per primitive of its parameter interface (none may be missing). */
export type FamilyDefinitions<Params> = { readonly [P in keyof Params]: PrimitiveDefinition<Params[P]> };

/** Primitives without parameters. */
export type NoParams = Record<never, never>;

export function invariant(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`shapegrad internal error: ${what}`);
}

/** Computes only the gradients that are needed. */
export const only = (need: boolean, f: () => AnyTensor): AnyTensor | null => (need ? f() : null);

/** The rule of a primitive whose output is piecewise constant in every input. */
export const noGradient: VjpRule<unknown> = (_op, _g, inputs) => inputs.map(() => null);

/** The shape rule of a primitive whose output is shaped like its first input. */
export const sameAsFirst: ShapeRule<unknown> = ([x]) => x;
