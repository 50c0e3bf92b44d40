/**
 * The counter-based hash of scripts/golden-nn/gen_weights.py, bit for bit: a ResNet-18 state dict
 * and input that PyTorch and shapegrad both build from names alone, so the 11.7M weights need not
 * be stored in the repository. All arithmetic is on 32-bit unsigned integers (Math.imul, >>> 0),
 * exact in JavaScript as in Python's masked integers.
 */
export function fnv1a(name: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(name)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/** n values in [-1, 1): mix(fnv1a(name) * golden + i) / 2^31 - 1. */
export function hashUniform(name: string, n: number): Float64Array {
  const seed = Math.imul(fnv1a(name), 0x9e3779b9) >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = (seed + i) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    out[i] = x / 2 ** 31 - 1;
  }
  return out;
}

/** The value of each state-dict entry, as gen_weights.py's `fill`, rounded to float32 as PyTorch stored it. */
export function fill(name: string, shape: readonly number[]): Float32Array | Int32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const leaf = name.slice(name.lastIndexOf(".") + 1);
  if (leaf === "num_batches_tracked") return Int32Array.of(fnv1a(name) % 1000);
  const u = hashUniform(name, n);
  let f: (v: number) => number;
  if (shape.length === 4) {
    const fanIn = shape[1] * shape[2] * shape[3];
    f = (v) => v * Math.sqrt(6 / fanIn);
  } else if (name.startsWith("fc.")) f = (v) => v / Math.sqrt(512);
  else if (leaf === "weight") f = (v) => 1 + 0.25 * v;
  else if (leaf === "bias" || leaf === "running_mean") f = (v) => 0.1 * v;
  else if (leaf === "running_var") f = (v) => 1 + 0.5 * (v + 1);
  else throw new Error(`no rule for ${name}`);
  return Float32Array.from(u, f);
}
