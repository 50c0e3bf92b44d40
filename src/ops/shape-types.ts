/**
 * The result shapes of the general ops, as the Tensor methods and top-level functions declare
 * them. They delegate to the type-level shape rules in types/shape/ where those exist; until then
 * an op whose result the compiler cannot compute widens to `number[]` (never a wrong literal).
 */
import type { Shape } from "../../types/core.js";

export type Mutable<S extends Shape> = [...S];

/** Equal shapes keep their literal; a scalar operand keeps the other shape; otherwise widened. */
export type BroadcastResult<A extends Shape, B extends Shape> =
  [A] extends [B] ? ([B] extends [A] ? Mutable<A> : number[])
  : B extends readonly [] ? Mutable<A>
  : A extends readonly [] ? Mutable<B>
  : number[];
export type ReduceResult<S extends Shape, Dims, K extends boolean> = Dims extends undefined ? (K extends true ? number[] : []) : number[];
export type MatMulResult<A extends Shape, B extends Shape> = number[];
export type ReshapeResult<S extends Shape, T extends Shape> = -1 extends T[number] ? number[] : Mutable<T>;
export type FlattenResult<S extends Shape, Start extends number, End extends number> = number[];
export type PermuteResult<S extends Shape, P extends Shape> = number[];
export type TransposeResult<S extends Shape, A extends number, B extends number> = number[];
