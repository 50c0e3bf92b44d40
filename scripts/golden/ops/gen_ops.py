#!/usr/bin/env python3
"""PyTorch goldens for the ops of DESIGN.md section 1b (issue 21): test/fixtures/ops/<op>.json.

Usage: /usr/bin/python3 scripts/golden/ops/gen_ops.py [OUT_DIR]   (default test/fixtures/ops)

Deterministic: every case draws from a torch.Generator seeded by its id, PyTorch runs on one
thread, and the files are rewritten byte for byte on a rerun. Each case is also recomputed another
way by crosscheck.py (convTranspose2d as the gradient of conv2d, interpolation and ONNX-style
pooling by naive loops, the norms and activations by their formulas) before it is written.
The format is described in docs/goldens-ops.md.
"""
import os
import sys
import warnings
from fractions import Fraction

import torch
import torch.nn.functional as F

import crosscheck
from fixture import OpFile, ShapeList, case_generator, distinct_grid, grid_randn

warnings.filterwarnings("ignore")  # PyTorch's UserWarnings (e.g. dropout2d on 3-D input) are not data
torch.set_num_threads(1)  # one thread: reductions sum in one order on every run


def rand(case_id, *shapes, scale=1.0):
    gen = case_generator(case_id + "/inputs")
    return [grid_randn(gen, s, scale) for s in shapes]


def optional(value, key, out):
    if value is not None:
        out[key] = value
    return out


# ------------------------------------------------------------------ cat, stack

def gen_cat_stack(op):
    torch_fn = torch.cat if op == "cat" else torch.stack
    f = OpFile(op, ["tensors", "dim"], f"torch.{op}",
               "dims 0, 1, 3, negative and the default; 1-D to 4-D; one, two, three and five tensors; "
               "a zero-size piece (cat); errors as PyTorch raises them")

    def fn(i, a):
        return torch_fn(i["tensors"], a.get("dim", 0))

    if op == "cat":
        configs = [
            ("nchw-dim1", [[2, 3, 2, 3], [2, 5, 2, 3]], 1),
            ("dim0", [[1, 2, 3], [2, 2, 3]], 0),
            ("default-dim", [[2, 3], [1, 3]], None),
            ("neg1", [[2, 2, 2], [2, 2, 3]], -1),
            ("neg2-three", [[2, 1, 3], [2, 2, 3], [2, 3, 3]], -2),
            ("1d", [[3], [4]], 0),
            ("single", [[2, 3]], 1),
            ("zero-size-piece", [[2, 0, 3], [2, 2, 3]], 1),
            ("nchw-dim3", [[1, 2, 2, 1], [1, 2, 2, 3]], 3),
            ("five", [[1, 2], [2, 2], [1, 2], [3, 2], [1, 2]], 0),
            ("nchw-dim0", [[1, 2, 2, 2], [2, 2, 2, 2]], 0),
            ("nchw-neg3", [[2, 1, 2, 2], [2, 3, 2, 2]], -3),
        ]
    else:
        configs = [
            ("dim0", [[2, 3], [2, 3]], 0),
            ("default-dim", [[3], [3], [3]], None),
            ("dim1", [[2, 3], [2, 3]], 1),
            ("new-last", [[2, 2, 3], [2, 2, 3]], 3),
            ("neg1", [[2, 3], [2, 3], [2, 3]], -1),
            ("neg2", [[2, 3, 2], [2, 3, 2]], -2),
            ("neg4-of-rank3", [[2, 2, 2], [2, 2, 2]], -4),
            ("single", [[2, 2]], 0),
            ("nchw-dim2", [[1, 2, 2, 2], [1, 2, 2, 2], [1, 2, 2, 2]], 2),
            ("zero-size", [[2, 0], [2, 0]], 1),
            ("five", [[2], [2], [2], [2], [2]], 1),
        ]
    for cid, shapes, dim in configs:
        f.case(cid, fn, {"tensors": rand(cid, *shapes)}, optional(dim, "dim", {}))
    for cid, shapes, dim in configs[:3]:
        f.float32(cid + "-f32", fn, {"tensors": rand(cid, *shapes)}, optional(dim, "dim", {}))
    if op == "cat":
        f.error("mismatch-other-dim", fn, {"tensors": ShapeList([[2, 3, 4], [2, 4, 5]])}, {"dim": 1})
        f.error("mismatch-batch", fn, {"tensors": ShapeList([[2, 16, 8, 8], [1, 32, 8, 8]])}, {"dim": 1})
        f.error("rank-mismatch", fn, {"tensors": ShapeList([[2, 3], [2, 3, 1]])}, {"dim": 0})
        f.error("empty-list", fn, {"tensors": ShapeList([])}, {"dim": 0})
        f.error("dim-out-of-range", fn, {"tensors": ShapeList([[2, 3], [2, 3]])}, {"dim": 2})
        f.error("neg-dim-out-of-range", fn, {"tensors": ShapeList([[2, 3], [2, 3]])}, {"dim": -3})
    else:
        f.error("shape-mismatch", fn, {"tensors": ShapeList([[2, 3], [2, 4]])}, {"dim": 0})
        f.error("empty-list", fn, {"tensors": ShapeList([])}, {"dim": 0})
        f.error("dim-out-of-range", fn, {"tensors": ShapeList([[2, 3], [2, 3]])}, {"dim": 3})
        f.error("neg-dim-out-of-range", fn, {"tensors": ShapeList([[2, 3], [2, 3]])}, {"dim": -4})
    return f


# ------------------------------------------------------------------ split, chunk, narrow

def gen_split():
    f = OpFile("split", ["x", "sizeOrSections", "dim"], "torch.split",
               "a size that divides, one that leaves a smaller last piece, one larger than the dim; "
               "section lists (with a 0-size section); dims 0, 1, negative and the default")

    def fn(i, a):
        return torch.split(i["x"], a["sizeOrSections"], a.get("dim", 0))

    configs = [
        ("size-divides", [6, 2], 2, None),
        ("size-remainder", [7, 2], 3, 0),
        ("size-larger-than-dim", [3, 2], 5, 0),
        ("size-1", [2, 3], 1, 1),
        ("sections", [2, 6, 2], [1, 2, 3], 1),
        ("sections-zero", [5, 2], [2, 0, 3], 0),
        ("sections-one", [2, 4], [4], 1),
        ("neg-dim", [2, 3, 5], 2, -1),
        ("nchw-channels", [2, 6, 2, 2], [2, 4], 1),
        ("nchw-width", [1, 2, 3, 5], [3, 2], 3),
    ]
    for cid, shape, sections, dim in configs:
        f.case(cid, fn, {"x": rand(cid, shape)[0]}, optional(dim, "dim", {"sizeOrSections": sections}))
    for cid, shape, sections, dim in configs[4:6]:
        f.float32(cid + "-f32", fn, {"x": rand(cid, shape)[0]}, optional(dim, "dim", {"sizeOrSections": sections}))
    f.error("sections-sum-short", fn, {"x": [5, 2]}, {"sizeOrSections": [2, 2], "dim": 0})
    f.error("sections-sum-long", fn, {"x": [5, 2]}, {"sizeOrSections": [3, 3], "dim": 0})
    f.error("section-negative", fn, {"x": [5, 2]}, {"sizeOrSections": [6, -1], "dim": 0})
    f.error("size-zero", fn, {"x": [5, 2]}, {"sizeOrSections": 0, "dim": 0})
    f.error("size-negative", fn, {"x": [5, 2]}, {"sizeOrSections": -1, "dim": 0})
    f.error("dim-out-of-range", fn, {"x": [5, 2]}, {"sizeOrSections": 1, "dim": 2})
    return f


def gen_chunk():
    f = OpFile("chunk", ["x", "chunks", "dim"], "torch.chunk",
               "chunks that divide, that do not (the last piece smaller), more chunks than elements, and "
               "PyTorch's fewer-pieces rule (size ceil(n / chunks), so 5 in 4 chunks gives 3 pieces)")

    def fn(i, a):
        return torch.chunk(i["x"], a["chunks"], a.get("dim", 0))

    configs = [
        ("divides", [6, 2], 3, None),
        ("remainder", [7, 2], 3, 0),
        ("fewer-pieces-5-in-4", [5, 2], 4, 0),
        ("fewer-pieces-6-in-4", [2, 6], 4, 1),
        ("more-chunks-than-elements", [3, 2], 5, 0),
        ("one-chunk", [2, 3], 1, 1),
        ("neg-dim", [2, 2, 5], 2, -1),
        ("nchw-channels", [2, 4, 2, 2], 2, 1),
        ("7-in-3", [7], 3, 0),
        ("equal-pieces", [2, 6, 1], 3, 1),
    ]
    for cid, shape, chunks, dim in configs:
        f.case(cid, fn, {"x": rand(cid, shape)[0]}, optional(dim, "dim", {"chunks": chunks}))
    for cid, shape, chunks, dim in configs[1:3]:
        f.float32(cid + "-f32", fn, {"x": rand(cid, shape)[0]}, optional(dim, "dim", {"chunks": chunks}))
    f.error("chunks-zero", fn, {"x": [4, 2]}, {"chunks": 0, "dim": 0})
    f.error("chunks-negative", fn, {"x": [4, 2]}, {"chunks": -2, "dim": 0})
    f.error("dim-out-of-range", fn, {"x": [4, 2]}, {"chunks": 2, "dim": -3})
    return f


def gen_narrow():
    f = OpFile("narrow", ["x", "dim", "start", "length"], "torch.narrow",
               "dims 0, 1, 3 and negative; a negative start (counted from the end); length 0; the whole dim")

    def fn(i, a):
        return torch.narrow(i["x"], a["dim"], a["start"], a["length"])

    configs = [
        ("dim0", [5, 2], 0, 1, 3),
        ("dim1", [2, 6], 1, 2, 4),
        ("neg-dim", [2, 3, 5], -1, 1, 2),
        ("neg-start", [6, 2], 0, -3, 2),
        ("length-zero", [4, 2], 0, 2, 0),
        ("whole", [3, 2], 0, 0, 3),
        ("nchw-width", [1, 2, 3, 5], 3, 4, 1),
        ("nchw-height", [2, 1, 5, 2], 2, 1, 3),
        ("empty-at-end", [4, 2], 0, 4, 0),
        ("neg-dim-neg-start", [2, 6], -1, -4, 3),
    ]
    for cid, shape, dim, start, length in configs:
        f.case(cid, fn, {"x": rand(cid, shape)[0]}, {"dim": dim, "start": start, "length": length})
    for cid, shape, dim, start, length in configs[1:3]:
        f.float32(cid + "-f32", fn, {"x": rand(cid, shape)[0]}, {"dim": dim, "start": start, "length": length})
    f.error("past-end", fn, {"x": [5, 2]}, {"dim": 0, "start": 3, "length": 3})
    f.error("start-out-of-range", fn, {"x": [5, 2]}, {"dim": 0, "start": 6, "length": 0})
    f.error("neg-start-out-of-range", fn, {"x": [5, 2]}, {"dim": 0, "start": -6, "length": 1})
    f.error("length-negative", fn, {"x": [5, 2]}, {"dim": 0, "start": 1, "length": -1})
    f.error("dim-out-of-range", fn, {"x": [5, 2]}, {"dim": 2, "start": 0, "length": 1})
    return f


# ------------------------------------------------------------------ pad

def gen_pad():
    f = OpFile("pad", ["x", "pads", "options"], "torch.nn.functional.pad",
               "pads list (left, right) of the last dim first; modes constant (with value, on any dim), "
               "reflect, replicate, circular at and below their limits; negative pads crop in every mode")

    def fn(i, a):
        o = a.get("options", {})
        mode = o.get("mode", "constant")
        if mode == "constant":
            return F.pad(i["x"], a["pads"], mode, o.get("value", 0))
        return F.pad(i["x"], a["pads"], mode)

    configs = [
        ("constant-last-dim", [2, 3, 4], [1, 2], None),
        ("constant-nchw", [1, 2, 3, 4], [1, 2, 0, 1], {"mode": "constant"}),
        ("constant-value", [1, 1, 3, 3], [1, 1, 1, 1], {"value": 2.5}),
        ("constant-crop", [1, 2, 4, 5], [-1, -2, 0, -1], {}),
        ("constant-mixed-signs", [1, 1, 4, 4], [2, -1, -2, 1], {"value": -1}),
        ("constant-channels", [1, 2, 3, 3], [1, 0, 0, 1, 1, 1], {}),
        ("constant-batch", [1, 2, 2, 2], [0, 0, 0, 0, 0, 0, 1, 0], {}),
        ("constant-2d", [3, 4], [1, 1, 2, 0], {}),
        ("constant-1d", [5], [2, -1], {"value": 0.5}),
        ("reflect-nchw", [1, 2, 4, 5], [1, 2, 3, 0], {"mode": "reflect"}),
        ("reflect-limit", [1, 1, 5, 4], [3, 3, 4, 4], {"mode": "reflect"}),
        ("reflect-3d-last-dim", [2, 3, 5], [2, 4], {"mode": "reflect"}),
        ("reflect-unbatched-2d", [2, 3, 4], [1, 1, 2, 1], {"mode": "reflect"}),
        ("reflect-negative", [1, 1, 4, 5], [2, -1, 1, -1], {"mode": "reflect"}),
        ("replicate-nchw", [2, 1, 3, 4], [1, 2, 2, 1], {"mode": "replicate"}),
        ("replicate-beyond-size", [1, 1, 2, 3], [5, 4, 3, 6], {"mode": "replicate"}),
        ("replicate-negative", [1, 2, 4, 4], [-1, 2, 1, -2], {"mode": "replicate"}),
        ("replicate-3d-last-dim", [1, 2, 3], [2, 1], {"mode": "replicate"}),
        ("circular-nchw", [1, 2, 3, 4], [1, 2, 1, 0], {"mode": "circular"}),
        ("circular-limit", [1, 1, 3, 4], [4, 4, 3, 3], {"mode": "circular"}),
        ("circular-negative", [1, 1, 4, 5], [-2, 1, 1, -1], {"mode": "circular"}),
        ("circular-3d-last-dim", [2, 1, 5], [3, 2], {"mode": "circular"}),
        ("reflect-pad-reads-cropped-side", [1, 2, 5], [2, -3], {"mode": "reflect"}),
        ("replicate-pad-reads-cropped-side", [1, 2, 5], [3, -3], {"mode": "replicate"}),
        ("circular-crop-then-wrap", [1, 2, 5], [2, -3], {"mode": "circular"}),
    ]
    for cid, shape, pads, options in configs:
        args = {"pads": pads}
        optional(options, "options", args)
        f.case(cid, fn, {"x": rand(cid, shape)[0]}, args)
    for cid in ["constant-value", "reflect-nchw", "replicate-nchw", "circular-nchw"]:
        _, shape, pads, options = next(c for c in configs if c[0] == cid)
        f.float32(cid + "-f32", fn, {"x": rand(cid, shape)[0]}, {"pads": pads, "options": options})
    f.error("reflect-pad-equals-size", fn, {"x": [1, 1, 3, 4]}, {"pads": [4, 0, 0, 0], "options": {"mode": "reflect"}})
    f.error("reflect-pad-height", fn, {"x": [1, 1, 3, 4]}, {"pads": [0, 0, 0, 3], "options": {"mode": "reflect"}})
    f.error("circular-pad-beyond-size", fn, {"x": [1, 1, 3, 4]}, {"pads": [0, 0, 4, 0], "options": {"mode": "circular"}})
    f.error("odd-length", fn, {"x": [1, 1, 3, 4]}, {"pads": [1, 1, 1], "options": {}})
    f.error("too-long", fn, {"x": [3, 4]}, {"pads": [1, 1, 1, 1, 1, 1], "options": {}})
    f.error("constant-crop-below-zero", fn, {"x": [1, 1, 3, 4]}, {"pads": [-3, -2, 0, 0], "options": {}})
    f.error("reflect-6-on-4d", fn, {"x": [1, 1, 4, 5]}, {"pads": [1, 1, 1, 1, 1, 1], "options": {"mode": "reflect"}})
    f.error("reflect-1d-input", fn, {"x": [5]}, {"pads": [1, 1], "options": {"mode": "reflect"}})
    f.error("circular-wrap-beyond-cropped", fn, {"x": [1, 1, 5]}, {"pads": [3, -3], "options": {"mode": "circular"}},
            note="circular crops first, then wraps around what is left: 3 > 5 - 3")
    f.error("reflect-pads-2-on-4d", fn, {"x": [1, 1, 4, 5]}, {"pads": [1, 1], "options": {"mode": "reflect"}})
    f.error("unknown-mode", fn, {"x": [1, 1, 3, 4]}, {"pads": [1, 1], "options": {"mode": "symmetric"}})
    return f


# ------------------------------------------------------------------ convTranspose2d

def gen_conv_transpose2d():
    f = OpFile("convTranspose2d", ["input", "weight", "bias", "options"], "torch.nn.functional.conv_transpose2d",
               "weight [C_in, C_out/groups, kH, kW]; stride 1/2/3, padding 0/1/2, kernel 1/3/4/5, dilation 1/2, "
               "outputPadding below the stride or the dilation, groups 1/2/depthwise, [h, w] forms, bias or none, "
               "batch 1/2 and unbatched, odd and asymmetric sizes; second-order data in every float64 case")

    def fn(i, a):
        o = a.get("options", {})
        return F.conv_transpose2d(i["input"], i["weight"], i["bias"], o.get("stride", 1), o.get("padding", 0),
                                  o.get("outputPadding", 0), o.get("groups", 1), o.get("dilation", 1))

    # (id, input shape, C_out, kernel [kh, kw], bias, options)
    configs = [
        ("basic-k3", [1, 2, 4, 4], 3, [3, 3], True, {}),
        ("upsample-s2-p1-op1", [2, 2, 3, 3], 2, [3, 3], True, {"stride": 2, "padding": 1, "outputPadding": 1}),
        ("dcgan-k4-s2-p1", [1, 3, 3, 3], 2, [4, 4], True, {"stride": 2, "padding": 1}),
        ("s3-p2-k5-op2", [1, 2, 3, 2], 2, [5, 5], True, {"stride": 3, "padding": 2, "outputPadding": 2}),
        ("k1", [2, 3, 3, 3], 2, [1, 1], True, {"stride": 1}),
        ("k1-s2", [1, 2, 3, 4], 3, [1, 1], True, {"stride": 2}),
        ("k1-s3-op2", [1, 2, 2, 3], 2, [1, 1], False, {"stride": 3, "outputPadding": 2}),
        ("dilation2-p2", [1, 2, 4, 4], 2, [3, 3], True, {"dilation": 2, "padding": 2}),
        ("dilation2-s1-op1", [1, 2, 3, 3], 2, [3, 3], True, {"dilation": 2, "outputPadding": 1}),
        ("groups2", [1, 4, 3, 3], 4, [3, 3], True, {"groups": 2, "padding": 1}),
        ("groups2-cout2", [2, 4, 3, 3], 2, [3, 3], False, {"groups": 2, "stride": 2}),
        ("depthwise", [1, 3, 4, 4], 3, [3, 3], True, {"groups": 3, "padding": 1}),
        ("depthwise-multiplier2", [1, 2, 3, 3], 4, [3, 3], True, {"groups": 2, "stride": 2, "padding": 1, "outputPadding": 1}),
        ("asymmetric-pairs", [1, 2, 3, 5], 2, [3, 2], True,
         {"stride": [2, 1], "padding": [1, 0], "outputPadding": [1, 0], "dilation": [1, 2]}),
        ("asymmetric-kernel-1x3", [1, 2, 4, 3], 3, [1, 3], True, {"stride": [1, 2], "padding": [0, 1]}),
        ("no-bias", [1, 2, 4, 4], 2, [3, 3], False, {"stride": 2}),
        ("batch2-odd-sizes", [2, 2, 5, 3], 2, [3, 3], True, {"stride": 2, "padding": 1}),
        ("padding2-crops", [1, 2, 5, 5], 2, [3, 3], True, {"padding": 2}),
        ("combo-s2-op1-d2-g2", [1, 4, 3, 3], 2, [3, 3], True,
         {"stride": 2, "padding": 1, "outputPadding": 1, "groups": 2, "dilation": 2}),
        ("unbatched", [2, 3, 3], 3, [3, 3], True, {"stride": 2}),
        ("op-width-only", [1, 2, 3, 3], 2, [3, 3], True, {"stride": 2, "outputPadding": [0, 1]}),
        ("defaults-k2", [1, 3, 2, 3], 1, [2, 2], True, None),
        ("stride3-k2", [1, 2, 3, 2], 2, [2, 2], True, {"stride": 3, "padding": 1}),
    ]

    def inputs_of(cid, shape, cout, kernel, bias, options):
        cin = shape[-3]
        groups = (options or {}).get("groups", 1)
        x, w, b = rand(cid, shape, [cin, cout // groups] + kernel, [cout])
        return {"input": x, "weight": w, "bias": b if bias else None}

    for cid, shape, cout, kernel, bias, options in configs:
        inputs = inputs_of(cid, shape, cout, kernel, bias, options)
        args = optional(options, "options", {})
        y = fn(inputs, args)
        o = options or {}
        crosscheck.conv_transpose_as_conv2d_grad(
            inputs["input"], inputs["weight"], inputs["bias"], o.get("stride", 1), o.get("padding", 0),
            o.get("outputPadding", 0), o.get("groups", 1), o.get("dilation", 1), y)
        f.case(cid, fn, inputs, args, double=True)
    for cid in ["upsample-s2-p1-op1", "dcgan-k4-s2-p1", "groups2", "asymmetric-pairs"]:
        _, shape, cout, kernel, bias, options = next(c for c in configs if c[0] == cid)
        f.float32(cid + "-f32", fn, inputs_of(cid, shape, cout, kernel, bias, options), {"options": options})

    def err(cid, x, w, b, options):
        f.error(cid, fn, {"input": x, "weight": w, "bias": b}, {"options": options})

    err("output-padding-not-below-stride-or-dilation", [1, 2, 3, 3], [2, 2, 3, 3], None, {"outputPadding": 1})
    err("output-padding-equals-stride", [1, 2, 3, 3], [2, 2, 3, 3], None, {"stride": 2, "outputPadding": 2})
    err("output-padding-width-only", [1, 2, 3, 3], [2, 2, 3, 3], None, {"stride": [2, 1], "outputPadding": [1, 1]})
    err("channels-not-divisible-by-groups", [1, 3, 3, 3], [3, 2, 3, 3], None, {"groups": 2})
    err("input-channels-mismatch", [1, 4, 3, 3], [3, 2, 3, 3], None, {})
    err("bias-size-mismatch", [1, 2, 3, 3], [2, 3, 3, 3], [2], {})
    err("weight-rank-3", [1, 2, 3, 3], [2, 3, 3], None, {})
    err("output-not-positive", [1, 2, 1, 1], [2, 2, 1, 1], None, {"padding": 1})
    err("groups-zero", [1, 2, 3, 3], [2, 2, 3, 3], None, {"groups": 0})
    err("stride-zero", [1, 2, 3, 3], [2, 2, 3, 3], None, {"stride": 0})
    err("padding-negative", [1, 2, 3, 3], [2, 2, 3, 3], None, {"padding": -1})
    err("dilation-zero", [1, 2, 3, 3], [2, 2, 3, 3], None, {"dilation": 0})
    return f


# ------------------------------------------------------------------ interpolate

def gen_interpolate():
    f = OpFile("interpolate", ["input", "options"], "torch.nn.functional.interpolate",
               "nearest (PyTorch's legacy rule) and bilinear with alignCorners false/true/omitted; size as a "
               "number or [h, w], larger and smaller; scaleFactor 0.5/1.5/2/3, non-integer and per-axis; "
               "size-1 inputs and outputs; second-order data in every bilinear float64 case")

    def fn(i, a):
        o = a["options"]
        size = o.get("size")
        return F.interpolate(i["input"], size=tuple(size) if isinstance(size, list) else size,
                             scale_factor=o.get("scaleFactor"), mode=o.get("mode", "nearest"),
                             align_corners=o.get("alignCorners"))

    nearest = [
        ("nearest-scale2", [1, 2, 3, 3], {"scaleFactor": 2}),
        ("nearest-scale3", [1, 1, 2, 3], {"scaleFactor": 3, "mode": "nearest"}),
        ("nearest-scale1.5", [1, 2, 5, 4], {"scaleFactor": 1.5}),
        ("nearest-scale0.5", [2, 1, 6, 7], {"scaleFactor": 0.5}),
        ("nearest-scale-pair", [1, 1, 3, 2], {"scaleFactor": [2, 3]}),
        ("nearest-scale-pair-down-up", [1, 1, 6, 3], {"scaleFactor": [0.5, 1.5]}),
        ("nearest-scale1.7", [1, 1, 7, 5], {"scaleFactor": 1.7}),
        ("nearest-scale0.7", [1, 1, 10, 7], {"scaleFactor": 0.7}),
        ("nearest-size-larger", [1, 2, 3, 4], {"size": [7, 9]}),
        ("nearest-size-smaller", [1, 1, 5, 7], {"size": [2, 3]}),
        ("nearest-size-number", [2, 1, 3, 4], {"size": 5}),
        ("nearest-size-same", [1, 1, 3, 4], {"size": [3, 4]}),
        ("nearest-size-float-rounding", [1, 1, 7, 7], {"size": [10, 10]}),
        ("nearest-size-1", [1, 1, 4, 5], {"size": 1}),
        ("nearest-scale1.7-not-in-over-out", [1, 1, 4, 5], {"scaleFactor": 1.7}),
        ("nearest-scale0.6-not-in-over-out", [1, 1, 4, 9], {"scaleFactor": 0.6}),
        ("nearest-scale1.1-output-equals-input", [1, 1, 3, 5], {"scaleFactor": 1.1}),
        ("nearest-scale2.2-output-twice-input", [1, 1, 2, 3], {"scaleFactor": 2.2}),
    ]
    bilinear = []
    for ac in (False, True):
        tag = "ac" if ac else "noac"
        bilinear += [
            (f"bilinear-{tag}-scale2", [1, 2, 3, 3], {"scaleFactor": 2}),
            (f"bilinear-{tag}-scale0.5", [1, 1, 6, 5], {"scaleFactor": 0.5}),
            (f"bilinear-{tag}-scale1.5", [2, 1, 3, 4], {"scaleFactor": 1.5}),
            (f"bilinear-{tag}-scale3", [1, 1, 2, 3], {"scaleFactor": 3}),
            (f"bilinear-{tag}-size-larger", [1, 2, 3, 4], {"size": [5, 7]}),
            (f"bilinear-{tag}-size-smaller", [1, 1, 7, 6], {"size": [3, 4]}),
            (f"bilinear-{tag}-input-1x1", [1, 2, 1, 1], {"size": [3, 2]}),
            (f"bilinear-{tag}-output-1", [1, 1, 4, 3], {"size": 1}),
            (f"bilinear-{tag}-scale-pair", [1, 1, 4, 3], {"scaleFactor": [0.75, 2.5]}),
            (f"bilinear-{tag}-scale1.7", [1, 1, 4, 5], {"scaleFactor": 1.7}),
        ]
        for _, _, o in bilinear[-10:]:
            o["mode"] = "bilinear"
            o["alignCorners"] = ac
    bilinear += [
        ("bilinear-default-align-scale1.5", [1, 1, 4, 4], {"mode": "bilinear", "scaleFactor": 1.5}),
        ("bilinear-default-align-size", [1, 1, 2, 5], {"mode": "bilinear", "size": [4, 3]}),
    ]
    for cid, shape, options in nearest + bilinear:
        (x,) = rand(cid, shape)
        y = fn({"input": x}, {"options": options})
        crosscheck.interpolate(x, y, options.get("mode", "nearest"), options.get("size"), options.get("scaleFactor"),
                               options.get("alignCorners"))
        note = None
        scale = options.get("scaleFactor")
        scale_hw = (None, None) if scale is None else tuple(float(v) for v in crosscheck.pair(scale))
        if options.get("mode", "nearest") == "nearest":
            differ = crosscheck.nearest_rules_that_differ(shape, tuple(y.shape[2:]), scale_hw)
            if differ:
                note = "PyTorch's rows or columns differ from " + " and from ".join(differ) + " in exact arithmetic"
        elif scale is not None and not options.get("alignCorners") and any(
                Fraction(1) / Fraction(s) != Fraction(n, o) for s, n, o in zip(scale_hw, shape[2:], y.shape[2:])):
            note = "the source index uses 1 / scaleFactor, which differs from in / out here"
        f.case(cid, fn, {"input": x}, {"options": options}, double=options.get("mode") == "bilinear", note=note)
    for cid in ["nearest-scale1.5", "nearest-size-smaller", "bilinear-noac-scale1.5", "bilinear-ac-size-larger"]:
        _, shape, options = next(c for c in nearest + bilinear if c[0] == cid)
        f.float32(cid + "-f32", fn, {"input": rand(cid, shape)[0]}, {"options": options})

    def err(cid, shape, options):
        f.error(cid, fn, {"input": shape}, {"options": options})

    err("size-and-scale-factor", [1, 1, 3, 3], {"size": [6, 6], "scaleFactor": 2})
    err("neither-size-nor-scale-factor", [1, 1, 3, 3], {"mode": "bilinear"})
    err("align-corners-with-nearest", [1, 1, 3, 3], {"scaleFactor": 2, "alignCorners": True})
    err("align-corners-false-with-nearest", [1, 1, 3, 3], {"scaleFactor": 2, "alignCorners": False})
    err("size-wrong-length", [1, 1, 3, 3], {"size": [2, 3, 4]})
    err("scale-wrong-length", [1, 1, 3, 3], {"scaleFactor": [2, 2, 2]})
    err("output-zero", [1, 1, 3, 3], {"scaleFactor": 0.25})
    err("bilinear-3d-input", [1, 3, 3], {"size": 4, "mode": "bilinear"})
    err("unknown-mode", [1, 1, 3, 3], {"size": 4, "mode": "bilinear-exact"})
    return f


# ------------------------------------------------------------------ layerNorm, groupNorm

def gen_layer_norm():
    f = OpFile("layerNorm", ["x", "normalizedShape", "weight", "bias", "eps"], "torch.nn.functional.layer_norm",
               "normalizedShape over the last 1, 2 and 3 dims (and as a number); affine, weight only, none; eps "
               "default, small and large; a constant row (variance 0); second-order data in every float64 case. "
               "layer: how nn.LayerNorm would be built for the same call")

    def fn(i, a):
        ns = a["normalizedShape"]
        return F.layer_norm(i["x"], [ns] if isinstance(ns, int) else ns, i["weight"], i["bias"], a.get("eps", 1e-5))

    # (id, x shape, normalizedShape, weight, bias, eps)
    configs = [
        ("last-dim", [2, 5], [5], True, True, None),
        ("last-dim-3d", [2, 3, 4], [4], True, True, 1e-5),
        ("last-two", [2, 3, 4], [3, 4], True, True, None),
        ("chw", [2, 2, 3, 3], [2, 3, 3], True, True, None),
        ("no-affine", [2, 2, 3, 3], [3], False, False, None),
        ("weight-only", [3, 4], [4], True, False, None),
        ("number-shape", [2, 4], 4, True, True, None),
        ("constant-row", [2, 4], [4], True, True, 1e-3),
        ("eps-large", [2, 6], [6], True, True, 0.1),
        ("single-element", [3, 1], [1], True, True, None),
        ("nchw-last-two-batch1", [1, 3, 2, 5], [2, 5], True, True, None),
    ]

    def inputs_of(cid, shape, ns, weight, bias):
        nshape = [ns] if isinstance(ns, int) else ns
        x, w, b = rand(cid, shape, nshape, nshape)
        if cid == "constant-row":
            x[0] = 0.75
        return {"x": x, "weight": w if weight else None, "bias": b if bias else None}

    for cid, shape, ns, weight, bias, eps in configs:
        inputs = inputs_of(cid, shape, ns, weight, bias)
        args = optional(eps, "eps", {"normalizedShape": ns})
        nshape = [ns] if isinstance(ns, int) else ns
        y = fn(inputs, args)
        crosscheck.layer_norm(inputs["x"], nshape, inputs["weight"], inputs["bias"], 1e-5 if eps is None else eps, y)
        layer = None
        if weight == bias:
            layer = {"class": "nn.LayerNorm", "args": [ns],
                     "options": optional(eps, "eps", {"elementwiseAffine": weight})}
        f.case(cid, fn, inputs, args, double=True, layer=layer)
    for cid in ["last-two", "chw", "no-affine"]:
        _, shape, ns, weight, bias, eps = next(c for c in configs if c[0] == cid)
        f.float32(cid + "-f32", fn, inputs_of(cid, shape, ns, weight, bias), optional(eps, "eps", {"normalizedShape": ns}))
    f.error("shape-mismatch", fn, {"x": [2, 3, 4], "weight": None, "bias": None}, {"normalizedShape": [3]})
    f.error("shape-longer-than-input", fn, {"x": [3, 4], "weight": None, "bias": None}, {"normalizedShape": [2, 3, 4]})
    f.error("weight-mismatch", fn, {"x": [2, 4], "weight": [3], "bias": [4]}, {"normalizedShape": [4]})
    f.error("bias-mismatch", fn, {"x": [2, 4], "weight": [4], "bias": [2, 2]}, {"normalizedShape": [4]})
    return f


def gen_group_norm():
    f = OpFile("groupNorm", ["x", "numGroups", "weight", "bias", "eps"], "torch.nn.functional.group_norm",
               "numGroups 1, 2, 3 and C (depthwise); [N, C], [N, C, L] and [N, C, H, W]; affine or none; eps "
               "default and large; a constant group (variance 0); second-order data in every float64 case. "
               "layer: how nn.GroupNorm would be built for the same call")

    def fn(i, a):
        return F.group_norm(i["x"], a["numGroups"], i["weight"], i["bias"], a.get("eps", 1e-5))

    # (id, x shape, numGroups, affine, eps)
    configs = [
        ("nchw-g2", [2, 4, 3, 3], 2, True, None),
        ("g1", [2, 3, 2, 3], 1, True, None),
        ("g-equals-c", [2, 3, 2, 2], 3, True, None),
        ("batch1", [1, 4, 2, 3], 2, True, None),
        ("ncl-g3", [2, 6, 5], 3, True, None),
        ("nc-g2", [3, 4], 2, True, None),
        ("no-affine", [2, 4, 2, 2], 2, False, None),
        ("constant-group", [2, 4, 2, 2], 2, True, 1e-3),
        ("eps-large", [1, 4, 3, 3], 4, True, 0.1),
        ("odd-sizes-g3", [1, 6, 3, 5], 3, True, 1e-5),
    ]

    def inputs_of(cid, shape, affine):
        x, w, b = rand(cid, shape, [shape[1]], [shape[1]])
        if cid == "constant-group":
            x[1, 2:] = -0.5
        return {"x": x, "weight": w if affine else None, "bias": b if affine else None}

    for cid, shape, groups, affine, eps in configs:
        inputs = inputs_of(cid, shape, affine)
        args = optional(eps, "eps", {"numGroups": groups})
        y = fn(inputs, args)
        crosscheck.group_norm(inputs["x"], groups, inputs["weight"], inputs["bias"], 1e-5 if eps is None else eps, y)
        layer = {"class": "nn.GroupNorm", "args": [groups, shape[1]], "options": optional(eps, "eps", {"affine": affine})}
        f.case(cid, fn, inputs, args, double=True, layer=layer)
    for cid in ["nchw-g2", "ncl-g3", "no-affine"]:
        _, shape, groups, affine, eps = next(c for c in configs if c[0] == cid)
        f.float32(cid + "-f32", fn, inputs_of(cid, shape, affine), optional(eps, "eps", {"numGroups": groups}))
    f.error("channels-not-divisible", fn, {"x": [2, 5, 3, 3], "weight": None, "bias": None}, {"numGroups": 2})
    f.error("weight-size-mismatch", fn, {"x": [2, 4, 3, 3], "weight": [2], "bias": [4]}, {"numGroups": 2})
    f.error("groups-zero", fn, {"x": [2, 4, 3, 3], "weight": None, "bias": None}, {"numGroups": 0})
    f.error("rank-1-input", fn, {"x": [4], "weight": None, "bias": None}, {"numGroups": 2})
    return f


# ------------------------------------------------------------------ activations, dropout2d

BOUNDARIES = [-7.0, -6.0, -3.5, -3.0, -2.984375, -2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5, 2.984375, 3.0, 3.5, 6.0, 6.5, 7.0]


def gen_activation(name):
    torch_fn = {"silu": F.silu, "hardswish": F.hardswish, "hardsigmoid": F.hardsigmoid, "relu6": F.relu6,
                "gelu": F.gelu}[name]
    f = OpFile(name, ["x"], f"torch.nn.functional.{name}",
               "the kinks exactly (0, +-3, 6 and their neighbours on the 1/64 grid) where PyTorch's gradient "
               "takes a side; random values across the ranges; a scalar; second-order data except for "
               "hardsigmoid (PyTorch 1.13 has no derivative for hardsigmoid_backward)")

    def fn(i, a):
        return torch_fn(i["x"])

    # (id, shape or a list of values, scale): scale 2 doubles grid values, reaching [-8, 8] in steps of 1/32
    configs = [
        ("boundaries", BOUNDARIES, 1),
        ("kink-neighbours", [k + j / 64 for k in (-6, -3, 0, 3, 6) for j in (-2, -1, 1, 2)], 1),
        ("nchw-wide", [2, 3, 3, 3], 3),
        ("wide-range-x2", [3, 8], 2),
        ("1d-odd", [7], 3),
        ("scalar", [], 3),
        ("nchw-batch1", [1, 4, 2, 3], 3),
        ("unbatched-chw", [3, 2, 2], 3),
        ("matrix", [4, 5], 3),
        ("single-element", [1], 3),
    ]
    if name == "gelu":
        # ConvNeXt's GELU input: channels last, 4C wide (C = 96), between its two Linear layers.
        configs.append(("convnext-nhwc", [1, 2, 2, 384], 3))
    for cid, shape, scale in configs:
        if cid in ("boundaries", "kink-neighbours"):
            x = torch.tensor(shape, dtype=torch.float64)
        elif scale == 2:
            x = rand(cid, shape, scale=4.0)[0] * 2
        else:
            x = rand(cid, shape, scale=scale)[0]
        crosscheck.activation(name, x, fn({"x": x}, {}))
        f.case(cid, fn, {"x": x}, layer={"class": "nn." + {"silu": "SiLU", "hardswish": "Hardswish",
                                                            "hardsigmoid": "Hardsigmoid", "relu6": "ReLU6",
                                                            "gelu": "GELU"}[name],
                                          "args": []}, double=name != "hardsigmoid")
    f.float32("boundaries-f32", fn, {"x": torch.tensor(BOUNDARIES, dtype=torch.float64)})
    f.float32("nchw-wide-f32", fn, {"x": rand("nchw-wide", [2, 3, 3, 3], scale=3.0)[0]})
    if name == "gelu":
        f.float32("convnext-nhwc-f32", fn, {"x": rand("convnext-nhwc", [1, 2, 2, 384], scale=3.0)[0]})
    return f


def gen_dropout2d():
    f = OpFile("dropout2d", ["x", "p", "training"], "torch.nn.functional.dropout2d",
               "the deterministic configurations only: p = 0 in training, any p in eval (identity), p = 1 in "
               "training (zeros); layer: nn.Dropout2d(p) in train() or eval() mode")

    def fn(i, a):
        return F.dropout2d(i["x"], a["p"], a["training"])

    configs = [
        ("p0-train", [2, 3, 2, 2], 0.0, True),
        ("p0.5-eval", [2, 3, 2, 2], 0.5, False),
        ("p1-eval", [1, 2, 3, 3], 1.0, False),
        ("p1-train", [2, 2, 2, 3], 1.0, True),
        ("p0.3-eval-batch1", [1, 4, 2, 2], 0.3, False),
        ("p0.9-eval", [2, 2, 3, 2], 0.9, False),
        ("p0-train-batch1", [1, 1, 3, 3], 0.0, True),
        ("p1-train-batch1", [1, 3, 2, 2], 1.0, True),
        ("p0.5-eval-odd", [1, 3, 3, 5], 0.5, False),
        ("p0-train-wide", [2, 5, 2, 2], 0.0, True),
    ]
    for cid, shape, p, training in configs:
        f.case(cid, fn, {"x": rand(cid, shape)[0]}, {"p": p, "training": training},
               layer={"class": "nn.Dropout2d", "args": [p], "mode": "train" if training else "eval"})
    for cid, shape, p, training in configs[:2]:
        f.float32(cid + "-f32", fn, {"x": rand(cid, shape)[0]}, {"p": p, "training": training})
    f.error("p-above-1", fn, {"x": [1, 2, 2, 2]}, {"p": 1.5, "training": True})
    f.error("p-negative", fn, {"x": [1, 2, 2, 2]}, {"p": -0.1, "training": False})
    return f


# ------------------------------------------------------------------ pooling with pads [top, bottom, left, right]

def padded_pool(kind, x, kernel, stride, pads, dilation, count_include_pad):
    """PyTorch has no asymmetric pooling pads: pad explicitly (with -inf for max, so padding never wins;
    with 0 for the average), then pool with padding 0. Without countIncludePad the sum is divided by
    the taps inside the input, counted by pooling a padded ones tensor the same way."""
    top, bottom, left, right = pads
    lrtb = (left, right, top, bottom)
    if kind == "max":
        return F.max_pool2d(F.pad(x, lrtb, value=float("-inf")), kernel, stride, 0, dilation)
    mean = F.avg_pool2d(F.pad(x, lrtb), kernel, stride, 0)
    if count_include_pad:
        return mean
    inside = F.avg_pool2d(F.pad(torch.ones_like(x), lrtb), kernel, stride, 0)
    return mean / inside


def gen_pool(kind):
    op = "maxPool2d" if kind == "max" else "avgPool2d"
    f = OpFile(op, ["x", "options"], f"torch.nn.functional.{'max' if kind == 'max' else 'avg'}_pool2d after an explicit F.pad",
               "padding [top, bottom, left, right] as ONNX auto_pad SAME_UPPER / SAME_LOWER produce it (onnxAutoPad "
               "names the rule) and explicit asymmetric pads; kernel 1 to 5, stride 1 to 3, odd and even sizes"
               + (", dilation 2" if kind == "max" else "; countIncludePad true and false (PyTorch's default true)")
               + "; ceilMode not covered")

    def fn(i, a):
        o = a["options"]
        k = tuple(crosscheck.pair(o["kernelSize"]))
        s = tuple(crosscheck.pair(o.get("stride", o["kernelSize"])))
        d = tuple(crosscheck.pair(o.get("dilation", 1)))
        return padded_pool(kind, i["x"], k, s, o["padding"], d, o.get("countIncludePad", True))

    # (id, x shape, kernel, stride, dilation, auto_pad or explicit pads)
    geometries = [
        ("k3-s1-same", [1, 2, 4, 5], 3, 1, 1, "SAME_UPPER"),
        ("k2-s2-odd-upper", [1, 2, 5, 5], 2, 2, 1, "SAME_UPPER"),
        ("k2-s2-odd-lower", [1, 2, 5, 5], 2, 2, 1, "SAME_LOWER"),
        ("k4-s1-upper", [1, 1, 5, 6], 4, 1, 1, "SAME_UPPER"),
        ("k4-s1-lower", [1, 1, 5, 6], 4, 1, 1, "SAME_LOWER"),
        ("k3-s2-even-upper", [2, 2, 6, 6], 3, 2, 1, "SAME_UPPER"),
        ("k3-s2-even-lower", [2, 2, 6, 6], 3, 2, 1, "SAME_LOWER"),
        ("k5-s3-upper", [1, 1, 7, 8], 5, 3, 1, "SAME_UPPER"),
        ("k5-s3-lower", [1, 1, 7, 8], 5, 3, 1, "SAME_LOWER"),
        ("k-2x3-s-1x2-upper", [1, 2, 4, 7], [2, 3], [1, 2], 1, "SAME_UPPER"),
        ("k-2x3-s-1x2-lower", [1, 2, 4, 7], [2, 3], [1, 2], 1, "SAME_LOWER"),
        ("k1-s2-odd", [1, 2, 5, 3], 1, 2, 1, "SAME_UPPER"),
        ("explicit-0-2-1-0", [1, 2, 4, 4], 3, 1, 1, [0, 2, 1, 0]),
        ("explicit-1-0-0-2-s2", [2, 1, 5, 6], 3, 2, 1, [1, 0, 0, 2]),
    ]
    if kind == "max":
        geometries += [
            ("d2-k3-s1-upper", [1, 1, 6, 5], 3, 1, 2, "SAME_UPPER"),
            ("d2-k2-s2-lower", [1, 2, 5, 6], 2, 2, 2, "SAME_LOWER"),
            ("d2-k2-s1-upper", [1, 1, 4, 5], 2, 1, 2, "SAME_UPPER"),
        ]
    include_choices = [None] if kind == "max" else [True, False]

    def setup(cid, shape, kernel, stride, dilation, pads_spec, include):
        k, s, d = crosscheck.pair(kernel), crosscheck.pair(stride), crosscheck.pair(dilation)
        if isinstance(pads_spec, str):
            (top, bottom), (left, right) = (crosscheck.same_pads(shape[2 + a], k[a], s[a], d[a], pads_spec) for a in (0, 1))
            pads = [top, bottom, left, right]
        else:
            pads = pads_spec
        options = {"kernelSize": kernel, "stride": stride, "padding": pads}
        if kind == "max" and dilation != 1:
            options["dilation"] = dilation
        if include is not None:
            options["countIncludePad"] = include
        x = distinct_grid(case_generator(cid + "/inputs"), shape) if kind == "max" else rand(cid, shape)[0]
        return x, options, (k, s, pads, d)

    for include in include_choices:
        for gid, shape, kernel, stride, dilation, pads_spec in geometries:
            cid = gid if include is None else f"{gid}-{'include' if include else 'exclude'}-pad"
            x, options, (k, s, pads, d) = setup(cid, shape, kernel, stride, dilation, pads_spec, include)
            args = {"options": options}
            y = fn({"x": x}, args)
            crosscheck.pool(x, y, kind, k, s, pads, d, include)
            f.case(cid, fn, {"x": x}, args, meta={"onnxAutoPad": pads_spec} if isinstance(pads_spec, str) else None)
    for include in include_choices:
        for gid in ["k2-s2-odd-upper", "k3-s2-even-lower"]:
            cid = gid if include is None else f"{gid}-{'include' if include else 'exclude'}-pad"
            _, shape, kernel, stride, dilation, pads_spec = next(g for g in geometries if g[0] == gid)
            x, options, _ = setup(cid, shape, kernel, stride, dilation, pads_spec, include)
            f.float32(cid + "-f32", fn, {"x": x}, {"options": options}, meta={"onnxAutoPad": pads_spec})
    return f


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "test", "fixtures", "ops")
    os.makedirs(out_dir, exist_ok=True)
    files = {
        "cat": lambda: gen_cat_stack("cat"),
        "stack": lambda: gen_cat_stack("stack"),
        "split": gen_split,
        "chunk": gen_chunk,
        "narrow": gen_narrow,
        "pad": gen_pad,
        "convTranspose2d": gen_conv_transpose2d,
        "interpolate": gen_interpolate,
        "layerNorm": gen_layer_norm,
        "groupNorm": gen_group_norm,
        "silu": lambda: gen_activation("silu"),
        "hardswish": lambda: gen_activation("hardswish"),
        "hardsigmoid": lambda: gen_activation("hardsigmoid"),
        "relu6": lambda: gen_activation("relu6"),
        "dropout2d": gen_dropout2d,
        "maxPool2d-asymmetric": lambda: gen_pool("max"),
        "avgPool2d-asymmetric": lambda: gen_pool("avg"),
        # i22-dense
        "gelu": lambda: gen_activation("gelu"),
    }
    print(f"PyTorch {torch.__version__}")
    total = 0
    for name, build in files.items():
        path = os.path.join(out_dir, f"{name}.json")
        counts = build().write(path)
        size = os.path.getsize(path)
        total += size
        print(f"{name:22s} {counts[0]:3d} float64 {counts[1]:2d} float32 {counts[2]:2d} errors  {size:8d} bytes")
    print(f"{'total':22s} {total:8d} bytes")
    for name, count in sorted(crosscheck.performed.items()):
        print(f"cross-check: {name}: {count} cases")


if __name__ == "__main__":
    main()
