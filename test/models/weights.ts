/**
 * The state-dict fill of scripts/golden/models/gen_models.py, bit for bit: every entry of a model's
 * state dict from its name alone (the hash of test/nn/resnet18-weights.ts), so torchvision and
 * shapegrad run the same weights without storing them.
 */
import { tensor, type AnyTensor, type Tensor } from "../../src/index.js";
import { fnv1a, hashUniform } from "../nn/resnet18-weights.js";

export function fillEntry(name: string, shape: readonly number[]): Float32Array | Int32Array {
  const leaf = name.slice(name.lastIndexOf(".") + 1);
  if (leaf === "num_batches_tracked") return Int32Array.of(fnv1a(name) % 1000);
  const u = hashUniform(
    name,
    shape.reduce((a, b) => a * b, 1),
  );
  let f: (v: number) => number;
  if (shape.length === 4) {
    const bound = Math.sqrt(6 / (shape[1] * shape[2] * shape[3]));
    f = (v) => v * bound;
  } else if (shape.length === 2) {
    const bound = Math.sqrt(3 / shape[1]);
    f = (v) => v * bound;
  } else if (leaf === "weight") f = (v) => 1 + 0.25 * v;
  else if (leaf === "bias" || leaf === "running_mean") f = (v) => 0.1 * v;
  else if (leaf === "running_var") f = (v) => 1 + 0.5 * (v + 1);
  // ConvNeXt's [C, 1, 1] scale of each block's branch.
  else if (leaf === "layer_scale") f = (v) => 0.5 + 0.25 * v;
  else throw new Error(`no fill rule for ${name}`);
  // A loop, not Float32Array.from(u, f): V8 runs that through the iterator protocol, 25x slower
  // (seconds per model); the values are the same, f's double rounded to float32.
  const out = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = f(u[i]);
  return out;
}

/** The filled state dict for the given names and shapes (float32, int32 step counts). */
export function hashedState(entries: readonly (readonly [string, readonly number[]])[]): Map<string, AnyTensor> {
  const out = new Map<string, AnyTensor>();
  for (const [name, shape] of entries) {
    const data = fillEntry(name, shape);
    out.set(name, tensor(data, { shape: [...shape], dtype: data instanceof Int32Array ? "int32" : "float32" }));
  }
  return out;
}

/** A hashed [N, 3, H, W] image batch (the "input" and "odd" tensors of the fixtures). */
export function hashedInput(key: string, shape: readonly number[]): Tensor<[number, 3, number, number]> {
  const [n, , h, w] = shape;
  return tensor(Float32Array.from(hashUniform(key, n * 3 * h * w)), { shape: [n, 3, h, w] });
}
