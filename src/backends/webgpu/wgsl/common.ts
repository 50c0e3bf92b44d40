/**
 * Pieces every generated shader shares: the bindings, the scalar helpers and the 1-D launch index.
 *
 * NaN is tested on the bits, not with `x != x`: WGSL lets a compiler assume finite math in float
 * comparisons, but integer operations on the bit pattern are always exact. That keeps NaN
 * propagation (relu, max, argmax, pooling) identical to the CPU backend on every driver.
 */
export type GpuDType = "float32" | "int32";

export function wgslType(d: GpuDType): "f32" | "i32" {
  return d === "float32" ? "f32" : "i32";
}

/** Output at binding 0, parameters at 1, inputs from 2 (the convention `launch` binds). */
export function bindings(out: GpuDType, inputs: readonly GpuDType[]): string {
  const lines = [
    `@group(0) @binding(0) var<storage, read_write> dst: array<${wgslType(out)}>;`,
    "@group(0) @binding(1) var<storage, read> prm: array<u32>;",
  ];
  inputs.forEach((d, i) =>
    lines.push(`@group(0) @binding(${2 + i}) var<storage, read> src${i}: array<${wgslType(d)}>;`),
  );
  return lines.join("\n");
}

export const WORKGROUP = 256;

/** `main` of a kernel with one invocation per element; `idx` is the element, `prm[0]` the count. */
export function elementMain(body: string): string {
  return `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let idx = (wg.x + wg.y * nwg.x) * ${WORKGROUP}u + li;
  if (idx >= prm[0]) { return; }
${body}
}`;
}

/** Float helpers, and per-type `isNanT`/`lowest` so generic code can be written once for f32 and i32. */
export function scalarHelpers(t: GpuDType): string {
  const f32 = `
fn isNanF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isFiniteF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
// WGSL constant expressions cannot be NaN or infinite, so these bit patterns go through a variable.
fn nanF() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn infF() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
// JavaScript's ToInt32 of a truncated float, which is what storing into an Int32Array does:
// NaN and infinities give 0, and values past 2^31 wrap modulo 2^32.
fn toI32(v: f32) -> i32 {
  if (!isFiniteF(v)) { return 0; }
  let t = trunc(v);
  if (abs(t) < 2147483648.0) { return i32(t); }
  // Every f32 this large is a multiple of 256, so this subtraction is exact.
  let m = t - floor(t / 4294967296.0) * 4294967296.0;
  return bitcast<i32>(u32(m));
}`;
  const generic =
    t === "float32"
      ? `
fn isNanT(x: f32) -> bool { return isNanF(x); }
fn lowest() -> f32 { return -infF(); }`
      : `
fn isNanT(x: i32) -> bool { return false; }
fn lowest() -> i32 { return i32(-2147483647 - 1); }`;
  return f32 + generic;
}
