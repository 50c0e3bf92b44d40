/**
 * Issue 19, item 2, softmax / logSoftmax and the losses over (a) a generic batch, (b) a generic
 * class count or spatial size, (c) `number` dims (TypeScript 6 and 7, `npm run typecheck`).
 */
import { zeros, type Tensor } from "../../../src/index.js";
import * as nn from "../../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
const F = nn.functional;

export function batch<B extends number>(logits: Tensor<[B, 10]>, target: Tensor<[B], "int32">) {
  const s = F.softmax(logits, 1);
  const l = F.logSoftmax(logits, -1);
  const ce = F.crossEntropy(logits, target);
  const each = F.crossEntropy(logits, target, { reduction: "none" });
  const nll = F.nllLoss(l, target);
  const mse = F.mseLoss(logits, logits);
  const bce = F.binaryCrossEntropyWithLogits(logits, logits);
  const L = nn.LogSoftmax(1).forward(logits);
  type Checks = [
    Expect<Equal<typeof s, Tensor<[B, 10]>>>,
    Expect<Equal<typeof l, Tensor<[B, 10]>>>,
    Expect<Equal<typeof ce, Tensor<[]>>>,
    Expect<Equal<typeof each, Tensor<[B]>>>,
    Expect<Equal<typeof nll, Tensor<[]>>>,
    Expect<Equal<typeof mse, Tensor<[]>>>,
    Expect<Equal<typeof bce, Tensor<[]>>>,
    Expect<Equal<typeof L, Tensor<[B, 10]>>>,
  ];
  // @ts-expect-error crossEntropy: a target of 3 items for a generic batch of logits [4, 10]
  F.crossEntropy(zeros([4, 10]), zeros([3], { dtype: "int32" }));
  // @ts-expect-error the target must be int32
  F.crossEntropy(logits, zeros([4]));
  return [s, l, ce, each, nll, mse, bce, L] as const;
}

export function classes<B extends number, K extends number, H extends number>(
  logits: Tensor<[B, K]>,
  target: Tensor<[B], "int32">,
  seg: Tensor<[B, K, H, H]>,
  mask: Tensor<[B, H, H], "int32">,
) {
  const ce = F.crossEntropy(logits, target, { reduction: "none" });
  const pixel = F.crossEntropy(seg, mask, { reduction: "none" });
  const s = F.softmax(seg, 1);
  type Checks = [
    Expect<Equal<typeof ce, Tensor<[B]>>>,
    Expect<Equal<typeof pixel, Tensor<[B, H, H]>>>,
    Expect<Equal<typeof s, Tensor<[B, K, H, H]>>>,
  ];
  return [ce, pixel, s] as const;
}

export function runTime(logits: Tensor<[number, number]>, target: Tensor<[number], "int32">) {
  const ce = F.crossEntropy(logits, target, { reduction: "none" });
  const s = F.softmax(logits, 1);
  type Checks = [Expect<Equal<typeof ce, Tensor<[number]>>>, Expect<Equal<typeof s, Tensor<[number, number]>>>];
  return [ce, s] as const;
}
