#!/usr/bin/env python3
"""Generate conv2d golden cases from PyTorch (CPU, float64).

Each case: input x, weight w, optional bias b, the conv options, the output y, an upstream
gradient gy, and the gradients gx, gw, gb of sum(y * gy). Error cases record the configuration.

Extends ../gen_conv2d.py (which produced test/fixtures/conv2d-torch.json) with:
  --big        larger shapes (H, W up to 24 and more channels per group)
  --cover      rotate the padding form, padding mode, depthwise and bias over consecutive cases so
               every option appears, instead of leaving it to chance
  --f64        store tensors as base64 little-endian float64 (exact, about half the size of JSON)
  --double     add double-backward data: random u (x's shape) and v (w's shape) and the gradients
               ggx, ggw, ggy of L2 = sum(gx * u) + sum(gw * v) in x, w and gy (gx, gw taken with
               create_graph=True), i.e. the second-order terms an autograd engine must reproduce

Usage: /usr/bin/python3 gen_conv2d.py SEED COUNT OUT.json [--big] [--cover] [--f64]
Committed: test/fixtures/conv2d-torch-big.json = gen_conv2d.py 7 40 ... --big --cover --f64
           test/fixtures/conv2d-torch-double.json = gen_conv2d.py 13 60 ... --cover --f64 --double
"""
import sys
import random

import torch
import torch.nn.functional as F

from common import flat, write

MODES = ["zeros", "reflect", "replicate", "circular"]
KINDS = ["int", "pair", "same", "valid", "quad"]


def out_size(n, k, s, d, lo, hi):
    return (n + lo + hi - d * (k - 1) - 1) // s + 1


def pick_case(rng, big, index, cover):
    maxhw = 24 if big else 9
    per_group = 4 if big else 3
    groups = rng.choice([1, 1, 1, 2, 3, 4])
    cin = groups * rng.randint(1, per_group)
    depthwise = (index % 7 == 3) if cover else rng.random() < 0.15
    if depthwise:
        groups = cin
    cout = groups * rng.randint(1, per_group if not depthwise else 2)
    kh, kw = rng.randint(1, 5), rng.randint(1, 5)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    dh, dw = rng.randint(1, 3), rng.randint(1, 3)
    n = rng.randint(1, 3)
    h, w = rng.randint(1, maxhw), rng.randint(1, maxhw)
    if big:
        h, w = max(h, rng.randint(6, maxhw)), max(w, rng.randint(6, maxhw))
    kind = KINDS[index % len(KINDS)] if cover else rng.choice(KINDS)
    if cover:
        mode = MODES[(index // len(KINDS)) % len(MODES)]
    else:
        mode = rng.choice(MODES) if rng.random() < 0.35 else "zeros"
    if kind == "same":
        sh = sw = 1
        th, tw = dh * (kh - 1), dw * (kw - 1)
        pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        padding = "same"
    elif kind == "valid":
        pads = (0, 0, 0, 0)
        padding = "valid"
    elif kind == "int":
        p = rng.randint(0, 3)
        pads = (p, p, p, p)
        padding = p
    elif kind == "pair":
        ph, pw = rng.randint(0, 3), rng.randint(0, 3)
        pads = (ph, ph, pw, pw)
        padding = [ph, pw]
    else:
        pads = tuple(rng.randint(0, 3) for _ in range(4))  # top, bottom, left, right
        padding = list(pads)
    bias = (index % 3 != 2) if cover else rng.random() < 0.7
    return dict(n=n, cin=cin, cout=cout, h=h, w=w, kh=kh, kw=kw, stride=[sh, sw],
                dilation=[dh, dw], groups=groups, padding=padding, pads=pads,
                mode=mode, bias=bias)


def run_case(c, gen, enc, double):
    x = torch.randn(c["n"], c["cin"], c["h"], c["w"], dtype=torch.float64, generator=gen, requires_grad=True)
    wt = torch.randn(c["cout"], c["cin"] // c["groups"], c["kh"], c["kw"], dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(c["cout"], dtype=torch.float64, generator=gen, requires_grad=True) if c["bias"] else None
    top, bottom, left, right = c["pads"]
    xp = x
    if any(c["pads"]):
        if c["mode"] == "zeros":
            xp = F.pad(x, (left, right, top, bottom))
        else:
            xp = F.pad(x, (left, right, top, bottom), mode=c["mode"])
    y = F.conv2d(xp, wt, b, stride=c["stride"], padding=0, dilation=c["dilation"], groups=c["groups"])
    # Cross-check the explicit-pad route against conv2d's own padding argument where PyTorch has one.
    if c["mode"] == "zeros":
        t, bo, l, r = c["pads"]
        if t == bo and l == r:
            y2 = F.conv2d(x, wt, b, stride=c["stride"], padding=(t, l), dilation=c["dilation"], groups=c["groups"])
            assert torch.allclose(y, y2, rtol=0, atol=1e-12)
    gy = torch.randn(y.shape, dtype=torch.float64, generator=gen, requires_grad=double)
    extra = {}
    if double:
        gx, gw = torch.autograd.grad((y * gy).sum(), (x, wt), create_graph=True)
        u = torch.randn(x.shape, dtype=torch.float64, generator=gen)
        v = torch.randn(wt.shape, dtype=torch.float64, generator=gen)
        # allow_unused: for a conv, gx does not depend on x nor gw on w (the form is bilinear)
        ggx, ggw, ggy = torch.autograd.grad((gx * u).sum() + (gw * v).sum(), (x, wt, gy), allow_unused=True, retain_graph=True)
        ggx = torch.zeros_like(x) if ggx is None else ggx
        ggw = torch.zeros_like(wt) if ggw is None else ggw
        extra = {"u": flat(u, enc), "v": flat(v, enc), "ggx": flat(ggx, enc), "ggw": flat(ggw, enc), "ggy": flat(ggy, enc)}
    (y * gy).sum().backward()
    case = {
        "x": flat(x, enc), "w": flat(wt, enc), "stride": c["stride"], "padding": c["padding"],
        "dilation": c["dilation"], "groups": c["groups"], "paddingMode": c["mode"],
        "y": flat(y, enc), "gy": flat(gy, enc), "gx": flat(x.grad, enc), "gw": flat(wt.grad, enc),
    }
    if b is not None:
        case["b"] = flat(b, enc)
        case["gb"] = flat(b.grad, enc)
    case.update(extra)
    return case


def main():
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    big = "--big" in sys.argv
    cover = "--cover" in sys.argv
    enc = "f64" if "--f64" in sys.argv else "json"
    double = "--double" in sys.argv
    rng = random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    cases, errors = [], []
    attempt = 0
    while len(cases) < count:
        c = pick_case(rng, big, len(cases), cover)
        attempt += 1
        top, bottom, left, right = c["pads"]
        ho = out_size(c["h"], c["kh"], c["stride"][0], c["dilation"][0], top, bottom)
        wo = out_size(c["w"], c["kw"], c["stride"][1], c["dilation"][1], left, right)
        if c["mode"] in ("reflect", "circular") and any(c["pads"]):
            # PyTorch limits: reflect needs pad < dim, circular needs pad <= dim
            lim_ok = {"reflect": max(top, bottom) < c["h"] and max(left, right) < c["w"],
                      "circular": max(top, bottom) <= c["h"] and max(left, right) <= c["w"]}[c["mode"]]
            if not lim_ok:
                continue
        if ho <= 0 or wo <= 0:
            if len(errors) < count // 10:
                errors.append({"reason": "output size would be non-positive",
                               "config": {k: v for k, v in c.items() if k != "pads"}, "outSize": [ho, wo]})
            continue
        case = run_case(c, gen, enc, double)
        case["id"] = f"s{seed}-{len(cases)}"
        cases.append(case)
    write(out, {"generator": "PyTorch " + torch.__version__ + " float64", "seed": seed,
                "command": " ".join(["gen_conv2d.py"] + sys.argv[1:]),
                "layout": "x NCHW, w OIHW; padding int|[ph,pw]|[top,bottom,left,right]|'same'|'valid'; "
                          "gradients are of sum(y*gy); with --double, ggx/ggw/ggy are of sum(gx*u)+sum(gw*v); tensors {shape, data} or {shape, f64: base64 LE float64}",
                "cases": cases, "invalid": errors})
    print(f"wrote {len(cases)} cases, {len(errors)} invalid configs to {out}")


if __name__ == "__main__":
    main()
