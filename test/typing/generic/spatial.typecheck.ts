/**
 * Issue 19, item 2, pooling (max, avg, adaptive), interpolate (size and scaleFactor), pad and
 * convTranspose2d over (a) a generic batch, (b) a generic spatial size H, (c) `number` dims
 * (TypeScript 6 and 7, `npm run typecheck`). An output size is H where the op maps every size to
 * itself (a stride-1 "same" window, scale factor 1, pads (0, 0)), the given size, or number.
 */
import { convTranspose2d, interpolate, maxPool2d, pad, randn, type Tensor } from "../../../src/index.js";
import * as nn from "../../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
const F = nn.functional;

export function batch<B extends number>(x: Tensor<[B, 8, 6, 6]>) {
  const m = maxPool2d(x, { kernelSize: 2 });
  const a = F.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1 });
  const g = F.adaptiveAvgPool2d(x, [2, 3]);
  const i = interpolate(x, { scaleFactor: 2 });
  const s = interpolate(x, { size: [3, 4], mode: "bilinear" });
  const p = pad(x, [1, 1, 2, 0], { mode: "reflect" });
  const t = convTranspose2d(x, randn([8, 4, 2, 2]), null, { stride: 2 });
  type Checks = [
    Expect<Equal<typeof m, Tensor<[B, 8, 3, 3]>>>,
    Expect<Equal<typeof a, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof g, Tensor<[B, 8, 2, 3]>>>,
    Expect<Equal<typeof i, Tensor<[B, 8, 12, 12]>>>,
    Expect<Equal<typeof s, Tensor<[B, 8, 3, 4]>>>,
    Expect<Equal<typeof p, Tensor<[B, 8, 8, 8]>>>,
    Expect<Equal<typeof t, Tensor<[B, 4, 12, 12]>>>,
  ];
  // @ts-expect-error pad: reflect padding (6, 6) of dim 3 must be less than its size 6
  pad(x, [6, 6, 0, 0], { mode: "reflect" });
  // @ts-expect-error convTranspose2d: input has 8 channels but weight [3, 4, 2, 2] expects 3
  convTranspose2d(x, randn([3, 4, 2, 2]));
  return [m, a, g, i, s, p, t] as const;
}

export function spatial<B extends number, H extends number, W extends number>(
  x: Tensor<[B, 8, H, H]>,
  r: Tensor<[B, 8, H, W]>,
) {
  const m = maxPool2d(x, { kernelSize: 3, stride: 1, padding: 1 });
  const half = maxPool2d(x, { kernelSize: 2 });
  const g = F.adaptiveAvgPool2d(x, 1);
  const sized = interpolate(x, { size: 12 });
  const scaled = interpolate(r, { scaleFactor: [2, 1], mode: "bilinear" });
  const same = interpolate(x, { scaleFactor: 1 });
  const p = pad(x, [1, 1, 1, 1]);
  const rows = pad(r, [0, 0, 2, 2], { mode: "replicate" });
  const ring = pad(r, [1, 1, 0, 0], { mode: "circular" });
  const cropped = pad(x, [-1, 0], { value: 3 });
  const t = convTranspose2d(x, randn([8, 4, 3, 3]), null, { padding: 1 });
  type Checks = [
    Expect<Equal<typeof m, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof half, Tensor<[B, 8, number, number]>>>,
    Expect<Equal<typeof g, Tensor<[B, 8, 1, 1]>>>,
    Expect<Equal<typeof sized, Tensor<[B, 8, 12, 12]>>>,
    Expect<Equal<typeof scaled, Tensor<[B, 8, number, W]>>>,
    Expect<Equal<typeof same, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof p, Tensor<[B, 8, number, number]>>>,
    Expect<Equal<typeof rows, Tensor<[B, 8, number, W]>>>,
    Expect<Equal<typeof ring, Tensor<[B, 8, H, number]>>>,
    Expect<Equal<typeof cropped, Tensor<[B, 8, H, number]>>>,
    Expect<Equal<typeof t, Tensor<[B, 4, H, H]>>>,
  ];
  // The options are still checked: each error is the catalogue's.
  // @ts-expect-error pad: 3 pads (an odd count)
  pad(x, [1, 1, 1]);
  // @ts-expect-error pad: mode "reflect" takes 2 pads on a 2-D or 3-D input, 4 on a 3-D or 4-D input, 6 on a 4-D or 5-D input
  pad(x, [1, 1, 1, 1, 1, 1, 1, 1], { mode: "reflect" });
  // @ts-expect-error pad: mode "reflect" takes no value
  pad(x, [1, 1], { mode: "reflect", value: 1 });
  // @ts-expect-error interpolate: give exactly one of size and scaleFactor, got both
  interpolate(x, { size: 3, scaleFactor: 2 });
  // @ts-expect-error interpolate: size 0 is not a positive size
  interpolate(x, { size: 0 });
  // @ts-expect-error interpolate: alignCorners needs mode "bilinear"
  interpolate(x, { size: 4, alignCorners: true });
  // @ts-expect-error maxPool2d: padding [2, 2] must be at most half the kernel size [3, 3]
  maxPool2d(x, { kernelSize: 3, padding: 2 });
  // @ts-expect-error convTranspose2d: input has 8 channels but weight [3, 4, 2, 2] expects 3
  convTranspose2d(x, randn([3, 4, 2, 2]));
  return [m, half, g, sized, scaled, same, p, rows, ring, cropped, t] as const;
}

export function runTime(x: Tensor<[number, 8, number, number]>) {
  const m = maxPool2d(x, { kernelSize: 2 });
  const g = F.adaptiveAvgPool2d(x, 1);
  const i = interpolate(x, { scaleFactor: 2 });
  const s = interpolate(x, { size: 7 });
  const p = pad(x, [1, 1, 1, 1], { mode: "reflect" });
  type Checks = [
    Expect<Equal<typeof m, Tensor<[number, 8, number, number]>>>,
    Expect<Equal<typeof g, Tensor<[number, 8, 1, 1]>>>,
    Expect<Equal<typeof i, Tensor<[number, 8, number, number]>>>,
    Expect<Equal<typeof s, Tensor<[number, 8, 7, 7]>>>,
    Expect<Equal<typeof p, Tensor<[number, 8, number, number]>>>,
  ];
  // @ts-expect-error interpolate: give exactly one of size and scaleFactor, got both
  interpolate(x, { size: 3, scaleFactor: 2 });
  return [m, g, i, s, p] as const;
}
