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
