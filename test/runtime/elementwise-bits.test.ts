// float32 relu and its derivative (step) run on the bits of the floats, without branches
// (src/backends/cpu/elementwise.ts): they must agree with the plain definitions on every bit
// pattern, NaNs and signed zeros included.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";

/** float32 values from raw bit patterns, with the special values always present. */
function floatsFromBits(bits: number[]): Float32Array {
  const specials = [0, -0, Infinity, -Infinity, NaN, -NaN, 1, -1, 1.401298464324817e-45, -1.401298464324817e-45, 3.4028234663852886e38];
  const x = new Float32Array(bits.length + specials.length);
  new Int32Array(x.buffer).set(bits);
  x.set(specials, bits.length);
  // a negative NaN (sign bit set) and a NaN with a payload
  new Int32Array(x.buffer, 4 * (bits.length + 5), 1)[0] = 0xffc00001 | 0;
  return x;
}

/** The definitions, in plain JavaScript numbers. */
const relu = (v: number) => (v > 0 || Number.isNaN(v) ? v : 0);
const step = (v: number) => (v > 0 ? 1 : 0);

describe("float32 relu and step on the bits", () => {
  it("match the definitions on random bit patterns and the special values (NaN kept, -0 -> +0)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 300 }), (bits) => {
      const x = floatsFromBits(bits);
      const t = sg.tensor(x);
      const y = sg.relu(t).dataSync();
      // step is relu's derivative: the gradient of sum(relu(x))
      const g = sg.grad((a: sg.AnyTensor) => sg.sum(sg.relu(a)))(t).dataSync();
      for (let i = 0; i < x.length; i++) {
        const want = relu(x[i]);
        if (Number.isNaN(want)) expect(y[i]).toBeNaN();
        else expect(Object.is(y[i], want)).toBe(true);
        expect(Object.is(g[i], step(x[i]))).toBe(true);
      }
    }), { seed: 51, numRuns: 200 });
  });
});
