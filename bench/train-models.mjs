// The models of the training-step benchmarks (bench/train-step.mjs describes them; the same in
// bench/train_step_torch.py), built with a shapegrad build's `nn`.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const SHAPES = { bn: [32, 3, 32, 32], demo: [64, 1, 28, 28], resnet18: [16, 3, 64, 64] };

/** One training step (`trainer`) of `model` built with the build at `dist` (seed 0). */
export async function shapegradStep(dist, model) {
  const sg = await import(pathToFileURL(resolve(dist, "src/index.js")).href);
  sg.manualSeed(0);
  const net =
    model === "resnet18"
      ? (await import(pathToFileURL(resolve(dist, "examples/resnet18.js")).href)).resnet18(10)
      : (model === "bn" ? bnCnn : demoBias)(sg.nn);
  return trainer(sg, net, model);
}

/** 4 x (conv3x3 p1 with bias, BatchNorm2d, ReLU), 2 max pools, Linear 4096->128, ReLU, Linear 128->10. */
export function bnCnn(nn) {
  const block = (cin, cout) => [nn.Conv2d(cin, cout, 3, { padding: 1 }), nn.BatchNorm2d(cout), nn.ReLU()];
  return nn.Sequential(
    ...block(3, 32),
    ...block(32, 32),
    nn.MaxPool2d(2),
    ...block(32, 64),
    ...block(64, 64),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(4096, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
  );
}

/** examples/demo.ts's digitClassifier (biases on its convs, as the demo has since issue 23). */
export function demoBias(nn) {
  return nn.Sequential(
    nn.Conv2d(1, 16, 5),
    nn.MaxPool2d(2),
    nn.ReLU(),
    nn.Conv2d(16, 32, 3),
    nn.MaxPool2d(2),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(800, 10),
  );
}

/** One training step of `net` on a fixed batch for `model`: forward, cross-entropy, backward, SGD with momentum 0.9, in a tidy(). */
export function trainer(sg, net, model) {
  net.train();
  const opt = new sg.optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 });
  const shape = SHAPES[model];
  const x = sg.keep(sg.rand(shape));
  const y = sg.keep(sg.randint(0, 10, [shape[0]]));
  return () =>
    sg.tidy(() => {
      const loss = sg.nn.functional.crossEntropy(net.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    });
}
