/**
 * Typed models: nn.Sequential infers its output shape layer by layer; a layer that does not fit
 * makes forward's argument the message naming the layer's position, its class and the numbers.
 */
import { expectAssignable, expectError, expectNotAssignable, expectType } from "tsd";
import { randn, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

const x = randn([8, 3, 32, 32]);

// lucid's Conv2d docs model: every shape inferred.
const lucid = nn.Sequential(
  nn.Conv2d(3, 16, 3, { padding: 1 }),
  nn.ReLU(),
  nn.Conv2d(16, 32, 3, { padding: 1 }),
  nn.ReLU(),
  nn.MaxPool2d(2),
  nn.Flatten(),
  nn.Linear([32, 16, 16], 10),
);
expectType<Tensor<[8, 10], "float32", "cpu">>(lucid.forward(x));
expectType<Tensor<[8, 10], "float32", "cpu">>(nn.Sequential(nn.Flatten(), nn.Linear(3072, 10)).forward(x));

// The same model with 32*16*15 input features: a compile error at the call.
const lucidWrong = nn.Sequential(
  nn.Conv2d(3, 16, 3, { padding: 1 }),
  nn.ReLU(),
  nn.Conv2d(16, 32, 3, { padding: 1 }),
  nn.ReLU(),
  nn.MaxPool2d(2),
  nn.Flatten(),
  nn.Linear([32, 16, 15], 10),
);
expectError(lucidWrong.forward(x));
type LucidWrongArg = nn.ForwardArg<typeof lucidWrong, [8, 3, 32, 32]>;
expectType<"nn.Sequential: layer 6 (Linear): linear: input [8, 8192] has 8192 features but the layer expects 7680 (weight [10, 7680])">(
  null as unknown as LucidWrongArg,
);

// A Conv2d whose inChannels is not the incoming channel count.
const channels = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.Conv2d(15, 4, 3));
expectError(channels.forward(x));
type ChannelsArg = nn.ForwardArg<typeof channels, [8, 3, 32, 32]>;
expectType<"nn.Sequential: layer 2 (Conv2d): conv2d: input has 16 channels but weight expects 15 (weight [4, 15, 3, 3], groups 1)">(
  null as unknown as ChannelsArg,
);

// Pooling: PyTorch's sizes (ceil mode, padding, dilation), and its rules.
const pools = nn.Sequential(
  nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
  nn.AvgPool2d(2, { ceilMode: true }),
  nn.AdaptiveAvgPool2d([2, 3]),
  nn.BatchNorm2d(3),
  nn.Flatten(),
);
expectType<Tensor<[2, 18], "float32", "cpu">>(pools.forward(randn([2, 3, 17, 9])));
expectType<Tensor<[2, 3, 6, 3], "float32", "cpu">>(
  nn.MaxPool2d([3, 2], { stride: [2, 3], dilation: 2 }).forward(randn([2, 3, 15, 11])),
);
const tooSmall = nn.Sequential(nn.MaxPool2d(5));
expectError(tooSmall.forward(randn([2, 3, 4, 9])));
type TooSmallArg = nn.ForwardArg<typeof tooSmall, [2, 3, 4, 9]>;
expectType<"nn.Sequential: layer 0 (MaxPool2d): maxPool2d: output size would be 0x1: the 5x5 window (kernel [5, 5], dilation [1, 1]) does not fit the input 4x9 with padding [0, 0]">(
  null as unknown as TooSmallArg,
);
const badPad = nn.Sequential(nn.AvgPool2d(3, { padding: 2 }));
type BadPadArg = nn.ForwardArg<typeof badPad, [2, 3, 8, 8]>;
expectType<"nn.Sequential: layer 0 (AvgPool2d): avgPool2d: padding [2, 2] must be at most half the kernel size [3, 3]">(
  null as unknown as BadPadArg,
);
const bn = nn.Sequential(nn.Conv2d(3, 8, 1), nn.BatchNorm2d(16));
type BnArg = nn.ForwardArg<typeof bn, [8, 3, 32, 32]>;
expectType<"nn.Sequential: layer 1 (BatchNorm2d): BatchNorm2d: input has 8 channels but the layer expects 16 (input [8, 8, 32, 32])">(
  null as unknown as BnArg,
);

// Nested Sequentials prefix each level; a wide batch (number) and unbatched inputs flow through.
const nested = nn.Sequential(
  nn.Sequential(nn.Conv2d(3, 4, 3, { stride: 2 }), nn.ReLU()),
  nn.Flatten(),
  nn.Linear(4 * 15 * 15, 2),
);
expectType<Tensor<[number, 2], "float32", "cpu">>(nested.forward(randn([3, 3, 32, 32]) as Tensor<[number, 3, 32, 32]>));
expectType<Tensor<[4, 15, 15], "float32", "cpu">>(nn.Conv2d(3, 4, 3, { stride: 2 }).forward(randn([3, 32, 32])));
const nestedBad = nn.Sequential(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Conv2d(5, 4, 3)));
type NestedArg = nn.ForwardArg<typeof nestedBad, [1, 3, 8, 8]>;
expectType<"nn.Sequential: layer 0 (Sequential): nn.Sequential: layer 1 (Conv2d): conv2d: input has 4 channels but weight expects 5 (weight [4, 5, 3, 3], groups 1)">(
  null as unknown as NestedArg,
);

// Residual blocks: the body and the shortcut must agree.
const block = nn.Residual(nn.Sequential(nn.Conv2d(8, 8, 3, { padding: 1 }), nn.BatchNorm2d(8), nn.ReLU()));
expectType<Tensor<[2, 8, 6, 6], "float32", "cpu">>(block.forward(randn([2, 8, 6, 6])));
const projected = nn.Residual(nn.Conv2d(8, 16, 3, { stride: 2, padding: 1 }), nn.Conv2d(8, 16, 1, { stride: 2 }));
expectType<Tensor<[2, 16, 3, 3], "float32", "cpu">>(projected.forward(randn([2, 8, 6, 6])));
const mismatch = nn.Residual(nn.Conv2d(8, 16, 3, { stride: 2, padding: 1 }));
type MismatchArg = nn.ForwardArg<typeof mismatch, [2, 8, 6, 6]>;
expectType<"nn.Residual: the body gives [2, 16, 3, 3] but the shortcut gives [2, 8, 6, 6]">(
  null as unknown as MismatchArg,
);

// float64 and the dtype carried through.
expectType<Tensor<[8, 10], "float64", "cpu">>(lucid.forward(randn([8, 3, 32, 32], { dtype: "float64" })));
expectAssignable<nn.Module>(lucid);
expectNotAssignable<Tensor<[8, 11]>>(lucid.forward(x));

// Rank errors read as the run time's.
const rank = nn.Sequential(nn.AvgPool2d(2));
type RankArg = nn.ForwardArg<typeof rank, [2, 3]>;
expectType<"nn.Sequential: layer 0 (AvgPool2d): avgPool2d: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape [2, 3]">(
  null as unknown as RankArg,
);
const adaptiveRank = nn.Sequential(nn.AdaptiveAvgPool2d(2));
type AdaptiveRankArg = nn.ForwardArg<typeof adaptiveRank, [2, 3]>;
expectType<"nn.Sequential: layer 0 (AdaptiveAvgPool2d): adaptiveAvgPool2d: expected input [N, C, H, W] or [C, H, W], got shape [2, 3]">(
  null as unknown as AdaptiveRankArg,
);
