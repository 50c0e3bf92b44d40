/**
 * Show<V>: a literal type rendered as text, exactly as `show()` in types/errors.ts renders the value
 * at run time, so a message built from either side reads the same:
 *   Show<[16, 4, 3, 3]> = "[16, 4, 3, 3]";  Show<"same"> = "\"same\"";  Show<1e21> = "1e+21".
 * A wide `number` renders as the pattern type `${number}` (the run time has the actual value).
 */
import type { Shape } from "../core.js";

export type Show<V> = V extends string
  ? `"${V}"`
  : V extends number | boolean | bigint | null | undefined
    ? `${V}`
    : V extends readonly unknown[]
      ? `[${Join<V>}]`
      : V extends (...args: never[]) => unknown
        ? "function"
        : "object";

/**
 * The elements are never tested one by one: a generic dim `B` would defer the test (and the whole
 * message). A number-like element, generic or not, is bound by inference (`infer N extends
 * number` accepts `B` as itself) and rendered `${B}`, which the editor shows as it is.
 */
type Join<T extends readonly unknown[], Acc extends string = "", First extends boolean = true> = T extends readonly [
  infer H,
  ...infer R,
]
  ? Join<R, First extends true ? ShowItem<H> : `${Acc}, ${ShowItem<H>}`, false>
  : number extends T["length"]
    ? `${Acc}...`
    : Acc;
type ShowItem<H> = { h: H } extends { h: infer N extends number } ? `${N}` : Show<H>;

/**
 * Whether a rule's result is a message: a message holding `${B}` is a template literal type,
 * which a plain `R extends string` would defer; as a property it is decided (it is a string
 * whatever B is), and so is a shape (never a string).
 */
export type IsMessage<R> = { m: R } extends { m: string } ? true : false;

/**
 * The shape, or number[] where a rule produced a message: a message never becomes a result type
 * (the argument at fault carries it), and the result widens to `number[]`, never to a wrong
 * literal. Bound by inference rather than tested with `R extends readonly number[]`: the checker
 * proves such a test with the dims' constraints dropped, so a shape holding a generic dim would
 * defer it; `infer T extends Shape` checks the constraint as usual and then only needs R to be T.
 */
export type OkShape<R> = R extends infer T extends Shape ? [...T] : number[];
