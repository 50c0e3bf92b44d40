"""Helpers shared by the golden-fixture generators (run with /usr/bin/python3 and python3-torch)."""
import base64
import json

import torch


def flat(t, encoding="json"):
    """A tensor as {shape, data} (plain JSON numbers) or {shape, f64} (base64 of little-endian float64)."""
    t = t.detach().to(torch.float64).contiguous()
    if encoding == "f64":
        return {"shape": list(t.shape), "f64": base64.b64encode(t.numpy().astype("<f8").tobytes()).decode("ascii")}
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def write(out, payload):
    with open(out, "w") as f:
        json.dump(payload, f, separators=(",", ":"))


M32 = 0xFFFFFFFF


def fnv1a(name):
    """32-bit FNV-1a of a state-dict key, as test/nn/resnet18-weights.ts computes it bit for bit."""
    h = 0x811C9DC5
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & M32
    return h


def hash_uniform(name, n):
    """n values in [-1, 1): a 32-bit integer mix of (fnv1a(name) * golden + i), divided by 2^31."""
    seed = (fnv1a(name) * 0x9E3779B9) & M32
    x = (torch.arange(n, dtype=torch.int64) + seed) & M32
    for _ in range(2):
        x = x ^ (x >> 16)
        x = (x * 0x45D9F3B) & M32
    x = x ^ (x >> 16)
    return x.double() / 2.0 ** 31 - 1.0
