/**
 * pad's compile-time rule against its runtime, on random literal configurations (fast-check, fixed
 * seed): every call is written into ONE generated source file, type-checked once; where the
 * runtime (resolvePad) accepts, the inferred shape must equal the runtime's and the plain formula
 * (each dim + before + after); where it refuses, the compiler's message at the argument must be
 * the runtime's text.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import type { Type } from "ts-morph";
import { resolvePad } from "../../src/ops/pad.js";
import { padOutShape } from "../../src/primitives/index.js";
import { parameterMessage, root } from "./message-check.mjs";
import { shapeElements, typecheckGenerated } from "./generated-source.js";

interface PadConfig {
  shape: number[];
  pads: number[];
  mode: "constant" | "reflect" | "replicate" | "circular";
  value: number | undefined;
}
const config: fc.Arbitrary<PadConfig> = fc.record({
  shape: fc.array(
    fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 6 }) }, { weight: 1, arbitrary: fc.constant(0) }),
    {
      minLength: 1,
      maxLength: 5,
    },
  ),
  pads: fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(fc.tuple(fc.integer({ min: -4, max: 6 }), fc.integer({ min: -4, max: 6 })), { maxLength: 3 })
        .map((p) => p.flat()),
    },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 7 }) },
  ),
  mode: fc.constantFrom(
    "constant" as const,
    "constant" as const,
    "reflect" as const,
    "replicate" as const,
    "circular" as const,
  ),
  value: fc.option(fc.constantFrom(0, 2.5, -1), { nil: undefined }),
});

const lit = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(lit).join(", ")}]` : typeof v === "string" ? JSON.stringify(v) : String(v);

describe("pad: the type-level rule equals the runtime on random literal configurations", () => {
  const cases = fc.sample(config, { seed: 21, numRuns: 600 });
  const lines = [
    `import type { Tensor } from "${join(root, "src/tensor.js")}";`,
    `import { pad } from "${join(root, "src/ops/pad.js")}";`,
  ];
  const at: number[] = [];
  cases.forEach((k, i) => {
    const options = k.value === undefined ? `{ mode: ${lit(k.mode)} }` : `{ mode: ${lit(k.mode)}, value: ${k.value} }`;
    lines.push(
      `declare const x${i}: Tensor<${lit(k.shape)}>;`,
      `const y${i} = pad(x${i}, ${lit(k.pads)}, ${options});`,
    );
    at.push(lines.length);
  });
  const { file, diagnostics } = typecheckGenerated("__pad_property_generated.ts", lines);
  const literal = (t: Type): number | undefined => {
    const v = t.getLiteralValue();
    return typeof v === "number" ? v : undefined;
  };

  it(`agrees on ${cases.length} configurations, accepted and refused`, () => {
    let refused = 0;
    const wrong = cases.flatMap((k, i) => {
      let thrown = "";
      let runtime: number[] = [];
      try {
        runtime = padOutShape(
          resolvePad(k.shape, k.pads, k.value === undefined ? { mode: k.mode } : { mode: k.mode, value: k.value }),
        );
      } catch (e) {
        thrown = (e as Error).message;
      }
      const diagnostic = diagnostics.get(at[i]);
      if (thrown) {
        refused++;
        const typed = diagnostic === undefined ? undefined : parameterMessage(diagnostic);
        return typed === thrown
          ? []
          : [`#${i} ${JSON.stringify(k)}: compiler ${typed ?? diagnostic}, runtime ${thrown}`];
      }
      const formula = k.shape.map((n, d) => {
        const j = k.shape.length - 1 - d;
        return 2 * j < k.pads.length ? n + k.pads[2 * j] + k.pads[2 * j + 1] : n;
      });
      const got = shapeElements(file, file.getVariableDeclarationOrThrow(`y${i}`).getType()).map(literal);
      return diagnostic === undefined && lit(got) === lit(formula) && lit(runtime) === lit(formula)
        ? []
        : [
            `#${i} ${JSON.stringify(k)}: compiler ${diagnostic ?? lit(got)}, formula ${lit(formula)}, runtime ${lit(runtime)}`,
          ];
    });
    expect(wrong).toEqual([]);
    expect(refused).toBeGreaterThan(100);
    expect(cases.length - refused).toBeGreaterThan(150);
  });
});
