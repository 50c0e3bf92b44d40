/**
 * float32 CPU layerNorm and groupNorm run as one fused primitive (rowNorm: src/ops/normalization.ts,
 * loops in src/backends/cpu/normalization.ts); their op compositions (`reference`) are the oracle.
 * fast-check with fixed seeds: random shapes, normalised dims, groups, eps, affine on/off (each
 * parameter alone), offsets with |mean| >> std; the output and the gradients of x, weight and bias
 * must agree to float32 rounding, and second derivatives (createGraph, the closed form as ops)
 * too. The PyTorch goldens (test/fixtures/ops/layerNorm.json, groupNorm.json) pass on both paths
 * in float32.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { add, gradients, manualSeed, mul, noGrad, randn, sum, type AnyTensor } from "../../src/index.js";
import { cast } from "../../src/ops/untyped.js";
import { anyShape, reference } from "../../src/ops/normalization.js";
import { expectClose, fixtures, fromFixture, type NormCase } from "./normalization-fixture.js";
import { relativeGap as gap } from "../helpers/compare.js";

type Norm = (x: AnyTensor, arg: never, w?: AnyTensor | null, b?: AnyTensor | null, eps?: number) => AnyTensor;
const fused = anyShape as unknown as Record<"layerNorm" | "groupNorm", Norm>;
const composed = reference as unknown as Record<"layerNorm" | "groupNorm", Norm>;

interface Case {
  op: "layerNorm" | "groupNorm";
  shape: number[];
  /** layerNorm: how many trailing dims are normalised; groupNorm: numGroups. */
  arg: number;
  eps: number;
  weight: boolean;
  bias: boolean;
  offset: number;
  seed: number;
}

const common = {
  eps: fc.constantFrom(1e-5, 1e-3, 0.1),
  weight: fc.boolean(),
  bias: fc.boolean(),
  offset: fc.constantFrom(0, 3, -50),
  seed: fc.integer({ min: 0, max: 1e6 }),
};
const layerArb: fc.Arbitrary<Case> = fc
  .record({
    lead: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
    norm: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }),
    ...common,
  })
  .map(({ lead, norm, ...rest }) => ({ op: "layerNorm", shape: [...lead, ...norm], arg: norm.length, ...rest }));
const groupArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    groups: fc.integer({ min: 1, max: 4 }),
    perGroup: fc.integer({ min: 1, max: 3 }),
    spatial: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }),
    ...common,
  })
  .map(({ n, groups, perGroup, spatial, ...rest }) => ({
    op: "groupNorm",
    shape: [n, groups * perGroup, ...spatial],
    arg: groups,
    ...rest,
  }));

/** The case's tensors (x scaled by 3 and shifted by the offset; parameters around 1 and 0). */
function inputs(c: Case) {
  manualSeed(c.seed);
  const paramShape = c.op === "layerNorm" ? c.shape.slice(c.shape.length - c.arg) : [c.shape[1]];
  const x = add(mul(randn(c.shape), 3), c.offset)
    .detach()
    .requiresGrad_();
  const w = c.weight
    ? add(mul(randn(paramShape), 0.5), 1)
        .detach()
        .requiresGrad_()
    : null;
  const b = c.bias ? randn(paramShape, { requiresGrad: true }) : null;
  return { x, w, b, g: randn(c.shape), v: randn(c.shape), arg: (c.op === "layerNorm" ? paramShape : c.arg) as never };
}

/** y and the gradients of <y, g> in x, weight, bias; `dtype` float64 runs on the same float32 values, cast. */
function firstOrder(impl: Record<"layerNorm" | "groupNorm", Norm>, c: Case, dtype: "float32" | "float64") {
  const t = inputs(c);
  const as = (l: AnyTensor | null) => (l && dtype === "float64" ? cast(l, "float64").detach().requiresGrad_() : l);
  const [x, w, b] = [as(t.x)!, as(t.w), as(t.b)];
  const y = impl[c.op](x, t.arg, w, b, c.eps);
  const leaves = [x, w, b].filter((l): l is AnyTensor => l !== null);
  const grads = gradients([sum(mul(y, as(t.g)!))], leaves);
  return { y, grads };
}

describe("fused float32 CPU layerNorm / groupNorm against the op composition", () => {
  for (const [name, arb, seed] of [
    ["layerNorm", layerArb, 2104],
    ["groupNorm", groupArb, 2105],
  ] as const) {
    // The oracle is the composition in float64 on the same float32 values: the fused loops
    // accumulate in float64 and round each result once, so they agree with it to float32 rounding,
    // where the float32 composition is off by ~1e-7 |mean| / std (x - mean rounded in float32).
    it(`${name}: output and the gradients of x, weight and bias agree on random cases`, () => {
      fc.assert(
        fc.property(arb, (c) => {
          const fast = firstOrder(fused, c, "float32"),
            ref = firstOrder(composed, c, "float64"),
            ref32 = firstOrder(composed, c, "float32");
          // the dispatch: float32 on the CPU is the one primitive, the reference is not
          expect(fast.y.node?.primitive).toBe("rowNorm");
          expect(ref32.y.node?.primitive).not.toBe("rowNorm");
          expect(gap(fast.y, ref.y)).toBeLessThan(3e-7);
          fast.grads.forEach((gr, i) => expect(gap(gr, ref.grads[i])).toBeLessThan(1e-6));
          // and the float32 composition is no closer to the float64 one than the fused path
          expect(gap(fast.y, ref.y)).toBeLessThanOrEqual(Math.max(gap(ref32.y, ref.y), 1.2e-7));
        }),
        { seed, numRuns: 150 },
      );
    });
  }

  it("second derivatives (createGraph) agree, through x, weight, bias and the cotangent", () => {
    fc.assert(
      fc.property(fc.oneof(layerArb, groupArb), (c) => {
        const both = [fused, composed].map((impl) => {
          const t = inputs({ ...c, weight: true, bias: true, offset: 0 });
          const g = t.g.detach().requiresGrad_();
          const y = impl[c.op](t.x, t.arg, t.w, t.b, c.eps);
          const [gx, gw, gb] = gradients([sum(mul(y, g))], [t.x, t.w!, t.b!], { createGraph: true });
          // d/d(x, w, g) of <dL/dx, v> + sum(dL/dw^2) + sum(dL/db^2): every term of the closed form
          const s = add(add(sum(mul(gx, t.v)), sum(mul(gw, gw))), sum(mul(gb, gb)));
          return [gx, gw, gb, ...gradients([s], [t.x, t.w!, g])];
        });
        // second derivatives carry 1 / std^2: a row of two values makes that large
        for (let i = 0; i < 6; i++) expect(gap(both[0][i], both[1][i])).toBeLessThan(i < 3 ? 2e-5 : 5e-4);
      }),
      { seed: 2106, numRuns: 60 },
    );
  });

  it("keeps float32 accuracy when |mean| >> std (two-pass row statistics)", () => {
    manualSeed(5);
    // std 0.01 around 1000: E[x^2] - E[x]^2 would lose every digit of the variance in float32
    const x = add(mul(randn([6, 4, 5, 3]), 1e-2), 1000)
      .detach()
      .requiresGrad_();
    const x64 = cast(x, "float64");
    const ln = fused.layerNorm(x, [5, 3] as never);
    expect(ln.node?.primitive).toBe("rowNorm");
    expect(gap(cast(ln, "float64"), composed.layerNorm(x64, [5, 3] as never))).toBeLessThan(1e-5);
    expect(gap(cast(fused.groupNorm(x, 2 as never), "float64"), composed.groupNorm(x64, 2 as never))).toBeLessThan(
      1e-5,
    );
  });

  it("under noGrad the primitive is not recorded, and a changed input is refused at backward", () => {
    const x = randn([3, 8], { requiresGrad: true });
    expect(noGrad(() => fused.layerNorm(x, 8 as never)).node).toBeNull();
    const y = fused.layerNorm(x, 8 as never);
    noGrad(() => x.assign(randn([3, 8])));
    expect(() => sum(y).backward()).toThrow(/modified/);
  });

  it("float64 stays on the composition (its goldens are checked to 1e-12 in normalization.test.ts)", () => {
    const x = randn([2, 6, 3], { dtype: "float64", requiresGrad: true });
    expect(fused.layerNorm(x, 3 as never).node?.primitive).not.toBe("rowNorm");
    expect(fused.groupNorm(x, 2 as never).node?.primitive).not.toBe("rowNorm");
  });
});

describe("the PyTorch goldens in float32 on both paths", () => {
  const ARGS = ["x", "weight", "bias"] as const;
  for (const op of ["layerNorm", "groupNorm"] as const) {
    const call = (impl: Record<"layerNorm" | "groupNorm", Norm>, c: NormCase, ins: Record<string, AnyTensor | null>) =>
      impl[op](
        ins.x!,
        (op === "layerNorm" ? c.args.normalizedShape : c.args.numGroups) as never,
        ins.weight,
        ins.bias,
        c.args.eps,
      );
    for (const [path, impl] of [
      ["fused", fused],
      ["composition", composed],
    ] as const) {
      for (const c of fixtures[op].cases) {
        it(`${op} ${path}: ${c.id} (float64 golden, float32 inputs): output, gradients, double backward`, () => {
          const ins: Record<string, AnyTensor | null> = {};
          for (const k of ARGS)
            ins[k] = c.inputs[k] ? fromFixture(c.inputs[k], "float32", { requiresGrad: true }) : null;
          const y = call(impl, c, ins);
          expect(y.node?.primitive === "rowNorm").toBe(path === "fused");
          expectClose(y.dataSync(), y.shape, c.output, 2e-5, "output");
          const present = ARGS.filter((k) => ins[k]);
          const gy = fromFixture(c.gy!, "float32", { requiresGrad: true });
          // without a graph: the fused loops (on that path); with one: the closed form as ops
          for (const createGraph of [false, true]) {
            const grads = gradients(
              y,
              present.map((k) => ins[k]!),
              { seeds: [gy], createGraph, retainGraph: true },
            );
            present.forEach((k, i) =>
              expectClose(
                grads[i].dataSync(),
                grads[i].shape,
                c.grads![k]!,
                1e-4,
                `grad ${k} (createGraph ${createGraph})`,
              ),
            );
          }
          const grads = gradients(
            y,
            present.map((k) => ins[k]!),
            { seeds: [gy], createGraph: true },
          );
          const s = present
            .map((k, i) => sum(mul(grads[i], fromFixture(c.double!.v[k]!, "float32"))))
            .reduce((a, b) => add(a, b));
          const second = gradients(s, [...present.map((k) => ins[k]!), gy]);
          [...present, "gy" as const].forEach((k, i) =>
            expectClose(second[i].dataSync(), second[i].shape, c.double!.grads[k]!, 1e-3, `double grad ${k}`),
          );
        });
      }
      for (const c of fixtures[op].float32Cases) {
        it(`${op} ${path}: ${c.id}`, () => {
          const ins: Record<string, AnyTensor | null> = {};
          for (const k of ARGS) ins[k] = c.inputs[k] ? fromFixture(c.inputs[k], "float32") : null;
          const y = call(impl, c, ins);
          expect(y.node).toBeNull();
          expectClose(y.dataSync(), y.shape, c.output, 1e-5, "float32 output");
        });
      }
    }
  }
});
