// The shape types of types/shape/ under TS 6 and 7: each line compiles only if the type is exactly
// the one written (messages included). test/types/shape-ops.test.ts checks the same and more against
// the runtime.
import type { Broadcast, Linear, MatMul } from "../../types/shape/broadcast.js";
import type { Expanded, Flatten, Permute, Product, Reduce, Reshape, Transpose } from "../../types/shape/reshape.js";
import type { Pool2d } from "../../types/shape/pool.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export type Checks = [
  Expect<Equal<Broadcast<[8, 1, 5], [3, 1]>, [8, 3, 5]>>,
  Expect<Equal<Broadcast<[number, 3], [5, 1]>, [5, 3]>>,
  Expect<
    Equal<
      Broadcast<[2, 3], [4, 3], "add">,
      "add: shapes [2, 3] and [4, 3] cannot be broadcast (each pair of trailing dims must be equal or 1)"
    >
  >,
  Expect<Equal<MatMul<[2, 5, 3, 4], [4, 7]>, [2, 5, 3, 7]>>,
  Expect<Equal<MatMul<[4], [4]>, []>>,
  Expect<Equal<MatMul<[3, 4], [5, 6]>, "matmul: inner dims do not match: [3, 4] @ [5, 6] (4 vs 5)">>,
  Expect<Equal<Linear<[8, 512], 512, 10>, [8, 10]>>,
  Expect<
    Equal<
      Linear<[8, 500], 512, 10>,
      "linear: input [8, 500] has 500 features but the layer expects 512 (weight [10, 512])"
    >
  >,
  Expect<Equal<Product<[2, 3, 4]>, 24>>,
  Expect<Equal<Product<[2, number]>, number>>,
  Expect<Equal<Reshape<[2, 3, 4], [4, -1]>, [4, 6]>>,
  Expect<Equal<Reshape<[number, 4], [-1, 2]>, [number, 2]>>,
  Expect<Equal<Reshape<[2, 3, 4], [5, -1]>, "reshape: cannot reshape [2, 3, 4] (24 elements) into [5, -1]">>,
  Expect<Equal<Flatten<[2, 3, 4, 5], 1>, [2, 60]>>,
  Expect<Equal<Flatten<[2, 3], 1, 0>, "flatten: startDim 1 comes after endDim 0">>,
  Expect<Equal<Permute<[2, 3, 4], [2, 0, 1]>, [4, 2, 3]>>,
  Expect<Equal<Transpose<[2, 3, 4], 0, -1>, [4, 3, 2]>>,
  Expect<
    Equal<
      Transpose<[2, 3, 4], 0, 3>,
      "transpose: dim 3 is out of range for a tensor of rank 3 (expected an integer in [-3, 2])"
    >
  >,
  Expect<Equal<Reduce<[2, 3, 4], [0, -1], true>, [1, 3, 1]>>,
  Expect<Equal<Reduce<[2, 3, 4], undefined, false>, []>>,
  Expect<Equal<Pool2d<[8, 16, 32, 32], 2>, [8, 16, 16, 16]>>,
  Expect<Equal<Pool2d<[1, 1, 5, 5], 2, 2, 1, 1, true>, [1, 1, 3, 3]>>,
  Expect<Equal<Pool2d<[1, 1, 2, 2], 3, 1, 2>, "maxPool2d: padding [2, 2] must be at most half the kernel size [3, 3]">>,
];

/**
 * Session 16: broadcasting at generic dims (B against 1 is B, B against B is B, whatever the other
 * dims; a 1 of the first operand against B stays undecided), expand's -1, Linear's generic features.
 */
export function generic<B extends number, H extends number>() {
  return [] as unknown as [
    Expect<Equal<Broadcast<[B, 8, H, H], [B, 8, 1, 1]>, [B, 8, H, H]>>,
    Expect<Equal<Broadcast<[B, 8, H, H], [1, 8, H, 1]>, [B, 8, H, H]>>,
    Expect<Equal<Broadcast<[B, 8, H, H], [8, 1, 1]>, [B, 8, H, H]>>,
    Expect<Equal<Broadcast<[B, 8, H, H], [B, 1, 1, 1]>, [B, 8, H, H]>>,
    Expect<Equal<Broadcast<[B, 8, H, H], [B, 8, H, H]>, [B, 8, H, H]>>,
    Expect<Equal<Expanded<[B, 1, H, 1], [-1, 4, -1, 5]>, [B, 4, H, 5]>>,
    Expect<Equal<Expanded<[3, 1], [2, -1, 4]>, [2, 3, 4]>>,
    Expect<Equal<Linear<[B, H], H, 4>, [B, 4]>>,
  ];
}
