/**
 * The nn surface under the same rule as the core ops (fuzz.test.ts): random valid and invalid
 * calls to layer constructors, layer forwards, the norms and the losses either work (right shape, finite for
 * finite input) or throw a plain Error whose message starts with the function or layer's name,
 * never a TypeError / RangeError from inside. Seeded fast-check, 3,000 cases.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";

const SEED = 42;
const F = sg.nn.functional;

/** Either a tensor of `shape` with no NaN, or a plain Error whose message starts with one of `names`. */
function plainOutcome(call: () => unknown, names: readonly string[], shape?: readonly number[]): "ok" | "refused" {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    expect((e as Error).constructor, String(e)).toBe(Error);
    const message = (e as Error).message;
    expect(
      names.some((n) => message.startsWith(`${n}: `)),
      message,
    ).toBe(true);
    return "refused";
  }
  if (result instanceof sg.Tensor) {
    if (shape) expect([...(result as sg.AnyTensor).shape]).toEqual([...shape]);
    for (const v of result.dataSync())
      if (Number.isNaN(v)) throw new Error(`NaN in a result of shape ${JSON.stringify(result.shape)}`);
  }
  return "ok";
}

const anyNumber = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, NaN, Infinity, 2 ** 53, 1e21) },
);

describe("nn fuzz", () => {
  it("crossEntropy / nllLoss-style class targets of any shape, dtype and value", () => {
    const tally = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
        fc.integer({ min: -2, max: 4 }),
        fc.constantFrom("int32", "int32", "float32"),
        fc.constantFrom("mean", "sum", "none"),
        fc.boolean(),
        (shape, targetShape, classValue, targetDtype, reduction, matchTarget) => {
          const input = sg.rand(shape);
          const tShape = matchTarget && shape.length >= 2 ? [shape[0], ...shape.slice(2)] : targetShape;
          const target = sg.full(tShape, classValue, { dtype: targetDtype as "int32" });
          const out = reduction === "none" ? undefined : [];
          tally[plainOutcome(() => F.crossEntropy(input, target, { reduction } as never), ["crossEntropy"], out)]++;
        },
      ),
      { seed: SEED, numRuns: 800 },
    );
    expect(tally.ok).toBeGreaterThan(50);
    expect(tally.refused).toBeGreaterThan(50);
  });

  it("Linear and Conv2d constructors with any sizes, then a forward with any input", () => {
    const tally = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(
        anyNumber,
        anyNumber,
        anyNumber,
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (a, b, k, inputShape, conv) => {
          let layer: sg.nn.Module | null = null;
          const made = plainOutcome(() => {
            layer = conv ? sg.nn.Conv2d(a, b, k, { padding: 1 }) : sg.nn.Linear(a, b);
          }, ["Conv2d", "Linear", "conv2d", "linear", "nn.Conv2d", "nn.Linear"]);
          tally[made]++;
          if (!layer) return;
          const x = sg.rand(inputShape);
          tally[
            plainOutcome(
              () => (layer as unknown as { forward(t: sg.AnyTensor): sg.AnyTensor }).forward(x),
              ["conv2d", "linear", "matmul", "Conv2d", "Linear"],
            )
          ]++;
        },
      ),
      { seed: SEED, numRuns: 800 },
    );
    expect(tally.ok).toBeGreaterThan(50);
    expect(tally.refused).toBeGreaterThan(50);
  });

  it("softmax / logSoftmax over any dim, finite at large logits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
        fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(1.5, NaN)),
        fc.constantFrom(1, 1e4, -1e4, 3e38),
        fc.boolean(),
        (shape, dim, scale, log) => {
          const x = sg.mul(sg.rand(shape), scale);
          plainOutcome(() => (log ? F.logSoftmax(x, dim) : F.softmax(x, dim)), ["softmax", "logSoftmax"], shape);
        },
      ),
      { seed: SEED, numRuns: 800 },
    );
  });
  // Issue 21: layer and group normalisation.
  it("LayerNorm / GroupNorm constructors and layerNorm / groupNorm with any sizes and inputs", () => {
    const tally = { ok: 0, refused: 0 };
    const names = ["LayerNorm", "GroupNorm", "layerNorm", "groupNorm"];
    fc.assert(
      fc.property(
        anyNumber,
        anyNumber,
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
        fc.constantFrom(1e-5, 0.1, 0, -1, NaN),
        fc.boolean(),
        (a, b, inputShape, eps, group) => {
          const x = sg.rand(inputShape);
          const ns = inputShape.length && a <= inputShape.length ? inputShape.slice(-a) : [a];
          const arg = group ? a : ns;
          const param = group ? [b] : ns;
          const w = sg.rand(param.every((d) => Number.isSafeInteger(d) && d > 0) ? param : [1]);
          const call = () => (group ? F.groupNorm(x, a, w, null, eps) : F.layerNorm(x, arg, w, null, eps));
          tally[plainOutcome(call, names, inputShape)]++;
          let layer: sg.nn.Module | null = null;
          tally[
            plainOutcome(() => {
              layer = group ? sg.nn.GroupNorm(a, b, { eps }) : sg.nn.LayerNorm(ns, { eps });
            }, names)
          ]++;
          if (!layer) return;
          const forward = () => (layer as unknown as { forward(t: sg.AnyTensor): sg.AnyTensor }).forward(x);
          tally[plainOutcome(forward, names, inputShape)]++;
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
    expect(tally.ok).toBeGreaterThan(50);
    expect(tally.refused).toBeGreaterThan(50);
  });
});
