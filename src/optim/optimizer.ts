/**
 * Optimizers (PyTorch's torch.optim, single-tensor form), written with the public ops so they run
 * on any device. A step computes every new parameter value and state first, under noGrad, and only
 * then assigns them: if anything fails (a gradient of the wrong shape, a device error), no
 * parameter and no state has changed.
 */
import type { AnyTensor } from "../tensor.js";
import { markModified, Tensor } from "../tensor.js";
import { detach, replaceData } from "../ops/device.js";
import { noGrad } from "../autograd/engine.js";
import { keep } from "../runtime/memory.js";
import { sameShape } from "../runtime/shape.js";
import { nnErrors } from "../../types/errors.js";
import { argumentErrors, optimErrors, show } from "../../types/errors.js";

/** One parameter's optimizer state (step count, momentum buffers, moments) and one update of it. */
export type ParamState = Record<string, AnyTensor | number>;
export interface ParamUpdate {
  value: AnyTensor;
  state: ParamState;
  /** `value` is the step's own tensor, disposed once the parameter holds its data. */
  temporary?: boolean;
}

export interface ParamGroup<O> {
  params: AnyTensor[];
  options: O;
}

/** Parameters as a list, or groups with their own options (which override the defaults). */
// `_Options` names the options a group may override; the run time checks them (optimErrors).
export type Params<_Options> =
  readonly AnyTensor[] | readonly { params: readonly AnyTensor[]; [option: string]: unknown }[] | Iterable<AnyTensor>;

function isGroupList<O>(p: Params<O>): p is readonly { params: readonly AnyTensor[] }[] {
  return (
    Array.isArray(p) &&
    p.length > 0 &&
    !(p[0] instanceof Tensor) &&
    typeof p[0] === "object" &&
    p[0] !== null &&
    "params" in p[0]
  );
}

/** A number (NaN included: the range checks that follow refuse it). */
export const isNumber = (v: unknown): v is number => typeof v === "number";

export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: ParamGroup<O>[];
  /** Per-parameter state (momentum buffers, moments, step counts). */
  protected readonly state = new Map<AnyTensor, ParamState>();
  /** The class name, as messages show it (available during construction, unlike a field). */
  protected get name(): string {
    return this.constructor.name;
  }

  constructor(params: Params<O>, defaults: O) {
    const groups = isGroupList(params)
      ? params.map(({ params: ps, ...rest }) => ({
          params: [...ps],
          options: { ...defaults, ...(rest as Partial<O>) },
        }))
      : [{ params: [...(params as Iterable<AnyTensor>)], options: { ...defaults } }];
    this.paramGroups = groups;
  }

  /** The group rule of the subclass, run at construction and again at every step. */
  #check: ((o: unknown) => void) | null = null;
  /** The group being checked at a step (messages then say so), or null at construction. */
  #stepGroup: number | null = null;

  /**
   * Validates the parameters, and the options of every group: known names only (PyTorch's
   * snake_case ones get their camelCase name suggested), each value by `check`.
   */
  protected checkGroups(known: readonly string[], check: (o: O) => void): void {
    const all = this.paramGroups.flatMap((g) => g.params);
    if (all.length === 0) throw new Error(nnErrors.optimizerParams(this.name));
    all.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new Error(nnErrors.optimizerParams(this.name));
      if (!p.requiresGrad) throw new Error(nnErrors.optimizerNotLeaf(this.name, i));
    });
    this.#check = (o) => {
      for (const key of Object.keys(o as object)) {
        if (known.includes(key)) continue;
        const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
        throw new Error(
          camel !== key && known.includes(camel)
            ? optimErrors.snakeCase(this.name, show(key), show(camel))
            : argumentErrors.unknownOption(this.name, show(key), known.join(", ")),
        );
      }
      check(o as O);
    };
    this.#validate(false);
  }

  #validate(atStep: boolean): void {
    this.paramGroups.forEach((g, i) => {
      this.#stepGroup = atStep ? i : null;
      try {
        this.#check?.(g.options);
      } finally {
        this.#stepGroup = null;
      }
    });
  }

  protected option(name: string, value: unknown, ok: boolean, rule: string): void {
    if (ok) return;
    const group = this.#stepGroup;
    throw new Error(
      group === null
        ? optimErrors.option(this.name, name, show(value), rule)
        : optimErrors.atStep(this.name, name, show(value), group, rule),
    );
  }

  /** Clears every gradient (set to null, PyTorch's default). */
  zeroGrad(): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        // Freed now: on a GPU, waiting for the garbage collector would leak a buffer per parameter per step.
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  /**
   * One update of every parameter that has a gradient. `update` returns the new value and the new
   * state of one parameter, without side effects; they are committed together at the end. A
   * parameter whose update `inPlace` can write over its own storage and state's (float32 on the
   * CPU, each storage held by its tensor alone) is updated so after every check has passed and
   * every other update has been computed: those loops cannot fail, so a refused step still leaves
   * every parameter and state as they were.
   */
  step(): void {
    // Options may have changed since construction (`opt.lr = x`, a scheduler, paramGroups edited):
    // a NaN rate would turn every parameter NaN, so they are checked again before anything moves.
    this.#validate(true);
    const pending: [AnyTensor, ParamUpdate, number][] = [];
    const deferred: [AnyTensor, () => ParamState, number][] = [];
    // a parameter listed twice is updated twice from the same data (the last commit wins), never in place
    const listed = new Map<AnyTensor, number>();
    for (const g of this.paramGroups) for (const p of g.params) listed.set(p, (listed.get(p) ?? 0) + 1);
    noGrad(() => {
      let index = 0;
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const i = index++;
          const grad = p.grad;
          if (!grad) continue;
          if (!sameShape(grad.shape, p.shape))
            throw new Error(nnErrors.optimizerGrad(this.name, i, grad.shape, p.shape));
          if (grad.dtype !== p.dtype || grad.device !== p.device) {
            throw new Error(
              `${this.name}: the gradient of parameter ${i} is ${grad.dtype} on ${grad.device} but the parameter is ${p.dtype} on ${p.device}`,
            );
          }
          const state = this.state.get(p) ?? {};
          const write = listed.get(p) === 1 ? this.inPlace(p, grad, state, group.options) : null;
          if (write) deferred.push([p, write, i]);
          else pending.push([p, this.update(p, detach(grad), state, group.options), i]);
        }
      }
      for (const [p, write, i] of deferred) pending.push([p, { value: p, state: write() }, i]);
    });
    for (const [p, { value, state, temporary }, i] of pending) {
      const by = `${this.name}.step() (parameter ${i})`;
      if (value === p) markModified(p, by);
      else {
        replaceData(p, value, by);
        if (temporary) value.dispose();
      }
      // State outlives any tidy() scope the step runs in; the state it replaces is ours alone, so
      // it is freed now rather than by the garbage collector (device buffers; CPU arrays go back
      // to the pool, src/backends/cpu/arrays.ts).
      const old = this.state.get(p) ?? {};
      for (const v of Object.values(state)) if (v instanceof Tensor) keep(v);
      for (const v of Object.values(old)) {
        if (v instanceof Tensor && !Object.values(state).includes(v)) v.dispose();
      }
      this.state.set(p, state);
    }
  }

  /**
   * The update of p written over p's and its state's own storage, to run after every check (see
   * step), returning the new state; null when it must be computed into new tensors (`update`).
   */
  protected inPlace(
    _param: AnyTensor,
    _grad: AnyTensor,
    _state: Readonly<ParamState>,
    _options: O,
  ): (() => ParamState) | null {
    return null;
  }

  protected abstract update(param: AnyTensor, grad: AnyTensor, state: Readonly<ParamState>, options: O): ParamUpdate;

  /** The learning rate of every group (schedulers set it). */
  get lr(): number {
    return this.paramGroups[0].options.lr;
  }

  set lr(value: number) {
    for (const g of this.paramGroups) g.options.lr = value;
  }

  toString(): string {
    return `${this.name}(${this.paramGroups.map((g) => `${g.params.length} params ${JSON.stringify(g.options)}`).join("; ")})`;
  }
}
