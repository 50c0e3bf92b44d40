/**
 * The issue-21 layers and functions: SiLU, Hardswish, Hardsigmoid, ReLU6 and Dropout2d keep the
 * shape (literal or generic), are callable without `new`, and Dropout2d refuses a rank other
 * than 3 or 4 with the run-time message.
 */
import { expectError, expectType } from "tsd";
import { randn, zeros, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

const x = randn([8, 3, 32, 32]);
const x64 = zeros([5, 7], { dtype: "float64" });

expectType<Tensor<[8, 3, 32, 32], "float32", "cpu">>(nn.SiLU().forward(x));
expectType<Tensor<[8, 3, 32, 32], "float32", "cpu">>(new nn.Hardswish().forward(x));
expectType<Tensor<[5, 7], "float64", "cpu">>(nn.Hardsigmoid().forward(x64));
expectType<Tensor<[5, 7], "float64", "cpu">>(nn.ReLU6().forward(x64));
expectType<Tensor<[8, 3, 32, 32], "float32", "cpu">>(nn.Dropout2d(0.2).forward(x));
expectType<Tensor<[3, 32, 32], "float32", "cpu">>(nn.Dropout2d().forward(randn([3, 32, 32])));

expectType<Tensor<[5, 7], "float64", "cpu">>(nn.functional.silu(x64));
expectType<Tensor<[5, 7], "float64", "cpu">>(nn.functional.hardswish(x64));
expectType<Tensor<[5, 7], "float64", "cpu">>(nn.functional.hardsigmoid(x64));
expectType<Tensor<[5, 7], "float64", "cpu">>(nn.functional.relu6(x64));
expectType<Tensor<[8, 3, 32, 32], "float32", "cpu">>(nn.functional.dropout2d(x, 0.5, true));

// Generic dims are kept.
function generic<N extends number>(t: Tensor<[N, 16, 8, 8]>): Tensor<[N, 16, 8, 8]> {
  return nn.Dropout2d(0.1).forward(nn.Hardswish().forward(t));
}
expectType<Tensor<[4, 16, 8, 8], "float32", "cpu">>(generic(randn([4, 16, 8, 8])));

// In a Sequential, the shape flows through.
const net = nn.Sequential(nn.Conv2d(3, 8, 3, { padding: 1 }), nn.Hardswish(), nn.Dropout2d(0.1), nn.ReLU6(), nn.SiLU());
expectType<Tensor<[8, 8, 32, 32], "float32", "cpu">>(net.forward(x));

// Dropout2d on a matrix: the run-time message at compile time.
expectError(nn.Dropout2d(0.5).forward(x64));
type WrongArg = nn.ForwardArg<nn.Dropout2d, [5, 7], "float64">;
expectType<"dropout2d: expected input [C, H, W] or [N, C, H, W], got shape [5, 7]">(null as unknown as WrongArg);
