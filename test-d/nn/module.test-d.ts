/** A class extending nn.Module has a typed forward; layers used inside it compute their shapes. */
import { expectError, expectType } from "tsd";
import { randn, tensor, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";
import { resnet18 } from "../../examples/resnet18.js";

class Net extends nn.Module {
  conv = nn.Conv2d(1, 8, 3, { padding: 1 });
  pool = nn.MaxPool2d(2);
  fc = nn.Linear([8, 14, 14], 10);
  forward<N extends number>(x: Tensor<[N, 1, 28, 28]>) {
    const h = this.pool.forward(nn.functional.relu(this.conv.forward(x)));
    return this.fc.forward(nn.functional.flatten(h, 1));
  }
}
const net = new Net();
expectType<Tensor<[16, 10], "float32", "cpu">>(net.forward(randn([16, 1, 28, 28])));
expectError(net.forward(randn([16, 3, 28, 28])));

// A user module inside a Sequential: its non-generic forward signature is its shape rule.
class Head extends nn.Module {
  fc = nn.Linear(10, 2);
  forward(x: Tensor<[number, 10]>): Tensor<[number, 2]> {
    return this.fc.forward(x);
  }
}
expectType<Tensor<[number, 2], "float32", "cpu">>(
  nn.Sequential(new Head()).forward(randn([4, 10]) as Tensor<[number, 10]>),
);

// The typed ResNet-18 of examples/: [N, 3, H, W] -> [N, classes], every shape computed.
expectType<Tensor<[2, 1000], "float32", "cpu">>(resnet18().forward(randn([2, 3, 224, 224])));
expectType<Tensor<[1, 10], "float32", "cpu">>(resnet18(10).forward(randn([1, 3, 64, 64])));

// Functional forms keep shapes; losses are scalars unless reduction is "none".
const logits = randn([4, 10]);
const labels = tensor([1, 2, 3, 4], { dtype: "int32" });
expectType<Tensor<[], "float32", "cpu">>(nn.functional.crossEntropy(logits, labels));
expectType<Tensor<[4], "float32", "cpu">>(nn.functional.crossEntropy(logits, labels, { reduction: "none" }));
// PyTorch's class weights and ignored targets; the weight has the logits' dtype and device
expectType<Tensor<[4], "float32", "cpu">>(
  nn.functional.crossEntropy(logits, labels, { reduction: "none", weight: randn([10]), ignoreIndex: 0 }),
);
expectType<Tensor<[], "float32", "cpu">>(
  nn.functional.nllLoss(logits, labels, { weight: randn([10]), ignoreIndex: -100 }),
);
expectType<Tensor<[4], "float32", "cpu">>(nn.functional.nllLoss(logits, labels, "none"));
expectError(nn.functional.crossEntropy(logits, labels, { weight: randn([10], { dtype: "float64" }) }));
expectType<Tensor<[4, 10], "float32", "cpu">>(nn.functional.softmax(logits, 1));
expectType<Tensor<[4, 3], "float32", "cpu">>(nn.functional.linear(logits, randn([3, 10])));
expectType<Tensor<[2, 3, 5, 4], "float32", "cpu">>(
  nn.functional.avgPool2d(randn([2, 3, 9, 7]), { kernelSize: 2, ceilMode: true }),
);
expectType<Tensor<[2, 3, 1, 1], "float32", "cpu">>(nn.functional.adaptiveAvgPool2d(randn([2, 3, 9, 7]), 1));

// Optimizers take the parameters.
const opt = new optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
expectType<number>(opt.lr);
