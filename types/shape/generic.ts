/**
 * Spatial sizes that are type parameters (`H` in `function f<H extends number>(x: Tensor<[B, 16,
 * H, H]>)`), for the second signature of conv2d, convTranspose2d, maxPool2d and avgPool2d.
 *
 * TypeScript defers a conditional type whose checked type holds a type parameter, so a shape rule
 * run on `H` stays unresolved: the exact signature cannot take such an input. A check can still be
 * decided at a call, in one place: when an argument is compared with a parameter type that is a
 * deferred conditional, the checker drops the true branch if the checked type, with its type
 * parameters made as permissive as they can be, still cannot match the extends type, and compares
 * the argument with the false branch alone. The permissive form of `${H}` matches a pattern with a
 * placeholder only (`${number}`, `${bigint}`), never a text with a fixed character (`"0"`,
 * `-${string}`, `1${string}`). So the test below is resolved for a literal size (its text starts
 * with a digit or "-") and for `number` (tagged "n"), and its true branch is dropped for a generic
 * size: the rest parameter built from it is `[concreteSizes: never]`, which no call can fill, when
 * both sizes are literals or `number` (those calls belong to the exact signature, whose errors they
 * keep), and `[]` when either is generic. A literal size and a generic one together take this
 * signature too; each output size is then the input's when the layer keeps sizes, else `number`.
 *
 * This is why the generic size cannot be handled inside the shape rule itself: the rule returns the
 * shape, which the checker must resolve; only the comparison of an argument with a parameter type
 * takes the permissive route.
 */
type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
type Tag<V extends number> = number extends V ? "n" : `${V}`;
type Literal = `${Digit | "-"}${string}`;
type Concrete = Literal | "n";

/** `[]` when H or W is a type parameter, else a required argument of type never (see above). */
export type GenericSizes<H extends number, W extends number> = `${Tag<H>}` extends Concrete
  ? `${Tag<W>}` extends Concrete
    ? [concreteSizes: never]
    : []
  : [];

/** An output size under a generic input size: the input's own when the layer keeps it, else number. */
export type KeptSize<Keeps, H extends number> = Keeps extends true ? H : number;

/**
 * For nn's layers (src/nn/module.ts): `[]` when neither size is a literal (each is `number` or a
 * type parameter), else an argument of type never; a literal size keeps the layer's exact rule.
 */
export type NoLiteralSizes<H extends number, W extends number> = `${Tag<H>}` extends Literal
  ? [literalSizes: never]
  : `${Tag<W>}` extends Literal
    ? [literalSizes: never]
    : [];

// ---- Issue 19, item 2: rules over any list of dims (pad, flatten, reshape, layerNorm, cat).
/**
 * `[]` when any dim of S is a type parameter, else an argument of type never: GenericSizes over a
 * list of dims, for ops whose rule reads dims other than a 4-D input's H and W. Each dim's test is
 * the outermost conditional of its step, so the checker decides it for a generic dim as above.
 * `IfConcrete` and `IfGeneric` swap the outcomes for a parameter type that must refuse generic
 * dims (the checker drops the true branch, the concrete one, whichever type it holds).
 */
export type GenericDims<
  S extends readonly number[],
  IfConcrete = [concreteSizes: never],
  IfGeneric = [],
> = S extends readonly [infer A extends number, ...infer R extends readonly number[]]
  ? `${Tag<A>}` extends Concrete
    ? GenericDims<R, IfConcrete, IfGeneric>
    : IfGeneric
  : IfConcrete;

/**
 * GenericDims for a product of dims (flatten's merged dims): trailing literal 1s are left out and a
 * single dim left is no product, so `[C, 1, 1]` under a generic C stays with the exact rule, whose
 * product C * 1 * 1 the compiler resolves once C is known (a model's `flatten(pool(x), 1)`).
 */
export type GenericProduct<
  S extends readonly number[],
  IfConcrete = [concreteSizes: never],
  IfGeneric = [],
> = S extends readonly [...infer I extends readonly number[], infer L extends number]
  ? I extends readonly []
    ? IfConcrete
    : `${Tag<L>}` extends "1"
      ? GenericProduct<I, IfConcrete, IfGeneric>
      : GenericDims<S, IfConcrete, IfGeneric>
  : IfConcrete;

/** S with every dim `number`, its rank kept: what a rule checks its options against when some dims are generic. */
export type RunTimeDims<S extends readonly number[]> = { -readonly [K in keyof S]: number };
