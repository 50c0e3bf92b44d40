"""A small PyTorch-written safetensors file and a ResNet-18 logits check.

Run with Debian's PyTorch: `/usr/bin/python3 scripts/golden-nn/gen_weights.py [resnet18.safetensors]`.

- test/fixtures/nn/small.safetensors (+ small.json with the expected decoded values): written by
  hand following the rules of the reference `safetensors` writer (tensors ordered by decreasing
  dtype size then name, header padded with spaces to 8 bytes), with F64, F32, F16, BF16, I64, I32,
  a 0-dim and an empty tensor and metadata. The `safetensors` Python package is not installed here.
- test/fixtures/nn/resnet18.json: a torchvision-layout ResNet-18 (written here without torchvision)
  whose state dict is filled by a counter-based hash (`hash_uniform`, reproduced bit for bit in
  test/nn/resnet18-weights.ts), run in eval mode on a hashed input; we store the logits PyTorch
  computes in float32 and float64. 11.7M weights do not belong in the repository, so the test
  rebuilds them; with a path argument the script also writes the full state dict as safetensors
  (PyTorch's own rules) for `examples/resnet18.ts --weights <file> --expect <json>`.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "golden"))
from common import fnv1a, hash_uniform  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "nn")
os.makedirs(OUT, exist_ok=True)

DTYPE_NAME = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
              torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8"}


def tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, t in items:
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPE_NAME[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    print(f"{path}: {os.path.getsize(path)} bytes")


# ------------------------------------------------------------ small file
small = {
    "weight": torch.tensor([[0.5, -1.25, 3.0], [1e-3, -7.5, 2.0 ** -20]], dtype=torch.float32),
    "bias": torch.tensor([math.pi, -math.e, 1e300], dtype=torch.float64),
    "ids": torch.tensor([0, -1, 2147483647, -2147483648], dtype=torch.int32),
    "steps": torch.tensor([7, -3], dtype=torch.int64),
    "half": torch.tensor([1.0, -2.5, 6.1e-5, 65504.0, float("inf"), 5.96e-8, -0.0], dtype=torch.float16),
    "brain": torch.tensor([1.0, -3.140625, 1e30], dtype=torch.bfloat16),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
    "scalar": torch.tensor(42.5, dtype=torch.float32),
}
write_safetensors(os.path.join(OUT, "small.safetensors"), small, {"format": "pt", "source": "gen_weights.py"})
expected = {name: {"fileDType": DTYPE_NAME[t.dtype], "shape": list(t.shape),
                   "data": [float(v) if not math.isinf(float(v)) else ("inf" if v > 0 else "-inf")
                            for v in t.reshape(-1).double().tolist()]}
            for name, t in small.items()}
with open(os.path.join(OUT, "small.json"), "w") as f:
    json.dump({"metadata": {"format": "pt", "source": "gen_weights.py"}, "tensors": expected}, f, indent=1)


# ------------------------------------------------------------ ResNet-18 (torchvision layout)
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(BasicBlock(64, 64, 1), BasicBlock(64, 64, 1))
        self.layer2 = nn.Sequential(BasicBlock(64, 128, 2), BasicBlock(128, 128, 1))
        self.layer3 = nn.Sequential(BasicBlock(128, 256, 2), BasicBlock(256, 256, 1))
        self.layer4 = nn.Sequential(BasicBlock(256, 512, 2), BasicBlock(512, 512, 1))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def fill(name, t):
    n = t.numel()
    u = hash_uniform(name, n).reshape(t.shape)
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "num_batches_tracked":
        return torch.tensor(fnv1a(name) % 1000, dtype=torch.int64)
    if t.dim() == 4:  # conv: kaiming uniform with gain sqrt(2): bound sqrt(6 / fan_in)
        fan_in = t.shape[1] * t.shape[2] * t.shape[3]
        return u * math.sqrt(6.0 / fan_in)
    if name.startswith("fc."):
        return u / math.sqrt(512.0)
    if leaf == "weight":
        return 1.0 + 0.25 * u
    if leaf == "bias":
        return 0.1 * u
    if leaf == "running_mean":
        return 0.1 * u
    if leaf == "running_var":
        return 1.0 + 0.5 * (u + 1.0)
    raise ValueError(name)


model = ResNet18()
state = {k: fill(k, v) for k, v in model.state_dict().items()}
state32 = {k: (v.float() if v.is_floating_point() else v) for k, v in state.items()}
model.load_state_dict(state32)
model.eval()
x = hash_uniform("input", 2 * 3 * 64 * 64).reshape(2, 3, 64, 64).float()
with torch.no_grad():
    logits32 = model(x)
    model64 = ResNet18().double()
    model64.load_state_dict({k: (v.double() if v.is_floating_point() else v) for k, v in state32.items()})
    model64.eval()
    logits64 = model64(x.double())
print("resnet18 logits f32 vs f64 max diff", float((logits32.double() - logits64).abs().max()),
      "max |logit|", float(logits64.abs().max()))
probe = {k: [float(v) for v in state32[k].reshape(-1)[:3].double().tolist()] for k in
         ["conv1.weight", "layer3.1.bn2.running_var", "fc.bias"]}
with open(os.path.join(OUT, "resnet18.json"), "w") as f:
    json.dump({
        "input": {"shape": [2, 3, 64, 64], "hash": "input"},
        "stateDictKeys": [[k, list(v.shape), DTYPE_NAME[v.dtype]] for k, v in state32.items()],
        "probe": probe,
        "logits32": {"shape": list(logits32.shape), "data": [float(v) for v in logits32.reshape(-1).double().tolist()]},
        "logits64": {"shape": list(logits64.shape), "data": [float(v) for v in logits64.reshape(-1).tolist()]},
    }, f, separators=(",", ":"))
print(f"{os.path.join(OUT, 'resnet18.json')}: {os.path.getsize(os.path.join(OUT, 'resnet18.json'))} bytes")
if len(sys.argv) > 1:
    write_safetensors(sys.argv[1], state32, {"format": "pt"})
    base = sys.argv[1].rsplit(".", 1)[0]
    write_safetensors(base + ".input.safetensors", {"input": x}, {"format": "pt"})
