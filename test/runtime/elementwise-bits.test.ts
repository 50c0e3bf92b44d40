// float32 relu and its gradient (reluBackward) run on the bits of the floats, without branches
// (src/backends/cpu/elementwise.ts): they must agree with the plain definitions on every bit
// pattern, NaNs and signed zeros included.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";

/** float32 values from raw bit patterns, with the special values always present. */
function floatsFromBits(bits: number[]): Float32Array {
  const specials = [
    0,
    -0,
    Infinity,
    -Infinity,
    NaN,
    -NaN,
    1,
    -1,
    1.401298464324817e-45,
    -1.401298464324817e-45,
    3.4028234663852886e38,
  ];
  const x = new Float32Array(bits.length + specials.length);
  new Int32Array(x.buffer).set(bits);
  x.set(specials, bits.length);
  // a negative NaN (sign bit set) and a NaN with a payload
  new Int32Array(x.buffer, 4 * (bits.length + 5), 1)[0] = 0xffc00001 | 0;
  return x;
}

/** The definitions, in plain JavaScript numbers. */
const relu = (v: number) => (v > 0 || Number.isNaN(v) ? v : 0);
/** PyTorch's threshold_backward(g, relu(x), 0): g unless relu(x) <= 0, whatever g is. */
const reluGrad = (v: number, g: number) => (v > 0 || Number.isNaN(v) ? g : 0);

const expectSame = (got: number, want: number) => {
  if (Number.isNaN(want)) expect(got).toBeNaN();
  else expect(Object.is(got, want)).toBe(true);
};
const bitPatterns = fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 300 });

describe("float32 relu and its gradient on the bits", () => {
  it("relu matches the definition on random bit patterns and the special values (NaN kept, -0 -> +0)", () => {
    fc.assert(
      fc.property(bitPatterns, (bits) => {
        const x = floatsFromBits(bits);
        const y = sg.relu(sg.tensor(x)).dataSync();
        for (let i = 0; i < x.length; i++) expectSame(y[i], relu(x[i]));
      }),
      { seed: 51, numRuns: 200 },
    );
  });

  it("the gradient passes g where relu(x) > 0 or is NaN, else +0, for any g (NaN and infinities too)", () => {
    fc.assert(
      fc.property(bitPatterns, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (bits, shift) => {
        const x = floatsFromBits(bits);
        // g: the same bit patterns rotated, so every kind of x meets every kind of g
        const g = new Float32Array(x.length);
        for (let i = 0; i < x.length; i++) g[i] = x[(i + shift) % x.length];
        const t = sg.tensor(x, { requiresGrad: true });
        const [dx] = sg.gradients(sg.relu(t), [t], { seeds: [sg.tensor(g)] });
        const got = dx.dataSync();
        for (let i = 0; i < x.length; i++) expectSame(got[i], reluGrad(x[i], g[i]));
      }),
      { seed: 52, numRuns: 200 },
    );
  });
});
