/**
 * The optimizers' updates of a float32 parameter, each in one pass (src/optim/fused-cpu.ts works
 * out the coefficients and says why the results equal the op forms' bit for bit). Each loop stands
 * apart from the checks so that it stays optimized whatever they saw.
 */
import type { AnyTypedArray } from "../../../types/core.js";
import type { AdamCoefficients, KernelInput, OptimizerSteps, SgdCoefficients } from "../../backend.js";
import { allocateForOverwrite, rewritten, soleOwner } from "./arrays.js";

const fresh = (n: number) => allocateForOverwrite("float32", n) as Float32Array;
const f32 = (t: KernelInput<AnyTypedArray>) => t.storage as Float32Array;
const f32OrNull = (t: KernelInput<AnyTypedArray> | null) => (t === null ? null : f32(t));

/**
 * In place (`inPlace`), each output is its input's own array (a missing state gets a fresh one):
 * every loop reads element i of every input before it writes element i of any output, and no
 * other element, so writing over the inputs gives the same values. A fresh parameter and state
 * cost ResNet-18's SGD step 45 MB of new arrays each (pooled, but each written and read once more).
 */
const into = (input: Float32Array | null, inPlace: boolean, n: number) => (inPlace && input) || fresh(n);

export const optimizerSteps: OptimizerSteps<AnyTypedArray> = {
  adam: (k, param, grad, expAvg, expAvgSq, maxExpAvgSq, inPlace = false) => {
    const P = f32(param),
      n = P.length;
    const M = f32OrNull(expAvg),
      V = f32OrNull(expAvgSq),
      VM = f32OrNull(maxExpAvgSq);
    const value = into(P, inPlace, n),
      m = into(M, inPlace, n),
      v = into(V, inPlace, n),
      vMax = k.amsgrad ? into(VM, inPlace, n) : null;
    adamLoop(k, P, f32(grad), M, V, VM, value, m, v, vMax);
    return { value, expAvg: m, expAvgSq: v, maxExpAvgSq: vMax };
  },
  sgd: (k, param, grad, momentumBuffer, inPlace = false) => {
    const P = f32(param),
      n = P.length;
    const B = f32OrNull(momentumBuffer);
    const value = into(P, inPlace, n),
      buf = k.momentum ? into(B, inPlace, n) : null;
    sgdLoop(k, P, f32(grad), B, value, buf);
    return { value, momentumBuffer: buf };
  },
  writable: (storages) => storages.every((s) => soleOwner(s)),
  rewritten,
};

/**
 * M, V, VM are the moments so far (null on the first step, VM without AMSGrad); value, m, v, vMax
 * receive the new parameter and moments.
 */
function adamLoop(
  k: AdamCoefficients,
  P: Float32Array,
  G: Float32Array,
  M: Float32Array | null,
  V: Float32Array | null,
  VM: Float32Array | null,
  value: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vMax: Float32Array | null,
): void {
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
      if (VM) {
        const u = VM[i];
        used = u !== u || vi !== vi ? NaN : u > vi ? u : vi;
      }
      vMax[i] = used;
    }
    const denom = r(r(r(Math.sqrt(used)) / root2) + eps);
    m[i] = mi;
    v[i] = vi;
    value[i] = r(param - r(r(mi / denom) * size));
  }
}

/** B: the momentum buffer so far (null on the first step or without momentum); buf receives the new one. */
function sgdLoop(
  k: SgdCoefficients,
  P: Float32Array,
  G: Float32Array,
  B: Float32Array | null,
  value: Float32Array,
  buf: Float32Array | null,
): void {
  const r = Math.fround;
  const { lr, decay, wd, maximize, momentum, mu, damp, nesterov } = k;
  if (!decay && !maximize && !nesterov) {
    if (momentum && B) return sgdMomentumLoop(lr, mu, damp, P, G, B, value, buf!);
    if (!momentum) return sgdPlainLoop(lr, P, G, value);
  }
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

/**
 * sgdLoop's momentum step without weight decay, Nesterov or maximize (the usual training step),
 * the same roundings in a loop of its own: the option tests left in the general loop cost ~3x
 * here (9.6 against 2.9 ns per element measured on a 2.4M-element parameter; ResNet-18's SGD step
 * is 11.2M of them). A store into a Float32Array rounds as Math.fround does, so the last one
 * is the store's.
 */
function sgdMomentumLoop(
  lr: number,
  mu: number,
  damp: number,
  P: Float32Array,
  G: Float32Array,
  B: Float32Array,
  value: Float32Array,
  buf: Float32Array,
): void {
  const r = Math.fround;
  for (let i = 0; i < P.length; i++) {
    const b = r(r(B[i] * mu) + r(G[i] * damp));
    buf[i] = b;
    value[i] = P[i] - r(b * lr);
  }
}

/** sgdLoop without momentum, weight decay or maximize, likewise. */
function sgdPlainLoop(lr: number, P: Float32Array, G: Float32Array, value: Float32Array): void {
  const r = Math.fround;
  for (let i = 0; i < P.length; i++) value[i] = P[i] - r(G[i] * lr);
}
