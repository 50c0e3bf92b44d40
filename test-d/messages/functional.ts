// nn.functional.linear under TS 6 and 7: a weight whose in-features are not the input's last dim
// fails at the weight with exactly the runtime's text (test/nn/functional-linear.test.ts throws it).
import { randn, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

const F = nn.functional;
declare const v: Tensor<[2, 16]>;
declare const x: Tensor<[2, 3, 500]>;

F.linear(v, randn([4, 8]));
// at: arg1
// error: linear: input [2, 16] has 16 features but the layer expects 8 (weight [4, 8])

F.linear(x, randn([10, 512]), randn([10]));
// at: arg1
// error: linear: input [2, 3, 500] has 500 features but the layer expects 512 (weight [10, 512])
