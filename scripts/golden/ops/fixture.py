"""The case format of test/fixtures/ops/*.json and the runner that fills it from PyTorch.

A case names its tensors and non-tensor arguments as the TypeScript API does, so a test can call
the op with `signature.map((n) => n in inputs ? inputs[n] : args[n])`. See docs/goldens-ops.md.
"""
import json
import zlib

import numpy as np
import torch

# Inputs are multiples of 1/64 in [-4, 4]: exact in float32, so a float32 case and a float64 case
# built from the same values see the same inputs, and the decimal text stays short.
GRID = 64


class ShapeList(list):
    """The shapes of a list-of-tensors argument (cat, stack) in an error case."""


def case_generator(case_id):
    """A torch.Generator seeded from the case id alone, so adding or reordering cases changes nothing else."""
    return torch.Generator().manual_seed(zlib.crc32(case_id.encode()))


def grid_randn(gen, shape, scale=1.0):
    t = torch.randn(shape, dtype=torch.float64, generator=gen) * scale
    return (torch.round(t * GRID) / GRID).clamp(-4, 4)


def distinct_grid(gen, shape):
    """Distinct grid values in random order: max pooling then has no ties, so its gradient is unique."""
    count = int(np.prod(shape))
    values = (torch.randperm(count, generator=gen).to(torch.float64) - count / 2) / 8
    return values.reshape(shape)


def encode(t, dtype="float64"):
    """{shape, data}: float64 data as Python's shortest round-trip text; float32 data as the shortest
    text that rounds back to the same float32 (Math.fround of the parsed double restores it)."""
    t = t.detach().contiguous()
    if dtype == "float32":
        data = [float(str(v)) for v in t.to(torch.float32).numpy().reshape(-1)]
    else:
        data = [float(v) for v in t.to(torch.float64).reshape(-1).tolist()]
    return {"shape": list(t.shape), "data": data}


def encode_tree(value, dtype="float64"):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [encode_tree(v, dtype) for v in value]
    return encode(value, dtype)


def leaves(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in leaves(v)]
    return [value]


def map_tree(fn, value):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [map_tree(fn, v) for v in value]
    return fn(value)


def rebuild(template, flat):
    """Regroup a flat list of tensors into the structure of template (None, tensor or list)."""
    it = iter(flat)
    return map_tree(lambda _: next(it), template)


class OpFile:
    """One fixture file: its op, the TypeScript call signature and its cases."""

    def __init__(self, op, signature, pytorch, covers):
        self.op, self.signature, self.pytorch, self.covers = op, signature, pytorch, covers
        self.cases, self.float32_cases, self.errors = [], [], []
        self.ids = set()

    def _claim(self, case_id):
        assert case_id not in self.ids, f"duplicate case id {case_id}"
        self.ids.add(case_id)

    def case(self, case_id, fn, inputs, args=None, double=False, note=None, layer=None, meta=None):
        """A float64 case: output, gy, first-order gradients and, with double, second-order data.

        fn(inputs, args) -> tensor or list of tensors. Gradients are taken in every tensor input
        (the ones that are not None); they are of sum(y * gy) (summed over
        the pieces for split and chunk); with double, v holds one tensor per first-order gradient and
        second holds the gradients of sum_k sum(grad_k * v_k) in every tensor input and gy.
        meta: further fields describing the case (e.g. onnxAutoPad), not arguments of the op.
        """
        self._claim(case_id)
        args = args or {}
        gen = case_generator(case_id)
        names = [k for k, v in inputs.items() if v is not None]
        live = {k: map_tree(lambda t: t.clone().requires_grad_(), v) for k, v in inputs.items()}
        y = fn(live, args)
        outputs = leaves(y)
        gy_flat = [grid_randn(gen, o.shape).requires_grad_(double) for o in outputs]
        wrt = [t for k in names for t in leaves(live[k])]
        loss = sum((o * g).sum() for o, g in zip(outputs, gy_flat))
        grads = torch.autograd.grad(loss, wrt, create_graph=double, allow_unused=True)
        grads = [torch.zeros_like(w) if g is None else g for w, g in zip(wrt, grads)]
        entry = {"id": case_id, "dtype": "float64"}
        if note:
            entry["note"] = note
        entry["inputs"] = {k: encode_tree(v) for k, v in inputs.items()}
        entry["args"] = args
        if layer:
            entry["layer"] = layer
        entry.update(meta or {})
        entry["output"] = encode_tree(y)
        entry["gy"] = encode_tree(rebuild(y, gy_flat))
        grad_iter = iter(grads)
        entry["grads"] = {k: encode_tree(map_tree(lambda _: next(grad_iter), live[k])) for k in names}
        if double:
            vs = [grid_randn(gen, g.shape) for g in grads]
            second_loss = sum((g * v).sum() for g, v in zip(grads, vs))
            targets = wrt + gy_flat
            second = torch.autograd.grad(second_loss, targets, allow_unused=True)
            second = [torch.zeros_like(t) if s is None else s for t, s in zip(targets, second)]
            v_iter, s_iter = iter(vs), iter(second)
            entry["double"] = {
                "v": {k: encode_tree(map_tree(lambda _: next(v_iter), live[k])) for k in names},
                "grads": {k: encode_tree(map_tree(lambda _: next(s_iter), live[k])) for k in names},
            }
            entry["double"]["grads"]["gy"] = encode_tree(rebuild(y, list(s_iter)))
        self.cases.append(entry)
        return entry

    def float32(self, case_id, fn, inputs, args=None, note=None, layer=None, meta=None):
        """A float32 case (outputs only): the same inputs cast to float32, PyTorch's float32 result."""
        self._claim(case_id)
        args = args or {}
        cast = {k: map_tree(lambda t: t.to(torch.float32), v) for k, v in inputs.items()}
        with torch.no_grad():
            y = fn(cast, args)
        entry = {"id": case_id, "dtype": "float32"}
        if note:
            entry["note"] = note
        entry["inputs"] = {k: encode_tree(v, "float32") for k, v in inputs.items()}
        entry["args"] = args
        if layer:
            entry["layer"] = layer
        entry.update(meta or {})
        entry["output"] = encode_tree(y, "float32")
        self.float32_cases.append(entry)

    def error(self, case_id, fn, shapes, args=None, note=None):
        """A configuration PyTorch rejects: input shapes, arguments and PyTorch's own error text.
        shapes: name -> shape, ShapeList of shapes, or None; the inputs are zeros of those shapes."""
        self._claim(case_id)
        args = args or {}

        def build(s):
            if s is None:
                return None
            if isinstance(s, ShapeList):
                return [torch.zeros(x, dtype=torch.float64) for x in s]
            return torch.zeros(s, dtype=torch.float64)

        try:
            fn({k: build(s) for k, s in shapes.items()}, args)
        except (RuntimeError, ValueError, IndexError, TypeError, ZeroDivisionError) as e:
            described = {k: (None if s is None else [{"shape": x} for x in s] if isinstance(s, ShapeList) else {"shape": s})
                         for k, s in shapes.items()}
            entry = {"id": case_id, "inputs": described,
                     "args": args, "torchErrorType": type(e).__name__, "torchError": str(e).strip()}
            if note:
                entry["note"] = note
            self.errors.append(entry)
            return
        raise AssertionError(f"{self.op} {case_id}: PyTorch accepted a configuration listed as invalid")

    def write(self, path):
        payload = {
            "op": self.op,
            "signature": self.signature,
            "pytorch": self.pytorch,
            "torchVersion": torch.__version__,
            "generator": "scripts/golden/ops/gen_ops.py",
            "covers": self.covers,
            "cases": self.cases,
            "float32Cases": self.float32_cases,
            "errors": self.errors,
        }
        with open(path, "w") as f:
            json.dump(payload, f, separators=(",", ":"))
            f.write("\n")
        return len(self.cases), len(self.float32_cases), len(self.errors)
