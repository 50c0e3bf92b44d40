// The small models test/runtime trains: what a training step allocates, frees and reuses.
import * as sg from "../../src/index.js";
import type { AnyTensor } from "../../src/tensor.js";

/** Two conv3x3 + BatchNorm2d + ReLU + 2x2 max pool stages and a Linear, for [N, 3, 16, 16] inputs. */
export function bnNet(dtype: "float32" | "float64" = "float32") {
  const { nn } = sg;
  const net = nn.Sequential(
    nn.Conv2d(3, 8, 3, { padding: 1 }),
    nn.BatchNorm2d(8),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, { padding: 1 }),
    nn.BatchNorm2d(16),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(256, 10),
  );
  if (dtype === "float64") net.to("float64");
  return net;
}

/** One tidy() training step of `net` on (x, y): forward, cross-entropy, zeroGrad, backward, step; returns the loss. */
export function trainStep(
  net: { forward(x: never): unknown },
  opt: { zeroGrad(): void; step(): void },
  x: AnyTensor,
  y: AnyTensor,
): () => number {
  return () =>
    sg.tidy(() => {
      const loss = sg.nn.functional.crossEntropy(net.forward(x as never) as never, y as never);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    });
}
