"""PyTorch golden values for shapegrad's nn layers, losses, optimizers, schedulers and clipping.

Run with Debian's PyTorch: `/usr/bin/python3 scripts/golden-nn/gen_nn.py` (writes
test/fixtures/nn/*.json). Every tensor is float64 and stored as {"shape": [...], "data": [...]}
(row-major). For each layer or loss we record the output y for fixed inputs and the gradients of
sum(y * gy) for a fixed upstream gradient gy, so the tests check forward and backward at once.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "nn")
os.makedirs(OUT, exist_ok=True)


def enc(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "data": [float(v) for v in t.double().reshape(-1).tolist()]}


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


def rnd(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


def case(name, op, options, inputs, params, fn):
    """inputs/params: dicts of leaf tensors; fn(**inputs, **params) -> output tensor."""
    leaves = {**inputs, **params}
    y = fn(**leaves)
    gy = torch.randn(y.shape)
    grads = torch.autograd.grad((y * gy).sum(), list(leaves.values()), allow_unused=True)
    return {
        "name": name,
        "op": op,
        "options": options,
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "params": {k: enc(v) for k, v in params.items()},
        "output": enc(y),
        "gy": enc(gy),
        "grads": {k: enc(g) for k, g in zip(leaves.keys(), grads) if g is not None},
    }


# ---------------------------------------------------------------- layers
layers = []
for shape, bias in [((4, 5), True), ((2, 3, 5), True), ((4, 5), False)]:
    layers.append(case(
        f"linear x{list(shape)} bias={bias}", "linear", {"bias": bias},
        {"x": rnd(*shape)},
        {"weight": rnd(3, 5), **({"bias": rnd(3)} if bias else {})},
        lambda x, weight, bias=None: F.linear(x, weight, bias),
    ))

act_x = lambda: rnd(3, 4, 5, scale=2.0)
layers.append(case("relu", "relu", {}, {"x": act_x()}, {}, lambda x: F.relu(x)))
for slope in [0.01, 0.2]:
    layers.append(case(f"leakyRelu {slope}", "leakyRelu", {"negativeSlope": slope}, {"x": act_x()}, {},
                       lambda x, s=slope: F.leaky_relu(x, s)))
layers.append(case("sigmoid", "sigmoid", {}, {"x": act_x()}, {}, torch.sigmoid))
layers.append(case("tanh", "tanh", {}, {"x": act_x()}, {}, torch.tanh))
for approx in ["none", "tanh"]:
    layers.append(case(f"gelu {approx}", "gelu", {"approximate": approx}, {"x": act_x()}, {},
                       lambda x, a=approx: F.gelu(x, approximate=a)))

max_configs = [
    dict(kernelSize=2),
    dict(kernelSize=3, stride=2, padding=1),
    dict(kernelSize=3, stride=2, padding=1, dilation=2),
    dict(kernelSize=3, stride=2, padding=0, ceilMode=True),
    dict(kernelSize=[2, 3], stride=[1, 2], padding=[1, 1], dilation=[1, 2], ceilMode=True),
    dict(kernelSize=3, stride=1, padding=1),
]
for cfg in max_configs:
    layers.append(case(
        f"maxPool2d {json.dumps(cfg)}", "maxPool2d", cfg, {"x": rnd(2, 3, 7, 8)}, {},
        lambda x, c=cfg: F.max_pool2d(x, c["kernelSize"], c.get("stride"), c.get("padding", 0),
                                      c.get("dilation", 1), c.get("ceilMode", False)),
    ))

avg_configs = [
    dict(kernelSize=2),
    dict(kernelSize=3, stride=2, padding=1),
    dict(kernelSize=3, stride=2, padding=1, countIncludePad=False),
    dict(kernelSize=3, stride=2, padding=1, ceilMode=True),
    dict(kernelSize=3, stride=2, padding=1, ceilMode=True, countIncludePad=False),
    dict(kernelSize=[2, 3], stride=[2, 2], padding=[1, 0], ceilMode=True),
    dict(kernelSize=3, stride=3, padding=0, ceilMode=True),
]
for cfg in avg_configs:
    layers.append(case(
        f"avgPool2d {json.dumps(cfg)}", "avgPool2d", cfg, {"x": rnd(2, 3, 7, 8)}, {},
        lambda x, c=cfg: F.avg_pool2d(x, c["kernelSize"], c.get("stride"), c.get("padding", 0),
                                      c.get("ceilMode", False), c.get("countIncludePad", True)),
    ))

for in_hw, out_hw in [((7, 5), (1, 1)), ((7, 5), (2, 3)), ((7, 5), (3, 3)), ((6, 6), (3, 2)), ((5, 4), (5, 4))]:
    layers.append(case(
        f"adaptiveAvgPool2d {in_hw}->{out_hw}", "adaptiveAvgPool2d", {"outputSize": list(out_hw)},
        {"x": rnd(2, 3, *in_hw)}, {}, lambda x, o=out_hw: F.adaptive_avg_pool2d(x, o),
    ))

for start, end in [(1, -1), (2, 3), (0, 1)]:
    layers.append(case(f"flatten {start} {end}", "flatten", {"startDim": start, "endDim": end},
                       {"x": rnd(2, 3, 4, 5)}, {}, lambda x, s=start, e=end: torch.flatten(x, s, e)))

# BatchNorm2d: train mode (batch statistics, running stats updated with the unbiased variance)
# and eval mode (running statistics).
bn_cases = []
for affine, momentum in [(True, 0.1), (False, 0.3), (True, None)]:
    C = 3
    running_mean0 = torch.randn(C)
    running_var0 = torch.rand(C) + 0.5
    for training in [True, False]:
        bn = torch.nn.BatchNorm2d(C, eps=1e-5, momentum=momentum, affine=affine)
        with torch.no_grad():
            bn.running_mean.copy_(running_mean0)
            bn.running_var.copy_(running_var0)
        bn.train(training)
        params = {"weight": bn.weight, "bias": bn.bias} if affine else {}
        if affine:
            with torch.no_grad():
                bn.weight.copy_(torch.randn(C))
                bn.bias.copy_(torch.randn(C))
        x = rnd(4, C, 5, 6, scale=1.5) + 0.7
        x = x.detach().requires_grad_(True)
        # Two forward passes in training mode, so the running statistics (and, with momentum None,
        # the cumulative average over num_batches_tracked) are checked beyond the first update.
        x_first = rnd(4, C, 5, 6).detach()
        if training:
            bn(x_first)
        c = case(f"batchNorm2d training={training} affine={affine} momentum={momentum}", "batchNorm2d",
                 {"affine": affine, "momentum": momentum, "eps": 1e-5, "training": training},
                 {"x": x}, params, lambda x, weight=None, bias=None: bn(x))
        c["state"] = {"runningMean": enc(running_mean0), "runningVar": enc(running_var0)}
        c["firstBatch"] = enc(x_first) if training else None
        c["stateAfter"] = {"runningMean": enc(bn.running_mean), "runningVar": enc(bn.running_var)}
        bn_cases.append(c)
layers += bn_cases

for dim in [1, -1, 0]:
    x = rnd(3, 4, 5, scale=3.0)
    layers.append(case(f"softmax dim {dim}", "softmax", {"dim": dim}, {"x": x}, {}, lambda x, d=dim: F.softmax(x, d)))
    layers.append(case(f"logSoftmax dim {dim}", "logSoftmax", {"dim": dim}, {"x": x}, {},
                       lambda x, d=dim: F.log_softmax(x, d)))
# Large logits: a naive exp overflows in float64 above ~709.
big = (torch.randn(2, 5) * 10 + torch.tensor([[1000.0], [-1000.0]])).requires_grad_(True)
layers.append(case("softmax large", "softmax", {"dim": 1}, {"x": big}, {}, lambda x: F.softmax(x, 1)))
layers.append(case("logSoftmax large", "logSoftmax", {"dim": 1}, {"x": big}, {}, lambda x: F.log_softmax(x, 1)))

write("layers.json", layers)

# ---------------------------------------------------------------- losses
losses = []


def loss_case(name, op, options, inputs, consts, fn):
    leaves = dict(inputs)
    y = fn(**leaves, **consts)
    gy = torch.randn(y.shape)
    grads = torch.autograd.grad((y * gy).sum(), list(leaves.values()))
    return {
        "name": name, "op": op, "options": options,
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "consts": {k: enc(v) for k, v in consts.items()},
        "output": enc(y), "gy": enc(gy),
        "grads": {k: enc(g) for k, g in zip(leaves.keys(), grads)},
    }


for reduction in ["mean", "sum", "none"]:
    for smoothing in [0.0, 0.1]:
        losses.append(loss_case(
            f"crossEntropy {reduction} smoothing={smoothing}", "crossEntropy",
            {"reduction": reduction, "labelSmoothing": smoothing},
            {"input": rnd(6, 4, scale=2.0)}, {"target": torch.randint(0, 4, (6,))},
            lambda input, target, r=reduction, s=smoothing: F.cross_entropy(input, target, reduction=r, label_smoothing=s),
        ))
losses.append(loss_case(
    "crossEntropy spatial mean smoothing=0.2", "crossEntropy", {"reduction": "mean", "labelSmoothing": 0.2},
    {"input": rnd(2, 3, 4, 2)}, {"target": torch.randint(0, 3, (2, 4, 2))},
    lambda input, target: F.cross_entropy(input, target, label_smoothing=0.2),
))
for reduction in ["mean", "sum", "none"]:
    losses.append(loss_case(
        f"nllLoss {reduction}", "nllLoss", {"reduction": reduction},
        {"input": F.log_softmax(torch.randn(5, 4), 1).detach().requires_grad_(True)},
        {"target": torch.randint(0, 4, (5,))},
        lambda input, target, r=reduction: F.nll_loss(input, target, reduction=r),
    ))
    losses.append(loss_case(
        f"mseLoss {reduction}", "mseLoss", {"reduction": reduction},
        {"input": rnd(3, 4), "target": rnd(3, 4)}, {},
        lambda input, target, r=reduction: F.mse_loss(input, target, reduction=r),
    ))
    losses.append(loss_case(
        f"l1Loss {reduction}", "l1Loss", {"reduction": reduction},
        {"input": rnd(3, 4), "target": rnd(3, 4)}, {},
        lambda input, target, r=reduction: F.l1_loss(input, target, reduction=r),
    ))
    losses.append(loss_case(
        f"binaryCrossEntropyWithLogits {reduction}", "binaryCrossEntropyWithLogits", {"reduction": reduction},
        {"input": rnd(3, 4, scale=3.0)}, {"target": torch.rand(3, 4)},
        lambda input, target, r=reduction: F.binary_cross_entropy_with_logits(input, target, reduction=r),
    ))
losses.append(loss_case(
    "binaryCrossEntropyWithLogits posWeight", "binaryCrossEntropyWithLogits", {"reduction": "mean", "posWeight": True},
    {"input": rnd(3, 4, scale=3.0)}, {"target": torch.rand(3, 4), "posWeight": torch.rand(4) + 0.5},
    lambda input, target, posWeight: F.binary_cross_entropy_with_logits(input, target, pos_weight=posWeight),
))
losses.append(loss_case(
    "binaryCrossEntropyWithLogits extreme", "binaryCrossEntropyWithLogits", {"reduction": "sum"},
    {"input": torch.tensor([[-800.0, -30.0, 0.0, 30.0, 800.0]], requires_grad=True)},
    {"target": torch.tensor([[1.0, 0.0, 0.5, 1.0, 0.0]])},
    lambda input, target: F.binary_cross_entropy_with_logits(input, target, reduction="sum"),
))
# Class weights and ignored targets (PyTorch's weight= and ignore_index=). A forked generator, so
# that the cases above and the sections below keep their values.
with torch.random.fork_rng():
    torch.manual_seed(4321)
    for reduction in ["mean", "sum", "none"]:
        for smoothing in [0.0, 0.1]:
            target = torch.tensor([0, 3, -100, 2, 1, -100, 3])
            losses.append(loss_case(
                f"crossEntropy weight ignoreIndex=-100 {reduction} smoothing={smoothing}", "crossEntropy",
                {"reduction": reduction, "labelSmoothing": smoothing, "weight": True},
                {"input": rnd(7, 4, scale=2.0)}, {"target": target, "weight": torch.rand(4) + 0.5},
                lambda input, target, weight, r=reduction, s=smoothing:
                    F.cross_entropy(input, target, weight=weight, reduction=r, label_smoothing=s),
            ))
    losses.append(loss_case(
        "crossEntropy spatial ignoreIndex=1 smoothing=0.2", "crossEntropy", {"reduction": "mean", "labelSmoothing": 0.2, "ignoreIndex": 1},
        {"input": rnd(2, 3, 4, 2)}, {"target": torch.randint(0, 3, (2, 4, 2))},
        lambda input, target: F.cross_entropy(input, target, ignore_index=1, label_smoothing=0.2),
    ))
    for reduction in ["mean", "sum", "none"]:
        losses.append(loss_case(
            f"nllLoss weight ignoreIndex=2 {reduction}", "nllLoss", {"reduction": reduction, "weight": True, "ignoreIndex": 2},
            {"input": F.log_softmax(torch.randn(6, 4), 1).detach().requires_grad_(True)},
            {"target": torch.tensor([2, 0, 3, 2, 1, 0]), "weight": torch.rand(4) + 0.5},
            lambda input, target, weight, r=reduction: F.nll_loss(input, target, weight=weight, ignore_index=2, reduction=r),
        ))
write("losses.json", losses)

# ---------------------------------------------------------------- optimizers
p0 = [torch.randn(3, 4), torch.randn(5)]
grad_seq = [[torch.randn(3, 4), torch.randn(5)] for _ in range(5)]
optim_cases = []
configs = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, betas=(0.85, 0.995), weight_decay=0.1, amsgrad=True)),
]
for name, cfg in configs:
    params = [p.clone().requires_grad_(True) for p in p0]
    opt = getattr(torch.optim, name)(params, **cfg)
    steps = []
    for grads in grad_seq:
        for p, g in zip(params, grads):
            p.grad = g.clone()
        opt.step()
        steps.append([enc(p) for p in params])
    options = {("weightDecay" if k == "weight_decay" else k): (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items()}
    optim_cases.append({"name": f"{name} {json.dumps(cfg)}", "optimizer": name, "options": options,
                        "params": [enc(p) for p in p0], "grads": [[enc(g) for g in gs] for gs in grad_seq],
                        "steps": steps})

sched_cases = []
for kind, cfg, epochs in [("StepLR", dict(step_size=3, gamma=0.5), 10),
                          ("StepLR", dict(step_size=1, gamma=0.9), 5),
                          ("CosineAnnealingLR", dict(T_max=10, eta_min=0.001), 25),
                          ("CosineAnnealingLR", dict(T_max=4), 6)]:
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = getattr(torch.optim.lr_scheduler, kind)(opt, **cfg)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    options = {{"step_size": "stepSize", "T_max": "tMax", "eta_min": "etaMin"}.get(k, k): v for k, v in cfg.items()}
    sched_cases.append({"name": f"{kind} {json.dumps(cfg)}", "scheduler": kind, "options": options, "baseLr": 0.1, "lrs": lrs})

clip_cases = []
for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (0.5, math.inf), (2.0, 1.0)]:
    grads = [torch.randn(3, 4), torch.randn(5)]
    params = [torch.zeros(3, 4, requires_grad=True), torch.zeros(5, requires_grad=True)]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    clip_cases.append({"name": f"clipGradNorm {max_norm} {norm_type}", "maxNorm": max_norm,
                       "normType": "inf" if math.isinf(norm_type) else norm_type,
                       "grads": [enc(g) for g in grads], "totalNorm": float(total),
                       "clipped": [enc(p.grad) for p in params]})

write("optim.json", {"optimizers": optim_cases, "schedulers": sched_cases, "clipGradNorm": clip_cases})
