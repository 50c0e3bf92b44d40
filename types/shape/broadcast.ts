/**
 * Broadcasting, matmul and linear shapes. Each returns the result shape, or the message the
 * runtime throws for the same mistake (types/errors.ts, shapeErrors); `number` dims stay `number`.
 *
 *   Broadcast<[8, 1, 5], [3, 1]>        // [8, 3, 5]   (NumPy: align right, equal or 1)
 *   Broadcast<[2, 3], [4, 3]>           // "broadcast: shapes [2, 3] and [4, 3] cannot be broadcast (...)"
 *   Broadcast<[number, 3], [5, 1]>      // [5, 3]      (a run-time dim against a literal takes the literal,
 *                                        //              against 1 stays number; the runtime checks it)
 *   MatMul<[2, 5, 3, 4], [4, 7]>        // [2, 5, 3, 7]  (torch.matmul: 1-D, 2-D, batched)
 *   MatMul<[4], [4]>                    // []
 *   Linear<[8, 512], 512, 10>           // [8, 10]
 */
import type { shapeErrors } from "../errors.js";
import type { Show } from "./show.js";

type Shape = readonly number[];

/**
 * Generic dims (a batch `B extends number`) never meet a conditional type of their own: TypeScript
 * defers any `B extends ...` until B is known, and a deferred shape is an error at the call. So
 * dims are compared as pairs `{ a; b }`, a non-generic object type, which the checker decides
 * whenever the answer holds for every value of B: `{ a: B; b: B }` matches `{ a: b; b: a }`
 * (the same dim), `{ a: B; b: 1 }` matches `{ a: unknown; b: 1 }`. Results are one-element tuples
 * (`[]` when the dims cannot broadcast) so that the walk can read them without testing B either.
 * What stays undecided is a generic against a different dim (`B` against 16, or against `1` on
 * the left): those calls still need a literal or `number` there. No order of tests decides both
 * (B, B) and (1, B): a test that (1, B) passes first (`{ a: 1; b: unknown }`) waits on (B, B) and
 * (B, 1), whose B may or may not be 1; and B against a literal 3, valid at run time only for B = 3
 * or 1, is decided by no test that also decides (B, B).
 */
type Pair<A, B> = { a: A; b: B };
/** One broadcast dim: equal, or 1 against anything; `number` against a literal takes the literal. */
type BDim<A extends number, B extends number> =
  Pair<A, B> extends Pair<B, A> | Pair<unknown, 1>
    ? [A]
    : Pair<A, B> extends Pair<1, unknown>
      ? [B]
      : number extends A
        ? [B]
        : number extends B
          ? [A]
          : [];

/** Right-aligned walk from the last dims; Acc collects the result from the back. */
type BWalk<A extends Shape, B extends Shape, Acc extends number[] = []> = A extends readonly [
  ...infer AI extends Shape,
  infer a extends number,
]
  ? B extends readonly [...infer BI extends Shape, infer b extends number]
    ? BDim<a, b> extends [infer d extends number]
      ? BWalk<AI, BI, [d, ...Acc]>
      : "bad"
    : [...A, ...Acc]
  : [...B, ...Acc];

/**
 * Shapes of one rank whose result is A itself: each dim of B equal to A's or 1, the common case
 * (identical shapes, a keepdim reduction, a per-channel factor). Read by index, with a counter
 * tuple shared by every call, so that no tuple type is built per call (each costs Array's members).
 */
type KeepsFirst<A extends Shape, B extends Shape, I extends unknown[] = []> = I["length"] extends A["length"]
  ? true
  : Pair<A[I["length"]], B[I["length"]]> extends Pair<B[I["length"]], A[I["length"]]> | Pair<unknown, 1>
    ? KeepsFirst<A, B, [...I, 1]>
    : false;

/** Shapes of one rank, walked from the front (a leading `infer` splits a tuple more cheaply than a trailing one). */
type BSame<A extends Shape, B extends Shape, Acc extends number[] = []> = A extends readonly [
  infer a extends number,
  ...infer AR extends Shape,
]
  ? B extends readonly [infer b extends number, ...infer BR extends Shape]
    ? BDim<a, b> extends [infer d extends number]
      ? BSame<AR, BR, [...Acc, d]>
      : "bad"
    : Acc
  : Acc;

/**
 * NumPy broadcasting of two shapes; Op names the op in the message. Every call reads the dims pair
 * by pair, even two identical shapes: a whole-shape test `{ a: A; b: B }` against `{ a: B; b: A }`
 * (session 15's shortcut) waits whenever the shapes differ only at generic dims (`[B, 8, H, H]` and
 * `[B, 8, 1, 1]` are equal at H = 1), and a waiting test leaves the whole result unresolved, while
 * each pair is decided. Shapes of one rank whose result is A (KeepsFirst) build no tuple; the others
 * walk. src/models: +1,364 instantiations under TS 7 (bench/types/RESULTS.md, "Session 16").
 *
 * The alias's own conditional tests the walk's result, so that a walk left waiting (`[B, 16]`
 * against `[C, 16]` in a user's generic helper) leaves this conditional waiting too: the
 * declaration emitter then writes `Broadcast<[B, 16], [C, 16], "add">` by name. Tested further
 * in, the first decided tests were dropped and the waiting rest (KeepsFirst's and BDim's bodies,
 * each operand repeated) written into the user's .d.ts (test/types/arith-emit.test.ts).
 */
export type Broadcast<A extends Shape, B extends Shape, Op extends string = "broadcast"> =
  BroadcastWalk<A, B> extends infer R
    ? R extends "bad"
      ? ReturnType<typeof shapeErrors.broadcast<Op, Show<A>, Show<B>>>
      : R
    : never;
/** The broadcast shape, "bad" when two dims differ and neither is 1. */
type BroadcastWalk<A extends Shape, B extends Shape> = number extends A["length"] | B["length"]
  ? number[]
  : A["length"] extends B["length"]
    ? KeepsFirst<A, B> extends true
      ? [...A]
      : BSame<A, B>
    : BWalk<A, B>;

/**
 * Two shapes that must be equal (nn.Residual's `body(x) + shortcut(x)`): the same rank, each dim
 * equal, a `number` dim taking the other's literal (the run time checks it). "bad" otherwise.
 */
export type SameShape<A extends Shape, B extends Shape> =
  Pair<A, B> extends Pair<B, A>
    ? [...A]
    : number extends A["length"]
      ? [...B]
      : number extends B["length"]
        ? [...A]
        : A["length"] extends B["length"]
          ? SameWalk<A, B>
          : "bad";
type SameWalk<A extends Shape, B extends Shape, Acc extends number[] = []> = A extends readonly [
  infer a extends number,
  ...infer AR extends Shape,
]
  ? B extends readonly [infer b extends number, ...infer BR extends Shape]
    ? (Pair<a, b> extends Pair<b, a> ? [a] : number extends a ? [b] : number extends b ? [a] : []) extends [
        infer d extends number,
      ]
      ? SameWalk<AR, BR, [...Acc, d]>
      : "bad"
    : Acc
  : Acc;

/** torch.matmul: 1-D operands gain a dim that is removed again; leading dims broadcast. */
export type MatMul<A extends Shape, B extends Shape> = number extends A["length"] | B["length"]
  ? number[]
  : A extends readonly []
    ? ReturnType<typeof shapeErrors.matmulRank<Show<A>, Show<B>>>
    : B extends readonly []
      ? ReturnType<typeof shapeErrors.matmulRank<Show<A>, Show<B>>>
      : A extends readonly [infer k extends number]
        ? B extends readonly [infer kb extends number]
          ? Inner<k, kb> extends true
            ? []
            : MatMulError<A, B, k, kb>
          : B extends readonly [...infer BB extends Shape, infer kb extends number, infer m extends number]
            ? Inner<k, kb> extends true
              ? [...BB, m]
              : MatMulError<A, B, k, kb>
            : never
        : A extends readonly [...infer AB extends Shape, infer n extends number, infer k extends number]
          ? B extends readonly [infer kb extends number]
            ? Inner<k, kb> extends true
              ? [...AB, n]
              : MatMulError<A, B, k, kb>
            : B extends readonly [...infer BB extends Shape, infer kb extends number, infer m extends number]
              ? Inner<k, kb> extends true
                ? Broadcast<AB, BB, "matmul"> extends infer Batch
                  ? Batch extends string
                    ? Batch
                    : Batch extends infer T extends Shape
                      ? [...T, n, m]
                      : never
                  : never
                : MatMulError<A, B, k, kb>
              : never
          : never;

// Compared as pairs first: the same generic inner dim on both sides (`[B, H] @ [H, 4]`) is then decided.
type Inner<K extends number, KB extends number> =
  Pair<K, KB> extends Pair<KB, K> ? true : number extends K | KB ? true : [K] extends [KB] ? true : false;
type MatMulError<A extends Shape, B extends Shape, K extends number, KB extends number> = ReturnType<
  typeof shapeErrors.matmul<Show<A>, Show<B>, K, KB>
>;

/** nn.Linear / F.linear: the last dim must equal In and becomes Out. */
export type Linear<S extends Shape, In extends number, Out extends number> = number extends S["length"]
  ? number[]
  : S extends readonly [...infer Init extends number[], infer Last extends number]
    ? // compared as a pair first (Inner): the same generic dim on both sides (`[B, W]` into `Linear<W, 3>`) is decided
      Pair<Last, In> extends Pair<In, Last>
      ? [...Init, Out]
      : number extends Last | In
        ? [...Init, Out]
        : [Last] extends [In]
          ? [...Init, Out]
          : ReturnType<typeof shapeErrors.linear<Show<S>, Last, In, Out>>
    : ReturnType<typeof shapeErrors.linear<Show<S>, "no", In, Out>>;
