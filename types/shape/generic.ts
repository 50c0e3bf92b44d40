/**
 * Dims that are type parameters (`H` in `function f<H extends number>(x: Tensor<[B, 16, H, H]>)`):
 * the ops with spatial sizes (conv2d, convTranspose2d, the pools, interpolate) and nn's
 * Layer.forward take both routes in one signature (SizesRoute, DimRoute below); pad, flatten,
 * reshape, layerNorm and cat gate a second signature (GenericDims).
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
 * size: a rest parameter built from it is `[concreteSizes: never]`, which no call can fill, when
 * the dims are literals or `number` (those calls belong to the exact signature, whose errors they
 * keep), and `[]` when one is generic; a route parameter's default passes its false branch.
 *
 * This is why the generic size cannot be handled inside the shape rule itself: the rule returns the
 * shape, which the checker must resolve; only the comparison of an argument with a parameter type
 * takes the permissive route.
 */
type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";
type Tag<V extends number> = number extends V ? "n" : `${V}`;
type Literal = `${Digit | "-"}${string}`;
type Concrete = Literal | "n";

/** An output size under a generic input size: the input's own when the layer keeps it, else number. */
export type KeptSize<Keeps, H extends number> = Keeps extends true ? H : number;

// ---- Issue 19, item 2: rules over any list of dims (pad, flatten, reshape, layerNorm, cat).
/**
 * `[]` when any dim of S is a type parameter, else an argument of type never: the test above over a
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

// ---- Issue 19, item 5: one signature per op, both routes in its parameter types.
declare const literalRoute: unique symbol;
declare const genericRoute: unique symbol;
/** The route of a call whose input's last two dims are literals or `number`: the exact rule, with every size error. */
export interface LiteralRoute {
  readonly [literalRoute]: true;
}
/** The route of a call whose input has a type parameter among its last two dims: the rule on RunTimeSizes. */
export interface GenericRoute {
  readonly [genericRoute]: true;
}
/** Rank -> index of the second-to-last / last dim; beyond the table any index (number): such a call is refused anyway. */
interface Back2 {
  readonly [rank: number]: number;
  2: 0;
  3: 1;
  4: 2;
  5: 3;
  6: 4;
  7: 5;
  8: 6;
}
interface Back1 {
  readonly [rank: number]: number;
  1: 0;
  2: 1;
  3: 2;
  4: 3;
  5: 4;
  6: 5;
  7: 6;
  8: 7;
}
/** S's second-to-last and last dims (H and W of an [N, C, H, W] or [C, H, W] input). */
export type SizeH<S extends readonly number[]> = S[Back2[S["length"]]];
export type SizeW<S extends readonly number[]> = S[Back1[S["length"]]];

/**
 * Which route a call takes, decided where a generic size can be told from a literal one: the
 * constraint check of an inferred type argument, a relation. An op declares a last type parameter
 * `R extends SizesRoute<X["shape"]> = GenericRoute`, which no argument infers: its default is
 * checked against the constraint. For literal or `number` sizes the constraint resolves to
 * LiteralRoute, the default fails it, and R becomes the constraint, LiteralRoute. For a generic
 * size it is a deferred conditional whose true branch the checker drops (see the top of this file),
 * so the default satisfies its false branch and R is GenericRoute. Either way R is a resolved type,
 * so the parameter types and the result branch on it, in one signature: no overload list, no
 * deferred `ArgV<...>`, the only error the catalogue's text at the argument. Every test is the
 * outermost conditional of its step and has no `infer` (the checker drops a branch only then),
 * hence the sizes read by index (SizeH, SizeW) rather than matched.
 */
export type SizesRoute<S extends readonly number[]> = `${Tag<SizeH<S>>}` extends Concrete
  ? `${Tag<SizeW<S>>}` extends Concrete
    ? LiteralRoute
    : GenericRoute
  : GenericRoute;

/** S with its last two dims `number`: what the generic route checks (every other dim kept). */
export type RunTimeSizes<S extends readonly number[]> = S extends readonly [...infer Lead, unknown, unknown]
  ? [...Lead, number, number]
  : S;

/**
 * A checked output under the generic route: the input's leading (batch) dims, the output's
 * channels, and each size the input's where the op keeps it, else number. The leading dims are read
 * from the input, not from the checked output: there they come out of the rule's own matches.
 */
export type KeptSizes<Out, Keeps, S extends readonly number[]> = Out extends readonly [
  ...unknown[],
  infer Co extends number,
  unknown,
  unknown,
]
  ? S extends readonly [...infer Lead extends number[], unknown, infer H extends number, infer W extends number]
    ? Keeps extends [infer KH, infer KW]
      ? [...Lead, Co, KeptSize<KH, H>, KeptSize<KW, W>]
      : never
    : never
  : never;

// ---- Issue 19, item 1: nn's Layer.forward, one signature over per-dim routes.
/**
 * One dim's route, decided as SizesRoute decides a size: LiteralRoute for a literal or `number`,
 * GenericRoute (the default that passes a deferred constraint) for a type parameter.
 */
export type DimRoute<V> = `${Tag<V & number>}` extends Concrete ? LiteralRoute : GenericRoute;
/** Both entries of a pair (a layer's [in, out] channels): GenericRoute when either is a type parameter. */
export type PairRoute<A, B> = `${Tag<A & number>}` extends Concrete
  ? `${Tag<B & number>}` extends Concrete
    ? LiteralRoute
    : GenericRoute
  : GenericRoute;
