/**
 * The optimizers' updates of a float32 parameter on the CPU, each in one pass (the CPU backend's
 * optimizerSteps, src/backends/cpu/optimizer-steps.ts; this file works out their coefficients and
 * when they apply). Their op forms
 * (adamStepOps, sgdStepOps) run up to ~12 ops per parameter, each a dispatch, an allocation and a
 * loop; here one loop computes the same values bit for bit: every intermediate is rounded to
 * float32 exactly where an op would store it (a float32 op computed in double and rounded once is
 * IEEE's float32 op for + - * / and sqrt), and every scalar as the op form's float32 0-d tensor
 * holds it. float64 parameters keep the op forms: taking the rounding as an argument, to serve
 * both, left V8 calling it out of line and boxing every result (~9x slower).
 */
import type { AnyTensor } from "../tensor.js";
import { Tensor } from "../tensor.js";
import type { AdamCoefficients, OptimizerSteps, SgdCoefficients } from "../backend.js";
import { kernelInput, wrapStorage } from "../autograd/engine.js";
import { backendFor } from "../runtime/devices.js";
import { sameShape } from "../runtime/shape.js";
import type { ResolvedAdam } from "./adam.js";
import type { ParamState, ParamUpdate } from "./optimizer.js";
import type { ResolvedSGD } from "./sgd.js";

/** The CPU's fused steps when p is a float32 CPU tensor, else null (the op form runs). */
function stepsFor(p: AnyTensor): OptimizerSteps<unknown> | null {
  return p.device === "cpu" && p.dtype === "float32" ? (backendFor("cpu").optimizerSteps ?? null) : null;
}

/** Whether t is a float32 CPU tensor of p's shape (otherwise the op form runs, and reports any mismatch). */
function isCpuFloat32Like(t: AnyTensor | number | undefined, p: AnyTensor): t is AnyTensor {
  return t instanceof Tensor && sameShape(t.shape, p.shape) && t.device === "cpu" && t.dtype === "float32";
}

const wrap = (storage: unknown, p: AnyTensor) => wrapStorage(p.shape, "float32", "cpu", storage);
/** A state tensor's input to the step: null when absent (the first step), undefined when unusable. */
const stateInput = (t: AnyTensor | number | undefined, p: AnyTensor) =>
  t === undefined ? null : isCpuFloat32Like(t, p) ? kernelInput(t) : undefined;

/**
 * adamStepOps's result for a float32 parameter on the CPU whose gradient and state are float32
 * CPU arrays of its shape; null for anything else.
 */
export function adamStepCpu(
  p: AnyTensor,
  grad: AnyTensor,
  state: Readonly<ParamState>,
  o: ResolvedAdam,
  decoupled: boolean,
): ParamUpdate | null {
  const steps = stepsFor(p);
  if (steps === null || !isCpuFloat32Like(grad, p)) return null;
  const M = stateInput(state.expAvg, p);
  const V = stateInput(state.expAvgSq, p);
  const VM = o.amsgrad ? stateInput(state.maxExpAvgSq, p) : null;
  if (M === undefined || V === undefined || VM === undefined) return null;

  const r = Math.fround;
  const [b1, b2] = o.betas;
  const step = ((state.step as number | undefined) ?? 0) + 1;
  const k: AdamCoefficients = {
    b1: r(b1),
    c1: r(1 - b1),
    b2: r(b2),
    c2: r(1 - b2),
    eps: r(o.eps),
    decay: o.weightDecay !== 0,
    decoupled,
    wd: r(o.weightDecay),
    keep: r(1 - o.lr * o.weightDecay),
    root2: r(Math.sqrt(1 - b2 ** step)),
    size: r(o.lr / (1 - b1 ** step)),
    maximize: o.maximize,
    amsgrad: o.amsgrad,
  };
  const out = steps.adam(k, kernelInput(p), kernelInput(grad), M, V, VM);
  const next: ParamState = { step, expAvg: wrap(out.expAvg, p), expAvgSq: wrap(out.expAvgSq, p) };
  if (out.maxExpAvgSq !== null) next.maxExpAvgSq = wrap(out.maxExpAvgSq, p);
  return { value: wrap(out.value, p), state: next };
}

/**
 * sgdStepOps's result for a float32 parameter on the CPU whose gradient and momentum buffer (if
 * any) are float32 CPU arrays of its shape; null for anything else.
 */
export function sgdStepCpu(
  p: AnyTensor,
  grad: AnyTensor,
  state: Readonly<ParamState>,
  o: ResolvedSGD,
): ParamUpdate | null {
  const steps = stepsFor(p);
  if (steps === null || !isCpuFloat32Like(grad, p)) return null;
  const B = o.momentum === 0 ? null : stateInput(state.momentumBuffer, p);
  if (B === undefined) return null;
  const r = Math.fround;
  const k: SgdCoefficients = {
    lr: r(o.lr),
    decay: o.weightDecay !== 0,
    wd: r(o.weightDecay),
    maximize: o.maximize,
    momentum: o.momentum !== 0,
    mu: r(o.momentum),
    damp: r(1 - o.dampening),
    nesterov: o.nesterov,
  };
  const out = steps.sgd(k, kernelInput(p), kernelInput(grad), B);
  const next: ParamState = { ...state };
  if (out.momentumBuffer !== null) next.momentumBuffer = wrap(out.momentumBuffer, p);
  return { value: wrap(out.value, p), state: next };
}
