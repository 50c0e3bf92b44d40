#!/usr/bin/env python3
"""Generate max-pool and explicit-padding golden cases from PyTorch (CPU, float64).

max_pool2d cases: x (with forced ties, and NaN / -inf in some cases), kernel, stride, padding,
dilation, ceil_mode; PyTorch's y, its argmax indices (flat within each H*W plane), gx = the
gradient of sum(y * gy) in x, and sel = the gradient of sum(gx * g) in gy (double backward),
which is maxPool2dSelect(x, g).

pad cases: x, [top, bottom, left, right], mode in zeros/reflect/replicate/circular (pads up to
PyTorch's limits: reflect < size, circular <= size), y = F.pad(x), and gx = the gradient of
sum(y * gy) in x, which is pad2dAdjoint(gy).

Tensors are stored as {shape, f64: base64 little-endian float64} (JSON has no NaN).
Usage: /usr/bin/python3 gen_pool_pad.py SEED POOL_COUNT PAD_COUNT OUT_POOL.json OUT_PAD.json
Committed: gen_pool_pad.py 11 120 80 test/fixtures/maxpool2d-torch.json test/fixtures/pad2d-torch.json
"""
import random
import sys

import torch
import torch.nn.functional as F

from common import flat, write

MODES = ["zeros", "reflect", "replicate", "circular"]


def pool_out(n, k, s, p, d, ceil):
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


def every_window_reads_input(n, out, k, s, p, d):
    """False when some window lies wholly in the padding (possible with dilation): PyTorch 1.13 then
    returns -inf with an out-of-range index and its backward writes out of bounds, so skip those."""
    return all(any(0 <= o * s - p + j * d < n for j in range(k)) for o in range(out))


def pool_case(rng, gen, index):
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    dh, dw = rng.randint(1, 2), rng.randint(1, 2)
    ph, pw = rng.randint(0, kh // 2), rng.randint(0, kw // 2)
    ceil = index % 2 == 1
    n, c = rng.randint(1, 2), rng.randint(1, 3)
    h, w = rng.randint(1, 11), rng.randint(1, 11)
    ho, wo = pool_out(h, kh, sh, ph, dh, ceil), pool_out(w, kw, sw, pw, dw, ceil)
    if ho <= 0 or wo <= 0:
        return None
    if not (every_window_reads_input(h, ho, kh, sh, ph, dh) and every_window_reads_input(w, wo, kw, sw, pw, dw)):
        return None
    flavour = ["randn", "ties", "ties", "nan", "neginf"][index % 5]
    if flavour == "randn":
        x = torch.randn(n, c, h, w, dtype=torch.float64, generator=gen)
    else:
        # a handful of distinct values so that most windows hold a tie for the max
        x = torch.randint(-2, 3, (n, c, h, w), generator=gen).to(torch.float64)
        if flavour == "nan":
            x[torch.rand(x.shape, generator=gen) < 0.12] = float("nan")
        if flavour == "neginf":
            x[torch.rand(x.shape, generator=gen) < 0.5] = float("-inf")
    x.requires_grad_(True)
    y, idx = F.max_pool2d(x, (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode=ceil, return_indices=True)
    assert list(y.shape) == [n, c, ho, wo], (y.shape, ho, wo)
    gy = torch.randn(y.shape, dtype=torch.float64, generator=gen, requires_grad=True)
    (gx,) = torch.autograd.grad(y, x, gy, create_graph=True)
    g = torch.randn(x.shape, dtype=torch.float64, generator=gen)
    (sel,) = torch.autograd.grad(gx, gy, g)
    return {"x": flat(x, "f64"), "kernel": [kh, kw], "stride": [sh, sw], "padding": [ph, pw],
            "dilation": [dh, dw], "ceilMode": ceil, "flavour": flavour,
            "y": flat(y, "f64"), "indices": {"shape": list(idx.shape), "data": idx.reshape(-1).tolist()},
            "gy": flat(gy, "f64"), "gx": flat(gx, "f64"), "g": flat(g, "f64"), "sel": flat(sel, "f64")}


def pad_case(rng, gen, index):
    mode = MODES[index % 4]
    n, c = rng.randint(1, 2), rng.randint(1, 3)
    h, w = rng.randint(1, 7), rng.randint(1, 7)
    # the largest pad PyTorch accepts per mode, reached often so the limit itself is covered
    lim_h = {"zeros": 4, "replicate": 4, "reflect": h - 1, "circular": h}[mode]
    lim_w = {"zeros": 4, "replicate": 4, "reflect": w - 1, "circular": w}[mode]
    pick = lambda lim: lim if rng.random() < 0.25 else rng.randint(0, lim)
    top, bottom, left, right = pick(lim_h), pick(lim_h), pick(lim_w), pick(lim_w)
    x = torch.randn(n, c, h, w, dtype=torch.float64, generator=gen, requires_grad=True)
    args = (left, right, top, bottom)
    y = F.pad(x, args) if mode == "zeros" else F.pad(x, args, mode=mode)
    gy = torch.randn(y.shape, dtype=torch.float64, generator=gen)
    (y * gy).sum().backward()
    return {"x": flat(x, "f64"), "pads": [top, bottom, left, right], "mode": mode,
            "y": flat(y, "f64"), "gy": flat(gy, "f64"), "gx": flat(x.grad, "f64")}


def main():
    seed, pool_count, pad_count, out_pool, out_pad = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    rng = random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    pools = []
    while len(pools) < pool_count:
        case = pool_case(rng, gen, len(pools))
        if case is not None:
            case["id"] = f"pool{seed}-{len(pools)}"
            pools.append(case)
    pads = []
    while len(pads) < pad_count:
        case = pad_case(rng, gen, len(pads))
        case["id"] = f"pad{seed}-{len(pads)}"
        pads.append(case)
    gen_name = "PyTorch " + torch.__version__ + " float64"
    write(out_pool, {"generator": gen_name, "seed": seed, "command": " ".join(["gen_pool_pad.py"] + sys.argv[1:]),
                     "layout": "x NCHW; max_pool2d(kernel, stride, padding [h, w] symmetric, dilation, ceil_mode); "
                               "indices flat in H*W; gx = d sum(y*gy)/dx; sel = d sum(gx*g)/dgy",
                     "cases": pools})
    write(out_pad, {"generator": gen_name, "seed": seed, "command": " ".join(["gen_pool_pad.py"] + sys.argv[1:]),
                    "layout": "x NCHW; pads [top, bottom, left, right]; gx = d sum(y*gy)/dx",
                    "cases": pads})
    print(f"wrote {len(pools)} pool cases to {out_pool}, {len(pads)} pad cases to {out_pad}")


if __name__ == "__main__":
    main()
