// The benchmark suite of issue 5 (NCHW, float32).
/** name, [N, C, H, W], [O, C/groups, kH, kW], stride, padding, dilation, groups */
export const SHAPES = [
  ["r1", "ResNet-18 conv1 3->64 7x7 s2 p3 @224", [1, 3, 224, 224], [64, 3, 7, 7], 2, 3, 1, 1],
  ["r2", "ResNet-18 64->64 3x3 p1 @56", [1, 64, 56, 56], [64, 64, 3, 3], 1, 1, 1, 1],
  ["r3", "ResNet-18 128->128 3x3 p1 @28", [1, 128, 28, 28], [128, 128, 3, 3], 1, 1, 1, 1],
  ["r4", "ResNet-18 256->256 3x3 p1 @14", [1, 256, 14, 14], [256, 256, 3, 3], 1, 1, 1, 1],
  ["r5", "ResNet-18 512->512 3x3 p1 @7", [1, 512, 7, 7], [512, 512, 3, 3], 1, 1, 1, 1],
  ["s2", "downsample 64->128 3x3 s2 p1 @56", [1, 64, 56, 56], [128, 64, 3, 3], 2, 1, 1, 1],
  ["pw", "1x1 256->64 @28", [1, 256, 28, 28], [64, 256, 1, 1], 1, 0, 1, 1],
  ["dw", "depthwise 3x3 p1 256ch @28", [1, 256, 28, 28], [256, 1, 3, 3], 1, 1, 1, 256],
  ["dl", "dilation-2 3x3 p2 64->64 @56", [1, 64, 56, 56], [64, 64, 3, 3], 1, 2, 2, 1],
  ["t1", "train 32x1x28x28 -> 16 3x3 p1", [32, 1, 28, 28], [16, 1, 3, 3], 1, 1, 1, 1],
  ["t2", "train 8x32x32x32 -> 64 3x3 p1", [8, 32, 32, 32], [64, 32, 3, 3], 1, 1, 1, 1],
];

/** Not in the suite: the demo's two conv layers (examples/demo.ts, batch 64, no padding), for the
 * tools that compare builds or time stages on a shape by id (pair.mjs, stages.mjs). */
export const DEMO_SHAPES = [
  ["d1", "demo conv1 64x1x28x28 -> 16 5x5", [64, 1, 28, 28], [16, 1, 5, 5], 1, 0, 1, 1],
  ["d2", "demo conv2 64x16x12x12 -> 32 3x3", [64, 16, 12, 12], [32, 16, 3, 3], 1, 0, 1, 1],
];

/** Every row a tool may name by id: the suite's and the demo's. */
export const ALL_SHAPES = [...SHAPES, ...DEMO_SHAPES];

/** A suite row as the arguments of conv2dGeometry (src/primitives/conv2d.ts). */
export function geometryArgs([, , input, weight, s, p, d, groups]) {
  return { input, weight, stride: [s, s], dilation: [d, d], padding: [p, p, p, p], groups };
}

/** n floats in [-1, 1) from a xorshift32 stream seeded by `seed`: the suite's inputs, the same in every run. */
export function rand(n, seed) {
  let s = seed >>> 0 || 1;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
  return a;
}
