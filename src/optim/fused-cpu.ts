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
import type { AdamCoefficients, KernelInput, OptimizerSteps, SgdCoefficients } from "../backend.js";
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

function adamCoefficients(o: ResolvedAdam, step: number, decoupled: boolean): AdamCoefficients {
  const r = Math.fround;
  const [b1, b2] = o.betas;
  return {
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
}

function sgdCoefficients(o: ResolvedSGD): SgdCoefficients {
  const r = Math.fround;
  return {
    lr: r(o.lr),
    decay: o.weightDecay !== 0,
    wd: r(o.weightDecay),
    maximize: o.maximize,
    momentum: o.momentum !== 0,
    mu: r(o.momentum),
    damp: r(1 - o.dampening),
    nesterov: o.nesterov,
  };
}

/** The state tensor holding `storage`: `t` when the step wrote into t's own storage, else a new one. */
const stateTensor = (storage: unknown, t: AnyTensor | null, p: AnyTensor): AnyTensor =>
  t !== null && t.storage === storage ? t : wrap(storage, p);

/** Adam's inputs for p, or null where the op form runs. */
function adamInputs(p: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, o: ResolvedAdam) {
  const steps = stepsFor(p);
  if (steps === null || !isCpuFloat32Like(grad, p)) return null;
  const M = stateInput(state.expAvg, p);
  const V = stateInput(state.expAvgSq, p);
  const VM = o.amsgrad ? stateInput(state.maxExpAvgSq, p) : null;
  if (M === undefined || V === undefined || VM === undefined) return null;
  return { steps, M, V, VM, step: ((state.step as number | undefined) ?? 0) + 1 };
}

/**
 * adamStepOps's result for a float32 parameter on the CPU whose gradient and state are float32
 * CPU arrays of its shape; null for anything else. adamRun's `inPlace` (adamInPlace's): into p's
 * and the state's own storage, the value then being p itself.
 */
export function adamStepCpu(
  p: AnyTensor,
  grad: AnyTensor,
  state: Readonly<ParamState>,
  o: ResolvedAdam,
  decoupled: boolean,
): ParamUpdate | null {
  const inputs = adamInputs(p, grad, state, o);
  return inputs === null ? null : adamRun(p, grad, state, o, decoupled, inputs, false);
}

function adamRun(
  p: AnyTensor,
  grad: AnyTensor,
  state: Readonly<ParamState>,
  o: ResolvedAdam,
  decoupled: boolean,
  { steps, M, V, VM, step }: NonNullable<ReturnType<typeof adamInputs>>,
  inPlace: boolean,
): ParamUpdate {
  const k = adamCoefficients(o, step, decoupled);
  const out = steps.adam(k, kernelInput(p), kernelInput(grad), M, V, VM, inPlace);
  const held = (name: string) => (inPlace ? ((state[name] as AnyTensor | undefined) ?? null) : null);
  const next: ParamState = {
    step,
    expAvg: stateTensor(out.expAvg, held("expAvg"), p),
    expAvgSq: stateTensor(out.expAvgSq, held("expAvgSq"), p),
  };
  if (out.maxExpAvgSq !== null) next.maxExpAvgSq = stateTensor(out.maxExpAvgSq, held("maxExpAvgSq"), p);
  if (inPlace) steps.rewritten(out.value);
  return { value: inPlace ? p : wrap(out.value, p), state: next, temporary: !inPlace };
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
  const inputs = sgdInputs(p, grad, state, o);
  return inputs === null ? null : sgdRun(p, grad, state, o, inputs, false);
}

function sgdRun(
  p: AnyTensor,
  grad: AnyTensor,
  state: Readonly<ParamState>,
  o: ResolvedSGD,
  { steps, B }: NonNullable<ReturnType<typeof sgdInputs>>,
  inPlace: boolean,
): ParamUpdate {
  const out = steps.sgd(sgdCoefficients(o), kernelInput(p), kernelInput(grad), B, inPlace);
  const next: ParamState = { ...state };
  if (out.momentumBuffer !== null)
    next.momentumBuffer = stateTensor(
      out.momentumBuffer,
      inPlace ? ((state.momentumBuffer as AnyTensor | undefined) ?? null) : null,
      p,
    );
  if (inPlace) steps.rewritten(out.value);
  return { value: inPlace ? p : wrap(out.value, p), state: next, temporary: !inPlace };
}

/** SGD's inputs for p, or null where the op form runs. */
function sgdInputs(p: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, o: ResolvedSGD) {
  const steps = stepsFor(p);
  if (steps === null || !isCpuFloat32Like(grad, p)) return null;
  const B = o.momentum === 0 ? null : stateInput(state.momentumBuffer, p);
  if (B === undefined) return null;
  return { steps, B };
}

/**
 * Whether p's update may be written over p and its state (Optimizer.step's in-place updates):
 * each storage held by its tensor alone (a view, a detach, a dataSync() caller or a second
 * holder would see it change), and the gradient none of them.
 */
function writable(
  steps: OptimizerSteps<unknown>,
  p: AnyTensor,
  grad: AnyTensor,
  state: readonly (KernelInput<unknown> | null)[],
): boolean {
  const storages = [p.storage, ...state.flatMap((s) => (s === null ? [] : [s.storage]))];
  return !storages.includes(grad.storage) && new Set(storages).size === storages.length && steps.writable(storages);
}

/** SGD's in-place update of p, or null when it must make new arrays (sgdStepCpu or the op form). */
export function sgdInPlace(
  p: AnyTensor,
  grad: AnyTensor,
  state: Readonly<ParamState>,
  o: ResolvedSGD,
): (() => ParamState) | null {
  const inputs = sgdInputs(p, grad, state, o);
  if (inputs === null || !writable(inputs.steps, p, grad, [inputs.B])) return null;
  return () => sgdRun(p, grad, state, o, inputs, true).state;
}

/** Adam's in-place update of p, likewise. */
export function adamInPlace(
  p: AnyTensor,
  grad: AnyTensor,
  state: Readonly<ParamState>,
  o: ResolvedAdam,
  decoupled: boolean,
): (() => ParamState) | null {
  const inputs = adamInputs(p, grad, state, o);
  if (inputs === null || !writable(inputs.steps, p, grad, [inputs.M, inputs.V, inputs.VM])) return null;
  return () => adamRun(p, grad, state, o, decoupled, inputs, true).state;
}
