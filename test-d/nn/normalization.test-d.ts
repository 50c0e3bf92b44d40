/**
 * layerNorm, groupNorm, nn.LayerNorm and nn.GroupNorm at compile time: the output keeps the input's
 * shape (generic dims included), and each call that cannot work is refused at the argument at
 * fault with the run-time text (test/ops/normalization.test.ts checks the runtime throws it).
 */
import { expectError, expectType } from "tsd";
import { permute, randn, zeros, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

const F = nn.functional;
const x = randn([8, 14, 14, 96]);
const seq = zeros([2, 10, 32], { dtype: "float64" });
const img = randn([4, 32, 8, 8]);

// functional layerNorm: normalizedShape a number or a list equal to the last dims
expectType<Tensor<[8, 14, 14, 96], "float32", "cpu">>(F.layerNorm(x, 96));
expectType<Tensor<[8, 14, 14, 96], "float32", "cpu">>(F.layerNorm(x, [14, 96], randn([14, 96]), randn([14, 96])));
expectType<Tensor<[2, 10, 32], "float64", "cpu">>(
  F.layerNorm(seq, [32], null, zeros([32], { dtype: "float64" }), 1e-6),
);
expectError(F.layerNorm(x, [3]));
expectError(F.layerNorm(x, [14, 14, 14, 96, 96]));
expectError(F.layerNorm(x, 96, randn([95])));
expectError(F.layerNorm(x, 96, null, randn([2, 48])));
expectError(F.layerNorm(seq, 32, randn([32])));
type LnArg = Parameters<typeof F.layerNorm<[2, 3, 4], "float32", "cpu", [3]>>[0];
expectType<"layerNorm: normalizedShape [3] does not match the last dims of input [2, 3, 4]">(null as unknown as LnArg);
type LnNum = Parameters<typeof F.layerNorm<[2, 3], "float32", "cpu", 4>>[0];
expectType<"layerNorm: normalizedShape 4 does not match the last dims of input [2, 3]">(null as unknown as LnNum);
type LnW = Parameters<typeof F.layerNorm<[2, 4], "float32", "cpu", [4], Tensor<[3]>>>[2];
expectType<"layerNorm: weight must have shape [4], got [3]" | undefined>(null as unknown as LnW);
type LnKind = Parameters<typeof F.layerNorm<[2, 4], "float64", "cpu", 4, Tensor<[4]>>>[2];
expectType<"layerNorm: weight is float32 on cpu but the input is float64 on cpu" | undefined>(
  null as unknown as LnKind,
);

// functional groupNorm: [N, C, ...], numGroups divides C, parameters [C]
expectType<Tensor<[4, 32, 8, 8], "float32", "cpu">>(F.groupNorm(img, 8));
expectType<Tensor<[4, 32, 8, 8], "float32", "cpu">>(F.groupNorm(img, 32, randn([32]), randn([32]), 1e-3));
expectType<Tensor<[2, 10, 32], "float64", "cpu">>(F.groupNorm(seq, 5));
expectError(F.groupNorm(img, 3));
expectError(F.groupNorm(randn([4]), 2));
expectError(F.groupNorm(img, 0));
expectError(F.groupNorm(img, 8, randn([8])));
type GnArg = Parameters<typeof F.groupNorm<[2, 5, 3, 3], "float32", "cpu", 2>>[0];
expectType<"groupNorm: numGroups 2 does not divide the 5 channels of input [2, 5, 3, 3]">(null as unknown as GnArg);
type GnRank = Parameters<typeof F.groupNorm<[4], "float32", "cpu", 2>>[0];
expectType<"groupNorm: expected an input [N, C, ...] of at least 2 dims, got shape [4]">(null as unknown as GnRank);
type GnZero = Parameters<typeof F.groupNorm<[2, 4], "float32", "cpu", 0>>[0];
expectType<"groupNorm: numGroups must be a positive integer, got 0">(null as unknown as GnZero);
type GnW = Parameters<typeof F.groupNorm<[2, 4, 3, 3], "float32", "cpu", 2, Tensor<[2]>>>[2];
expectType<"groupNorm: weight must have shape [4], got [2]" | undefined>(null as unknown as GnW);

// Generic dims are kept.
function block<B extends number, H extends number, W extends number>(t: Tensor<[B, 32, H, W]>): Tensor<[B, 32, H, W]> {
  return F.groupNorm(F.groupNorm(t, 4), 32);
}
expectType<Tensor<[4, 32, 8, 8], "float32", "cpu">>(block(img));
function tokens<B extends number, L extends number>(t: Tensor<[B, L, 96]>): Tensor<[B, L, 96]> {
  return nn.LayerNorm(96).forward(F.layerNorm(t, [96]));
}
expectType<Tensor<[2, 7, 96], "float32", "cpu">>(tokens(randn([2, 7, 96])));

// Layers: callable without new, typed by their rule.
const ln = nn.LayerNorm([14, 96], { eps: 1e-6 });
expectType<Tensor<[8, 14, 14, 96], "float32", "cpu">>(ln.forward(x));
expectType<Tensor<[2, 10, 32], "float64", "cpu">>(new nn.LayerNorm(32, { elementwiseAffine: false }).forward(seq));
expectError(ln.forward(randn([8, 14, 95])));
expectError(ln.forward(randn([96])));
const gn = nn.GroupNorm(8, 32);
expectType<Tensor<[4, 32, 8, 8], "float32", "cpu">>(gn.forward(img));
expectType<nn.GroupNorm<8, 32>>(gn);
expectError(gn.forward(randn([4, 16, 8, 8])));
expectError(gn.forward(randn([32])));
expectError(nn.GroupNorm(3, 32));
type GnLayerArg = Parameters<typeof nn.GroupNorm<3, 32>>[1];
expectType<"GroupNorm: numGroups 3 does not divide numChannels 32">(null as unknown as GnLayerArg);

// In a Sequential: a conv stage with GroupNorm, then ConvNeXt's LayerNorm over channels (NHWC).
const stage = nn.Sequential(nn.Conv2d(3, 32, 3, { padding: 1 }), nn.GroupNorm(8, 32), nn.SiLU());
const y = stage.forward(randn([2, 3, 16, 16]));
expectType<Tensor<[2, 32, 16, 16], "float32", "cpu">>(y);
expectType<Tensor<[2, 32, 16, 16], "float32", "cpu">>(
  permute(nn.LayerNorm(32).forward(permute(y, [0, 2, 3, 1])), [0, 3, 1, 2]),
);
expectError(nn.Sequential(nn.Conv2d(3, 16, 3), nn.GroupNorm(8, 32)).forward(randn([2, 3, 16, 16])));
