/**
 * Elementwise shaders: the unary and binary primitives, plus `copy` (permute and expand, which
 * are a copy read through strides) and `cast`. The semantics are the CPU backend's, which computes
 * in float64 and stores into the output's typed array; on int32 that store truncates toward zero
 * and wraps (`toI32`).
 *
 * Strided form: meta = [count, rank, shape[rank], strides of input 0[rank], strides of input 1[rank]]
 * where shape is the output's and a stride is 0 along broadcast dims. The flat form (every input
 * laid out like the output) reads prm[0] only.
 */
import type { BinaryPrimitive, UnaryPrimitive } from "../../../primitives/index.js";
import { type GpuDType, bindings, elementMain, scalarHelpers, wgslType } from "./common.js";

export type ElementwiseOp = UnaryPrimitive | BinaryPrimitive | "copy" | "cast";

/** Bodies of `fn f(x: f32) -> f32`; NaN inputs are returned as they are except where noted. */
const floatUnary: { readonly [P in UnaryPrimitive]: string } = {
  neg: "return -x;",
  exp: "return exp(x);",
  // WGSL leaves log/sqrt of negatives (and log(0)) undefined; the CPU gives NaN and -Infinity.
  log: "if (x < 0.0) { return nanF(); } if (x == 0.0) { return -infF(); } return log(x);",
  sqrt: "if (x < 0.0) { return nanF(); } return sqrt(x);",
  abs: "return abs(x);",
  sign: "if (x > 0.0) { return 1.0; } if (x < 0.0) { return -1.0; } return x;",
  // (1 - e^-2a) / (1 + e^-2a) loses relative accuracy near 0 to cancellation, so small
  // arguments take the Taylor series (next term 62 a^9 / 2835 < 1e-12 for a < 1/16).
  tanh: `let a = abs(x);
  var t: f32;
  if (a < 0.0625) {
    let a2 = a * a;
    t = a * (1.0 + a2 * (-0.33333333333 + a2 * (0.13333333333 + a2 * -0.053968253968)));
  } else {
    let e = exp(-2.0 * a);
    t = (1.0 - e) / (1.0 + e);
  }
  return select(-t, t, x >= 0.0);`,
  // Both branches are exact rewrites of 1/(1+e^-x) in which exp cannot overflow.
  sigmoid: "if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e);",
  relu: "if (x > 0.0) { return x; } return 0.0;",
  // W. J. Cody's rational approximations (the CPU backend's erf): erf directly below 0.5, then
  // 1 - erfc; at |x| >= 4 erfc(x) < 2e-8, which rounds away next to 1 in float32.
  erf: `let ax = abs(x);
  if (ax < 0.5) {
    let t = x * x;
    let p = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    let q = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return x * p / q;
  }
  if (ax >= 4.0) { return sign(x); }
  let p = ((((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725);
  let q = ((((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942);
  let erfc = exp(-ax * ax) * p / q;
  return select(erfc - 1.0, 1.0 - erfc, x > 0.0);`,
};

/** The unary ops int32 computes exactly; the others go through float and `toI32`. */
const intUnary: { readonly [P in UnaryPrimitive]?: string } = {
  neg: "return -x;",
  abs: "return abs(x);",
  sign: "return sign(x);",
  relu: "return max(x, 0);",
};

const floatBinary: { readonly [P in BinaryPrimitive]: string } = {
  add: "return a + b;",
  sub: "return a - b;",
  mul: "return a * b;",
  div: "return a / b;",
  maximum: "if (isNanF(a) || isNanF(b)) { return nanF(); } return select(b, a, a > b);",
  greater: "return select(0.0, 1.0, a > b);",
  equal: "return select(0.0, 1.0, a == b);",
  reluBackward: "if (isNanF(a) || a > 0.0) { return b; } return 0.0;",
};

const intBinary: { readonly [P in BinaryPrimitive]: string } = {
  add: "return a + b;",
  sub: "return a - b;",
  mul: "return a * b;",
  // a / b in float64 stored to int32: truncation toward zero, and x / 0 (an infinity or NaN) gives 0.
  div: "if (b == 0) { return 0; } return a / b;",
  maximum: "return max(a, b);",
  greater: "return select(0, 1, a > b);",
  equal: "return select(0, 1, a == b);",
  reluBackward: "return select(0, b, a > 0);",
};

const unarySet = new Set<string>(["neg", "exp", "log", "sqrt", "abs", "sign", "tanh", "sigmoid", "relu", "erf"]);

/** WGSL for `fn f(...)`: the op on one element (or one pair), in the input type, giving the output type. */
function opFunction(op: ElementwiseOp, inType: GpuDType, outType: GpuDType): string {
  const it = wgslType(inType),
    ot = wgslType(outType);
  if (op === "copy") return `fn f(x: ${it}) -> ${ot} { return x; }`;
  if (op === "cast") {
    if (inType === outType) return `fn f(x: ${it}) -> ${ot} { return x; }`;
    return outType === "int32" ? "fn f(x: f32) -> i32 { return toI32(x); }" : "fn f(x: i32) -> f32 { return f32(x); }";
  }
  if (unarySet.has(op)) {
    const u = op as UnaryPrimitive;
    // every float op passes NaN through
    const floatFn = `fn ff(x: f32) -> f32 {\n  if (isNanF(x)) { return x; }\n  ${floatUnary[u]}\n}`;
    if (inType === "float32") return `${floatFn}\nfn f(x: f32) -> f32 { return ff(x); }`;
    const exact = intUnary[u];
    return exact ? `fn f(x: i32) -> i32 { ${exact} }` : `${floatFn}\nfn f(x: i32) -> i32 { return toI32(ff(f32(x))); }`;
  }
  const b = op as BinaryPrimitive;
  return `fn f(a: ${it}, b: ${it}) -> ${ot} { ${inType === "float32" ? floatBinary[b] : intBinary[b]} }`;
}

export function elementwiseArity(op: ElementwiseOp): 1 | 2 {
  return op === "copy" || op === "cast" || unarySet.has(op) ? 1 : 2;
}

export function elementwiseShader(op: ElementwiseOp, inType: GpuDType, outType: GpuDType, strided: boolean): string {
  const arity = elementwiseArity(op);
  const inputs: GpuDType[] = arity === 1 ? [inType] : [inType, inType];
  let body: string;
  if (!strided) {
    body = arity === 1 ? "  dst[idx] = f(src0[idx]);" : "  dst[idx] = f(src0[idx], src1[idx]);";
  } else {
    // Row-major decomposition of idx over the output shape, accumulating each input's offset.
    body = `  let rank = prm[1];
  var rem = idx;
  var o0 = 0u;
  var o1 = 0u;
  for (var d = rank; d > 0u; d = d - 1u) {
    let k = d - 1u;
    let size = prm[2u + k];
    let c = rem % size;
    rem = rem / size;
    o0 = o0 + c * prm[2u + rank + k];
    ${arity === 2 ? "o1 = o1 + c * prm[2u + 2u * rank + k];" : "o1 = o0;"}
  }
  ${arity === 1 ? "dst[idx] = f(src0[o0]);" : "dst[idx] = f(src0[o0], src1[o1]);"}`;
  }
  return [bindings(outType, inputs), scalarHelpers("float32"), opFunction(op, inType, outType), elementMain(body)].join(
    "\n",
  );
}

/** Fills the output with the bit pattern prm[1] (the value, already encoded on the host). */
export function fillShader(t: GpuDType): string {
  return [bindings(t, []), elementMain(`  dst[idx] = bitcast<${wgslType(t)}>(prm[1]);`)].join("\n");
}

/**
 * Copies `prm[0]` elements as runs of `prm[1]`: run o, element k goes from src0[prm[3] + o * prm[2]
 * + k] to dst[prm[5] + o * prm[4] + k] (concat and slice). Moved as i32 bits, exact for every dtype.
 */
export function runsCopyShader(): string {
  return [
    bindings("int32", ["int32"]),
    elementMain(`  let o = idx / prm[1];
  let k = idx % prm[1];
  dst[prm[5] + o * prm[4] + k] = src0[prm[3] + o * prm[2] + k];`),
  ].join("\n");
}
