/**
 * A sample for `npx shapegrad shapes examples/inspector/training.ts`: a training step inside a
 * function, a loop and a tidy() callback, with a batch size known only at run time. The inspector
 * follows the forward call wherever it is and keeps every other dim literal.
 */
import { noGrad, randint, randn, tensor, tidy } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";
import * as optim from "../../src/optim/index.js";

const classifier = nn.Sequential(
  nn.Conv2d(1, 8, 5),
  nn.MaxPool2d(2),
  nn.ReLU(),
  nn.Flatten(),
  nn.Linear([8, 12, 12], 10),
);

export function train(images: Float32Array, labels: Int32Array, steps: number): number {
  const batch = labels.length;
  const optimizer = new optim.SGD(classifier.parameters(), { lr: 0.01 });
  let last = 0;
  for (let step = 0; step < steps; step++) {
    last = tidy(() => {
      const x = tensor(images, { shape: [batch, 1, 28, 28] });
      const y = tensor(labels, { shape: [batch], dtype: "int32" });
      const logits = classifier.forward(x);
      const loss = nn.functional.crossEntropy(logits, y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      return loss.item();
    });
  }
  return last;
}

export const check = noGrad(() => classifier.forward(randn([2, 1, 28, 28])));
export const labels = randint(0, 10, [2]);
