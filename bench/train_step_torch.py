# PyTorch's side of bench/train-step.mjs: the same models and the same training step (forward,
# cross-entropy, backward, SGD with momentum 0.9), float32, on the CPU with 2 threads. It is driven
# over stdin/stdout so that its steps alternate with shapegrad's in one run: each line read names a
# model, one step of it runs, and the step's milliseconds are written back. "quit" ends it.
#   /usr/bin/python3 train_step_torch.py   (Debian's python3-torch)
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(2)
torch.manual_seed(0)


def bn_cnn():
    # 4 x (conv3x3 p1 with bias, BatchNorm2d, ReLU), 2 max pools, Linear 4096->128, ReLU, Linear 128->10
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(
        *block(3, 32), *block(32, 32), nn.MaxPool2d(2),
        *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(4096, 128), nn.ReLU(), nn.Linear(128, 10),
    )


def demo_bias():
    # examples/demo.ts's digitClassifier (biases on its convs)
    return nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(16, 32, 3), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(800, 10),
    )


def resnet18():
    import torchvision
    return torchvision.models.resnet18(num_classes=10)


MODELS = {"bn": (bn_cnn, [32, 3, 32, 32]), "demo": (demo_bias, [64, 1, 28, 28]), "resnet18": (resnet18, [16, 3, 64, 64])}
runs = {}


def make(name):
    build, shape = MODELS[name]
    model = build().train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(shape)
    y = torch.randint(0, 10, [shape[0]])
    loss_fn = nn.CrossEntropyLoss()

    def step():
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return step


print(f"ready torch {torch.__version__} threads {torch.get_num_threads()}", flush=True)
for line in sys.stdin:
    name = line.strip()
    if name == "quit":
        break
    if name not in runs:
        runs[name] = make(name)
    t = time.perf_counter()
    runs[name]()
    print(f"{(time.perf_counter() - t) * 1000:.4f}", flush=True)
