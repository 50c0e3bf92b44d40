/**
 * The optimizers' updates of a float32 parameter on the CPU, each in one pass. Their op forms
 * (adamStepOps, sgdStepOps) run up to ~12 ops per parameter, each a dispatch, an allocation and a
 * loop; here one loop computes the same values bit for bit: every intermediate is rounded to
 * float32 exactly where an op would store it (a float32 op computed in double and rounded once is
 * IEEE's float32 op for + - * / and sqrt), and every scalar as the op form's float32 0-d tensor
 * holds it. float64 parameters keep the op forms: taking the rounding as an argument, to serve
 * both, left V8 calling it out of line and boxing every result (~9x slower).
 */
import type { AnyTensor } from "../tensor.js";
import { Tensor } from "../tensor.js";
import { allocateForOverwrite } from "../backends/cpu/arrays.js";
import { sameShape } from "../runtime/shape.js";
import type { ResolvedAdam } from "./adam.js";
import type { ParamState, ParamUpdate } from "./optimizer.js";
import type { ResolvedSGD } from "./sgd.js";

/** p's float32 CPU array, or null (another dtype or device: the op form runs). */
function cpuFloat32(p: AnyTensor): Float32Array | null {
  return p.device === "cpu" && p.dtype === "float32" ? (p.storage as Float32Array) : null;
}

/** t's float32 CPU array when t is a tensor of p's shape, or null (then the op form runs, and
 * reports any mismatch). */
function cpuFloat32Like(t: AnyTensor | number | undefined, p: AnyTensor): Float32Array | null {
  return t instanceof Tensor && sameShape(t.shape, p.shape) ? cpuFloat32(t) : null;
}

const fresh = (n: number) => allocateForOverwrite("float32", n) as Float32Array;
const wrap = (a: Float32Array, p: AnyTensor) => Tensor._make(p.shape, "float32", "cpu", a, null);

/**
 * adamStepOps's result for a float32 parameter on the CPU whose gradient and state are float32
 * CPU arrays of its shape; null for anything else.
 */
export function adamStepCpu(p: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, o: ResolvedAdam, decoupled: boolean): ParamUpdate | null {
  const P = cpuFloat32(p);
  if (P === null) return null;
  const G = cpuFloat32Like(grad, p);
  const M = state.expAvg === undefined ? undefined : cpuFloat32Like(state.expAvg, p);
  const V = state.expAvgSq === undefined ? undefined : cpuFloat32Like(state.expAvgSq, p);
  const VM = !o.amsgrad || state.maxExpAvgSq === undefined ? undefined : cpuFloat32Like(state.maxExpAvgSq, p);
  if (G === null || M === null || V === null || VM === null) return null;

  const r = Math.fround;
  const [b1, b2] = o.betas;
  const step = ((state.step as number | undefined) ?? 0) + 1;
  const k: AdamCoefficients = {
    b1: r(b1), c1: r(1 - b1), b2: r(b2), c2: r(1 - b2), eps: r(o.eps),
    decay: o.weightDecay !== 0, decoupled, wd: r(o.weightDecay), keep: r(1 - o.lr * o.weightDecay),
    root2: r(Math.sqrt(1 - b2 ** step)), size: r(o.lr / (1 - b1 ** step)), maximize: o.maximize,
  };
  const n = P.length;
  const value = fresh(n), m = fresh(n), v = fresh(n), vMax = o.amsgrad ? fresh(n) : null;
  adamLoop(k, P, G, M ?? null, V ?? null, VM ?? null, value, m, v, vMax);
  const next: ParamState = { step, expAvg: wrap(m, p), expAvgSq: wrap(v, p) };
  if (vMax) next.maxExpAvgSq = wrap(vMax, p);
  return { value: wrap(value, p), state: next };
}

/** The scalars of one Adam step, each as the op form's 0-d tensor holds it (rounded to float32). */
interface AdamCoefficients {
  b1: number; c1: number; b2: number; c2: number; eps: number;
  decay: boolean; decoupled: boolean; wd: number; keep: number;
  root2: number; size: number; maximize: boolean;
}

/**
 * The pass itself, apart from the checks above so that it stays optimized whatever they saw.
 * M, V, VM are the moments so far (null on the first step, VM without AMSGrad); value, m, v, vMax
 * receive the new parameter and moments.
 */
function adamLoop(k: AdamCoefficients, P: Float32Array, G: Float32Array, M: Float32Array | null, V: Float32Array | null,
  VM: Float32Array | null, value: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null): void {
  const r = Math.fround;
  const { b1, c1, b2, c2, eps, decay, decoupled, wd, keep, root2, size, maximize } = k;
  for (let i = 0; i < P.length; i++) {
    let g = maximize ? -G[i] : G[i];
    let param = P[i];
    if (decay) {
      if (decoupled) param = r(param * keep);
      else g = r(g + r(param * wd));
    }
    const mi = M ? r(r(M[i] * b1) + r(g * c1)) : r(g * c1);
    const g2 = r(g * g);
    const vi = V ? r(r(V[i] * b2) + r(g2 * c2)) : r(g2 * c2);
    let used = vi;
    if (vMax) {
      // maximum: NaN when either is NaN
      if (VM) { const u = VM[i]; used = u !== u || vi !== vi ? NaN : u > vi ? u : vi; }
      vMax[i] = used;
    }
    const denom = r(r(r(Math.sqrt(used)) / root2) + eps);
    m[i] = mi;
    v[i] = vi;
    value[i] = r(param - r(r(mi / denom) * size));
  }
}

/**
 * sgdStepOps's result for a float32 parameter on the CPU whose gradient and momentum buffer (if
 * any) are float32 CPU arrays of its shape; null for anything else.
 */
export function sgdStepCpu(p: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, o: ResolvedSGD): ParamUpdate | null {
  const P = cpuFloat32(p);
  if (P === null) return null;
  const G = cpuFloat32Like(grad, p);
  const B = o.momentum === 0 || state.momentumBuffer === undefined ? undefined : cpuFloat32Like(state.momentumBuffer, p);
  if (G === null || B === null) return null;
  const r = Math.fround;
  const k: SgdCoefficients = {
    lr: r(o.lr), decay: o.weightDecay !== 0, wd: r(o.weightDecay), maximize: o.maximize,
    momentum: o.momentum !== 0, mu: r(o.momentum), damp: r(1 - o.dampening), nesterov: o.nesterov,
  };
  const n = P.length;
  const value = fresh(n), buf = k.momentum ? fresh(n) : null;
  sgdLoop(k, P, G, B ?? null, value, buf);
  const next: ParamState = { ...state };
  if (buf) next.momentumBuffer = wrap(buf, p);
  return { value: wrap(value, p), state: next };
}

/** The scalars of one SGD step, rounded to float32 as the op form's 0-d tensors hold them. */
interface SgdCoefficients {
  lr: number; decay: boolean; wd: number; maximize: boolean;
  momentum: boolean; mu: number; damp: number; nesterov: boolean;
}

/** B: the momentum buffer so far (null on the first step or without momentum); buf receives the new one. */
function sgdLoop(k: SgdCoefficients, P: Float32Array, G: Float32Array, B: Float32Array | null, value: Float32Array, buf: Float32Array | null): void {
  const r = Math.fround;
  const { lr, decay, wd, maximize, momentum, mu, damp, nesterov } = k;
  for (let i = 0; i < P.length; i++) {
    let g = maximize ? -G[i] : G[i];
    if (decay) g = r(g + r(P[i] * wd));
    if (momentum) {
      const b = B ? r(r(B[i] * mu) + r(g * damp)) : g;
      buf![i] = b;
      g = nesterov ? r(g + r(b * mu)) : b;
    }
    value[i] = r(P[i] - r(g * lr));
  }
}
