// A bias whose type admits null (an optional layer bias) is checked for its tensor part: at run time
// it may be a tensor, and then the same shape is refused (the message is the catalogue's).
import { expectError, expectType } from "tsd";
import { conv2d, type Tensor } from "../src/index.js";

declare const x: Tensor<[2, 3, 8, 8]>;
declare const w: Tensor<[16, 3, 3, 3]>;
declare const good: Tensor<[16]> | null;
declare const bad: Tensor<[15]> | null;
declare const maybe: Tensor<[16]> | undefined;
expectType<Tensor<[2, 16, 6, 6], "float32", "cpu">>(conv2d(x, w, good));
expectType<Tensor<[2, 16, 6, 6], "float32", "cpu">>(conv2d(x, w, maybe));
expectError(conv2d(x, w, bad));
