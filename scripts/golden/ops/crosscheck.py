"""Second derivations of the fixtures, so they are trusted rather than copied from one call.

Each check recomputes an op another way and raises AssertionError on a mismatch; gen_ops.py calls
them on every case it records, and counts them.
"""
import math
from fractions import Fraction

import numpy as np
import torch
import torch.nn.functional as F

TOLERANCE = 1e-12
performed = {}


def _count(name):
    performed[name] = performed.get(name, 0) + 1


def _close(a, b, what):
    assert a.shape == b.shape, f"{what}: shape {tuple(a.shape)} vs {tuple(b.shape)}"
    err = (a - b).abs().max().item() if a.numel() else 0.0
    assert err <= TOLERANCE * (1 + b.abs().max().item() if b.numel() else 1), f"{what}: max error {err}"


def pair(v):
    return (v, v) if isinstance(v, (int, float)) else tuple(v)


def conv_transpose_as_conv2d_grad(x, w, b, stride, padding, output_padding, groups, dilation, y):
    """conv_transpose2d(x, w) is the adjoint of conv2d(., w) applied to x: the gradient of conv2d in
    its input, for an input of the transposed output's size, with x as the upstream gradient."""
    unbatched = x.dim() == 3
    x4 = x.unsqueeze(0) if unbatched else x
    y4 = y.unsqueeze(0) if unbatched else y
    z = torch.zeros(y4.shape, dtype=torch.float64, requires_grad=True)
    c = F.conv2d(z, w, None, stride, padding, dilation, groups)
    # outputPadding rows beyond the stride (allowed when below the dilation) give conv2d extra output
    # rows that no input row of x feeds: they take a zero upstream gradient.
    h, w = x4.shape[2], x4.shape[3]
    assert c.shape[:2] == x4.shape[:2] and c.shape[2] >= h and c.shape[3] >= w, \
        f"conv2d of the transposed output has shape {tuple(c.shape)}, x {tuple(x4.shape)}"
    upstream = torch.zeros(c.shape, dtype=torch.float64)
    upstream[:, :, :h, :w] = x4.detach()
    (adjoint,) = torch.autograd.grad(c, z, upstream)
    if b is not None:
        adjoint = adjoint + b.detach().view(1, -1, 1, 1)
    _close(adjoint, y4.detach(), "convTranspose2d vs grad of conv2d")
    _count("convTranspose2d = grad of conv2d in its input")


def _bilinear_source(dst, in_size, out_size, scale_factor, align_corners):
    """PyTorch's area_pixel_compute_source_index for linear modes, in double."""
    if align_corners:
        scale = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        return scale * dst
    scale = 1.0 / scale_factor if scale_factor is not None else in_size / out_size
    return max(scale * (dst + 0.5) - 0.5, 0.0)


def bilinear_naive(x, out_hw, scale_hw, align_corners):
    n, c, h, w = x.shape
    oh, ow = out_hw
    y = torch.zeros(n, c, oh, ow, dtype=torch.float64)
    xs = x.detach()
    for i in range(oh):
        sy = _bilinear_source(i, h, oh, scale_hw[0], align_corners)
        y0 = min(int(math.floor(sy)), h - 1)
        y1 = min(y0 + 1, h - 1)
        ly = sy - y0
        for j in range(ow):
            sx = _bilinear_source(j, w, ow, scale_hw[1], align_corners)
            x0 = min(int(math.floor(sx)), w - 1)
            x1 = min(x0 + 1, w - 1)
            lx = sx - x0
            y[:, :, i, j] = ((1 - ly) * ((1 - lx) * xs[:, :, y0, x0] + lx * xs[:, :, y0, x1])
                             + ly * ((1 - lx) * xs[:, :, y1, x0] + lx * xs[:, :, y1, x1]))
    return y


def nearest_index(dst, in_size, out_size, scale_factor):
    """PyTorch's nearest_idx: float32 scale (1/scaleFactor when given, else in/out) and floorf, with
    out == in and out == 2 in special-cased to exact integer arithmetic."""
    if out_size == in_size:
        return dst
    if out_size == 2 * in_size:
        return dst >> 1
    if scale_factor is not None and scale_factor > 0:
        scale = np.float32(1.0 / scale_factor)
    else:
        scale = np.float32(in_size) / np.float32(out_size)
    return min(int(math.floor(np.float32(dst) * scale)), in_size - 1)


def nearest_naive(x, out_hw, scale_hw):
    rows = [nearest_index(i, x.shape[2], out_hw[0], scale_hw[0]) for i in range(out_hw[0])]
    cols = [nearest_index(j, x.shape[3], out_hw[1], scale_hw[1]) for j in range(out_hw[1])]
    return x.detach()[:, :, rows][:, :, :, cols]


def nearest_rules_that_differ(x_shape, out_hw, scale_hw):
    """The exact-arithmetic rules an implementer might write that pick another row or column than
    PyTorch's for this case: floor(dst * in / out), and with a scaleFactor floor(dst / scaleFactor)."""
    differ = []
    for rule in ("floor(dst * in / out)", "floor(dst / scaleFactor)"):
        if rule.startswith("floor(dst / ") and scale_hw[0] is None:
            continue
        for axis in (0, 1):
            n, o, s = x_shape[2 + axis], out_hw[axis], scale_hw[axis]
            exact = [min(d * n // o if s is None or "in / out" in rule else math.floor(Fraction(d) / Fraction(s)), n - 1)
                     for d in range(o)]
            if exact != [nearest_index(d, n, o, s) for d in range(o)]:
                differ.append(rule)
                break
    return differ


def interpolate(x, y, mode, size, scale_factor, align_corners):
    h, w = x.shape[2], x.shape[3]
    scale_hw = (None, None) if scale_factor is None else tuple(float(v) for v in pair(scale_factor))
    if size is not None:
        out_hw = pair(size)
    else:
        out_hw = (int(math.floor(h * scale_hw[0])), int(math.floor(w * scale_hw[1])))
    assert tuple(y.shape[2:]) == out_hw, f"interpolate output {tuple(y.shape)} vs {out_hw}"
    if mode == "bilinear":
        _close(bilinear_naive(x, out_hw, scale_hw, bool(align_corners)), y.detach(), "bilinear vs naive loop")
        _count("interpolate bilinear = naive loop")
    else:
        expect = nearest_naive(x, out_hw, scale_hw)
        assert torch.equal(expect, y.detach()), "nearest vs naive loop"
        _count("interpolate nearest = naive loop (float32 index rule)")


def same_pads(size, k, s, d, auto_pad):
    """ONNX auto_pad SAME_UPPER / SAME_LOWER: output ceil(size / s); the odd pad goes to the end (UPPER)
    or the beginning (LOWER)."""
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    small, big = total // 2, total - total // 2
    return (small, big) if auto_pad == "SAME_UPPER" else (big, small)


def onnx_pool_naive(x, kind, kernel, stride, pads, dilation, count_include_pad):
    """ONNX MaxPool / AveragePool with explicit pads [top, bottom, left, right], ceil_mode 0, read
    from the operator spec: pads are ignored by the max; the average divides by the whole kernel
    (count_include_pad 1) or by the taps inside the input (0)."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    top, bottom, left, right = pads
    oh = (h + top + bottom - ((kh - 1) * dh + 1)) // sh + 1
    ow = (w + left + right - ((kw - 1) * dw + 1)) // sw + 1
    xs = x.detach()
    y = torch.zeros(n, c, oh, ow, dtype=torch.float64)
    for i in range(oh):
        for j in range(ow):
            taps = [(i * sh - top + a * dh, j * sw - left + b * dw) for a in range(kh) for b in range(kw)]
            inside = [(r, q) for r, q in taps if 0 <= r < h and 0 <= q < w]
            assert inside, "a window wholly in the padding"
            values = torch.stack([xs[:, :, r, q] for r, q in inside], -1)
            if kind == "max":
                y[:, :, i, j] = values.max(-1).values
            else:
                y[:, :, i, j] = values.sum(-1) / (kh * kw if count_include_pad else len(inside))
    return y


def pool(x, y, kind, kernel, stride, pads, dilation, count_include_pad):
    expect = onnx_pool_naive(x, kind, kernel, stride, pads, dilation, count_include_pad)
    _close(expect, y.detach(), f"{kind} pool vs the ONNX spec loop")
    _count(f"{kind}Pool2d with pads [t, b, l, r] = ONNX spec loop")


def group_norm(x, num_groups, weight, bias, eps, y):
    """Normalise each (sample, group) by its mean and its biased variance (divided by the count)."""
    n, c = x.shape[0], x.shape[1]
    g = x.detach().reshape(n, num_groups, -1)
    mean = g.mean(-1, keepdim=True)
    var = ((g - mean) ** 2).sum(-1, keepdim=True) / g.shape[-1]
    out = ((g - mean) / torch.sqrt(var + eps)).reshape(x.shape)
    shape = [1, c] + [1] * (x.dim() - 2)
    if weight is not None:
        out = out * weight.detach().reshape(shape)
    if bias is not None:
        out = out + bias.detach().reshape(shape)
    _close(out, y.detach(), "groupNorm vs biased-variance formula")
    _count("groupNorm = biased-variance formula")


def layer_norm(x, normalized_shape, weight, bias, eps, y):
    dims = tuple(range(x.dim() - len(normalized_shape), x.dim()))
    xs = x.detach()
    mean = xs.mean(dims, keepdim=True)
    var = ((xs - mean) ** 2).mean(dims, keepdim=True)
    out = (xs - mean) / torch.sqrt(var + eps)
    if weight is not None:
        out = out * weight.detach()
    if bias is not None:
        out = out + bias.detach()
    _close(out, y.detach(), "layerNorm vs biased-variance formula")
    _count("layerNorm = biased-variance formula")


ACTIVATIONS = {
    "silu": lambda x: x / (1 + torch.exp(-x)),
    "hardswish": lambda x: x * torch.clamp(x + 3, 0, 6) / 6,
    "hardsigmoid": lambda x: torch.clamp(x + 3, 0, 6) / 6,
    "relu6": lambda x: torch.clamp(x, 0, 6),
    # i22-dense: erf from Python's math library, apart from PyTorch's kernel.
    "gelu": lambda x: (0.5 * x * (1 + x.double().div(math.sqrt(2)).apply_(math.erf))).to(x.dtype),
}


def activation(name, x, y):
    _close(ACTIVATIONS[name](x.detach()), y.detach(), f"{name} vs its formula")
    _count(f"{name} = formula")
