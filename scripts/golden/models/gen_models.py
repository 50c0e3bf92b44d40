"""torchvision 0.14's classifiers as oracles for shapegrad/models (src/models/).

Run with Debian's PyTorch and torchvision: `/usr/bin/python3 scripts/golden/models/gen_models.py [name ...]`
(no name: every model). Deterministic: no random draw is used. Writes test/fixtures/models/<name>.json:

- `stateDict`: torchvision's `state_dict()` of the model built with its defaults (1000 classes):
  [name, shape, safetensors dtype] in order (num_batches_tracked is I64; shapegrad holds it as int32);
- `parameters`: the parameter count of that model;
- `logits32` / `logits64`: the model built with `num_classes=10`, every state-dict entry filled by
  the counter hash of scripts/golden-nn/gen_weights.py (reproduced in test/models/weights.ts), in eval
  mode, on hashed inputs: `[2, 3, 64, 64]` ("input") and `[1, 3, 45, 37]` ("odd": sizes that do
  not divide, and VGG's 7x7 adaptive pooling over a 1x1 map). float64 runs the same float32-rounded
  weights in double precision.
- `probe`: the first values of a few filled entries, so the test knows its hash agrees before it
  compares logits.
"""
import math
import os
import sys

import torch
import torchvision.models as tvm
from torchvision.ops import StochasticDepth

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import flat, fnv1a, hash_uniform, write  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "test", "fixtures", "models")
os.makedirs(OUT, exist_ok=True)

BUILDERS = {
    "resnet18": tvm.resnet18,
    "resnet50": tvm.resnet50,
    "vgg11Bn": tvm.vgg11_bn,
    "mobilenetV2": tvm.mobilenet_v2,
    "mobilenetV3Small": tvm.mobilenet_v3_small,
    "efficientnetB0": tvm.efficientnet_b0,
    "regnetY400mf": tvm.regnet_y_400mf,
    # torchvision accepts the [1, 3, 45, 37] input for these (checked): its last feature map is 2x2
    # in SqueezeNet 1.1 and ShuffleNetV2, 1x1 in GoogLeNet (ceil-mode pooling rounds up).
    "squeezenet1_1": tvm.squeezenet1_1,
    "shufflenetV2X0_5": tvm.shufflenet_v2_x0_5,
    # The builder without weights: aux_logits=True (aux1, aux2 in the state dict), transform_input=False.
    "googlenet": tvm.googlenet,
    "densenet121": tvm.densenet121,
    "convnextTiny": tvm.convnext_tiny,
    "mobilenetV3Large": tvm.mobilenet_v3_large,
}
# GoogLeNet's train-mode loss: the logits' plus 0.3 times each auxiliary head's (the paper's weight).
AUX_WEIGHT = 0.3
INPUTS = {"input": [2, 3, 64, 64], "odd": [1, 3, 45, 37]}
DTYPE_NAME = {torch.float32: "F32", torch.int64: "I64"}
def fill(name, t):
    """A value for every state-dict entry, scaled so activations stay O(1) through any depth."""
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "num_batches_tracked":
        return torch.tensor(fnv1a(name) % 1000, dtype=torch.int64)
    u = hash_uniform(name, t.numel()).reshape(t.shape)
    if t.dim() == 4:  # conv: kaiming uniform, gain sqrt(2): bound sqrt(6 / fan_in)
        return u * math.sqrt(6.0 / (t.shape[1] * t.shape[2] * t.shape[3]))
    if t.dim() == 2:  # linear: variance 1 / fan_in
        return u * math.sqrt(3.0 / t.shape[1])
    if leaf == "weight":
        return 1.0 + 0.25 * u
    if leaf in ("bias", "running_mean"):
        return 0.1 * u
    if leaf == "running_var":
        return 1.0 + 0.5 * (u + 1.0)
    if leaf == "layer_scale":  # ConvNeXt's [C, 1, 1] scale of each block's branch
        return 0.5 + 0.25 * u
    raise ValueError(name)


def run(name):
    build = BUILDERS[name]
    full = build()
    state_dict = [[k, list(v.shape), DTYPE_NAME[v.dtype]] for k, v in full.state_dict().items()]
    parameters = sum(p.numel() for p in full.parameters())
    del full
    model = build(num_classes=10)
    state = {k: fill(k, v) for k, v in model.state_dict().items()}
    state32 = {k: (v.float() if v.is_floating_point() else v) for k, v in state.items()}
    model.load_state_dict(state32)
    model.eval()
    out = {"model": name, "torchvision": __import__("torchvision").__version__, "stateDict": state_dict,
           "parameters": parameters, "numClasses": 10,
           "probe": {k: [float(v) for v in state32[k].reshape(-1)[:3].double().tolist()]
                     for k in list(state32)[:1] + [k for k in state32 if k.endswith("running_var")][-1:]
                     + list(state32)[-1:]}}
    with torch.no_grad():
        for key, shape in INPUTS.items():
            x = hash_uniform(key, math.prod(shape)).reshape(shape).float()
            out[key] = {"shape": shape, "logits32": flat(model(x))}
        model64 = build(num_classes=10).double()
        model64.load_state_dict({k: (v.double() if v.is_floating_point() else v) for k, v in state32.items()})
        model64.eval()
        for key, shape in INPUTS.items():
            x = hash_uniform(key, math.prod(shape)).reshape(shape).float().double()
            y = model64(x)
            out[key]["logits64"] = flat(y)
            d = float((torch.tensor(out[key]["logits32"]["data"], dtype=torch.float64).reshape(y.shape) - y).abs().max())
            spread = float((y - y.mean(0)).abs().max()) if y.shape[0] > 1 else float("nan")
            print(f"{name} {key}: max |logit| {float(y.abs().max()):.3g}, across the batch {spread:.3g},"
                  f" float32 vs float64 {d:.3g}")
    # Train mode (batch statistics; dropout and stochastic depth off so the result is
    # deterministic), float64: the
    # cross-entropy loss for labels 0..3 and the gradient of every parameter, summarised by its
    # squared norm and the first values of the first and last parameters' gradients.
    model64.train()
    for m in model64.modules():
        if isinstance(m, (torch.nn.Dropout, StochasticDepth)):
            m.eval()
    shape = [4, 3, 32, 32]
    x = hash_uniform("input", math.prod(shape)).reshape(shape).float().double()
    y = model64(x)
    ce = lambda logits: torch.nn.functional.cross_entropy(logits, torch.arange(4))  # noqa: E731
    # GoogLeNetOutputs(logits, aux_logits2, aux_logits1) in train mode; the sum is symmetric in the heads.
    loss = ce(y.logits) + AUX_WEIGHT * (ce(y.aux_logits1) + ce(y.aux_logits2)) if isinstance(y, tuple) else ce(y)
    loss.backward()
    params = list(model64.named_parameters())
    out["train"] = {"shape": shape, "labels": [0, 1, 2, 3], "loss": float(loss),
                    **({"auxWeight": AUX_WEIGHT} if isinstance(y, tuple) else {}),
                    "gradSquaredNorm": sum(float((p.grad ** 2).sum()) for _, p in params),
                    "grads": {k: [float(v) for v in p.grad.reshape(-1)[:3]] for k, p in (params[0], params[-1])}}
    print(f"{name} train: loss {float(loss):.6g}, |grad|^2 {out['train']['gradSquaredNorm']:.6g}")
    path = os.path.join(OUT, f"{name}.json")
    write(path, out)
    print(f"{path}: {os.path.getsize(path)} bytes, {parameters} parameters")


# ----------------------------------------------------------------------------- segmentation
# torchvision.models.segmentation, built with weights=None and weights_backbone=None (nothing is
# downloaded). Writes test/fixtures/models/<name>.json:
# - `stateDict` / `parameters`: the default model (21 classes) with the auxiliary head where the
#   builder has one (`aux`: whether it has); `parametersNoAux` without it (the builder's default);
# - `input` / `odd`: with 3 classes and hashed weights in eval mode, `out` (and `aux`) on a
#   [2, 3, 48, 48] and a [1, 3, 45, 37] input, float32 and float64, as little-endian float64 base64;
# - `train`: float64, train mode (dropout off), cross entropy of `out` plus 0.5 x that of `aux`
#   (torchvision's reference recipe) for the labels (n + h + w) % 3 on [2, 3, 32, 32].
import torchvision.models.segmentation as tvs  # noqa: E402

SEGMENTATION = {
    "fcnResnet50": (tvs.fcn_resnet50, True),
    "deeplabv3MobilenetV3Large": (tvs.deeplabv3_mobilenet_v3_large, True),
    "lrasppMobilenetV3Large": (tvs.lraspp_mobilenet_v3_large, False),
}
SEG_INPUTS = {"input": [2, 3, 48, 48], "odd": [1, 3, 45, 37]}
SEG_CLASSES = 3


def run_segmentation(name):
    builder, has_aux = SEGMENTATION[name]
    kw = {"aux_loss": True} if has_aux else {}

    def build(**extra):
        return builder(weights=None, weights_backbone=None, **kw, **extra)

    full = build()
    out = {"model": name, "torchvision": __import__("torchvision").__version__, "aux": has_aux,
           "stateDict": [[k, list(v.shape), DTYPE_NAME[v.dtype]] for k, v in full.state_dict().items()],
           "parameters": sum(p.numel() for p in full.parameters()),
           "parametersNoAux": sum(p.numel() for k, p in full.named_parameters() if not k.startswith("aux_classifier.")),
           "numClasses": SEG_CLASSES}
    del full
    model = build(num_classes=SEG_CLASSES)
    state = {k: fill(k, v) for k, v in model.state_dict().items()}
    state32 = {k: (v.float() if v.is_floating_point() else v) for k, v in state.items()}
    model.load_state_dict(state32)
    model.eval()
    model64 = build(num_classes=SEG_CLASSES).double()
    model64.load_state_dict({k: (v.double() if v.is_floating_point() else v) for k, v in state32.items()})
    model64.eval()
    heads = ["out", "aux"] if has_aux else ["out"]
    with torch.no_grad():
        for key, shape in SEG_INPUTS.items():
            x = hash_uniform(key, math.prod(shape)).reshape(shape).float()
            y32, y64 = model(x), model64(x.double())
            out[key] = {"shape": shape}
            for h in heads:
                out[key][h + "32"] = flat(y32[h], "f64")
                out[key][h + "64"] = flat(y64[h], "f64")
                d = float((y32[h].double() - y64[h]).abs().max())
                print(f"{name} {key} {h}: max |score| {float(y64[h].abs().max()):.3g}, float32 vs float64 {d:.3g}")
    model64.train()
    for m in model64.modules():
        if isinstance(m, torch.nn.Dropout):
            m.eval()
    shape = [2, 3, 32, 32]
    x = hash_uniform("input", math.prod(shape)).reshape(shape).float().double()
    n, _, hh, ww = shape
    labels = (torch.arange(n).view(n, 1, 1) + torch.arange(hh).view(1, hh, 1) + torch.arange(ww).view(1, 1, ww)) % SEG_CLASSES
    y = model64(x)
    loss = torch.nn.functional.cross_entropy(y["out"], labels)
    if has_aux:
        loss = loss + 0.5 * torch.nn.functional.cross_entropy(y["aux"], labels)
    loss.backward()
    params = list(model64.named_parameters())
    out["train"] = {"shape": shape, "loss": float(loss),
                    "gradSquaredNorm": sum(float((p.grad ** 2).sum()) for _, p in params),
                    "grads": {k: [float(v) for v in p.grad.reshape(-1)[:3]] for k, p in (params[0], params[-1])}}
    print(f"{name} train: loss {float(loss):.6g}, |grad|^2 {out['train']['gradSquaredNorm']:.6g}")
    path = os.path.join(OUT, f"{name}.json")
    write(path, out)
    print(f"{path}: {os.path.getsize(path)} bytes, {out['parameters']} parameters")


if __name__ == "__main__":
    for n in sys.argv[1:] or list(BUILDERS) + list(SEGMENTATION):
        run_segmentation(n) if n in SEGMENTATION else run(n)
