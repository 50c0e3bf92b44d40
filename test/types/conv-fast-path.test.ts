/**
 * conv2d's fast path (types/shape/conv.ts FastConv2d) against the chain of stages it short-cuts
 * (Conv2dChainCheck): for calls drawn around the fast path's borders (sizes near 4096, kernels
 * near 10, strides 1-3, one- and two-digit paddings, "same" with a stride, other options, channel
 * and bias mismatches, other dtypes, readonly shapes, unions), Conv2dCheck's result must be
 * exactly the chain's, shape or message. The chain itself is checked against PyTorch's formula and
 * resolveConv2d by property.test.ts and the message fixtures. fast-check with a fixed seed; one
 * generated file, checked once.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import { root } from "./message-check.mjs";
import { typecheckGenerated } from "./generated-source.js";

/** A value in the fast path's reach mostly, else one just outside it (each field drawn alone: about a third of the calls have all in reach). */
const mostly = <T, U>(inReach: fc.Arbitrary<T>, outside: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 12, arbitrary: inReach }, { weight: 1, arbitrary: outside });
const size = mostly(
  fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 4090, max: 4095 })),
  fc.constantFrom(4096, 4100, "number", "1.5", "-1", "32 | 64", "9007199254740991"),
);
const channels = mostly(fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, 4095, 4096, "number", "3 | 4"));
const kernel = mostly(fc.integer({ min: 1, max: 9 }), fc.constantFrom(0, 10, 11, "number"));
const option = <T, U>(inReach: T[], outside: U[]) =>
  mostly(fc.constantFrom<T | undefined>(undefined, ...inReach), fc.constantFrom(...outside));
const fastCase = fc.record({
  n: mostly(fc.integer({ min: 1, max: 64 }), fc.constant("number")),
  c: channels,
  /** How the weight's C_in relates to C: equal, one more, or a value of its own. */
  ci: mostly(fc.constant("same"), fc.constantFrom("plus1", "own")),
  ciOwn: channels,
  h: size,
  w: size,
  co: channels,
  kh: kernel,
  kw: kernel,
  stride: option([1, 2], [3, "[1, 2]", "1 | 2"]),
  padding: option([0, 1, 2, 3, 9, '"same"', '"valid"', "1 | 2"], [10, "[1, 0]", '"same" | 1']),
  dilation: option([1], [2, "[1, 1]"]),
  groups: option([1], [2]),
  mode: option(['"zeros"'], ['"replicate"', '"reflect"', '"circular"']),
  unknownKey: mostly(fc.constant("never"), fc.constant('"foo"')),
  bias: mostly(fc.constantFrom("none", "co"), fc.constantFrom("plus1", "float64", "webgpu")),
  weightDType: mostly(fc.constant('"float32"'), fc.constantFrom('"float64"', "never")),
  readonly: mostly(fc.constant(false), fc.constant(true)),
  unbatched: mostly(fc.constant(false), fc.constant(true)),
});
type FastCase = typeof fastCase extends fc.Arbitrary<infer T> ? T : never;

const text = (v: number | string | undefined) => (v === undefined ? "undefined" : String(v));

function typeArguments(k: FastCase): string {
  const ci = k.ci === "same" ? k.c : k.ci === "own" ? k.ciOwn : typeof k.c === "number" ? k.c + 1 : k.c;
  const dims = (k.unbatched ? [k.c, k.h, k.w] : [k.n, k.c, k.h, k.w]).map(text).join(", ");
  const xs = `${k.readonly ? "readonly " : ""}[${dims}]`;
  const ws = `[${[k.co, ci, k.kh, k.kw].map(text).join(", ")}]`;
  const biasLength = typeof k.co === "number" && k.bias === "plus1" ? k.co + 1 : k.co;
  const b = k.bias === "none" ? "undefined" : `{ shape: [${text(biasLength)}] }`;
  const bd = k.bias === "float64" ? '"float64"' : '"float32"';
  const bdev = k.bias === "webgpu" ? '"webgpu"' : '"cpu"';
  const o = `[${[k.stride, k.padding, k.dilation, k.groups, k.mode].map(text).join(", ")}, ${k.unknownKey}]`;
  return `${xs}, ${ws}, ${b}, ${o}, "float32", "cpu", ${k.weightDType}, "cpu", ${bd}, ${bdev}`;
}

describe("conv2d's fast path", () => {
  const cases = fc.sample(fastCase, { seed: 19, numRuns: 800 });
  const lines = [
    `import type { Conv2dCheck, Conv2dChainCheck, FastConv2d } from "${join(root, "types/shape/conv.js")}";`,
    "type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;",
  ];
  cases.forEach((k, i) => {
    const args = typeArguments(k);
    lines.push(
      `export const same${i}: Equal<Conv2dCheck<${args}>, Conv2dChainCheck<${args}>> = true;`,
      `export type Fast${i} = FastConv2d<${args}> extends "slow" ? false : true;`,
    );
  });
  const { file, diagnostics } = typecheckGenerated("__fast_path_generated.ts", lines);

  it(`gives the chain's exact result for ${cases.length} drawn calls, most of them on the fast path`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(800);
    const wrong = cases.flatMap((k, i) =>
      diagnostics.has(3 + 2 * i) ? [`#${i} Conv2dCheck<${typeArguments(k)}>: ${diagnostics.get(3 + 2 * i)}`] : [],
    );
    expect(wrong).toEqual([]);
    expect([...diagnostics.values()]).toEqual([]);
    const fast = cases.filter((_, i) => file.getTypeAliasOrThrow(`Fast${i}`).getType().getText() === "true").length;
    // Both routes are exercised: 128 of these draws take the fast path (a third have every field
    // in its reach, and some of those have an output size that is not positive).
    expect(fast).toBeGreaterThanOrEqual(100);
    expect(cases.length - fast).toBeGreaterThanOrEqual(300);
  }, 900_000);
});
