// Issue 19, item 2 under tsd (TypeScript 5.9): conv2d, convTranspose2d, maxPool2d and avgPool2d
// over a generic spatial size H (types/shape/generic.ts). Batch and channels are known; an output
// size is H where the layer maps every size to itself, else number; literal mismatches are still
// errors. test/typing/generic-sizes.typecheck.ts checks the same under TypeScript 6 and 7.
import { expectError, expectType } from "tsd";
import { conv2d, convTranspose2d, maxPool2d, nn, randn, type Tensor } from "../src/index.js";

export function block<B extends number, H extends number, W extends number>(
  x: Tensor<[B, 16, H, H]>,
  r: Tensor<[B, 16, H, W]>,
) {
  const w = randn([32, 16, 3, 3]);
  // The line: 3x3, padding 1, stride 1 keeps H.
  expectType<Tensor<[B, 32, H, H], "float32", "cpu">>(conv2d(x, w, null, { padding: 1 }));
  expectType<Tensor<[B, 32, H, H], "float32", "cpu">>(conv2d(x, w, null, { padding: "same" }));
  expectType<Tensor<[B, 32, number, number], "float32", "cpu">>(conv2d(x, w, null, { padding: 1, stride: 2 }));
  expectType<Tensor<[B, 32, number, number], "float32", "cpu">>(conv2d(x, w));
  expectType<Tensor<[B, 8, H, W], "float32", "cpu">>(conv2d(r, randn([8, 16, 3, 1]), null, { padding: [1, 0] }));
  expectType<Tensor<[B, 32, H, number], "float32", "cpu">>(conv2d(r, w, randn([32]), { padding: [1, 0] }));
  expectType<Tensor<[B, 8, H, H], "float32", "cpu">>(convTranspose2d(x, randn([16, 8, 3, 3]), null, { padding: 1 }));
  expectType<Tensor<[B, 8, number, number], "float32", "cpu">>(
    convTranspose2d(x, randn([16, 8, 2, 2]), null, { stride: 2 }),
  );
  expectType<Tensor<[B, 16, H, H], "float32", "cpu">>(maxPool2d(x, { kernelSize: 3, stride: 1, padding: 1 }));
  expectType<Tensor<[B, 16, number, number], "float32", "cpu">>(maxPool2d(x, { kernelSize: 2 }));
  expectType<Tensor<[B, 16, H, H], "float32", "cpu">>(
    nn.functional.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1 }),
  );
  expectType<Tensor<[B, 16, number, number], "float32", "cpu">>(nn.functional.avgPool2d(x, { kernelSize: 2 }));

  // Literal mismatches are still errors under generic sizes.
  expectError(conv2d(x, randn([32, 3, 3, 3]), null, { padding: 1 }));
  expectError(conv2d(x, w, randn([31])));
  expectError(conv2d(x, w, null, { padding: "same", stride: 2 }));
  expectError(convTranspose2d(x, randn([3, 8, 3, 3])));
  expectError(maxPool2d(x, { kernelSize: 3, padding: 2 }));
  expectError(nn.functional.avgPool2d(x, { kernelSize: 2, padding: 2 }));
}

// Literal and `number` sizes keep the exact rule and its errors.
expectType<Tensor<[2, 32, 8, 8], "float32", "cpu">>(
  conv2d(randn([2, 16, 8, 8]), randn([32, 16, 3, 3]), null, { padding: 1 }),
);
declare const wide: Tensor<[number, 3, number, 32]>;
expectType<Tensor<[number, 16, number, 30], "float32", "cpu">>(conv2d(wide, randn([16, 3, 3, 3])));
expectError(conv2d(randn([2, 16, 1, 1]), randn([32, 16, 3, 3])));
expectError(maxPool2d(randn([2, 3, 2, 2]), { kernelSize: 5 }));
expectError(nn.functional.avgPool2d(randn([2, 3, 2, 2]), { kernelSize: 5 }));
