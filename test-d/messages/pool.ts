// maxPool2d / avgPool2d with asymmetric padding [top, bottom, left, right] under TS 6 and 7: each
// Expect line compiles only if the type is exactly the one written, and each annotated call fails
// at the annotated argument with exactly the runtime's text (test/ops/pool-asymmetric.test.ts
// throws the same and checks every golden's shape against this rule).
import type { Pool2d } from "../../types/shape/pool.js";
import { maxPool2d, nn, type Tensor } from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export type Checks = [
  // ONNX SAME_UPPER / SAME_LOWER (the goldens' k2-s2-odd, k4-s1, d2-k3-s1 cases)
  Expect<Equal<Pool2d<[1, 2, 5, 5], 2, 2, [0, 1, 0, 1]>, [1, 2, 3, 3]>>,
  Expect<Equal<Pool2d<[1, 2, 5, 5], 2, 2, readonly [1, 0, 1, 0]>, [1, 2, 3, 3]>>,
  Expect<Equal<Pool2d<[1, 1, 5, 6], 4, 1, [1, 2, 1, 2]>, [1, 1, 5, 6]>>,
  Expect<Equal<Pool2d<[1, 1, 6, 5], 3, 1, [2, 2, 2, 2], 2>, [1, 1, 6, 5]>>,
  Expect<Equal<Pool2d<[1, 2, 4, 7], [2, 3], [1, 2], [0, 1, 1, 1]>, [1, 2, 4, 4]>>,
  // the other forms are the four sides they stand for
  Expect<Equal<Pool2d<[1, 1, 7, 7], 3, 2, [1, 1, 1, 1]>, [1, 1, 4, 4]>>,
  Expect<Equal<Pool2d<[1, 1, 7, 7], 3, 2, 1>, [1, 1, 4, 4]>>,
  Expect<Equal<Pool2d<[1, 1, 7, 7], 3, 2, [1, 1, 0, 0]>, [1, 1, 4, 3]>>,
  Expect<Equal<Pool2d<[1, 1, 7, 7], 3, 2, [1, 0]>, [1, 1, 4, 3]>>,
  // ceil mode: the last window must start inside the input or the top/left padding
  Expect<Equal<Pool2d<[1, 1, 6, 6], 3, 2, [0, 1, 0, 1], 1, true>, [1, 1, 3, 3]>>,
  Expect<Equal<Pool2d<[1, 1, 6, 6], 3, 2, [1, 0, 1, 0], 1, true>, [1, 1, 3, 3]>>,
  Expect<Equal<Pool2d<[1, 1, 7, 7], 2, 2, [0, 1, 0, 1], 1, true>, [1, 1, 4, 4]>>,
  Expect<Equal<Pool2d<[1, 1, 7, 8], 3, 2, [0, 1, 1, 0], 1, true>, [1, 1, 4, 4]>>,
  // generic sizes stay generic
  Expect<Equal<Pool2d<[2, 3, number, 8], 2, 2, [0, 1, 0, 1]>, [2, 3, number, 4]>>,
  Expect<Equal<Pool2d<[1, 1, 7, 7], 3, 1, number[]>, [1, 1, number, number]>>,
  // per axis: before + after at most the (dilated) window, each side less than it
  Expect<Equal<Pool2d<[2, 1, 5, 6], 3, 2, [1, 0, 0, 2]>, [2, 1, 2, 3]>>,
  Expect<Equal<Pool2d<[1, 1, 8, 8], 1, 1, [0, 0, 0, 0]>, [1, 1, 8, 8]>>,
  Expect<
    Equal<
      Pool2d<[1, 1, 8, 8], 3, 1, [2, 2, 0, 0]>,
      "maxPool2d: padding [2, 2, 0, 0] must add up to at most the window 3x3 along each axis (top + bottom, left + right), each side smaller than it (kernel [3, 3], dilation [1, 1])"
    >
  >,
  Expect<
    Equal<
      Pool2d<[1, 1, 8, 8], 2, 1, [0, 0, 2, 0], 1, false, "avgPool2d">,
      "avgPool2d: padding [0, 0, 2, 0] must add up to at most the window 2x2 along each axis (top + bottom, left + right), each side smaller than it (kernel [2, 2], dilation [1, 1])"
    >
  >,
  Expect<
    Equal<
      Pool2d<[1, 1, 8, 8], 3, 1, [3, 3, 0, 0], 2>,
      "maxPool2d: padding [3, 3, 0, 0] must add up to at most the window 5x5 along each axis (top + bottom, left + right), each side smaller than it (kernel [3, 3], dilation [2, 2])"
    >
  >,
  Expect<Equal<Pool2d<[1, 1, 8, 8], 3, 1, 2>, "maxPool2d: padding [2, 2] must be at most half the kernel size [3, 3]">>,
  Expect<
    Equal<
      Pool2d<[1, 1, 8, 8], 3, 1, 3, [1, 2]>,
      "maxPool2d: padding [3, 3] must be at most half the dilated kernel size 3x5 (kernel [3, 3], dilation [1, 2])"
    >
  >,
  Expect<Equal<Pool2d<[1, 1, 8, 8], 3, 1, 2, 2>, [1, 1, 8, 8]>>,
  Expect<
    Equal<
      Pool2d<[1, 1, 2, 2], 5, 1, [0, 0, 2, 2]>,
      "maxPool2d: output size would be -2x2: the 5x5 window (kernel [5, 5], dilation [1, 1]) does not fit the input 2x2 with padding [0, 0, 2, 2]"
    >
  >,
];

declare const x: Tensor<[1, 2, 5, 5]>;
declare const small: Tensor<[1, 1, 2, 2]>;

export const upper: Tensor<[1, 2, 3, 3]> = maxPool2d(x, { kernelSize: 2, padding: [0, 1, 0, 1] });
export const lower: Tensor<[1, 2, 3, 3]> = nn.functional.avgPool2d(x, { kernelSize: 2, padding: [1, 0, 1, 0] });
export const layer: Tensor<[1, 2, 3, 3]> = nn.MaxPool2d(2, { padding: [0, 1, 0, 1] }).forward(x);
export const avgLayer: Tensor<[1, 2, 4, 4]> = nn
  .AvgPool2d(3, { stride: 1, padding: [0, 1, 1, 0] })
  .forward(nn.functional.avgPool2d(x, { kernelSize: 1, padding: [0, 0, 0, 0] }));

maxPool2d(x, { kernelSize: 3, padding: [1, 3, 1, 1] });
// at: arg0
// error: maxPool2d: padding [1, 3, 1, 1] must add up to at most the window 3x3 along each axis (top + bottom, left + right), each side smaller than it (kernel [3, 3], dilation [1, 1])

maxPool2d(x, { kernelSize: 2, dilation: 2, padding: [0, 0, 3, 0] });
// at: arg0
// error: maxPool2d: padding [0, 0, 3, 0] must add up to at most the window 3x3 along each axis (top + bottom, left + right), each side smaller than it (kernel [2, 2], dilation [2, 2])

maxPool2d(x, { kernelSize: 2, dilation: 2, padding: 2 });
// at: arg0
// error: maxPool2d: padding [2, 2] must be at most half the dilated kernel size 3x3 (kernel [2, 2], dilation [2, 2])

maxPool2d(small, { kernelSize: 5, padding: [2, 2, 0, 0] });
// at: arg0
// error: maxPool2d: output size would be 1x0: the 5x5 window (kernel [5, 5], dilation [1, 1]) does not fit the input 2x2 with padding [2, 2, 0, 0]

// Issue 19: one signature per pooling op, its route resolved at the call. Under a generic batch and
// size the window's rules fail at the input with the literal call's text; a keeping window keeps H.
export function genericPool<B extends number, H extends number>(g: Tensor<[B, 2, H, H]>) {
  maxPool2d(g, { kernelSize: 2, dilation: 2, padding: 2 });
  // at: arg0
  // error: maxPool2d: padding [2, 2] must be at most half the dilated kernel size 3x3 (kernel [2, 2], dilation [2, 2])
  nn.functional.avgPool2d(g, { kernelSize: 3, padding: [1, 3, 1, 1] });
  // at: arg0
  // error: avgPool2d: padding [1, 3, 1, 1] must add up to at most the window 3x3 along each axis (top + bottom, left + right), each side smaller than it (kernel [3, 3], dilation [1, 1])
  const kept = maxPool2d(g, { kernelSize: 3, stride: 1, padding: [1, 1, 0, 2] });
  const halved = nn.functional.avgPool2d(g, { kernelSize: 2 });
  const layer = nn.MaxPool2d(3, { stride: 1, padding: 1 }).forward(g);
  type GenericChecks = [
    Expect<Equal<typeof kept, Tensor<[B, 2, H, H]>>>,
    Expect<Equal<typeof halved, Tensor<[B, 2, number, number]>>>,
    Expect<Equal<typeof layer, Tensor<[B, 2, H, H]>>>,
  ];
  return [kept, halved, layer];
}
