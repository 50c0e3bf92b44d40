// Baseline of models.ts: the same library imports and helper, without src/models and without calls.
import { randn, type Tensor } from "../../src/index.js";
import type * as nn from "../../src/nn/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function expectType<S>(): <T>(t: Equal<T, S> extends true ? T : { expected: S; got: T }) => void;

export { randn, expectType };
export type Layer = nn.Module;
export type Image = Tensor<[1, 3, 224, 224]>;
