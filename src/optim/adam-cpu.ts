/**
 * Adam's update of a float32 parameter on the CPU in one pass. The op form in adam.ts
 * (adamStepOps) runs ~12 ops per parameter, each a dispatch, an allocation and a loop; here one
 * loop computes the same values bit for bit: every intermediate is rounded to float32 exactly where
 * an op would store it (a float32 op computed in double and rounded once is IEEE's float32 op for
 * + - * / and sqrt), and every scalar as the op form's float32 0-d tensor holds it. float64
 * parameters keep the op form: taking the rounding as an argument, to serve both, left V8 calling
 * it out of line and boxing every result (~9x slower).
 */
import type { AnyTensor } from "../tensor.js";
import { Tensor } from "../tensor.js";
import { allocateForOverwrite } from "../backends/cpu/arrays.js";
import { sameShape } from "../runtime/shape.js";
import type { AdamState, AdamStep, ResolvedAdam } from "./adam.js";


/** A float32 CPU array of p's shape, or null (then the op form runs, and reports any mismatch). */
function arrayLike(t: AnyTensor | number | undefined, p: AnyTensor): Float32Array | null {
  if (!(t instanceof Tensor) || t.device !== "cpu" || t.dtype !== "float32" || !sameShape(t.shape, p.shape)) return null;
  return t.storage as Float32Array;
}

/**
 * adamStepOps's result for a float32 parameter on the CPU whose gradient and state are float32
 * CPU arrays of its shape; null for anything else.
 */
export function adamStepCpu(p: AnyTensor, grad: AnyTensor, state: AdamState, o: ResolvedAdam, decoupled: boolean): AdamStep | null {
  if (p.device !== "cpu" || p.dtype !== "float32") return null;
  const P = p.storage as Float32Array;
  const G = arrayLike(grad, p);
  const M = state.expAvg === undefined ? undefined : arrayLike(state.expAvg, p);
  const V = state.expAvgSq === undefined ? undefined : arrayLike(state.expAvgSq, p);
  const VM = !o.amsgrad || state.maxExpAvgSq === undefined ? undefined : arrayLike(state.maxExpAvgSq, p);
  if (G === null || M === null || V === null || VM === null) return null;

  const r = Math.fround;
  const [b1, b2] = o.betas;
  const step = ((state.step as number | undefined) ?? 0) + 1;
  const k: Coefficients = {
    b1: r(b1), c1: r(1 - b1), b2: r(b2), c2: r(1 - b2), eps: r(o.eps),
    decay: o.weightDecay !== 0, decoupled, wd: r(o.weightDecay), keep: r(1 - o.lr * o.weightDecay),
    root2: r(Math.sqrt(1 - b2 ** step)), size: r(o.lr / (1 - b1 ** step)), maximize: o.maximize,
  };
  const fresh = () => allocateForOverwrite("float32", P.length) as Float32Array;
  const value = fresh(), m = fresh(), v = fresh(), vMax = o.amsgrad ? fresh() : null;
  adamLoop(k, P, G, M ?? null, V ?? null, VM ?? null, value, m, v, vMax);
  const wrap = (a: Float32Array) => Tensor._make(p.shape, "float32", "cpu", a, null);
  const next: AdamState = { step, expAvg: wrap(m), expAvgSq: wrap(v) };
  if (vMax) next.maxExpAvgSq = wrap(vMax);
  return { value: wrap(value), state: next };
}

/** The scalars of one step, each as the op form's 0-d tensor holds it (rounded to float32). */
interface Coefficients {
  b1: number; c1: number; b2: number; c2: number; eps: number;
  decay: boolean; decoupled: boolean; wd: number; keep: number;
  root2: number; size: number; maximize: boolean;
}

/**
 * The pass itself, apart from the checks above so that it stays optimized whatever they saw.
 * M, V, VM are the moments so far (null on the first step, VM without AMSGrad); value, m, v, vMax
 * receive the new parameter and moments.
 */
function adamLoop(k: Coefficients, P: Float32Array, G: Float32Array, M: Float32Array | null, V: Float32Array | null,
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
