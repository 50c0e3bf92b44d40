/**
 * Digit-string arithmetic, the engine under types/arith/index.ts. Pure types, no runtime.
 *
 * A natural number is a string of decimal digits written least significant digit FIRST
 * ("little-endian", LE): 120 is "021". Carries and borrows travel from the low digit up, so with
 * LE strings every add/subtract step peels the FIRST character (`${infer d}${infer rest}`), which
 * is the only end a template literal can peel cheaply. Canonical form has no high zeros (no
 * trailing "0" in the LE string) except for zero itself, "0".
 *
 * Cost discipline (docs/types.md, "What it costs"): every recursion is a tail call (TypeScript runs those in a
 * loop, up to 1,000 steps, far more than the 17 digits we ever need), every step is a handful of
 * indexed accesses into the literal tables of ./tables.ts, and intermediates are bound with
 * `extends infer R extends string` rather than passed as nested generic arguments, so each
 * intermediate is computed once.
 */
import type { AddTable, CmpTable, DivTable, DivTable2, MulTable, SubTable, Succ } from "./tables.js";

export type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
type Bit = "0" | "1";
/** The result of a comparison. */
export type Ordering = "<" | "=" | ">";

/**
 * Reverses a string, four characters per step, then the last 2-3 in one step (a pattern of three
 * infers matches 2 or 3 characters, the last inferring "" for 2) or the last one.
 */
export type Reverse<
  S extends string,
  Acc extends string = "",
> = S extends `${infer A}${infer B}${infer C}${infer D}${infer R}`
  ? Reverse<R, `${D}${C}${B}${A}${Acc}`>
  : S extends `${infer A}${infer B}${infer C}`
    ? `${C}${B}${A}${Acc}`
    : `${S}${Acc}`;

/** Drops high zeros ("trailing" in LE): "0300" -> "03"; "000" -> "0". */
export type Trim<S extends string> = S extends `${infer X}0` ? (X extends "" ? "0" : Trim<X>) : S;

/** A + B (+ carry). Once the shorter operand runs out with no carry, the rest is copied in one step. */
export type AddLE<
  A extends string,
  B extends string,
  C extends Bit = "0",
  Acc extends string = "",
> = A extends `${infer a extends Digit}${infer AR}`
  ? B extends `${infer b extends Digit}${infer BR}`
    ? AddLE<AR, BR, AddTable[C][a][b][1], `${Acc}${AddTable[C][a][b][0]}`>
    : C extends "0"
      ? `${Acc}${A}`
      : AddLE<A, "1", "0", Acc>
  : B extends ""
    ? C extends "1"
      ? `${Acc}1`
      : Acc
    : C extends "0"
      ? `${Acc}${B}`
      : AddLE<B, "1", "0", Acc>;

/**
 * A - B as [digits, borrow]. Borrow "0": digits is A - B, canonical once trimmed. Borrow "1": A < B
 * and digits is meaningless (the caller computes B - A instead). B must be canonical.
 */
export type SubLE<
  A extends string,
  B extends string,
  Br extends Bit = "0",
  Acc extends string = "",
> = A extends `${infer a extends Digit}${infer AR}`
  ? B extends `${infer b extends Digit}${infer BR}`
    ? SubLE<AR, BR, SubTable[Br][a][b][1], `${Acc}${SubTable[Br][a][b][0]}`>
    : Br extends "0"
      ? [`${Acc}${A}`, "0"]
      : SubLE<A, "1", "0", Acc>
  : [Acc, B extends "" ? Br : "1"];

/**
 * Compares canonical A and B. Scans from the low digit, remembering the verdict of the highest
 * differing digit seen so far; a longer number is the larger one.
 */
export type CmpLE<
  A extends string,
  B extends string,
  R extends Ordering = "=",
> = A extends `${infer a extends Digit}${infer AR}`
  ? B extends `${infer b extends Digit}${infer BR}`
    ? CmpLE<AR, BR, CmpTable[R][a][b]>
    : ">"
  : B extends ""
    ? R
    : "<";

/** A * d for one digit d (not "0"), carry 0..8 through MulTable. */
export type MulDigitLE<
  A extends string,
  d extends Digit,
  C extends keyof MulTable = "0",
  Acc extends string = "",
> = A extends `${infer a extends Digit}${infer AR}`
  ? MulDigitLE<AR, d, MulTable[C][a][d][1], `${Acc}${MulTable[C][a][d][0]}`>
  : C extends "0"
    ? Acc
    : `${Acc}${C}`;

/**
 * A * B, schoolbook, one digit of B per step: Acc holds the not-yet-final high part; after adding
 * A * b its lowest digit is final and moves to Done.
 */
export type MulLE<
  A extends string,
  B extends string,
  Done extends string = "",
  Acc extends string = "",
> = B extends `${infer b extends Digit}${infer BR}`
  ? (
      b extends "0" ? Acc : MulDigitLE<A, b> extends infer P extends string ? AddLE<Acc, P> : never
    ) extends infer S extends string
    ? S extends `${infer d}${infer Rest}`
      ? MulLE<A, BR, `${Done}${d}`, Rest>
      : MulLE<A, BR, `${Done}0`, "">
    : never
  : Trim<`${Done}${Acc}`>;

/**
 * Long division of N (normal order, MOST significant digit first) by one digit b: one DivTable
 * lookup per digit. Returns [quotient LE, remainder digit].
 */
export type DivDigit<
  N extends string,
  b extends keyof DivTable,
  R extends string = "0",
  Q extends string = "",
> = N extends `${infer d extends Digit}${infer NR}`
  ? DivTable[b][R & keyof DivTable[b]][d & keyof DivTable[b][R & keyof DivTable[b]]] extends [
      infer q extends Digit,
      infer r extends string,
    ]
    ? DivDigit<NR, b, r, `${q}${Q}`>
    : never
  : [Trim<Q>, R];

/**
 * floor(N / b) for N in normal order and one digit b, TWO digits per step (DivTable2), quotient in
 * normal order without high zeros, so it can be read as a number with no reversal.
 * Returns [quotient digits, remainder digit].
 */
export type DivDigitN<
  N extends string,
  b extends keyof DivTable,
  R extends string = "0",
  Q extends string = "",
> = N extends `${infer d1}${infer d2}${infer NR}`
  ? DivTable2[`${b}${R}${d1}${d2}`] extends [infer q extends string, infer r extends string]
    ? DivDigitN<NR, b, r, `${Q}${q}`>
    : never
  : N extends Digit
    ? DivTable[b][R & keyof DivTable[b]][N & keyof DivTable[b][R & keyof DivTable[b]]] extends [
        infer q extends string,
        infer r extends string,
      ]
      ? [StripHigh<`${Q}${q}`>, r]
      : never
    : [StripHigh<Q>, R];

/**
 * floor(N / (f1 f2 ...)) for N in normal order and a divisor given as its digit factors F = "f1f2..."
 * (tables.ts DigitFactors): one DivDigitN pass per factor, since floor(floor(n / a) / b) =
 * floor(n / (a b)). Quotient in normal order without high zeros.
 */
export type DivFactorsN<N extends string, F extends string> = F extends `${infer f extends keyof DivTable}${infer FR}`
  ? DivFactorsN<DivDigitN<N, f>[0], FR>
  : N;

/** Drops leading zeros of a normal-order digit string ("007" -> "7", "000" -> "0"). */
export type StripHigh<S extends string> = S extends `0${infer R}`
  ? R extends ""
    ? "0"
    : StripHigh<R>
  : S extends ""
    ? "0"
    : S;

/** How many times B (canonical LE) fits into R (< 10 B): repeated subtraction, at most 9 rounds. */
type FitLE<R extends string, B extends string, Q extends Digit = "0"> =
  SubLE<R, B> extends [infer D extends string, infer Br]
    ? Br extends "1"
      ? [Q, R]
      : Q extends keyof Succ
        ? FitLE<Trim<D>, B, Succ[Q]>
        : never
    : never;

/**
 * Long division of N (normal order) by a multi-digit canonical LE divisor B: bring down a digit
 * (prepending to an LE string is "times ten plus d"), then count subtractions. Returns
 * [quotient LE, remainder LE].
 */
export type DivLong<
  N extends string,
  B extends string,
  R extends string = "0",
  Q extends string = "",
> = N extends `${infer d extends Digit}${infer NR}`
  ? FitLE<R extends "0" ? d : `${d}${R}`, B> extends [infer q extends string, infer R2 extends string]
    ? DivLong<NR, B, R2, `${q}${Q}`>
    : never
  : [Trim<Q>, R];

/** floor(A / B) and A mod B for canonical LE A and B (B not "0"), as [quotient LE, remainder LE]. */
export type DivModLE<A extends string, B extends string> =
  Reverse<A> extends infer N extends string ? (B extends keyof DivTable ? DivDigit<N, B> : DivLong<N, B>) : never;
