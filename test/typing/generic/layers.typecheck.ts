/**
 * Issue 19, item 2, nn's layers over (a) a generic batch, (b) a generic spatial size H, (c)
 * `number` dims, (d) a generic channel count (TypeScript 6 and 7, `npm run typecheck`). Under a
 * generic H a layer whose rule computes sizes takes Layer.forward's channel signature: a layer
 * over channels maps them (sizes `number`), one keeping channels (MaxPool2d, AvgPool2d, Upsample,
 * Dropout2d, a Sequential's pooling) keeps B and the channels; the layers that keep sizes keep H;
 * nn.AdaptiveAvgPool2d keeps its channels and sizes. Under a generic channel count C (a class
 * generic in its channels) the layers keeping channels keep C. Not yet: nn.Flatten and nn.LayerNorm
 * under a generic H (`[B, number, number, number]`, docs/types.md).
 */
import { type Tensor } from "../../../src/index.js";
import * as nn from "../../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export function batch<B extends number>(x: Tensor<[B, 8, 6, 6]>, v: Tensor<[B, 16]>) {
  const conv = nn.Conv2d(8, 4, 3).forward(x);
  const up = nn.ConvTranspose2d(8, 4, 2, { stride: 2 }).forward(x);
  const lin = nn.Linear(16, 4).forward(v);
  const flat = nn.Flatten().forward(x);
  const max = nn.MaxPool2d(2).forward(x);
  const avg = nn.AvgPool2d(2).forward(x);
  const ada = nn.AdaptiveAvgPool2d(1).forward(x);
  const ups = nn.Upsample({ scaleFactor: 2 }).forward(x);
  const size = nn.Upsample({ size: 12, mode: "bilinear" }).forward(x);
  const bn = nn.BatchNorm2d(8).forward(x);
  const ln = nn.LayerNorm([6, 6]).forward(x);
  const gn = nn.GroupNorm(2, 8).forward(x);
  const drop = nn.Dropout2d(0.1).forward(nn.Dropout(0.1).forward(x));
  const act = nn.SiLU().forward(nn.ReLU6().forward(nn.Hardswish().forward(x)));
  const soft = nn.Softmax(1).forward(v);
  const seq = nn.Sequential(nn.Conv2d(8, 4, 3, { padding: 1 }), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten()).forward(x);
  const res = nn.Residual(nn.Sequential(nn.Conv2d(8, 8, 3, { padding: 1 }), nn.BatchNorm2d(8))).forward(x);
  type Checks = [
    Expect<Equal<typeof conv, Tensor<[B, 4, 4, 4]>>>,
    Expect<Equal<typeof up, Tensor<[B, 4, 12, 12]>>>,
    Expect<Equal<typeof lin, Tensor<[B, 4]>>>,
    Expect<Equal<typeof flat, Tensor<[B, 288]>>>,
    Expect<Equal<typeof max, Tensor<[B, 8, 3, 3]>>>,
    Expect<Equal<typeof avg, Tensor<[B, 8, 3, 3]>>>,
    Expect<Equal<typeof ada, Tensor<[B, 8, 1, 1]>>>,
    Expect<Equal<typeof ups, Tensor<[B, 8, 12, 12]>>>,
    Expect<Equal<typeof size, Tensor<[B, 8, 12, 12]>>>,
    Expect<Equal<typeof bn, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof ln, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof gn, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof drop, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof act, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof soft, Tensor<[B, 16]>>>,
    Expect<Equal<typeof seq, Tensor<[B, 144]>>>,
    Expect<Equal<typeof res, Tensor<[B, 8, 6, 6]>>>,
  ];
  // Literal mismatches under a generic batch: 8 channels into layers that expect 3 and 4.
  // @ts-expect-error conv2d: input has 8 channels but weight expects 3 (weight [4, 3, 3, 3], groups 1)
  nn.Conv2d(3, 4, 3).forward(x);
  // @ts-expect-error BatchNorm2d expects 4 channels, got 8
  nn.BatchNorm2d(4).forward(x);
  // @ts-expect-error linear: input [B, 16] has 16 features but the layer expects 8
  nn.Linear(8, 4).forward(v);
  // @ts-expect-error nn.Sequential: layer 1 (BatchNorm2d) expects 8 channels, got 4
  nn.Sequential(nn.Conv2d(8, 4, 3), nn.BatchNorm2d(8)).forward(x);
  return [conv, up, lin, flat, max, avg, ada, ups, size, bn, ln, gn, drop, act, soft, seq, res] as const;
}

export function spatial<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>) {
  const conv = nn.Conv2d(8, 4, 3, { padding: 1 }).forward(x);
  const up = nn.ConvTranspose2d(8, 4, 2, { stride: 2 }).forward(x);
  const ada = nn.AdaptiveAvgPool2d([2, 2]).forward(x);
  const bn = nn.BatchNorm2d(8).forward(x);
  const gn = nn.GroupNorm(4, 8).forward(x);
  const act = nn.GELU().forward(nn.ReLU().forward(x));
  const drop = nn.Dropout2d(0.2).forward(x);
  const id = nn.Identity().forward(x);
  const max = nn.MaxPool2d(2).forward(x);
  const avg = nn.AvgPool2d(3, { stride: 1, padding: 1 }).forward(x);
  const ups = nn.Upsample({ scaleFactor: 2 }).forward(x);
  const size = nn.Upsample({ size: [12, 10], mode: "bilinear" }).forward(x);
  const ln = nn.LayerNorm([8, 1, 1]).forward(nn.AdaptiveAvgPool2d(1).forward(x));
  const seq = nn.Sequential(nn.Conv2d(8, 4, 3, { padding: 1 }), nn.ReLU(), nn.MaxPool2d(2)).forward(x);
  type Checks = [
    Expect<Equal<typeof conv, Tensor<[B, 4, H, H]>>>,
    Expect<Equal<typeof up, Tensor<[B, 4, number, number]>>>,
    Expect<Equal<typeof ada, Tensor<[B, 8, 2, 2]>>>,
    Expect<Equal<typeof max, Tensor<[B, 8, number, number]>>>,
    Expect<Equal<typeof avg, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof ups, Tensor<[B, 8, number, number]>>>,
    Expect<Equal<typeof size, Tensor<[B, 8, 12, 10]>>>,
    Expect<Equal<typeof ln, Tensor<[B, 8, 1, 1]>>>,
    Expect<Equal<typeof seq, Tensor<[B, 4, number, number]>>>,
    Expect<Equal<typeof bn, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof gn, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof act, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof drop, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof id, Tensor<[B, 8, H, H]>>>,
  ];
  // @ts-expect-error 8 channels into a layer that expects 3
  nn.Conv2d(3, 4, 1).forward(x);
  // @ts-expect-error BatchNorm2d expects 4 channels, got 8
  nn.BatchNorm2d(4).forward(x);
  // Literal channels are still checked by a rule run under a generic H.
  // @ts-expect-error nn.Sequential: layer 1 (Conv2d): conv2d: input has 8 channels but weight expects 3 (weight [4, 3, 1, 1], groups 1)
  nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(3, 4, 1)).forward(x);
  return [conv, up, ada, bn, gn, act, drop, id, max, avg, ups, size, ln, seq] as const;
}

/** A class generic in its channel count, as the models' blocks are: pooling keeps C. */
export class Block<C extends number> extends nn.Module {
  norm: nn.BatchNorm2d<C>;
  pool = nn.MaxPool2d(2);
  down = nn.AvgPool2d(2, { stride: 2 });
  up = nn.Upsample({ scaleFactor: 2 });
  act = nn.Sequential(nn.ReLU(), nn.Dropout2d(0.1));
  constructor(channels: C) {
    super();
    this.norm = nn.BatchNorm2d(channels);
  }
  forward<N extends number>(x: Tensor<[N, C, number, number]>) {
    const y = this.up.forward(this.down.forward(this.pool.forward(this.act.forward(this.norm.forward(x)))));
    type Checks = [Expect<Equal<typeof y, Tensor<[N, C, number, number]>>>];
    return y;
  }
}

export function runTime(x: Tensor<[number, 8, number, number]>) {
  const max = nn.MaxPool2d(2).forward(x);
  const ada = nn.AdaptiveAvgPool2d(1).forward(x);
  const ups = nn.Upsample({ scaleFactor: 2 }).forward(x);
  const size = nn.Upsample({ size: [4, 5] }).forward(x);
  const flat = nn.Flatten().forward(x);
  const ln = nn.LayerNorm([6, 6]).forward(x);
  type Checks = [
    Expect<Equal<typeof max, Tensor<[number, 8, number, number]>>>,
    Expect<Equal<typeof ada, Tensor<[number, 8, 1, 1]>>>,
    Expect<Equal<typeof ups, Tensor<[number, 8, number, number]>>>,
    Expect<Equal<typeof size, Tensor<[number, 8, 4, 5]>>>,
    Expect<Equal<typeof flat, Tensor<[number, number]>>>,
    Expect<Equal<typeof ln, Tensor<[number, 8, number, number]>>>,
  ];
  // @ts-expect-error BatchNorm2d expects 4 channels, got 8
  nn.BatchNorm2d(4).forward(x);
  return [max, ada, ups, size, flat, ln] as const;
}
