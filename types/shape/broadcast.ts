/**
 * Broadcasting, matmul and linear shapes. Each returns the result shape, or the message the
 * runtime throws for the same mistake (src/errors.ts, shapeErrors); `number` dims stay `number`.
 *
 *   Broadcast<[8, 1, 5], [3, 1]>        // [8, 3, 5]   (NumPy: align right, equal or 1)
 *   Broadcast<[2, 3], [4, 3]>           // "broadcast: shapes [2, 3] and [4, 3] cannot be broadcast (...)"
 *   Broadcast<[number, 3], [5, 1]>      // [5, 3]      (a run-time dim against a literal takes the literal,
 *                                        //              against 1 stays number; the runtime checks it)
 *   MatMul<[2, 5, 3, 4], [4, 7]>        // [2, 5, 3, 7]  (torch.matmul: 1-D, 2-D, batched)
 *   MatMul<[4], [4]>                    // []
 *   Linear<[8, 512], 512, 10>           // [8, 10]
 */
import type { shapeErrors } from "../../src/errors.js";
import type { Show } from "./show.js";

type Shape = readonly number[];

/** One broadcast dim: equal, or 1 against anything; "bad" when both are literals that differ. */
type BDim<A extends number, B extends number> =
  number extends A ? (number extends B ? number : B extends 1 ? number : B)
  : number extends B ? (A extends 1 ? number : A)
  : A extends B ? A : A extends 1 ? B : B extends 1 ? A : "bad";

/** Right-aligned walk from the last dims; Acc collects the result from the back. */
type BWalk<A extends Shape, B extends Shape, Acc extends number[] = []> =
  A extends readonly [...infer AI extends Shape, infer a extends number]
    ? B extends readonly [...infer BI extends Shape, infer b extends number]
      ? BDim<a, b> extends infer d ? (d extends number ? BWalk<AI, BI, [d, ...Acc]> : "bad") : never
      : [...A, ...Acc]
    : [...B, ...Acc];

/** NumPy broadcasting of two shapes; Op names the op in the message. */
export type Broadcast<A extends Shape, B extends Shape, Op extends string = "broadcast"> =
  number extends A["length"] | B["length"] ? number[]
  : BWalk<A, B> extends infer R ? (R extends number[] ? R : ReturnType<typeof shapeErrors.broadcast<Op, Show<A>, Show<B>>>) : never;

/** torch.matmul: 1-D operands gain a dim that is removed again; leading dims broadcast. */
export type MatMul<A extends Shape, B extends Shape> =
  number extends A["length"] | B["length"] ? number[]
  : A extends readonly [] ? ReturnType<typeof shapeErrors.matmulRank<Show<A>, Show<B>>>
  : B extends readonly [] ? ReturnType<typeof shapeErrors.matmulRank<Show<A>, Show<B>>>
  : A extends readonly [infer k extends number]
    ? B extends readonly [infer kb extends number] ? (Inner<k, kb> extends true ? [] : MatMulError<A, B, k, kb>)
    : B extends readonly [...infer BB extends Shape, infer kb extends number, infer m extends number]
      ? Inner<k, kb> extends true ? [...BB, m] : MatMulError<A, B, k, kb>
      : never
  : A extends readonly [...infer AB extends Shape, infer n extends number, infer k extends number]
    ? B extends readonly [infer kb extends number]
      ? Inner<k, kb> extends true ? [...AB, n] : MatMulError<A, B, k, kb>
      : B extends readonly [...infer BB extends Shape, infer kb extends number, infer m extends number]
        ? Inner<k, kb> extends true
          ? Broadcast<AB, BB, "matmul"> extends infer Batch ? (Batch extends number[] ? [...Batch, n, m] : Batch) : never
          : MatMulError<A, B, k, kb>
        : never
    : never;

type Inner<K extends number, KB extends number> = number extends K | KB ? true : [K] extends [KB] ? true : false;
type MatMulError<A extends Shape, B extends Shape, K extends number, KB extends number> = ReturnType<typeof shapeErrors.matmul<Show<A>, Show<B>, K, KB>>;

/** nn.Linear / F.linear: the last dim must equal In and becomes Out. */
export type Linear<S extends Shape, In extends number, Out extends number> =
  number extends S["length"] ? number[]
  : S extends readonly [...infer Init extends number[], infer Last extends number]
    ? number extends Last | In ? [...Init, Out]
    : [Last] extends [In] ? [...Init, Out]
    : ReturnType<typeof shapeErrors.linear<Show<S>, Last, In, Out>>
  : ReturnType<typeof shapeErrors.linear<Show<S>, "no", In, Out>>;
