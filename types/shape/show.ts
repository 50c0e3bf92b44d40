/**
 * Show<V>: a literal type rendered as text, exactly as `show()` in src/errors.ts renders the value
 * at run time, so a message built from either side reads the same:
 *   Show<[16, 4, 3, 3]> = "[16, 4, 3, 3]";  Show<"same"> = "\"same\"";  Show<1e21> = "1e+21".
 * A wide `number` renders as the pattern type `${number}` (the run time has the actual value).
 */
export type Show<V> =
  V extends string ? `"${V}"`
  : V extends number | boolean | bigint | null | undefined ? `${V}`
  : V extends readonly unknown[] ? `[${Join<V>}]`
  : V extends (...args: never[]) => unknown ? "function"
  : "object";

type Join<T extends readonly unknown[], Acc extends string = ""> =
  T extends readonly [infer H, ...infer R]
    ? Join<R, Acc extends "" ? Show<H> : `${Acc}, ${Show<H>}`>
    : number extends T["length"] ? `${Acc}...` : Acc;
