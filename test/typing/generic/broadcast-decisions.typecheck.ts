/**
 * Issue 19, broadcasting decisions documented in docs/types.md ("B against a different literal",
 * "a 1 of the first operand"): a generic dim against a different literal is exact where the generic
 * function is called; a run-time `number` dim takes the literal; the bias-second forms keep B
 * (TypeScript 6 and 7, `npm run typecheck`).
 */
import { add, randn, type Tensor } from "../../../src/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

function batchAgainstThree<B extends number>(x: Tensor<[B, 16]>, y: Tensor<[3, 16]>) {
  return x.add(y);
}
const three = batchAgainstThree(randn([3, 16]), randn([3, 16]));
const one = batchAgainstThree(randn([1, 16]), randn([3, 16]));
const two = batchAgainstThree(randn([2, 16]), randn([3, 16]));

export function runTime(x: Tensor<[number, 16]>, y: Tensor<[3, 16]>) {
  return x.add(y);
}

export function biasSecond<B extends number, H extends number>(x: Tensor<[B, 16, H, H]>, bias: Tensor<[1, 16, 1, 1]>) {
  const a = add(x, bias);
  const m = x.mul(bias);
  const s = x.sub(bias).neg();
  type Checks = [
    Expect<Equal<typeof a, Tensor<[B, 16, H, H]>>>,
    Expect<Equal<typeof m, Tensor<[B, 16, H, H]>>>,
    Expect<Equal<typeof s, Tensor<[B, 16, H, H]>>>,
  ];
  return [a, m, s] as const;
}

export type Checks = [
  Expect<Equal<typeof three, Tensor<[3, 16]>>>,
  Expect<Equal<typeof one, Tensor<[3, 16]>>>,
  // B = 2 does not broadcast against 3: the run time raises; the type claims no literal.
  Expect<Equal<typeof two, Tensor<number[]>>>,
  Expect<Equal<ReturnType<typeof runTime>, Tensor<[3, 16]>>>,
];
