#!/usr/bin/env python3
"""Runs the asymmetric-pooling fixtures through ONNX Runtime: each case becomes a one-node MaxPool or
AveragePool model (opset 12), once with explicit pads and, where the case names one, once with its
auto_pad rule; onnxruntime-node (a devDependency) runs it on the case's input in float32 and the
output must match the fixture's.

Usage: /usr/bin/python3 scripts/golden/ops/check_onnxruntime.py   (needs python3-onnx and npm ci)
Exit status 1 when a model disagrees for a reason not listed here. Listed: with auto_pad SAME_* and
dilations > 1, ONNX Runtime sizes the pads from the undilated kernel (the ONNX spec and the
fixtures use (k - 1) d + 1), so its output is smaller; an exporter writes explicit pads.
"""
import json
import os
import subprocess
import sys
import tempfile

from onnx import TensorProto, helper, save

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "ops")

# The runner, in JavaScript because ONNX Runtime is installed here as onnxruntime-node.
RUNNER = """
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
const ort = createRequire(process.argv[1] + "/package.json")("onnxruntime-node");
const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const rows = [];
for (const c of cases) {
  const session = await ort.InferenceSession.create(c.model, { logSeverityLevel: 3 });
  const { y } = await session.run({ x: new ort.Tensor("float32", Float32Array.from(c.x.data), c.x.shape) });
  let diff = null;
  if (JSON.stringify(y.dims) === JSON.stringify(c.y.shape)) {
    diff = 0;
    for (let i = 0; i < y.data.length; i++) diff = Math.max(diff, Math.abs(y.data[i] - c.y.data[i]));
  }
  rows.push({ name: c.name, shape: y.dims, expected: c.y.shape, diff });
}
console.log(JSON.stringify(rows));
"""


def pair(v):
    return [v, v] if isinstance(v, int) else v


def undilated_same_shape(shape, kernel, stride, dilation):
    """The output ONNX Runtime gives for auto_pad SAME_* when it pads for the undilated kernel."""
    out = list(shape[:2])
    for size, k, s, d in zip(shape[2:], kernel, stride, dilation):
        total = max((-(-size // s) - 1) * s + k - size, 0)
        out.append((size + total - ((k - 1) * d + 1)) // s + 1)
    return out


def models(workdir):
    for file, op in [("maxPool2d-asymmetric", "MaxPool"), ("avgPool2d-asymmetric", "AveragePool")]:
        with open(os.path.join(FIXTURES, file + ".json")) as f:
            fixture = json.load(f)
        for case in fixture["cases"] + fixture["float32Cases"]:
            o = case["args"]["options"]
            top, bottom, left, right = o["padding"]
            variants = [("explicit pads", {"pads": [top, left, bottom, right]})]
            if "onnxAutoPad" in case:
                variants.append((case["onnxAutoPad"], {"auto_pad": case["onnxAutoPad"]}))
            for tag, attrs in variants:
                attrs = dict(attrs, kernel_shape=pair(o["kernelSize"]), strides=pair(o["stride"]))
                if "dilation" in o:
                    attrs["dilations"] = pair(o["dilation"])
                if op == "AveragePool":
                    attrs["count_include_pad"] = int(o["countIncludePad"])
                x = case["inputs"]["x"]
                graph = helper.make_graph(
                    [helper.make_node(op, ["x"], ["y"], **attrs)], "pool",
                    [helper.make_tensor_value_info("x", TensorProto.FLOAT, x["shape"])],
                    [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
                model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)])
                model.ir_version = 7
                name = f"{file} {case['id']} ({tag})"
                path = os.path.join(workdir, f"{len(os.listdir(workdir))}.onnx")
                save(model, path)
                known = None
                if "auto_pad" in attrs and pair(o.get("dilation", 1)) != [1, 1]:
                    known = undilated_same_shape(x["shape"], attrs["kernel_shape"], attrs["strides"], attrs["dilations"])
                yield {"name": name, "model": path, "x": x, "y": case["output"], "knownShape": known}


def main():
    with tempfile.TemporaryDirectory() as workdir:
        cases = list(models(workdir))
        listing = os.path.join(workdir, "cases.json")
        with open(listing, "w") as f:
            json.dump(cases, f)
        run = subprocess.run(["node", "--input-type=module", "-e", RUNNER, ROOT, listing],
                             capture_output=True, text=True, check=True)
    rows = json.loads(run.stdout)
    known_shapes = {c["name"]: c["knownShape"] for c in cases}
    bad = [r for r in rows if r["diff"] is None or r["diff"] > 1e-5]
    known = [r for r in bad if r["diff"] is None and r["shape"] == known_shapes[r["name"]]]
    worst = max(r["diff"] for r in rows if r["diff"] is not None)
    print(f"{len(rows)} models in ONNX Runtime; {len(rows) - len(bad)} agree (largest difference {worst:.1e})")
    for r in bad:
        why = "known: SAME_* pads sized from the undilated kernel" if r in known else "UNEXPLAINED"
        print(f"  differs: {r['name']}: shape {r['shape']}, fixture {r['expected']}, difference {r['diff']} ({why})")
    sys.exit(1 if len(bad) > len(known) else 0)


if __name__ == "__main__":
    main()
