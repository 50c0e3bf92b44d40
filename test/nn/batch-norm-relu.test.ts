/**
 * BatchNorm2d followed by ReLU inside nn.Sequential runs as one primitive, batchNormReluTrain
 * (float32 CPU training): relu in the normalising pass, relu's gradient staged in the backward's
 * own storage. The unfused pair, relu(batchNorm(...)) as two primitives, is the reference, and the
 * fused one must equal it bit for bit: the output, the running statistics and every gradient
 * (fast-check, fixed seeds, including zero and negative weights, whose outputs hit relu's kink at
 * exactly 0, and non-finite channels, which take the compare loop).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { add, full, gradients, manualSeed, mul, randn, relu, sum, tensor, zeros } from "../../src/index.js";
import type { AnyTensor } from "../../src/tensor.js";
import * as nn from "../../src/nn/index.js";
import { batchNorm, batchNormRelu } from "../../src/nn/functional-impl.js";
import { relativeGap as gap } from "../helpers/compare.js";

/** Equal as numbers element by element (NaN equal to NaN), and with the same sign of zero. */
function expectSame(a: AnyTensor | null | undefined, b: AnyTensor | null | undefined): void {
  expect(a).toBeTruthy();
  expect(b).toBeTruthy();
  const x = Array.from(a!.dataSync() as Float32Array),
    y = Array.from(b!.dataSync() as Float32Array);
  expect(a!.shape).toEqual(b!.shape);
  const differ = x.findIndex((v, i) => !Object.is(v, y[i]));
  expect(differ === -1 ? null : { at: differ, fused: x[differ], unfused: y[differ] }).toBeNull();
}

interface Case {
  shape: number[];
  affine: boolean;
  /** Channels whose weight is 0 (every output there is the bias: relu's kink when it is 0 or -0). */
  zeroWeight: boolean;
  eps: number;
  seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  shape: fc
    .tuple(
      fc.integer({ min: 2, max: 4 }),
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 2 }),
    )
    .map(([n, c, rest]) => [n, c, ...rest]),
  affine: fc.boolean(),
  zeroWeight: fc.boolean(),
  eps: fc.constantFrom(1e-5, 1e-3, 0.1),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

/** The case's data; `fused` picks batchNormRelu, else relu of batchNorm (two primitives). */
function run(
  fused: boolean,
  c: Case,
  special?: (x: AnyTensor, w: AnyTensor) => [AnyTensor, AnyTensor],
  specialG?: (g: AnyTensor) => AnyTensor,
) {
  manualSeed(c.seed);
  const ch = c.shape[1];
  let x: AnyTensor = mul(randn(c.shape), 3);
  let w: AnyTensor = randn([ch]);
  if (c.zeroWeight) w = mul(w, tensor(Float32Array.from({ length: ch }, (_, i) => i % 2)));
  if (special) [x, w] = special(x, w);
  x = x.detach().requiresGrad_();
  const weight = c.affine ? w.detach().requiresGrad_() : null;
  // a zero bias in half the channels puts outputs of zero-weight channels exactly on the kink
  const bias = c.affine
    ? mul(randn([ch]), tensor(Float32Array.from({ length: ch }, (_, i) => (i % 4 < 2 ? 0 : 1))))
        .detach()
        .requiresGrad_()
    : null;
  const rm = zeros([ch]),
    rv = full([ch], 1);
  let g: AnyTensor = randn(c.shape);
  if (specialG) g = specialG(g);
  const options = { weight, bias, training: true, momentum: 0.1, eps: c.eps };
  const r = fused ? batchNormRelu(x, rm, rv, options) : batchNorm(x, rm, rv, options);
  const out = fused ? r.output : relu(r.output);
  const wanted = [x, weight, bias].filter((t): t is AnyTensor => t !== null);
  const grads = gradients([sum(mul(out, g))], wanted);
  return { out, rm: r.runningMean, rv: r.runningVar, grads };
}

describe("batchNormReluTrain: BatchNorm2d + ReLU fused, against the two primitives", () => {
  it("output, running statistics and gradients are the unfused pair's, bit for bit", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const fused = run(true, c),
          plain = run(false, c);
        expect(fused.out.node?.primitive).toBe("batchNormReluTrain");
        expect(plain.out.node?.primitive).toBe("relu");
        expectSame(fused.out, plain.out);
        expectSame(fused.rm, plain.rm);
        expectSame(fused.rv, plain.rv);
        fused.grads.forEach((g, i) => expectSame(g, plain.grads[i]));
      }),
      { seed: 2301, numRuns: 150 },
    );
  });

  it("non-finite channels (infinite weight, NaN or infinite input or cotangent) take relu's own rule, as the pair", () => {
    const base: Case = { shape: [3, 4, 2, 3], affine: true, zeroWeight: false, eps: 1e-5, seed: 7 };
    const channel = (t: AnyTensor, c: number, v: number, at = 1): AnyTensor => {
      const d = Float32Array.from(t.dataSync() as Float32Array);
      const inner = t.shape.slice(2).reduce((p, q) => p * q, 1);
      if (t.shape.length === 1) d[c] = v;
      else d[c * inner + at] = v;
      return tensor(d, { shape: t.shape });
    };
    const specials: ((x: AnyTensor, w: AnyTensor) => [AnyTensor, AnyTensor])[] = [
      (x, w) => [x, channel(w, 1, Infinity)],
      (x, w) => [x, channel(w, 2, -Infinity)],
      (x, w) => [channel(x, 0, NaN), w],
      (x, w) => [channel(x, 3, -Infinity), w],
      (x, w) => [channel(x, 1, Infinity), channel(w, 3, 0)],
    ];
    for (const special of specials) {
      const fused = run(true, base, special),
        plain = run(false, base, special);
      expectSame(fused.out, plain.out);
      fused.grads.forEach((g, i) => expectSame(g, plain.grads[i]));
    }
    // a cotangent of +-inf or NaN: where relu's output is 0 its gradient is 0 all the same
    for (const v of [Infinity, -Infinity, NaN]) {
      for (let at = 0; at < 6; at++) {
        const specialG = (g: AnyTensor) => channel(g, 2, v, at);
        const fused = run(true, base, undefined, specialG),
          plain = run(false, base, undefined, specialG);
        fused.grads.forEach((g, i) => expectSame(g, plain.grads[i]));
      }
    }
  });

  it("second derivatives (createGraph) go through relu's gradient and the closed form, as the pair's", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const both = [true, false].map((fusedPath) => {
          manualSeed(c.seed);
          const ch = c.shape[1];
          const x = randn(c.shape, { requiresGrad: true }),
            w = randn([ch], { requiresGrad: true }),
            b = randn([ch], { requiresGrad: true });
          const g = randn(c.shape),
            v = randn(c.shape);
          const options = { weight: w, bias: b, training: true, eps: c.eps };
          const y = fusedPath
            ? batchNormRelu(x, null, null, options).output
            : relu(batchNorm(x, null, null, options).output);
          const [gx, gw] = gradients([sum(mul(y, g))], [x, w], { createGraph: true });
          return [gx, gw, ...gradients([sum(mul(gx, v)), sum(mul(gw, gw))], [x, w])];
        });
        // the fused backward and the closed form as ops round differently (see batch-norm-fused.test.ts)
        for (let i = 0; i < 4; i++) expect(gap(both[0][i], both[1][i])).toBeLessThan(i < 2 ? 2e-5 : 2e-4);
      }),
      { seed: 2302, numRuns: 30 },
    );
  });
});

describe("nn.Sequential fuses a BatchNorm2d followed by a ReLU", () => {
  const build = () => {
    manualSeed(11);
    return nn.Sequential(
      nn.Conv2d(3, 8, 3, { padding: 1 }),
      nn.BatchNorm2d(8),
      nn.ReLU(),
      nn.MaxPool2d(2),
      nn.Conv2d(8, 4, 3),
      nn.BatchNorm2d(4),
      nn.ReLU(),
    );
  };
  /** The same layers called one by one: the unfused reference. */
  const layerByLayer = (s: ReturnType<typeof build>, x: AnyTensor): AnyTensor =>
    s.layers.reduce((y, l) => (l.forward as (t: AnyTensor) => AnyTensor).call(l, y), x);

  it("trains as the layers called one by one: outputs, gradients, running statistics, over three steps", () => {
    const fused = build(),
      plain = build();
    manualSeed(12);
    const x = randn([4, 3, 10, 10]);
    const g = randn([4, 4, 3, 3]);
    for (let step = 0; step < 3; step++) {
      const yf = fused.forward(x as never) as AnyTensor,
        yp = layerByLayer(plain, x);
      expect(yf.node?.primitive).toBe("batchNormReluTrain");
      expect(yp.node?.primitive).toBe("relu");
      expectSame(yf, yp);
      const pf = fused.parameters(),
        pp = plain.parameters();
      const gf = gradients([sum(mul(yf, g))], pf),
        gp = gradients([sum(mul(yp, g))], pp);
      gf.forEach((t, i) => expectSame(t, gp[i]));
      // a plain update so that the next step starts from moved weights
      pf.forEach((p, i) => p.assign(add(p, mul(gf[i], -0.1)).detach()));
      pp.forEach((p, i) => p.assign(add(p, mul(gp[i], -0.1)).detach()));
    }
    const bf = fused.layers[5] as nn.BatchNorm2d,
      bp = plain.layers[5] as nn.BatchNorm2d;
    expectSame(bf.runningMean, bp.runningMean);
    expectSame(bf.runningVar, bp.runningVar);
    expectSame(bf.numBatchesTracked, bp.numBatchesTracked);
  });

  it("does not fuse in evaluation, across other layers, or a subclass or a replaced forward", () => {
    const s = build();
    const x = randn([2, 3, 6, 6]);
    s.eval();
    expect((s.forward(x as never) as AnyTensor).node?.primitive).toBe("relu");
    s.train();
    class MyReLU extends nn.ReLU {}
    const cases: [nn.Module[], string][] = [
      [[nn.BatchNorm2d(3), new MyReLU()], "relu"],
      [[nn.BatchNorm2d(3), nn.Identity(), nn.ReLU()], "relu"],
      [[nn.ReLU(), nn.BatchNorm2d(3)], "batchNormTrain"],
      [[nn.BatchNorm2d(3), nn.ReLU()], "batchNormReluTrain"],
    ];
    for (const [layers, last] of cases) {
      const seq = nn.Sequential(...layers);
      expect((seq.forward(randn([2, 3, 4, 4], { requiresGrad: true }) as never) as AnyTensor).node?.primitive).toBe(
        last,
      );
    }
    const replaced = nn.ReLU();
    Object.defineProperty(replaced, "forward", { value: (t: AnyTensor) => mul(relu(t), 2) });
    const y = nn.Sequential(nn.BatchNorm2d(3), replaced).forward(randn([2, 3, 4, 4]) as never) as AnyTensor;
    expect(y.node?.primitive ?? "mul").toBe("mul");
  });

  it("a wrong input is refused naming the batch norm's position, as unfused", () => {
    const s = nn.Sequential(nn.BatchNorm2d(4), nn.ReLU());
    expect(() => s.forward(randn([2, 3, 4, 4]) as never)).toThrow(
      /^nn\.Sequential: layer 0 \(BatchNorm2d\): BatchNorm2d: input has 3 channels/,
    );
  });
});
