/** Adam and AdamW (torch.optim.Adam / AdamW, single-tensor form, optional AMSGrad). */
import type { AnyTensor } from "../tensor.js";
import { add, div, maximum, mul, sqrt, sub } from "../ops/untyped.js";
import { isNumber, Optimizer, type ParamState, type ParamUpdate, type Params } from "./optimizer.js";
import { adamInPlace, adamStepCpu } from "./fused-cpu.js";

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

export type ResolvedAdam = Required<AdamOptions> & { lr: number };

/**
 * One parameter's update as ops, on any device:
 * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2 (v_max = max(v_max, v) with AMSGrad);
 * p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), PyTorch's arrangement of the
 * bias corrections (eps is added after the correction of v). AdamW (`decoupled`) decays p itself;
 * Adam adds wd p to the gradient.
 */
export function adamStepOps(
  p: AnyTensor,
  grad: AnyTensor,
  state: Readonly<ParamState>,
  o: ResolvedAdam,
  decoupled: boolean,
): ParamUpdate {
  const [b1, b2] = o.betas;
  let g = o.maximize ? mul(grad, -1) : grad;
  let param = p;
  if (o.weightDecay !== 0) {
    if (decoupled) param = mul(p, 1 - o.lr * o.weightDecay);
    else g = add(g, mul(p, o.weightDecay));
  }
  const step = ((state.step as number | undefined) ?? 0) + 1;
  const m = state.expAvg ? add(mul(state.expAvg, b1), mul(g, 1 - b1)) : mul(g, 1 - b1);
  const v = state.expAvgSq ? add(mul(state.expAvgSq, b2), mul(mul(g, g), 1 - b2)) : mul(mul(g, g), 1 - b2);
  const next: ParamState = { step, expAvg: m, expAvgSq: v };
  let vUsed = v;
  if (o.amsgrad) {
    vUsed = state.maxExpAvgSq ? maximum(state.maxExpAvgSq, v) : v;
    next.maxExpAvgSq = vUsed;
  }
  const stepSize = o.lr / (1 - b1 ** step);
  const denom = add(div(sqrt(vUsed), Math.sqrt(1 - b2 ** step)), o.eps);
  return { value: sub(param, mul(div(m, denom), stepSize)), state: next };
}

abstract class AdamBase extends Optimizer<ResolvedAdam> {
  /** AdamW decays the weights directly (decoupled); Adam adds wd p to the gradient. */
  protected abstract readonly decoupled: boolean;

  constructor(params: Params<ResolvedAdam>, options: AdamOptions, defaultWeightDecay: number) {
    super(params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: defaultWeightDecay,
      amsgrad: false,
      maximize: false,
      ...options,
    });
    this.checkGroups(["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize"], (o) => {
      this.option("lr", o.lr, isNumber(o.lr) && o.lr >= 0, "expected a number >= 0");
      this.option("eps", o.eps, isNumber(o.eps) && o.eps >= 0, "expected a number >= 0");
      this.option(
        "betas",
        o.betas,
        Array.isArray(o.betas) && o.betas.length === 2 && o.betas.every((b) => isNumber(b) && b >= 0 && b < 1),
        "expected two numbers in [0, 1)",
      );
      this.option(
        "weightDecay",
        o.weightDecay,
        isNumber(o.weightDecay) && o.weightDecay >= 0,
        "expected a number >= 0",
      );
      this.option("amsgrad", o.amsgrad, typeof o.amsgrad === "boolean", "expected true or false");
      this.option("maximize", o.maximize, typeof o.maximize === "boolean", "expected true or false");
    });
  }

  /** float32 on the CPU: one fused pass (fused-cpu.ts), equal bit for bit to the ops, which run elsewhere. */
  protected update(p: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, o: ResolvedAdam): ParamUpdate {
    return adamStepCpu(p, grad, state, o, this.decoupled) ?? adamStepOps(p, grad, state, o, this.decoupled);
  }

  /** float32 on the CPU, its storage and moments held by their tensors alone: in place. */
  protected override inPlace(p: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, o: ResolvedAdam) {
    return adamInPlace(p, grad, state, o, this.decoupled);
  }
}

export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Params<ResolvedAdam>, options: AdamOptions = {}) {
    super(params, options, 0);
  }
}

export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Params<ResolvedAdam>, options: AdamOptions = {}) {
    super(params, options, 1e-2);
  }
}
