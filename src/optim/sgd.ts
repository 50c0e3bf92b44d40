/** Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay (torch.optim.SGD). */
import type { AnyTensor } from "../tensor.js";
import { add, mul, sub } from "../ops/untyped.js";
import { isNumber, Optimizer, type ParamState, type ParamUpdate, type Params } from "./optimizer.js";
import { sgdInPlace, sgdStepCpu } from "./fused-cpu.js";

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

export type ResolvedSGD = Required<SGDOptions>;

/**
 * One parameter's update as ops, on any device: g = grad (+ wd p); with momentum: b = g on the
 * first step, else mu b + (1 - dampening) g, and g = g + mu b (Nesterov) or b; then p = p - lr g.
 */
export function sgdStepOps(p: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, o: ResolvedSGD): ParamUpdate {
  let g = o.maximize ? mul(grad, -1) : grad;
  if (o.weightDecay !== 0) g = add(g, mul(p, o.weightDecay));
  const next: ParamState = { ...state };
  if (o.momentum !== 0) {
    const prev = state.momentumBuffer as AnyTensor | undefined;
    const buf = prev ? add(mul(prev, o.momentum), mul(g, 1 - o.dampening)) : g;
    next.momentumBuffer = buf;
    g = o.nesterov ? add(g, mul(buf, o.momentum)) : buf;
  }
  return { value: sub(p, mul(g, o.lr)), state: next };
}

export class SGD extends Optimizer<ResolvedSGD> {
  constructor(params: Params<ResolvedSGD>, options: SGDOptions) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options });
    this.checkGroups(["lr", "momentum", "dampening", "weightDecay", "nesterov", "maximize"], (o) => {
      this.option("lr", o.lr, isNumber(o.lr) && o.lr >= 0, "expected a number >= 0");
      this.option("momentum", o.momentum, isNumber(o.momentum) && o.momentum >= 0, "expected a number >= 0");
      this.option(
        "weightDecay",
        o.weightDecay,
        isNumber(o.weightDecay) && o.weightDecay >= 0,
        "expected a number >= 0",
      );
      this.option("dampening", o.dampening, isNumber(o.dampening) && !Number.isNaN(o.dampening), "expected a number");
      this.option("nesterov", o.nesterov, typeof o.nesterov === "boolean", "expected true or false");
      this.option("maximize", o.maximize, typeof o.maximize === "boolean", "expected true or false");
      this.option(
        "nesterov",
        o.nesterov,
        !o.nesterov || (o.momentum > 0 && o.dampening === 0),
        "Nesterov momentum needs momentum > 0 and dampening 0",
      );
    });
  }

  /** float32 on the CPU: one fused pass (fused-cpu.ts), equal bit for bit to the ops, which run elsewhere. */
  protected update(p: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, o: ResolvedSGD): ParamUpdate {
    return sgdStepCpu(p, grad, state, o) ?? sgdStepOps(p, grad, state, o);
  }

  /** float32 on the CPU, its storage and momentum buffer held by their tensors alone: in place. */
  protected override inPlace(p: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, o: ResolvedSGD) {
    return sgdInPlace(p, grad, state, o);
  }
}
