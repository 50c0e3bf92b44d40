/**
 * Every conv2d rule at run time: the thrown text is the catalogue's (types/errors.ts), checks run in
 * the type level's order, nothing reaches a kernel before validation, and every invalid
 * configuration in PyTorch's golden file is refused.
 */
import { describe, expect, it } from "vitest";
import { conv2d, randn, tensor, zeros, type AnyTensor } from "../../src/index.js";
import { conv2dErrors } from "../../types/errors.js";
import { resolveConv2d } from "../../src/ops/conv2d.js";
import { readFixture } from "../reference/helpers.js";

const call = conv2d as unknown as (x: unknown, w: unknown, b?: unknown, o?: unknown) => AnyTensor;
const x = zeros([2, 3, 8, 8]);
const w = zeros([4, 3, 3, 3]);

describe("each rule throws the catalogue's text", () => {
  const cases: [string, () => unknown, string][] = [
    ["input rank", () => call(zeros([3, 8]), w), conv2dErrors.inputRank(2, "[3, 8]")],
    ["weight rank", () => call(x, zeros([4, 3, 3])), conv2dErrors.weightRank(3, "[4, 3, 3]")],
    ["weight dim", () => call(x, zeros([4, 3, 0, 3])), conv2dErrors.weightDim("[4, 3, 0, 3]", 0)],
    [
      "weight dtype",
      () => call(x, zeros([4, 3, 3, 3], { dtype: "float64" })),
      conv2dErrors.dtypeMismatch("weight", "float64", "float32"),
    ],
    ["channels", () => call(x, zeros([16, 4, 3, 3])), conv2dErrors.channelMismatch(3, 4, "[16, 4, 3, 3]", 1)],
    [
      "channels with groups",
      () => call(zeros([1, 4, 5, 5]), zeros([4, 1, 3, 3]), null, { groups: 2 }),
      conv2dErrors.channelMismatch(4, 2, "[4, 1, 3, 3]", 2),
    ],
    [
      "output size",
      () => call(zeros([1, 3, 2, 8]), zeros([4, 3, 5, 3])),
      conv2dErrors.outputSize("[-2, 6]", "[2, 8]", "[5, 3]", "[1, 1]"),
    ],
    ["bias shape", () => call(x, w, zeros([5])), conv2dErrors.biasShape(4, "[5]")],
    [
      "bias dtype",
      () => call(x, w, zeros([4], { dtype: "float64" })),
      conv2dErrors.dtypeMismatch("bias", "float64", "float32"),
    ],
    ["unknown option", () => call(x, w, null, { strides: 2 }), conv2dErrors.unknownOption('"strides"')],
    ["groups", () => call(x, w, null, { groups: 1.5 }), conv2dErrors.groups(1.5)],
    ["stride", () => call(x, w, null, { stride: 0 }), conv2dErrors.pairOption("stride", 0)],
    ["stride NaN", () => call(x, w, null, { stride: NaN }), conv2dErrors.pairOption("stride", "NaN")],
    ["dilation pair", () => call(x, w, null, { dilation: [1, -1] }), conv2dErrors.pairOption("dilation", "[1, -1]")],
    ["padding negative", () => call(x, w, null, { padding: -1 }), conv2dErrors.padding(-1)],
    ["padding 2^53", () => call(x, w, null, { padding: 2 ** 53 }), conv2dErrors.padding(9007199254740992)],
    ["padding string", () => call(x, w, null, { padding: "full" }), conv2dErrors.padding('"full"')],
    ["paddingMode", () => call(x, w, null, { paddingMode: "mirror" }), conv2dErrors.paddingMode('"mirror"')],
    [
      "groups divide C_out",
      () => call(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 2 }),
      conv2dErrors.groupsDivide(3, 2),
    ],
    ["same with stride", () => call(x, w, null, { padding: "same", stride: 2 }), conv2dErrors.sameStride(2)],
    [
      "reflect limit",
      () => call(zeros([1, 3, 3, 8]), w, null, { padding: 3, paddingMode: "reflect" }),
      conv2dErrors.reflectLimit("[3, 3, 3, 3]", "[3, 8]"),
    ],
    [
      "circular limit",
      () => call(zeros([1, 3, 3, 8]), w, null, { padding: [4, 1], paddingMode: "circular" }),
      conv2dErrors.circularLimit("[4, 4, 1, 1]", "[3, 8]"),
    ],
    ["options not an object", () => call(x, w, null, 3), conv2dErrors.options(3)],
    ["input not a tensor", () => call([1, 2], w), "conv2d: input must be a Tensor, got object"],
  ];
  for (const [name, f, message] of cases) it(name, () => expect(f).toThrow(new Error(message)));

  it("limits are PyTorch's: reflect pad < size and circular pad <= size are accepted", () => {
    expect(call(zeros([1, 3, 3, 8]), w, null, { padding: 2, paddingMode: "reflect" }).shape).toEqual([1, 4, 5, 10]);
    expect(call(zeros([1, 3, 3, 8]), w, null, { padding: 3, paddingMode: "circular" }).shape).toEqual([1, 4, 7, 12]);
  });
});

describe("option forms resolve as PyTorch does", () => {
  const meta = (shape: number[]) => ({ shape, dtype: "float32" as const, device: "cpu" as const });
  it('"same" puts the odd row/column at the bottom/right', () => {
    const r = resolveConv2d(meta([1, 1, 7, 7]), meta([1, 1, 4, 2]), null, { padding: "same", dilation: [1, 3] });
    expect([r.geometry.padTop, r.geometry.padBottom, r.geometry.padLeft, r.geometry.padRight]).toEqual([1, 2, 1, 2]);
    expect(r.outShape).toEqual([1, 1, 7, 7]);
  });
  it("number, pair, quadruple and valid padding", () => {
    const pads = (padding: unknown) => {
      const g = resolveConv2d(meta([1, 1, 9, 9]), meta([1, 1, 3, 3]), null, { padding }).geometry;
      return [g.padTop, g.padBottom, g.padLeft, g.padRight];
    };
    expect(pads(2)).toEqual([2, 2, 2, 2]);
    expect(pads([1, 3])).toEqual([1, 1, 3, 3]);
    expect(pads([0, 1, 2, 3])).toEqual([0, 1, 2, 3]);
    expect(pads("valid")).toEqual([0, 0, 0, 0]);
  });
  it("a non-zero padding mode becomes an explicit pad and an unpadded conv", () => {
    const r = resolveConv2d(meta([2, 3, 5, 6]), meta([4, 3, 3, 3]), null, {
      padding: [1, 2],
      paddingMode: "replicate",
    });
    expect(r.pad).toMatchObject({ before: [0, 0, 1, 2], after: [0, 0, 1, 2], mode: "replicate" });
    expect([r.geometry.inHeight, r.geometry.inWidth, r.geometry.padTop]).toEqual([7, 10, 0]);
    expect(r.outShape).toEqual([2, 4, 5, 8]);
  });
  it("an unbatched input keeps its rank", () => {
    expect(call(randn([3, 8, 8]), w, null, { stride: 2 }).shape).toEqual([4, 3, 3]);
  });
});

describe("PyTorch's invalid configurations are refused", () => {
  interface Invalid {
    config: {
      n: number;
      cin: number;
      cout: number;
      h: number;
      w: number;
      kh: number;
      kw: number;
      stride: number[];
      dilation: number[];
      groups: number;
      padding: unknown;
      mode: string;
      bias: boolean;
    };
    outSize: number[];
  }
  const invalid = readFixture<{ invalid: Invalid[] }>("conv2d-torch.json").invalid;
  it(`all ${invalid.length} with the output-size message`, () => {
    expect(invalid.length).toBeGreaterThan(0);
    for (const { config: c, outSize } of invalid) {
      const xi = zeros([c.n, c.cin, c.h, c.w]),
        wi = zeros([c.cout, c.cin / c.groups, c.kh, c.kw]);
      const opts = {
        stride: c.stride,
        dilation: c.dilation,
        groups: c.groups,
        padding: c.padding,
        paddingMode: c.mode,
      };
      expect(() => call(xi, wi, c.bias ? zeros([c.cout]) : null, opts)).toThrow(
        `conv2d: output size [${outSize.join(", ")}] is not positive`,
      );
    }
  });
});

it("an invalid call reaches no kernel and allocates nothing (validation runs first)", async () => {
  const { cpuBackend } = await import("../../src/backends/cpu/index.js");
  const kernels = cpuBackend.kernels as unknown as Record<string, (...a: unknown[]) => unknown>;
  const counts = { kernel: 0 };
  const saved = { ...kernels };
  for (const k of Object.keys(kernels))
    kernels[k] = (...a: unknown[]) => {
      counts.kernel++;
      return saved[k](...a);
    };
  try {
    const xi = tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] });
    expect(() => call(xi, zeros([1, 1, 3, 3]))).toThrow("conv2d: output size");
    expect(counts.kernel).toBe(0);
  } finally {
    Object.assign(kernels, saved);
  }
});
