// float32 add, sub, mul and div run on their own monomorphic loops (binaryRunF32 in
// src/backends/cpu/elementwise.ts), with the contiguous and the one-operand-constant runs taken
// apart. The plain path is the oracle: the same op on float64 copies of the operands (binaryRun,
// exact for float32 inputs up to the one rounding) rounded to float32 must give the same bits,
// for any broadcast of the two shapes, and for NaN, infinities and signed zeros.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import { cast } from "../../src/ops/untyped.js";

const specials = [0, -0, Infinity, -Infinity, NaN, 1, -1, 1.401298464324817e-45, 3.4028234663852886e38];

/** float32 values: mostly ordinary, some special. */
const values = (n: number, seed: number): Float32Array => {
  const x = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = s % 17 === 0 ? specials[s % specials.length] : ((s / 2 ** 32) * 2 - 1) * 2 ** ((s % 7) - 3);
  }
  return x;
};

/** Two shapes that broadcast: each dim of `full` kept or set to 1 in either, and a shorter rank at times. */
const shapePair = fc
  .tuple(
    fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 4 }),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([full, keep, drop]) => {
    const a = full.map((d, i) => (keep[i] === 1 ? 1 : d));
    const b = full.map((d, i) => (keep[i] === 2 ? 1 : d)).slice(Math.min(drop, full.length));
    return [a, b] as const;
  });

const ops = ["add", "sub", "mul", "div"] as const;

describe("float32 arithmetic fast path", () => {
  it("gives the bits of the float64 plain path rounded once, for any broadcast", () => {
    fc.assert(
      fc.property(shapePair, fc.constantFrom(...ops), fc.integer(), fc.boolean(), ([sa, sb], op, seed, swap) => {
        const [shapeA, shapeB] = swap ? [sb, sa] : [sa, sb];
        const a = sg.tensor(
          values(
            shapeA.reduce((p, d) => p * d, 1),
            seed,
          ),
          { shape: shapeA },
        );
        const b = sg.tensor(
          values(
            shapeB.reduce((p, d) => p * d, 1),
            seed ^ 0x5bd1e995,
          ),
          { shape: shapeB },
        );
        const got = sg[op](a, b);
        const want = cast(sg[op](cast(a, "float64"), cast(b, "float64")), "float32");
        expect(got.dtype).toBe("float32");
        expect(got.shape).toEqual(want.shape);
        const g = new Int32Array(got.dataSync().slice().buffer),
          w = new Int32Array(want.dataSync().slice().buffer);
        for (let i = 0; i < w.length; i++) {
          // NaN payloads are not part of the contract: any NaN for a NaN
          if (Number.isNaN(want.dataSync()[i])) expect(got.dataSync()[i]).toBeNaN();
          else expect(g[i]).toBe(w[i]);
        }
      }),
      { seed: 2301, numRuns: 300 },
    );
  });

  it("equal shapes (eight elements a round, then the tail) give the bits of the broadcast path", () => {
    // [n] with [n] takes sameShapeF32; [1, n] with [n] goes through forEachRun and binaryRunF32's
    // contiguous runs: the two must agree bit for bit at every length around the unrolled rounds.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 80 }), fc.constantFrom(...ops), fc.integer(), (n, op, seed) => {
        const a = sg.tensor(values(n, seed), { shape: [n] });
        const b = sg.tensor(values(n, seed ^ 0x2545f491), { shape: [n] });
        const fast = sg[op](a, b).dataSync();
        const general = sg[op](sg.reshape(a, [1, n]), b).dataSync();
        const want = cast(sg[op](cast(a, "float64"), cast(b, "float64")), "float32").dataSync();
        expect(fast.length).toBe(n);
        for (let i = 0; i < n; i++) {
          if (Number.isNaN(want[i])) {
            expect(fast[i]).toBeNaN();
            expect(general[i]).toBeNaN();
          } else {
            expect(Object.is(fast[i], want[i])).toBe(true);
            expect(Object.is(general[i], want[i])).toBe(true);
          }
        }
      }),
      { seed: 2315, numRuns: 300 },
    );
  });

  it("an equal-shape result shares its input's frozen shape, which stays the right one", () => {
    const a = sg.rand([3, 4]);
    const y = sg.add(a, sg.rand([3, 4]));
    expect(y.shape).toEqual([3, 4]);
    expect(Object.isFrozen(y.shape)).toBe(true);
    expect(Object.isFrozen(sg.relu(a).shape)).toBe(true);
    // a broadcast result gets a shape of its own
    expect(sg.add(a, sg.rand([4])).shape).toEqual([3, 4]);
  });

  it("a conv-bias shaped add takes the constant-operand runs and still matches", () => {
    const x = sg.tensor(values(2 * 3 * 4 * 5, 7), { shape: [2, 3, 4, 5] });
    const bias = sg.tensor(values(3, 8), { shape: [1, 3, 1, 1] });
    const pairs: [sg.AnyTensor, sg.AnyTensor][] = [
      [x, bias],
      [bias, x],
    ];
    for (const [p, q] of pairs) {
      const got = sg.sub(p, q).dataSync();
      const want = cast(sg.sub(cast(p, "float64"), cast(q, "float64")), "float32").dataSync();
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });
});
