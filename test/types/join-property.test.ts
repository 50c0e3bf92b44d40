/**
 * cat, stack, split, chunk and narrow: the compile-time rules (types/shape/join.ts) against the
 * runtime on random literal configurations (fast-check, fixed seed), negative dims and refusals
 * included: every call is written into ONE generated source file, type-checked once; where the
 * runtime accepts, the inferred shape(s) must equal the runtime's and PyTorch's formula; where it
 * refuses, the compiler's message at the argument must be the runtime's text.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import type { Type } from "ts-morph";
import { cat, chunk, narrow, split, stack, zeros, type AnyTensor } from "../../src/index.js";
import { parameterMessage, root } from "./message-check.mjs";
import { shapeElements, typecheckGenerated } from "./generated-source.js";

type Call =
  | { op: "cat"; shapes: number[][]; dim: number }
  | { op: "stack"; shapes: number[][]; dim: number }
  | { op: "split"; shape: number[]; arg: number | number[]; dim: number }
  | { op: "chunk"; shape: number[]; arg: number; dim: number }
  | { op: "narrow"; shape: number[]; dim: number; start: number; length: number };

const dimSize = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }) },
  { weight: 1, arbitrary: fc.constant(0) },
);
const shapeArb = fc.array(dimSize, { minLength: 1, maxLength: 4 });
/** A dim in range most of the time (negative half of those), out of range otherwise. */
const dimFor = (rank: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -rank, max: rank - 1 }) },
    { weight: 1, arbitrary: fc.constantFrom(rank, -rank - 1, rank + 2) },
  );

/** 1 to 3 tensors: the first's shape, the others equal off `dim` (or, sometimes, off anywhere or of another rank). */
const joinArb = (op: "cat" | "stack") =>
  shapeArb.chain((s) =>
    fc
      .record({
        dim: op === "cat" ? dimFor(s.length) : dimFor(s.length + 1),
        others: fc.array(
          fc.oneof(
            { weight: 5, arbitrary: dimSize.map((n) => ({ kind: "along" as const, n })) },
            { weight: 1, arbitrary: shapeArb.map((t) => ({ kind: "any" as const, t })) },
          ),
          { maxLength: 2 },
        ),
      })
      .map(({ dim, others }): Call => {
        const d = dim < 0 ? dim + s.length : dim;
        const shapes = [
          s,
          ...others.map((o) => (o.kind === "any" ? o.t : op === "stack" ? s : s.map((n, i) => (i === d ? o.n : n)))),
        ];
        return { op, shapes, dim };
      }),
  );

const splitArb = shapeArb.chain((s) =>
  fc
    .record({
      dim: dimFor(s.length),
      arg: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }) },
        { weight: 3, arbitrary: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }) },
        { weight: 1, arbitrary: fc.constantFrom<number | number[]>(0, -1, [2, -1]) },
      ),
    })
    .map(({ dim, arg }): Call => {
      // sections that add up to the dim's size half of the time
      const d = dim < 0 ? dim + s.length : dim;
      if (Array.isArray(arg) && d >= 0 && d < s.length && arg.length > 1 && arg.every((v) => v >= 0)) {
        const rest = s[d] - arg.slice(1).reduce((a, b) => a + b, 0);
        if (rest >= 0 && arg[0] % 2 === 0) arg = [rest, ...arg.slice(1)];
      }
      return { op: "split", shape: s, arg, dim };
    }),
);

const chunkArb = shapeArb.chain((s) =>
  fc
    .record({
      dim: dimFor(s.length),
      arg: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }) },
        // past the limit of pieces: refused on an empty dim, n pieces on the others
        { weight: 1, arbitrary: fc.constantFrom(0, -2, 1048577) },
      ),
    })
    .map(({ dim, arg }): Call => ({ op: "chunk", shape: s, arg, dim })),
);

const narrowArb = shapeArb.chain((s) =>
  fc
    .record({
      dim: dimFor(s.length),
      // start and length as fractions of the dim (a window inside it), or anything small
      fit: fc.tuple(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
      ),
      free: fc.option(fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: -1, max: 5 })), {
        freq: 3,
        nil: undefined,
      }),
    })
    .map(({ dim, fit: [a, b, negative], free }): Call => {
      const d = dim < 0 ? dim + s.length : dim;
      const n = d >= 0 && d < s.length ? s[d] : 3;
      if (free) return { op: "narrow", shape: s, dim, start: free[0], length: free[1] };
      const start = Math.floor(a * (n + 1) * 0.999);
      const length = Math.floor(b * (n - start + 1) * 0.999);
      return { op: "narrow", shape: s, dim, start: negative && start < n ? start - n : start, length };
    }),
);

const lit = (v: unknown): string => (Array.isArray(v) ? `[${v.map(lit).join(", ")}]` : String(v));

/** The call's source text, with the input declarations it needs. */
function source(c: Call, i: number): string[] {
  if (c.op === "cat" || c.op === "stack") {
    const decls = c.shapes.map((s, j) => `declare const x${i}_${j}: Tensor<${lit(s)}>;`);
    const list = c.shapes.map((_, j) => `x${i}_${j}`).join(", ");
    return [...decls, `const y${i} = ${c.op}([${list}], ${c.dim});`];
  }
  const decl = `declare const x${i}: Tensor<${lit(c.shape)}>;`;
  if (c.op === "narrow") return [decl, `const y${i} = narrow(x${i}, ${c.dim}, ${c.start}, ${c.length});`];
  return [decl, `const y${i} = ${c.op}(x${i}, ${lit(c.arg)}, ${c.dim});`];
}

/** The runtime's shapes (a list for split and chunk), or its message. */
function run(c: Call): number[] | number[][] | string {
  try {
    if (c.op === "cat" || c.op === "stack") {
      const xs = c.shapes.map((s) => zeros(s) as unknown as AnyTensor);
      return [...(c.op === "cat" ? cat : stack)(xs as never, c.dim as never).shape];
    }
    const x = zeros(c.shape) as never;
    if (c.op === "narrow")
      return [...(narrow(x, c.dim as never, c.start as never, c.length as never) as AnyTensor).shape];
    const pieces = (
      c.op === "split" ? split(x, c.arg as never, c.dim as never) : chunk(x, c.arg as never, c.dim as never)
    ) as AnyTensor[];
    return pieces.map((p) => [...p.shape]);
  } catch (e) {
    return (e as Error).message;
  }
}

/** PyTorch's result shapes for an accepted call, written from torch.cat/stack/split/chunk/narrow's docs. */
function formula(c: Call): number[] | number[][] {
  if (c.op === "cat") {
    const r = c.shapes[0].length,
      d = c.dim < 0 ? c.dim + r : c.dim;
    return c.shapes[0].map((n, i) => (i === d ? c.shapes.reduce((a, s) => a + s[d], 0) : n));
  }
  if (c.op === "stack") {
    const s = c.shapes[0],
      d = c.dim < 0 ? c.dim + s.length + 1 : c.dim;
    return [...s.slice(0, d), c.shapes.length, ...s.slice(d)];
  }
  const d = c.dim < 0 ? c.dim + c.shape.length : c.dim;
  const n = c.shape[d];
  const withDim = (m: number) => c.shape.map((v, i) => (i === d ? m : v));
  if (c.op === "narrow") return withDim(c.length);
  const bySize = (size: number) => {
    const sizes: number[] = [];
    for (let at = 0; at < n; at += size) sizes.push(Math.min(size, n - at));
    return (sizes.length === 0 ? [0] : sizes).map(withDim);
  };
  if (c.op === "split") return Array.isArray(c.arg) ? c.arg.map(withDim) : bySize(c.arg);
  // torch.chunk: pieces of ceil(n / chunks), so fewer than `chunks` when they do not divide evenly;
  // `chunks` empty pieces of an empty dim (torch 1.13: chunk(zeros(0, 2), 3) is three [0, 2])
  return n === 0 ? Array.from({ length: c.arg }, () => withDim(0)) : bySize(Math.ceil(n / c.arg));
}

describe("cat, stack, split, chunk, narrow: the type-level rules equal the runtime on random literal configurations", () => {
  const perOp = 300;
  const cases: Call[] = [
    ...fc.sample(joinArb("cat"), { seed: 31, numRuns: perOp }),
    ...fc.sample(joinArb("stack"), { seed: 32, numRuns: perOp }),
    ...fc.sample(splitArb, { seed: 33, numRuns: perOp }),
    ...fc.sample(chunkArb, { seed: 34, numRuns: perOp }),
    ...fc.sample(narrowArb, { seed: 35, numRuns: perOp }),
  ];
  const lines = [
    `import type { Tensor } from "${join(root, "src/tensor.js")}";`,
    `import { cat, chunk, narrow, split, stack } from "${join(root, "src/ops/join.js")}";`,
  ];
  const at: number[] = [];
  cases.forEach((c, i) => {
    lines.push(...source(c, i));
    at.push(lines.length);
  });
  const { file, diagnostics } = typecheckGenerated("__join_property_generated.ts", lines);
  const shapeOf = (t: Type): (number | undefined)[] =>
    shapeElements(file, t).map((e) => {
      const v = e.getLiteralValue();
      return typeof v === "number" ? v : undefined;
    });

  for (const op of ["cat", "stack", "split", "chunk", "narrow"] as const) {
    it(`${op}: ${perOp} configurations, accepted and refused`, () => {
      let refused = 0,
        accepted = 0;
      const wrong = cases.flatMap((c, i) => {
        if (c.op !== op) return [];
        const runtime = run(c);
        const diagnostic = diagnostics.get(at[i]);
        if (typeof runtime === "string") {
          refused++;
          const typed = diagnostic === undefined ? undefined : parameterMessage(diagnostic);
          return typed === runtime
            ? []
            : [`#${i} ${JSON.stringify(c)}: compiler ${typed ?? diagnostic}, runtime ${runtime}`];
        }
        accepted++;
        const t = file.getVariableDeclarationOrThrow(`y${i}`).getType();
        const typed = op === "split" || op === "chunk" ? t.getTupleElements().map(shapeOf) : shapeOf(t);
        const want = lit(formula(c));
        return diagnostic === undefined && lit(typed) === want && lit(runtime) === want
          ? []
          : [
              `#${i} ${JSON.stringify(c)}: compiler ${diagnostic ?? lit(typed)}, formula ${want}, runtime ${lit(runtime)}`,
            ];
      });
      expect(wrong).toEqual([]);
      expect(refused).toBeGreaterThan(20);
      expect(accepted).toBeGreaterThan(100);
    });
  }
});
