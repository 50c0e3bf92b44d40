/**
 * Natural-number arithmetic on number literal types, exact for every integer 0..2^53-1.
 *
 *   Add<9007199254740990, 1>   // 9007199254740991
 *   Sub<3, 5>                  // -2   (a negative result is shown, never wrapped)
 *   Mul<4294967296, 2097151>   // 9007194959773696
 *   Div<17, 5>                 // 3    (floor), Mod<17, 5> = 2
 *   Compare<10, 9>             // 1    (also Lt, Lte, Gt, Gte, Eq, Max, Min)
 *   Add<1.5, 1>                // "arithmetic: 1.5 is not an integer in 0..9007199254740991"
 *   Mul<9007199254740991, 2>   // "arithmetic: the result 18014398509481982 is larger than 9007199254740991"
 *   Add<number, 1>             // number (a value known only at run time stays `number`)
 *
 * Operands are turned into little-endian digit strings (see ./digits.ts), computed on digit by
 * digit, and read back as number literals. Unions distribute: Add<1 | 2, 10> is 11 | 12.
 * Errors are string literal types from the catalogue in types/errors.ts, never a wrong number or a
 * silent `number`.
 */
import type { arithErrors } from "../errors.js";
import type { AddLE, CmpLE, DivModLE, MulLE, Reverse, SubLE, Trim } from "./digits.js";
import type { NextIndex, Products, Safe16, SmallFromLE, SmallToLE, Units } from "./tables.js";

export type { Ordering } from "./digits.js";

export type NotNaturalError<V extends string> = ReturnType<typeof arithErrors.notNatural<V>>;
export type TooLargeError<V extends string> = ReturnType<typeof arithErrors.tooLarge<V>>;
export type DivideByZeroError<V extends string> = ReturnType<typeof arithErrors.divideByZero<V>>;

/** Digit strings of at least 16 / 17 characters (each `${number}` but the last takes one digit). */
type Min16 =
  `${number}${number}${number}${number}${number}${number}${number}${number}${number}${number}${number}${number}${number}${number}${number}${number}`;
type Min17 = `${number}${Min16}`;

/**
 * Whether a digit string (normal order) is at most 2^53 - 1: below 16 digits it is, above 16 it is
 * not, and a 16-digit one is matched against the patterns of Safe16. The patterns are not generic,
 * so each test is one step whatever the length.
 */
export type SafeDigits<S extends string> = S extends Min16
  ? S extends Min17
    ? false
    : S extends Safe16
      ? true
      : false
  : true;

/** Canonical LE digits of a safe natural `N`, or a `{ error }` object carrying the message. */
export type ToLE<N extends number> = SmallToLE[N] extends infer L extends string
  ? L
  : `${N}` extends infer S extends string
    ? S extends `${bigint}`
      ? S extends `-${string}`
        ? { error: NotNaturalError<S> }
        : SafeDigits<S> extends true
          ? Reverse<S>
          : { error: NotNaturalError<S> }
      : { error: NotNaturalError<S> }
    : never;

/** Reads digits in normal order as a number literal; above 2^53 - 1 an error message. */
export type FromDigits<S extends string> =
  SafeDigits<S> extends true ? (S extends `${infer N extends number}` ? N : never) : TooLargeError<S>;

/** Reads digits (normal order, no high zeros) known to be at most 2^53 - 1 as a number literal. */
export type FromSafeDigits<S extends string> = S extends `${infer N extends number}` ? N : never;

/** Reads canonical LE digits back as a number literal; above 2^53 - 1 an error message. */
export type FromLE<L extends string> = SmallFromLE[L] extends infer N extends number
  ? N
  : Reverse<L> extends infer S extends string
    ? FromDigits<S>
    : never;

/** Like FromLE, for a difference that may be negative. */
type FromSigned<L extends string, Negative extends boolean> = Negative extends true
  ? Reverse<L> extends infer S extends string
    ? `-${S}` extends `${infer N extends number}`
      ? N
      : never
    : never
  : FromLE<L>;

/**
 * Runs `Op` on the LE digits of one member A and one member B (the public aliases below distribute
 * over unions): `number` when either is the wide `number` type, the operand's error when one is
 * not a safe natural.
 */
type Lift2<A extends number, B extends number, Op extends string> = number extends A
  ? number
  : number extends B
    ? number
    : Quick<A, B, Op> extends infer R extends number
      ? R
      : Small<UnitsOf<A>, UnitsOf<B>, Op> extends infer R extends number
        ? R
        : ToLE<A> extends infer LA
          ? LA extends { error: infer E }
            ? E
            : ToLE<B> extends infer LB
              ? LB extends { error: infer E }
                ? E
                : LA extends string
                  ? LB extends string
                    ? Apply<Op, LA, LB, A>
                    : never
                  : never
              : never
          : never;

/**
 * The identities of two naturals below 4096 (adding 0 or 1, multiplying by 0 or 1, dividing by 1),
 * and the product of two naturals below 100 (tables.ts Products; the digit path spends ~450
 * instantiations on a two-digit product): one table lookup instead of the digit path's conversions
 * and digit steps. The shape rules meet
 * them at every default (pooling's padding 0, dilation 1, a kernel minus 1): examples/demo.ts 6,667
 * -> 6,328 instantiations (TS 6). `false` sends anything else to the digit path; SmallToLE holds
 * naturals only, so a non-natural operand still gets its message there.
 */
type Quick<A extends number, B extends number, Op extends string> = SmallToLE[A] extends string
  ? SmallToLE[B] extends string
    ? Op extends "add"
      ? B extends 0
        ? A
        : A extends 0
          ? B
          : B extends 1
            ? NextIndex[A]
            : A extends 1
              ? NextIndex[B]
              : false
      : Op extends "mul"
        ? B extends 1
          ? A
          : A extends 1
            ? B
            : 0 extends A | B
              ? 0
              : Products[A] extends infer Row extends { [b: number]: unknown }
                ? Row[B] extends infer P extends number
                  ? P
                  : false
                : false
        : Op extends "sub"
          ? B extends 0
            ? A
            : false
          : Op extends "div"
            ? B extends 1
              ? A
              : false
            : false
    : false
  : false;

/** A tuple of N zeros for a natural N below 100 (tables.ts Units), else `unknown`. */
type UnitsOf<N extends number> = SmallToLE[N] extends infer L extends string ? Units[L] : unknown;
/**
 * Add, subtract and compare two naturals below 100 as tuple spreads (the conv rule's G does the
 * same): a spread costs about one instantiation per element, under the digit path's ~110 per call
 * for two-digit sizes (examples/demo.ts 6,328 -> 5,955, TS 6). `false` (the digit path) for larger
 * operands and for a negative difference.
 */
type Small<UA, UB, Op extends string> = UA extends unknown[]
  ? UB extends unknown[]
    ? Op extends "add"
      ? [...UA, ...UB]["length"]
      : Op extends "sub" | "cmp"
        ? UA extends [...UB, ...infer R]
          ? Op extends "sub"
            ? R["length"]
            : R extends []
              ? 0
              : 1
          : Op extends "cmp"
            ? -1
            : false
        : false
    : false
  : false;

type Apply<Op extends string, LA extends string, LB extends string, A extends number> = Op extends "add"
  ? AddLE<LA, LB> extends infer R extends string
    ? FromLE<R>
    : never
  : Op extends "sub"
    ? SubSigned<LA, LB>
    : Op extends "mul"
      ? MulLE<LA, LB> extends infer R extends string
        ? FromLE<R>
        : never
      : Op extends "div" | "mod"
        ? LB extends "0"
          ? DivideByZeroError<`${A}`>
          : DivModLE<LA, LB> extends [infer Q extends string, infer R extends string]
            ? FromLE<Op extends "div" ? Q : R>
            : never
        : Op extends "cmp"
          ? { "<": -1; "=": 0; ">": 1 }[CmpLE<LA, LB>]
          : never;

/** A - B on LE digits, as a signed number literal. */
type SubSigned<LA extends string, LB extends string> =
  SubLE<LA, LB> extends [infer D extends string, infer Br]
    ? Br extends "0"
      ? FromLE<Trim<D>>
      : SubLE<LB, LA> extends [infer D2 extends string, "0"]
        ? FromSigned<Trim<D2>, true>
        : never
    : never;

/*
 * Each public alias is a conditional over its own operands, not a bare `Lift2<A, B, Op>`: the
 * declaration emitter writes a deferred instance (operands that are type parameters) by its alias
 * only when the alias's body is itself the conditional; an alias of an alias is dropped and the
 * inner body written out, each nesting repeating its operands, which grew a user's inferred
 * `Add<Add<A, B>, C>` into a .d.ts a consumer's tsc overflowed its stack on
 * (test/types/arith-emit.test.ts). The two checks are also where unions distribute.
 */
export type Add<A extends number, B extends number> = A extends number
  ? B extends number
    ? Lift2<A, B, "add">
    : never
  : never;
/** A - B; negative when B > A (e.g. Sub<3, 5> = -2). */
export type Sub<A extends number, B extends number> = A extends number
  ? B extends number
    ? Lift2<A, B, "sub">
    : never
  : never;
export type Mul<A extends number, B extends number> = A extends number
  ? B extends number
    ? Lift2<A, B, "mul">
    : never
  : never;
/** floor(A / B). */
export type Div<A extends number, B extends number> = A extends number
  ? B extends number
    ? Lift2<A, B, "div">
    : never
  : never;
export type Mod<A extends number, B extends number> = A extends number
  ? B extends number
    ? Lift2<A, B, "mod">
    : never
  : never;
/** -1, 0 or 1 as A is less than, equal to or greater than B. */
export type Compare<A extends number, B extends number> = A extends number
  ? B extends number
    ? Lift2<A, B, "cmp">
    : never
  : never;

type Test<C, Yes extends readonly unknown[]> = C extends -1 | 0 | 1
  ? C extends Yes[number]
    ? true
    : false
  : C extends number
    ? boolean
    : C;
// Conditionals of their own for the emitter, as above.
export type Lt<A extends number, B extends number> = Compare<A, B> extends infer C ? Test<C, [-1]> : never;
export type Lte<A extends number, B extends number> = Compare<A, B> extends infer C ? Test<C, [-1, 0]> : never;
export type Gt<A extends number, B extends number> = Compare<A, B> extends infer C ? Test<C, [1]> : never;
export type Gte<A extends number, B extends number> = Compare<A, B> extends infer C ? Test<C, [0, 1]> : never;
export type Eq<A extends number, B extends number> = Compare<A, B> extends infer C ? Test<C, [0]> : never;
export type Max<A extends number, B extends number> =
  Compare<A, B> extends infer C ? (C extends -1 ? B : C extends 0 | 1 ? A : C extends number ? number : C) : never;
export type Min<A extends number, B extends number> =
  Compare<A, B> extends infer C ? (C extends 1 ? B : C extends -1 | 0 ? A : C extends number ? number : C) : never;

/** True when N is a literal safe natural number (0..2^53-1), false for `number` and non-naturals. */
export type IsNatural<N extends number> = number extends N ? false : ToLE<N> extends string ? true : false;
