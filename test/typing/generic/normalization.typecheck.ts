/**
 * Issue 19, item 2, batchNorm / layerNorm / groupNorm and dropout over (a) a generic batch, (b) a
 * generic spatial size, (c) `number` dims (TypeScript 6 and 7, `npm run typecheck`). The shape is
 * kept. layerNorm's normalizedShape against normalised dims that include a generic one is checked
 * at run time, the literal ones among them too (as conv2d's literal W beside a generic H).
 */
import { zeros, type Tensor } from "../../../src/index.js";
import * as nn from "../../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
const F = nn.functional;

export function batch<B extends number>(x: Tensor<[B, 8, 6, 6]>, tokens: Tensor<[B, 196, 768]>) {
  const b = F.batchNorm(x, zeros([8]), zeros([8])).output;
  const l = F.layerNorm(tokens, [768], zeros([768]), zeros([768]));
  const g = F.groupNorm(x, 4, zeros([8]));
  const d = F.dropout(x, 0.5);
  const d2 = F.dropout2d(x, 0.1);
  type Checks = [
    Expect<Equal<typeof b, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof l, Tensor<[B, 196, 768]>>>,
    Expect<Equal<typeof g, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof d, Tensor<[B, 8, 6, 6]>>>,
    Expect<Equal<typeof d2, Tensor<[B, 8, 6, 6]>>>,
  ];
  // @ts-expect-error layerNorm: normalizedShape [512] does not match the last dims of input [B, 196, 768]
  F.layerNorm(tokens, [512]);
  // @ts-expect-error groupNorm: numGroups 3 does not divide the 8 channels
  F.groupNorm(x, 3);
  return [b, l, g, d, d2] as const;
}

export function spatial<B extends number, H extends number>(x: Tensor<[B, 8, H, H]>) {
  const l = F.layerNorm(x, [6, 6]);
  const c = F.layerNorm(x, [8, 6, 6], zeros([8, 6, 6]));
  const g = F.groupNorm(x, 2, zeros([8]), zeros([8]));
  const d = F.dropout2d(x, 0.1);
  type Checks = [
    Expect<Equal<typeof l, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof c, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof g, Tensor<[B, 8, H, H]>>>,
    Expect<Equal<typeof d, Tensor<[B, 8, H, H]>>>,
  ];
  // @ts-expect-error layerNorm: weight must have shape [6, 6], got [6]
  F.layerNorm(x, [6, 6], zeros([6]));
  // @ts-expect-error groupNorm: numGroups 3 does not divide the 8 channels
  F.groupNorm(x, 3);
  return [l, c, g, d] as const;
}

export function runTime(x: Tensor<[number, 8, number, number]>) {
  const l = F.layerNorm(x, [6, 6]);
  const g = F.groupNorm(x, 4);
  type Checks = [
    Expect<Equal<typeof l, Tensor<[number, 8, number, number]>>>,
    Expect<Equal<typeof g, Tensor<[number, 8, number, number]>>>,
  ];
  // @ts-expect-error groupNorm: numGroups 3 does not divide the 8 channels
  F.groupNorm(x, 3);
  return [l, g] as const;
}
