/**
 * Compile-time tests of the general ops' result shapes and argument errors. This file is part of
 * `npm run typecheck` (TypeScript 6) and of scripts/check-ts7.mjs' run when included there; a wrong
 * inferred shape or a missing error fails the build. `Expect<Equal<...>>` is exact (no widening).
 */
import {
  add,
  flatten,
  matmul,
  maxPool2d,
  mean,
  mul,
  permute,
  randn,
  reshape,
  sum,
  tensor,
  transpose,
  zeros,
  type Tensor,
} from "../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type ShapeOf<T> = T extends Tensor<infer S, infer _D, infer _Dev> ? S : never;

const x = randn([8, 3, 32, 32]);
const bias = zeros([3, 1, 1]);
const m = randn([5, 2, 3]);

export type Checks = [
  Expect<Equal<ShapeOf<typeof x>, [8, 3, 32, 32]>>,
  Expect<Equal<ShapeOf<ReturnType<typeof add<[8, 3, 32, 32], "float32", "cpu", typeof bias>>>, [8, 3, 32, 32]>>,
];
const literal = tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
const t0: Expect<Equal<ShapeOf<typeof literal>, [2, 3]>> = true;

const broadcastSum = add(x, bias);
const t1: Expect<Equal<ShapeOf<typeof broadcastSum>, [8, 3, 32, 32]>> = true;
const scaled = mul(x, 2);
const t2: Expect<Equal<ShapeOf<typeof scaled>, [8, 3, 32, 32]>> = true;
const mm = matmul(m, randn([3, 7]));
const t3: Expect<Equal<ShapeOf<typeof mm>, [5, 2, 7]>> = true;
const r = reshape(x, [8, -1]);
const t4: Expect<Equal<ShapeOf<typeof r>, [8, 3072]>> = true;
const f = flatten(x, 1);
const t5: Expect<Equal<ShapeOf<typeof f>, [8, 3072]>> = true;
const p = permute(x, [0, 2, 3, 1]);
const t6: Expect<Equal<ShapeOf<typeof p>, [8, 32, 32, 3]>> = true;
const tr = transpose(m);
const t7: Expect<Equal<ShapeOf<typeof tr>, [5, 3, 2]>> = true;
const s = sum(x, [2, 3], true);
const t8: Expect<Equal<ShapeOf<typeof s>, [8, 3, 1, 1]>> = true;
const mn = mean(x);
const t9: Expect<Equal<ShapeOf<typeof mn>, []>> = true;
const viaMethod = x.reshape([8, 3, 1024]).sum(-1);
const t10: Expect<Equal<ShapeOf<typeof viaMethod>, [8, 3]>> = true;
// A run-time dim stays number through every op.
declare const n: number;
const dynamic = randn([n, 10]);
const dm = matmul(dynamic, randn([10, 4]));
const t11: Expect<Equal<ShapeOf<typeof dm>, [number, 4]>> = true;
void [t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, maxPool2d];

// Errors land on the argument at fault, with the runtime's text.
// @ts-expect-error broadcast: shapes [8, 3, 32, 32] and [4, 1, 1] cannot be broadcast
add(x, zeros([4, 1, 1]));
// @ts-expect-error dtype mismatch
add(x, zeros([3, 1, 1], { dtype: "float64" }));
// @ts-expect-error matmul: inner dims do not match
matmul(m, randn([4, 7]));
// @ts-expect-error reshape: cannot reshape [8, 3, 32, 32] (24576 elements) into [5, -1]
reshape(x, [5, -1]);
// @ts-expect-error the same rules through the methods
x.add(zeros([4, 1, 1]));
// @ts-expect-error
m.matmul(randn([4, 7]));
// @ts-expect-error
x.view([7, -1]);
const viaMethods = m
  .matmul(randn([3, 7]))
  .add(randn([7]))
  .reshape([10, 7]);
const t12: Expect<Equal<ShapeOf<typeof viaMethods>, [10, 7]>> = true;
void t12;
