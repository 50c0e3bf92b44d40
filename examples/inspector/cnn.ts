/**
 * A sample for `npx shapegrad shapes examples/inspector/cnn.ts`: a small CNN written twice, with
 * the functional ops and as an nn.Sequential. Every shape below is computed by the compiler.
 */
import { flatten, maxPool2d, randn, relu, type Tensor } from "../../src/index.js";
import { conv2d } from "../../src/ops/conv2d.js";
import * as nn from "../../src/nn/index.js";

const images = randn([8, 3, 32, 32]);
const kernels = randn([16, 3, 3, 3], { requiresGrad: true });
const features = conv2d(images, kernels, null, { stride: 2, padding: 1 });
const activated = relu(features);
const dilated = conv2d(activated, randn([32, 8, 3, 3]), null, { dilation: 2, groups: 2, padding: "same", paddingMode: "reflect" });
const flat = flatten(dilated, 1);

const model = nn.Sequential(
  nn.Conv2d(3, 16, 3, { padding: 1 }),
  nn.BatchNorm2d(16),
  nn.ReLU(),
  nn.MaxPool2d(2),
  nn.Conv2d(16, 32, 3, { stride: 2, padding: 1 }),
  nn.ReLU(),
  nn.Flatten(),
  nn.Linear([32, 8, 8], 10),
);
const logits = model.forward(images);

/** The same network as a custom Module: the inspector lists the layers it holds. */
class Net extends nn.Module {
  features = nn.Sequential(nn.Conv2d(3, 16, 3, { padding: 1 }), nn.ReLU(), nn.MaxPool2d(2));
  flatten = nn.Flatten();
  head = nn.Linear([16, 16, 16], 10);

  forward(x: Tensor<[8, 3, 32, 32]>): Tensor<[8, 10]> {
    const h = this.features.forward(x);
    return this.head.forward(this.flatten.forward(h));
  }
}
const net = new Net();
const scores = net.forward(images);

export { flat, logits, maxPool2d, scores };
