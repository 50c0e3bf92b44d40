/**
 * Reductions (sum, max, argmax) over any set of dims.
 *
 * meta = [outputs, reduced count, kept rank kr, reduced rank rr, kept shape[kr], kept strides[kr],
 *         reduced shape[rr], reduced strides[rr]]  (strides are the input's)
 * Output element o decomposes over the kept dims into the offset of its first input element; the
 * reduced index r decomposes over the reduced dims into the offset from there. For argmax there is
 * one reduced dim, so r is the index along it.
 *
 * Two shapes of launch: one invocation per output, looping over the reduced elements (for short
 * reductions), or one 256-invocation workgroup per output with a tree in workgroup memory (for long
 * ones: a loss mean or a bias gradient reduces thousands of elements into a handful of outputs).
 *
 * Combining is order-free so both launches agree with the CPU's sequential scan: max keeps a NaN
 * once seen (torch.amax); argmax prefers a NaN, then the larger value, then the smaller index
 * (the first maximum, torch.argmax).
 */
import { type GpuDType, WORKGROUP, bindings, elementMain, scalarHelpers, wgslType } from "./common.js";

export type ReduceOp = "sum" | "max" | "argmax";
export type ReduceLaunch = "thread" | "workgroup";

const offsets = `
fn keptOffset(o: u32) -> u32 {
  let kr = prm[2];
  var rem = o;
  var off = 0u;
  for (var d = kr; d > 0u; d = d - 1u) {
    let k = d - 1u;
    let size = prm[4u + k];
    off = off + (rem % size) * prm[4u + kr + k];
    rem = rem / size;
  }
  return off;
}
fn reducedOffset(r: u32) -> u32 {
  let kr = prm[2];
  let rr = prm[3];
  let base = 4u + 2u * kr;
  var rem = r;
  var off = 0u;
  for (var d = rr; d > 0u; d = d - 1u) {
    let k = d - 1u;
    let size = prm[base + k];
    off = off + (rem % size) * prm[base + rr + k];
    rem = rem / size;
  }
  return off;
}`;

const NONE = "0xffffffffu";

function combineFunctions(op: ReduceOp, t: string): string {
  if (op === "sum")
    return `fn combine(a: ${t}, b: ${t}) -> ${t} { return a + b; }\nfn initial() -> ${t} { return ${t}(0); }`;
  if (op === "max") {
    return `fn combine(a: ${t}, b: ${t}) -> ${t} {
  if (isNanT(a)) { return a; }
  if (isNanT(b)) { return b; }
  return select(a, b, b > a);
}
fn initial() -> ${t} { return lowest(); }`;
  }
  return `// Whether (v, i) should replace (bv, bi) as the argmax.
fn takes(v: ${t}, i: u32, bv: ${t}, bi: u32) -> bool {
  if (bi == ${NONE}) { return i != ${NONE}; }
  if (i == ${NONE}) { return false; }
  if (isNanT(bv)) { return isNanT(v) && i < bi; }
  if (isNanT(v)) { return true; }
  return v > bv || (v == bv && i < bi);
}`;
}

export function reduceShader(op: ReduceOp, inType: GpuDType, outType: GpuDType, launch: ReduceLaunch): string {
  const t = wgslType(inType),
    ot = wgslType(outType);
  const head = [bindings(outType, [inType]), scalarHelpers(inType), offsets, combineFunctions(op, t)].join("\n");
  if (launch === "thread") {
    const body =
      op === "argmax"
        ? `  let base = keptOffset(idx);
  var bv = lowest();
  var bi = ${NONE};
  for (var r = 0u; r < prm[1]; r = r + 1u) {
    let v = src0[base + reducedOffset(r)];
    if (takes(v, r, bv, bi)) { bv = v; bi = r; }
  }
  dst[idx] = ${ot}(bi);`
        : `  let base = keptOffset(idx);
  var acc = initial();
  for (var r = 0u; r < prm[1]; r = r + 1u) {
    acc = combine(acc, src0[base + reducedOffset(r)]);
  }
  dst[idx] = ${ot}(acc);`;
    return head + elementMain(body);
  }
  const shared =
    op === "argmax"
      ? `var<workgroup> vals: array<${t}, ${WORKGROUP}>;\nvar<workgroup> idxs: array<u32, ${WORKGROUP}>;`
      : `var<workgroup> vals: array<${t}, ${WORKGROUP}>;`;
  const partial =
    op === "argmax"
      ? `  var bv = lowest();
  var bi = ${NONE};
  for (var r = li; r < n; r = r + ${WORKGROUP}u) {
    let v = src0[base + reducedOffset(r)];
    if (takes(v, r, bv, bi)) { bv = v; bi = r; }
  }
  vals[li] = bv;
  idxs[li] = bi;`
      : `  var acc = initial();
  for (var r = li; r < n; r = r + ${WORKGROUP}u) {
    acc = combine(acc, src0[base + reducedOffset(r)]);
  }
  vals[li] = acc;`;
  const step =
    op === "argmax"
      ? `if (li < s && takes(vals[li + s], idxs[li + s], vals[li], idxs[li])) {
      vals[li] = vals[li + s];
      idxs[li] = idxs[li + s];
    }`
      : "if (li < s) { vals[li] = combine(vals[li], vals[li + s]); }";
  const result = op === "argmax" ? `${ot}(idxs[0])` : `${ot}(vals[0])`;
  return `${head}
${shared}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let o = wg.x + wg.y * nwg.x;
  if (o >= prm[0]) { return; }
  let n = prm[1];
  let base = keptOffset(o);
${partial}
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    ${step}
  }
  if (li == 0u) { dst[o] = ${result}; }
}`;
}
