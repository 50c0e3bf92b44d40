/**
 * BatchNorm2d followed by ReLU inside nn.Sequential runs as one primitive, batchNormReluTrain
 * (float32 CPU training): relu in the normalising pass, relu's gradient staged in the backward's
 * own storage. The unfused pair, relu(batchNorm(...)) as two primitives, is the reference, and the
 * fused one must equal it bit for bit: the output, the running statistics and every gradient
 * (fast-check, fixed seeds, including zero and negative weights, whose outputs hit relu's kink at
 * exactly 0, and non-finite channels, which take the compare loop). nn.ReLU also fuses on its own
 * when it reads a BatchNorm2d's training output in a module's own forward (ResNet's blocks).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { add, full, gradients, manualSeed, mul, noGrad, randn, relu, sum, tensor, zeros } from "../../src/index.js";
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
  /** The same layers called one by one, the ReLUs as the relu op (an nn.ReLU fuses by itself): the unfused reference. */
  const layerByLayer = (s: ReturnType<typeof build>, x: AnyTensor): AnyTensor =>
    s.layers.reduce(
      (y, l) => (l instanceof nn.ReLU ? relu(y) : (l.forward as (t: AnyTensor) => AnyTensor).call(l, y)),
      x,
    );

  it("trains as the layers called one by one: outputs, gradients, running statistics, over three steps", () => {
    const fused = build(),
      plain = build();
    manualSeed(12);
    const x = randn([4, 3, 10, 10]);
    const g = randn([4, 4, 3, 3]);
    for (let step = 0; step < 3; step++) {
      const yf = fused.forward(x) as AnyTensor,
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

  it("does not fuse in evaluation, across other layers, or a replaced forward", () => {
    const s = build();
    const x = randn([2, 3, 6, 6]);
    s.eval();
    expect((s.forward(x as never) as AnyTensor).node?.primitive).toBe("relu");
    s.train();
    class MyReLU extends nn.ReLU {}
    const cases: [nn.Module[], string][] = [
      // a subclass keeps nn.ReLU's own compute, which fuses on a batch norm's output by itself
      [[nn.BatchNorm2d(3), new MyReLU()], "batchNormReluTrain"],
      [[nn.BatchNorm2d(3), nn.Identity(), nn.ReLU()], "batchNormReluTrain"],
      [[nn.BatchNorm2d(3), nn.Sigmoid(), nn.ReLU()], "relu"],
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
    const y = nn.Sequential(nn.BatchNorm2d(3), replaced).forward(randn([2, 3, 4, 4])) as AnyTensor;
    expect(y.node?.primitive ?? "mul").toBe("mul");
  });

  it("a wrong input is refused naming the batch norm's position, as unfused", () => {
    const s = nn.Sequential(nn.BatchNorm2d(4), nn.ReLU());
    expect(() => s.forward(randn([2, 3, 4, 4]) as never)).toThrow(
      /^nn\.Sequential: layer 0 \(BatchNorm2d\): BatchNorm2d: input has 3 channels/,
    );
  });
});

/**
 * A block's own forward, as torchvision's BasicBlock writes it: relu(bn1(conv1(x))), then
 * relu(bn2(conv2(.)) + x). `fusing`: its ReLU layer (which recognises a batch norm's output);
 * else the relu op (two primitives), the reference.
 */
class Block extends nn.Module {
  conv1 = nn.Conv2d(4, 4, 3, { padding: 1, bias: false });
  bn1 = nn.BatchNorm2d(4);
  conv2 = nn.Conv2d(4, 4, 3, { padding: 1, bias: false });
  bn2 = nn.BatchNorm2d(4);
  reluLayer = nn.ReLU();
  constructor(readonly fusing: boolean) {
    super();
  }
  act(t: AnyTensor): AnyTensor {
    return this.fusing ? this.reluLayer.forward(t) : relu(t);
  }
  forward(x: AnyTensor): AnyTensor {
    const out = this.act(this.bn1.forward(this.conv1.forward(x as never)));
    return this.act(add(this.bn2.forward(this.conv2.forward(out as never) as never) as AnyTensor, x));
  }
}

describe("nn.ReLU on a BatchNorm2d's training output fuses with it (a block's own forward)", () => {
  it("trains as relu of the batch norm: outputs, gradients and running statistics bit for bit, three steps", () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 2, max: 3 }), h: fc.integer({ min: 1, max: 6 }), seed: fc.nat(1e6) }),
        ({ n, h, seed }) => {
          const blocks = [true, false].map((fusing) => {
            manualSeed(seed);
            return new Block(fusing);
          });
          manualSeed(seed + 1);
          const x = randn([n, 4, h, h]),
            g = randn([n, 4, h, h]);
          for (let step = 0; step < 3; step++) {
            const [yf, yp] = blocks.map((b) => b.forward(x));
            const [gf, gp] = blocks.map((b, i) => gradients([sum(mul([yf, yp][i], g))], b.parameters()));
            expectSame(yf, yp);
            gf.forEach((t, i) => expectSame(t, gp[i]));
            blocks.forEach((b, k) =>
              b.parameters().forEach((p, i) => p.assign(add(p, mul([gf, gp][k][i], -0.1)).detach())),
            );
          }
          expectSame(blocks[0].bn1.runningVar, blocks[1].bn1.runningVar);
          expectSame(blocks[0].bn2.runningMean, blocks[1].bn2.runningMean);
        },
      ),
      { seed: 2303, numRuns: 40 },
    );
    // the first relu is the fused primitive; the second reads an add, and stays relu
    const b = new Block(true);
    const h = b.bn1.forward(b.conv1.forward(randn([2, 4, 3, 3]) as never)) as AnyTensor;
    expect((b.reluLayer.forward(h as never) as AnyTensor).node?.primitive).toBe("batchNormReluTrain");
    expect((b.reluLayer.forward(add(h, 1) as never) as AnyTensor).node?.primitive).toBe("relu");
  });

  it("a batch norm output read elsewhere too gets both paths' gradients (linear in g: to float32 rounding)", () => {
    fc.assert(
      fc.property(fc.nat(1e6), (seed) => {
        const grads = [true, false].map((fusing) => {
          manualSeed(seed);
          const bn = nn.BatchNorm2d(3);
          const x = randn([4, 3, 5, 5], { requiresGrad: true });
          const h = bn.forward(x) as AnyTensor;
          const y = fusing ? (nn.ReLU().forward(h) as AnyTensor) : relu(h);
          expect(y.node?.primitive).toBe(fusing ? "batchNormReluTrain" : "relu");
          const g = randn([4, 3, 5, 5]);
          return gradients([sum(mul(add(y, mul(h, 0.5)), g))], [x, ...bn.parameters()]);
        });
        grads[0].forEach((t, i) => expect(gap(t, grads[1][i])).toBeLessThan(1e-5));
      }),
      { seed: 2304, numRuns: 30 },
    );
  });

  it("is not taken where relu of the output would differ or the graph is spent: changed data, evaluation, no grad", () => {
    const bn = nn.BatchNorm2d(3);
    const reluLayer = nn.ReLU();
    const make = () => bn.forward(randn([2, 3, 4, 4], { requiresGrad: true })) as AnyTensor;
    const prim = (t: AnyTensor) => (reluLayer.forward(t) as AnyTensor).node?.primitive;
    // the batch norm's weight changed after it ran: relu must read the output the old weight made
    const h = make();
    const expected = relu(h).dataSync().slice();
    bn.weight!.assign(mul(bn.weight!, 2).detach());
    const y = reluLayer.forward(h) as AnyTensor;
    expect(y.node?.primitive).toBe("relu");
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected));
    // the output itself changed in place
    const h2 = make();
    h2.assign(mul(h2, -1).detach());
    expect(prim(h2)).toBe("relu");
    // a backward already went through the batch norm's node: a second one fails as unfused
    const h3 = make();
    sum(h3).backward();
    expect(prim(h3)).toBe("relu");
    expect(() => sum(reluLayer.forward(h3 as never) as AnyTensor).backward()).toThrow(/batchNormTrain/);
    // evaluation (running statistics: no batchNormTrain) and no recording
    bn.eval();
    expect(prim(make())).toBe("relu");
    bn.train();
    const h4 = make();
    expect(noGrad(() => (reluLayer.forward(h4 as never) as AnyTensor).node)).toBeNull();
  });
});

describe("nn.functional.relu on a batch norm's training output fuses as nn.ReLU does", () => {
  it("F.relu(bn(x)) trains as the relu op of it: outputs, gradients, running statistics bit for bit", () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 2, max: 3 }), h: fc.integer({ min: 1, max: 6 }), seed: fc.nat(1e6) }),
        ({ n, h, seed }) => {
          const runs = [nn.functional.relu as (t: AnyTensor) => AnyTensor, relu].map((act) => {
            manualSeed(seed);
            const conv = nn.Conv2d(4, 4, 3, { padding: 1 }),
              bn = nn.BatchNorm2d(4);
            manualSeed(seed + 1);
            const x = randn([n, 4, h, h]),
              g = randn([n, 4, h, h]);
            const y = act(bn.forward(conv.forward(x as never)));
            const params = [...conv.parameters(), ...bn.parameters()];
            return { y, bn, grads: gradients([sum(mul(y, g))], params) };
          });
          expect(runs[0].y.node?.primitive).toBe("batchNormReluTrain");
          expect(runs[1].y.node?.primitive).toBe("relu");
          expectSame(runs[0].y, runs[1].y);
          runs[0].grads.forEach((t, i) => expectSame(t, runs[1].grads[i]));
          expectSame(runs[0].bn.runningVar, runs[1].bn.runningVar);
        },
      ),
      { seed: 2305, numRuns: 30 },
    );
  });

  it("elsewhere it is the relu op: another input, evaluation, a non-tensor refused with relu's message", () => {
    const F = nn.functional as unknown as { relu: (t: unknown) => AnyTensor };
    const bn = nn.BatchNorm2d(3);
    const h = bn.forward(randn([2, 3, 4, 4], { requiresGrad: true })) as AnyTensor;
    expect(F.relu(add(h, 1)).node?.primitive).toBe("relu");
    bn.eval();
    expect(F.relu(bn.forward(randn([2, 3, 4, 4], { requiresGrad: true }) as never) as AnyTensor).node?.primitive).toBe(
      "relu",
    );
    let opMessage = "";
    try {
      (relu as unknown as (t: unknown) => AnyTensor)([1, 2]);
    } catch (e) {
      opMessage = (e as Error).message;
    }
    expect(opMessage).toMatch(/relu/);
    expect(() => F.relu([1, 2])).toThrow(opMessage);
    expect(() => F.relu(null)).toThrow(/relu/);
  });
});
