/**
 * Issue 19, item 2, under TypeScript 6 and 7 (`npm run typecheck`): conv2d, convTranspose2d,
 * maxPool2d and avgPool2d over a generic spatial size H (types/shape/generic.ts). The line
 * `conv2d(x, w, null, { padding: 1 })` on `Tensor<[B, 16, H, H]>` compiles to `[B, 32, H, H]`;
 * an output size is H where the layer maps every size to itself, else number; literal mismatches
 * are still errors; literal and `number` sizes keep the exact rule. Every `Expect<Equal<...>>` is
 * exact and every `@ts-expect-error` line must fail.
 */
import { conv2d, convTranspose2d, maxPool2d, randn, relu, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export function generic<B extends number, H extends number, W extends number>(
  x: Tensor<[B, 16, H, H]>,
  r: Tensor<[B, 16, H, W]>,
) {
  const w = randn([32, 16, 3, 3]);
  const same = conv2d(x, w, null, { padding: 1 });
  const samePad = conv2d(x, w, null, { padding: "same" });
  const dilated = conv2d(x, w, null, { padding: 2, dilation: 2 });
  const strided = conv2d(x, w, null, { padding: 1, stride: 2 });
  const valid = conv2d(x, w);
  const perAxis = conv2d(r, randn([8, 16, 3, 1]), null, { padding: [1, 0] });
  const sides = conv2d(r, randn([8, 16, 2, 2]), null, { padding: [0, 1, 1, 0] });
  const withBias = conv2d(r, w, randn([32]), { padding: [1, 0] });
  const grouped = conv2d(x, randn([16, 4, 3, 3]), null, { padding: 1, groups: 4 });
  const chained = relu(conv2d(conv2d(x, w, null, { padding: 1 }), randn([8, 32, 1, 1])));
  const up = convTranspose2d(x, randn([16, 8, 3, 3]), null, { padding: 1 });
  const up2 = convTranspose2d(x, randn([16, 8, 2, 2]), null, { stride: 2 });
  const pooled = maxPool2d(x, { kernelSize: 3, stride: 1, padding: 1 });
  const halved = maxPool2d(x, { kernelSize: 2 });
  const avg = nn.functional.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1 });
  const avgHalved = nn.functional.avgPool2d(r, { kernelSize: 2 });
  type Checks = [
    Expect<Equal<typeof same, Tensor<[B, 32, H, H]>>>,
    Expect<Equal<typeof samePad, Tensor<[B, 32, H, H]>>>,
    Expect<Equal<typeof dilated, Tensor<[B, 32, H, H]>>>,
    Expect<Equal<typeof strided, Tensor<[B, 32, number, number]>>>,
    Expect<Equal<typeof valid, Tensor<[B, 32, number, number]>>>,
    Expect<Equal<typeof perAxis, Tensor<[B, 8, H, W]>>>,
    Expect<Equal<typeof sides, Tensor<[B, 8, H, W]>>>,
    Expect<Equal<typeof withBias, Tensor<[B, 32, H, number]>>>,
    Expect<Equal<typeof grouped, Tensor<[B, 16, H, H]>>>,
    Expect<Equal<typeof chained, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof up, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof up2, Tensor<[B, 8, number, number]>>>,
    Expect<Equal<typeof pooled, Tensor<[B, 16, H, H]>>>,
    Expect<Equal<typeof halved, Tensor<[B, 16, number, number]>>>,
    Expect<Equal<typeof avg, Tensor<[B, 16, H, H]>>>,
    Expect<Equal<typeof avgHalved, Tensor<[B, 16, number, number]>>>,
  ];
  // Literal mismatches are still errors under a generic size.
  // @ts-expect-error conv2d: input has 16 channels but weight expects 3 (weight [32, 3, 3, 3], groups 1)
  conv2d(x, randn([32, 3, 3, 3]), null, { padding: 1 });
  // @ts-expect-error conv2d: bias must have shape [32], got [31]
  conv2d(x, w, randn([31]));
  // @ts-expect-error conv2d: padding "same" needs stride 1, got stride 2
  conv2d(x, w, null, { padding: "same", stride: 2 });
  // @ts-expect-error conv2d: weight dtype float64 does not match input dtype float32
  conv2d(x, randn([32, 16, 3, 3], { dtype: "float64" }));
  // @ts-expect-error convTranspose2d: input has 16 channels but weight [3, 8, 3, 3] expects 3
  convTranspose2d(x, randn([3, 8, 3, 3]));
  // @ts-expect-error maxPool2d: padding [2, 2] must be at most half the kernel size [3, 3]
  maxPool2d(x, { kernelSize: 3, padding: 2 });
  // @ts-expect-error avgPool2d: padding [2, 2] must be at most half the kernel size [2, 2]
  nn.functional.avgPool2d(x, { kernelSize: 2, padding: 2 });
  return [same, strided, perAxis, up, pooled, avg] as const;
}

// ---- Literal and `number` sizes keep the exact rule, its shapes and its errors.
declare const wide: Tensor<[number, 3, number, 32]>;
export const literal = conv2d(randn([2, 16, 8, 8]), randn([32, 16, 3, 3]), null, { stride: 2, padding: 1 });
export const runTime = conv2d(wide, randn([16, 3, 3, 3]));
export const pooledLiteral = nn.functional.avgPool2d(randn([2, 3, 9, 7]), { kernelSize: 3, stride: 2, ceilMode: true });
export type LiteralChecks = [
  Expect<Equal<typeof literal, Tensor<[2, 32, 4, 4]>>>,
  Expect<Equal<typeof runTime, Tensor<[number, 16, number, 30]>>>,
  Expect<Equal<typeof pooledLiteral, Tensor<[2, 3, 4, 3]>>>,
];
// @ts-expect-error conv2d: output size [-1, -1] is not positive
conv2d(randn([2, 16, 1, 1]), randn([32, 16, 3, 3]));
// @ts-expect-error avgPool2d: output size would be 0x0 (a 5x5 window on a 2x2 input)
nn.functional.avgPool2d(randn([2, 3, 2, 2]), { kernelSize: 5 });

// ---- nn's layers over a generic size: the signature for run-time sizes takes it (output sizes `number`).
class GenericBlock extends nn.Module {
  conv = nn.Conv2d(16, 32, 3, { padding: 1 });
  bn = nn.BatchNorm2d(32);
  pool = nn.MaxPool2d(2);
  forward<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
    return this.pool.forward(relu(this.bn.forward(this.conv.forward(x))));
  }
}
export const blockOut = new GenericBlock().forward(randn([2, 16, 8, 8]));
export function layers<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>) {
  const y = nn.Conv2d(16, 8, 1).forward(x);
  const s = nn.Sequential(nn.Conv2d(16, 8, 3, { padding: 1 }), nn.ReLU()).forward(x);
  // @ts-expect-error 16 channels into a layer that expects 3
  nn.Conv2d(3, 8, 1).forward(x);
  return [y, s] as const;
}
export type LayerChecks = [
  Expect<Equal<typeof blockOut, Tensor<[2, 32, number, number]>>>,
  Expect<Equal<ReturnType<typeof layers<4, 8>>[0], Tensor<[4, 8, 8, 8]>>>,
];
