/**
 * A sample for `npx shapegrad shapes examples/inspector/nested.ts`: a Sequential holding a nested
 * Sequential, a Residual and a custom module. The inspector lists the nested layers as rows of
 * their own and shows the custom module by the shape its forward returns.
 */
import { randn, type Tensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

/** A custom head: its forward's declared types are all the compiler knows of it. */
class Head extends nn.Module {
  fc = nn.Linear(32, 10);

  forward(x: Tensor<[4, 32]>): Tensor<[4, 10]> {
    return this.fc.forward(x);
  }
}

const model = nn.Sequential(
  nn.Sequential(nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2)),
  nn.Residual(nn.Sequential(nn.Conv2d(8, 8, 3, { padding: 1 }), nn.ReLU())),
  nn.Flatten(),
  nn.Linear([8, 12, 12], 32),
  new Head(),
);
const x = randn([4, 1, 28, 28]);
const y = model.forward(x);

export { y };
