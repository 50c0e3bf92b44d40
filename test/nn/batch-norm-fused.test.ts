/**
 * Training-mode batch norm of float32 CPU tensors runs as one fused primitive (src/ops/batch-norm.ts,
 * loops in src/backends/cpu/batch-norm.ts); its op composition (batchNormReference) is the oracle.
 * fast-check with a fixed seed: random shapes of rank 2 to 4, eps, momentum (numeric and null, the
 * cumulative average), affine on/off, running statistics on/off, training and evaluation; the
 * output, the running statistics and the gradients of x, weight and bias must agree to float32
 * rounding. Second derivatives (createGraph) go through the closed form written as ops and must
 * match the composition's too, and the statistics must stay accurate when |mean| >> std.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { add, gradients, manualSeed, mul, randn, sum } from "../../src/index.js";
import { cast } from "../../src/ops/untyped.js";
import * as nn from "../../src/nn/index.js";
import { batchNorm, batchNormReference } from "../../src/nn/functional-impl.js";
import { relativeGap as gap } from "../helpers/compare.js";
import { batchNormTrainCpu, batchNormTrainFusedGradient } from "../../src/ops/batch-norm.js";
import { poolStats, setPoolBytes } from "../../src/backends/cpu/arrays.js";
import type { PrimitiveParams } from "../../src/primitives/index.js";

type Impl = typeof batchNorm;

interface Case {
  shape: number[];
  eps: number;
  momentum: number | null;
  tracked: number;
  affine: boolean;
  running: boolean;
  training: boolean;
  seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  shape: fc
    .tuple(
      fc.integer({ min: 2, max: 4 }),
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 2 }),
    )
    .map(([n, c, rest]) => [n, c, ...rest]),
  eps: fc.constantFrom(1e-5, 1e-3, 0.1),
  momentum: fc.oneof(fc.constant(null), fc.constantFrom(0.1, 0.5, 1)),
  tracked: fc.integer({ min: 1, max: 5 }),
  affine: fc.boolean(),
  running: fc.boolean(),
  training: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

/** One forward and backward of `impl` on the case's data: output, running stats, gradients. */
function run(impl: Impl, c: Case) {
  manualSeed(c.seed);
  const ch = c.shape[1];
  const x = mul(randn(c.shape), 3).detach().requiresGrad_();
  const w = c.affine ? randn([ch], { requiresGrad: true }) : null;
  const b = c.affine ? randn([ch], { requiresGrad: true }) : null;
  const rm = c.running ? randn([ch]) : null;
  const rv = c.running ? add(mul(randn([ch]), randn([ch])).abs(), 0.1) : null;
  const g = randn(c.shape);
  const training = c.training || !c.running;
  const r = impl(x, rm, rv, {
    weight: w,
    bias: b,
    training,
    momentum: c.momentum,
    eps: c.eps,
    numBatchesTracked: c.tracked,
  });
  sum(mul(r.output, g)).backward();
  return { out: r.output, rm: r.runningMean, rv: r.runningVar, gx: x.grad, gw: w?.grad ?? null, gb: b?.grad ?? null };
}

describe("fused float32 CPU batch norm against its op composition", () => {
  it("forward, running statistics and gradients agree on random cases", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        if (c.running) c.shape[0] = Math.max(c.shape[0], 2);
        const fast = run(batchNorm, c),
          ref = run(batchNormReference, c);
        // the dispatch: training with batch statistics is the fused primitive, evaluation the ops
        expect(fast.out.node?.primitive === "batchNormTrain").toBe(c.training || !c.running);
        expect(gap(fast.out, ref.out)).toBeLessThan(2e-6);
        expect(gap(fast.rm, ref.rm)).toBeLessThan(2e-6);
        expect(gap(fast.rv, ref.rv)).toBeLessThan(2e-6);
        expect(gap(fast.gx, ref.gx)).toBeLessThan(1e-5);
        expect(gap(fast.gw, ref.gw)).toBeLessThan(1e-5);
        expect(gap(fast.gb, ref.gb)).toBeLessThan(1e-5);
      }),
      { seed: 23, numRuns: 120 },
    );
  });

  it("second derivatives (createGraph) agree, through weight, bias and the input", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const both = [batchNorm, batchNormReference].map((impl) => {
          manualSeed(c.seed);
          const ch = c.shape[1];
          const x = randn(c.shape, { requiresGrad: true }),
            w = randn([ch], { requiresGrad: true }),
            b = randn([ch], { requiresGrad: true });
          const g = randn(c.shape),
            v = randn(c.shape);
          const y = impl(x, null, null, { weight: w, bias: b, training: true, eps: c.eps }).output;
          const [gx, gw] = gradients([sum(mul(y, g))], [x, w], { createGraph: true });
          // d/d(x, w) of <dL/dx, v> + sum(dL/dw^2): every term of the closed form is differentiated
          return [gx, gw, ...gradients([sum(mul(gx, v)), sum(mul(gw, gw))], [x, w])];
        });
        // second derivatives carry 1 / std^2: with 2 values a channel the rounding grows with them
        for (let i = 0; i < 4; i++) expect(gap(both[0][i], both[1][i])).toBeLessThan(i < 2 ? 2e-5 : 2e-4);
      }),
      { seed: 2323, numRuns: 40 },
    );
  });

  it("keeps float32 accuracy when |mean| >> std (two-pass statistics)", () => {
    manualSeed(5);
    // std 0.01 around 1000: E[x^2] - E[x]^2 would lose every digit of the variance in float32
    const x = add(mul(randn([8, 3, 4, 4]), 1e-2), 1000);
    const want = batchNormReference(cast(x, "float64"), null, null, { training: true }).output;
    const got = batchNorm(x, null, null, { training: true }).output;
    expect(gap(cast(got, "float64"), want)).toBeLessThan(1e-5);
  });

  it("a BatchNorm2d layer trains through the fused path and tracks its statistics as the ops do", () => {
    const make = () => {
      manualSeed(9);
      return nn.BatchNorm2d(4);
    };
    const fastBn = make(),
      refBn = make();
    manualSeed(10);
    const x = randn([6, 4, 5, 5]);
    for (let step = 0; step < 3; step++) {
      fastBn.forward(x);
      const r = batchNormReference(x, refBn.runningMean, refBn.runningVar, {
        weight: refBn.weight,
        bias: refBn.bias,
        training: true,
        momentum: 0.1,
      });
      refBn.runningMean!.assign(r.runningMean as never);
      refBn.runningVar!.assign(r.runningVar as never);
    }
    expect(gap(fastBn.runningMean, refBn.runningMean)).toBeLessThan(2e-6);
    expect(gap(fastBn.runningVar, refBn.runningVar)).toBeLessThan(2e-6);
  });

  it("the per-channel gradients nobody asked for go back to the array pool", () => {
    manualSeed(13);
    const x = randn([2, 40, 3, 3], { requiresGrad: true });
    const { output } = batchNormTrainCpu(x, randn([40]), randn([40]), 1e-5);
    const node = output.node!;
    const p = node.params as PrimitiveParams["batchNormTrain"];
    for (const needs of [
      [true, false, false],
      [false, true, false],
      [true, true, true],
    ]) {
      setPoolBytes(poolStats().budget); // empties the pool
      const grads = batchNormTrainFusedGradient(randn([2, 40, 3, 3]), node.inputs, p, needs, null);
      expect(grads.map((g) => g !== null)).toEqual(needs);
      // 160-byte arrays, pooled: every unwanted one of weight and bias is free again, nothing else is
      expect(poolStats().freeArrays).toBe(needs.slice(1).filter((n) => !n).length);
    }
  });
});
