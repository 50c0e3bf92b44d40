/**
 * The result shapes of the general ops, as the Tensor methods and top-level functions declare
 * them: the type-level rules of types/shape/, which give the shape or the runtime's message. A
 * message never becomes a result type: the argument at fault carries it (see ./public.ts), and the
 * result widens to `number[]`, never to a wrong literal.
 */
import type { Shape } from "../../types/core.js";
import type { Broadcast, MatMul } from "../../types/shape/broadcast.js";
import type { Flatten, Permute, Reduce, Reshape, Transpose } from "../../types/shape/reshape.js";

export type Mutable<S extends Shape> = [...S];

/**
 * The shape, or number[] where the rule produced a message. Bound by inference rather than tested
 * with `R extends readonly number[]`: the checker proves such a test with the dims' constraints
 * dropped, so a shape holding a generic dim would defer it; `infer T extends Shape` checks the
 * constraint as usual and then only needs R to be T.
 */
export type OkShape<R> = R extends infer T extends Shape ? [...T] : number[];

export type BroadcastResult<A extends Shape, B extends Shape> = OkShape<Broadcast<A, B>>;
export type ReduceResult<S extends Shape, Dims, K extends boolean> =
  OkShape<Reduce<S, Dims extends number | Shape | undefined ? Dims : never, K>>;
export type MatMulResult<A extends Shape, B extends Shape> = OkShape<MatMul<A, B>>;
export type ReshapeResult<S extends Shape, T extends Shape> = OkShape<Reshape<S, T>>;
export type FlattenResult<S extends Shape, Start extends number, End extends number> = OkShape<Flatten<S, Start, End>>;
export type PermuteResult<S extends Shape, P extends Shape> = OkShape<Permute<S, P>>;
export type TransposeResult<S extends Shape, A extends number, B extends number> = OkShape<Transpose<S, A, B>>;
