/**
 * nn.ConvTranspose2d: callable with and without `new`, PyTorch's parameter names, shapes and init
 * bounds, the same function as convTranspose2d on the golden fixture's cases (its weight and bias
 * loaded from the fixture), and the compile-time rule of its shape function.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { convTranspose2d, manualSeed, nn, tensor, type Tensor } from "../../src/index.js";
import { conv2dErrors } from "../../types/errors.js";
import { fixture, type FixtureTensor } from "../ops/convTranspose2d-fixture.js";

const f64 = (t: FixtureTensor) => tensor(Float64Array.from(t.data), { shape: t.shape, dtype: "float64" });

describe("nn.ConvTranspose2d", () => {
  it("has weight [C_in, C_out / groups, kH, kW] and bias [C_out], drawn within PyTorch's bounds", () => {
    manualSeed(3);
    const m = nn.ConvTranspose2d(4, 6, [3, 2], { groups: 2, stride: 2 });
    expect(m).toBeInstanceOf(nn.ConvTranspose2d);
    const state = m.stateDict();
    expect([...state.keys()]).toEqual(["weight", "bias"]);
    expect(m.weight.shape).toEqual([4, 3, 3, 2]);
    expect(m.bias?.shape).toEqual([6]);
    // fan_in = (C_out / groups) kH kW = 18; kaiming_uniform_(a = sqrt 5) and the bias: bound 1/sqrt(18)
    const bound = 1 / Math.sqrt(18);
    for (const v of [...m.weight.dataSync(), ...(m.bias?.dataSync() ?? [])])
      expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(new nn.ConvTranspose2d(2, 3, 3, { bias: false }).bias).toBeNull();
  });

  it("refuses groups that do not divide the channels", () => {
    expect(() => nn.ConvTranspose2d(3, 4, 3, { groups: 2 })).toThrow(
      "ConvTranspose2d: inChannels 3 must be divisible by groups 2",
    );
    expect(() => nn.ConvTranspose2d(4, 3, 3, { groups: 2 })).toThrow(
      "ConvTranspose2d: outChannels 3 must be divisible by groups 2",
    );
  });

  for (const c of fixture.cases) {
    it(`computes convTranspose2d: ${c.id}`, () => {
      const [ci, co, kh, kw] = c.inputs.weight.shape;
      const o = (c.args.options ?? {}) as { groups?: number };
      const groups = o.groups ?? 1;
      const m = nn.ConvTranspose2d(ci, co * groups, [kh, kw], {
        ...c.args.options,
        bias: c.inputs.bias !== null,
        dtype: "float64",
      });
      m.weight.assign(f64(c.inputs.weight));
      if (c.inputs.bias) m.bias?.assign(f64(c.inputs.bias));
      const x = f64(c.inputs.input);
      const got = m.forward(x);
      const want = convTranspose2d(x, f64(c.inputs.weight), c.inputs.bias ? f64(c.inputs.bias) : null, c.args.options);
      expect(got.shape).toEqual(c.output.shape);
      expect([...got.dataSync()]).toEqual([...want.dataSync()]);
    });
  }

  it("computes the output shape and checks channels at compile time, with the run-time text", () => {
    const m = nn.ConvTranspose2d(4, 2, 3, { stride: 2 });
    // (3 - 1) 2 - 0 + (3 - 1) + 0 + 1 = 7
    const y = m.forward(tensor(new Float32Array(4 * 9), { shape: [1, 4, 3, 3] as [1, 4, 3, 3] }));
    expectTypeOf(y).toEqualTypeOf<Tensor<[1, 2, 7, 7], "float32", "cpu">>();
    expect(y.shape).toEqual([1, 2, 7, 7]);
    const text = conv2dErrors.transposeChannelMismatch(3, 4, "[4, 2, 3, 3]");
    type Param = nn.ForwardArg<typeof m, [1, 3, 3, 3]>;
    expectTypeOf<Param>().toEqualTypeOf<typeof text>();
    expect(() => m.forward(tensor(new Float32Array(27), { shape: [1, 3, 3, 3] }) as never)).toThrow(text);
  });
});
