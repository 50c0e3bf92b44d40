/**
 * nn.Module: a tree of modules holding parameters and buffers, found by walking the module's own
 * properties (PyTorch finds them through __setattr__; in TypeScript a property holding a
 * Parameter, a Module or an array of Modules is enough). Names follow PyTorch's state dict:
 * `layer1.0.conv1.weight`, so weights move between the two by name.
 */
import type { DType, Device, Shape } from "../../types/core.js";
import { markModified, Tensor, type AnyTensor } from "../tensor.js";
import { replaceData } from "../ops/device.js";
import { cast, noGrad, tensor } from "./ops.js";
import { formatShape, numel, sameShape, isArray } from "../runtime/shape.js";
import { moveStorage } from "../runtime/memory.js";
import { moduleErrors, nnErrors } from "../../types/errors.js";
import type { ChannelDim, HeightDim, LayerArg, LayerChannels, LayerResult, ShapeFn, WidthDim } from "./types.js";
import type { DimRoute, GenericRoute, PairRoute } from "../../types/shape/generic.js";

const parameterSet = new WeakSet<AnyTensor>();

/** A tensor registered as a trainable parameter of a module (type-level alias of Tensor). */
export type Parameter<S extends Shape = Shape, D extends DType = DType, Dev extends Device = Device> = Tensor<
  S,
  D,
  Dev
>;

/**
 * Marks `t` as a parameter: a leaf that requires grad. A tensor that is part of a graph is
 * detached first, as `nn.Parameter(t)` does in PyTorch.
 */
export function Parameter<S extends Shape, D extends DType, Dev extends Device>(
  t: Tensor<S, D, Dev>,
): Parameter<S, D, Dev> {
  if (!(t instanceof Tensor)) throw new Error(moduleErrors.parameterTensor());
  if (t.dtype === "int32") throw new Error(moduleErrors.parameterDType());
  const p = t.node ? t.detach() : t;
  p.requiresGrad_(true);
  parameterSet.add(p);
  return p;
}

export function isParameter(t: unknown): t is AnyTensor {
  return t instanceof Tensor && parameterSet.has(t as AnyTensor);
}

/** What `summary` records for each module call. */
interface CallRecord {
  readonly output: readonly number[] | string;
}
let recorder: Map<Module, CallRecord> | null = null;

/** Called by every layer's forward: lets `summary` see each module's output shape. */
export function recordCall(module: Module, output: unknown): void {
  if (!recorder) return;
  recorder.set(module, { output: output instanceof Tensor ? (output as AnyTensor).shape : describe(output) });
}

function describe(v: unknown): string {
  if (isArray(v)) return `[${v.map(describe).join(", ")}]`;
  return v instanceof Tensor ? formatShape((v as AnyTensor).shape) : typeof v;
}

/** What `loadStateDict` did not match: PyTorch's `_IncompatibleKeys`. */
export interface IncompatibleKeys {
  /** Parameters and buffers of the module the state did not have (left as they were). */
  readonly missingKeys: string[];
  /** Names in the state that the module does not have (ignored). */
  readonly unexpectedKeys: string[];
}

/**
 * State dicts made for one load only (by loadSafetensors from the bytes it decoded): loading one
 * adopts its tensors' storage instead of copying it, as nothing else can reach them.
 */
export const ownedStates = new WeakSet<ReadonlyMap<string, AnyTensor>>();

export type StateDict = Map<string, AnyTensor>;

/** Phantom key: where `.to()` put a module, in its type. */
declare const placed: unique symbol;
/** Phantom key: every Module has it (see ModuleLike). */
declare const isModule: unique symbol;

/**
 * What nn.Sequential and nn.Residual require of their children's types: being a Module. Not
 * `Module` itself: checking a layer's type against the class compares every member, each layer's
 * three generic `forward` signatures and `to`'s `Moved<this, T>` included, once per distinct layer
 * type (2,400 of the 8,600 instantiations of building bench/types/model50.ts's Sequential, TS 6).
 * The phantom below is one property that no object but a Module has.
 */
export interface ModuleLike {
  readonly [isModule]: true;
}

/** The dtype and device a module's type says its parameters have. */
export interface Placement<D extends DType = DType, Dev extends Device = Device> {
  readonly dtype: D;
  readonly device: Dev;
}

/**
 * The placement of a module's type: `Placement` (any dtype, any device) until `.to()` is called.
 * Each `.to()` intersects one more signature `() => Placement<...>` into the phantom, and
 * inference reads the last signature of an intersection, so the latest move wins.
 */
export type PlacementOf<M> = M extends { readonly [placed]?: infer F }
  ? F extends () => infer P
    ? P extends Placement
      ? P
      : Placement
    : Placement
  : Placement;
/** The dtype a module's inputs must have: its floating dtype once moved with `.to()`. */
export type DTypeOf<M> = PlacementOf<M>["dtype"];
/** The device a module's inputs must be on, once moved with `.to()`. */
export type DeviceOf<M> = PlacementOf<M>["device"];
/** The type of `m.to(target)`: m, placed on the device or cast to the dtype (the other one kept). */
export type Moved<M, T extends Device | DType> = M & {
  readonly [placed]?: () => T extends DType ? Placement<T, DeviceOf<M>> : Placement<DTypeOf<M>, T & Device>;
};

/** The class name a module gives the compiler (a literal `typeName`, see Module.typeName), else "Module". */
export type ModuleName<M> = M extends { readonly typeName: infer N extends string }
  ? string extends N
    ? "Module"
    : N
  : "Module";

export abstract class Module {
  /** Phantom, for the compiler only: see PlacementOf. */
  declare readonly [placed]?: () => Placement;
  /** Phantom, for the compiler only: see ModuleLike. */
  declare readonly [isModule]: true;
  /** Training mode (dropout active, batch norm uses batch statistics); see train() and eval(). */
  training = true;
  /** Buffer property name -> state-dict key (PyTorch's snake_case names where they differ). */
  readonly #buffers = new Map<string, string>();

  /** The forward computation. Layers type it so the compiler computes the output shape. */
  abstract forward(...inputs: never[]): unknown;

  /**
   * The class name (the constructor's), as summaries and every module message show it at run
   * time. A class is not part of its type, so nn.Sequential's compile-time messages name a user's
   * module "Module" unless the class gives its name as a literal type,
   * `override get typeName() { return "Block" as const; }`: then both sides name it "Block". A
   * layer's own compile-time messages (BatchNorm2d's channels) name the layer's class, also for a
   * subclass of it, which the run time names by its own class.
   */
  get typeName(): string {
    return this.constructor.name;
  }

  /**
   * Registers a buffer: state that is saved in the state dict and moved by `to()` but not trained
   * (batch norm's running statistics), under `stateKey` in the state dict (default: its name).
   * `null` keeps the slot empty.
   */
  protected registerBuffer(name: string, value: AnyTensor | null, stateKey = name): void {
    (this as unknown as Record<string, unknown>)[name] = value;
    this.#buffers.set(name, stateKey);
  }

  /** Direct submodules with their names (an array of modules gives `name.0`, `name.1`, ...). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (isArray(value) && value.length > 0 && value.every((v) => v instanceof Module)) {
        value.forEach((m: Module, i) => out.push([`${key}.${i}`, m]));
      }
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, depth first, with dotted names ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren())
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** Own parameters (not the children's), by property name. */
  #ownParameters(): [string, AnyTensor][] {
    return Object.entries(this).filter(([, v]) => isParameter(v)) as [string, AnyTensor][];
  }

  /** Own buffers as [state-dict key, tensor, property name]. */
  #ownBuffers(): [string, AnyTensor, string][] {
    const self = this as unknown as Record<string, unknown>;
    return [...this.#buffers]
      .filter(([prop]) => self[prop] instanceof Tensor)
      .map(([prop, key]) => [key, self[prop] as AnyTensor, prop]);
  }

  /** Every parameter with its dotted name; a parameter shared by two modules is listed once. */
  namedParameters(): [string, AnyTensor][] {
    const seen = new Set<AnyTensor>();
    const out: [string, AnyTensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.#ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(): AnyTensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, AnyTensor][] {
    const out: [string, AnyTensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m.#ownBuffers()) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose(); // freed now, not at GC: on a GPU that would leak a buffer per parameter per step
      p.grad = null;
    }
  }

  /**
   * Moves every parameter and buffer to a device, or casts the floating-point ones to a dtype, in
   * place (the module is returned, as in PyTorch). Each parameter stays the same object (its data is
   * replaced, like PyTorch's `param.data`), so an optimizer made before the move still updates the
   * module; gradients are dropped. An optimizer's state (Adam's moments) stays where it was made.
   */
  to<T extends Device | "float32" | "float64">(target: T): Moved<this, T> {
    const isDType = target === "float32" || target === "float64" || (target as string) === "int32";
    if ((target as string) === "int32") throw new Error(moduleErrors.moveInt32());
    if (!isDType && target !== "cpu" && target !== "webgpu")
      throw new Error(moduleErrors.moveTarget(JSON.stringify(target)));
    noGrad(() => {
      for (const [, m] of this.namedModules()) {
        const self = m as unknown as Record<string, AnyTensor>;
        for (const [, p] of m.#ownParameters()) {
          const moved = isDType ? cast(p.detach(), target as DType) : p.detach().to(target);
          if (moved.device === p.device && moved.dtype === p.dtype) continue; // already there
          p.grad?.dispose();
          p.grad = null;
          moveStorage(p, moved);
          markModified(p, "Module.to");
        }
        for (const [, b, prop] of m.#ownBuffers()) {
          self[prop] = isDType ? (b.dtype === "int32" ? b : cast(b, target as DType)) : b.to(target);
        }
      }
    });
    return this as Moved<this, T>;
  }

  /** Parameters and buffers by dotted name, in registration order (PyTorch's state_dict). */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [prefix, m] of this.namedModules()) {
      const join = (n: string) => (prefix ? `${prefix}.${n}` : n);
      for (const [name, p] of m.#ownParameters()) out.set(join(name), p.detach());
      for (const [name, b] of m.#ownBuffers()) out.set(join(name), b.detach());
    }
    return out;
  }

  /**
   * Loads parameters and buffers by name. Every entry is checked first (missing and unexpected
   * names with `strict`, then shapes and dtypes), so on any error the module is left untouched.
   * Values are copied (onto each parameter's device): the module never shares storage with the
   * state's tensors. Returns the names the state lacked and the names the module does not have,
   * as PyTorch's `_IncompatibleKeys` (both empty under `strict`, which throws instead).
   */
  loadStateDict(
    state: StateDict | Readonly<Record<string, AnyTensor>>,
    options: { strict?: boolean } = {},
  ): IncompatibleKeys {
    const strict = options.strict ?? true;
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const targets: {
      owner: Record<string, AnyTensor>;
      prop: string;
      name: string;
      current: AnyTensor;
      param: boolean;
    }[] = [];
    for (const [prefix, m] of this.namedModules()) {
      const owner = m as unknown as Record<string, AnyTensor>;
      for (const [prop, p] of m.#ownParameters())
        targets.push({ owner, prop, name: prefix ? `${prefix}.${prop}` : prop, current: p, param: true });
      for (const [key, b, prop] of m.#ownBuffers())
        targets.push({ owner, prop, name: prefix ? `${prefix}.${key}` : key, current: b, param: false });
    }
    const known = new Set(targets.map((t) => t.name));
    const missingKeys = targets.filter((t) => !entries.has(t.name)).map((t) => t.name);
    const unexpectedKeys = [...entries.keys()].filter((n) => !known.has(n));
    if (strict) {
      if (missingKeys.length) throw new Error(nnErrors.stateMissing(missingKeys));
      if (unexpectedKeys.length) throw new Error(nnErrors.stateUnexpected(unexpectedKeys));
    }
    for (const t of targets) {
      const v = entries.get(t.name);
      if (!v) continue;
      if (!(v instanceof Tensor)) throw new Error(moduleErrors.stateNotTensor(t.name));
      if (!sameShape(v.shape, t.current.shape)) throw new Error(nnErrors.stateShape(t.name, v.shape, t.current.shape));
      if (v.dtype !== t.current.dtype) throw new Error(nnErrors.stateDType(t.name, v.dtype, t.current.dtype));
    }
    // Every check passed: now write. Copies are made first so a device error cannot leave half a
    // model. detach() copies off the CPU only; a state made by loadSafetensors is the module's alone.
    const own = ownedStates.has(entries);
    const copies = noGrad(() =>
      targets.map((t) => {
        const v = entries.get(t.name);
        if (!v) return null;
        if (v.device !== t.current.device) return v.detach().to(t.current.device);
        return own || v.device !== "cpu" ? v.detach() : v.detach().clone();
      }),
    );
    targets.forEach((t, i) => {
      const v = copies[i];
      if (!v) return;
      if (t.param) replaceData(t.current, v, `loadStateDict ("${t.name}")`);
      else t.owner[t.prop] = v;
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The number of parameter elements, trainable or not (the trainable ones: `parameters()` with `requiresGrad`). */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + numel(p.shape), 0);
  }

  /**
   * A table of every module's output shape and parameter count, like torchinfo or Keras: runs one
   * forward pass on zeros of `inputShape` (in eval mode, without a graph, restoring the mode after).
   */
  summary(inputShape: readonly number[], options: { dtype?: DType; device?: Device; print?: boolean } = {}): string {
    const x = tensor(new Float32Array(numel(inputShape)), {
      shape: inputShape as number[],
      dtype: (options.dtype ?? "float32") as "float32",
      device: options.device ?? "cpu",
    });
    const modules = this.namedModules();
    const modes = modules.map(([, m]) => m.training);
    const records = new Map<Module, CallRecord>();
    const before = recorder;
    recorder = records;
    // A layer records its own calls; a custom module's forward is the user's code, so for this one
    // pass its instance gets a forward that records what the class's forward returns.
    const custom = modules.map(([, m]) => m).filter((m) => !(m instanceof Layer) && !Object.hasOwn(m, "forward"));
    for (const m of custom) {
      const forward = m.forward.bind(m);
      Object.defineProperty(m, "forward", {
        configurable: true,
        value: (...inputs: never[]) => {
          const y = forward(...inputs);
          recordCall(m, y);
          return y;
        },
      });
    }
    try {
      this.eval();
      noGrad(() => (this.forward as (x: AnyTensor) => unknown)(x));
    } finally {
      recorder = before;
      for (const m of custom) delete (m as { forward?: unknown }).forward;
      modules.forEach(([, m], i) => (m.training = modes[i]));
    }
    const rows: [string, string, string][] = [];
    const ownCount = (m: Module) => m.#ownParameters().reduce((n, [, p]) => n + numel(p.shape), 0);
    // Indented once per enclosing module: `blocks.0` sits one level under its owner, not two (an
    // array is not a module).
    const names = new Set(modules.map(([name]) => name));
    const depthOf = (name: string) =>
      name.split(".").filter((_, i, parts) => names.has(parts.slice(0, i + 1).join("."))).length;
    for (const [name, m] of modules) {
      const depth = name === "" ? 0 : depthOf(name);
      const rec = records.get(m);
      const out = rec ? (typeof rec.output === "string" ? rec.output : formatShape(rec.output)) : "--";
      const count = m === this ? this.parameterCount() : ownCount(m) || (m.children().length ? m.parameterCount() : 0);
      const label = `${"  ".repeat(depth)}${m.typeName}${name ? ` (${name})` : ""}`;
      rows.push([label, out, count ? count.toLocaleString("en-US") : "--"]);
    }
    const header: [string, string, string] = ["Layer (type)", "Output Shape", "Param #"];
    const widths = [0, 1, 2].map((i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
    const line = (r: [string, string, string]) =>
      `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padStart(widths[2])}`;
    const rule = "=".repeat(widths[0] + widths[1] + widths[2] + 4);
    const total = this.parameterCount();
    const trainable = this.parameters()
      .filter((p) => p.requiresGrad)
      .reduce((n, p) => n + numel(p.shape), 0);
    const text = [
      rule,
      line(header),
      rule,
      ...rows.map(line),
      rule,
      `Input shape: ${formatShape(inputShape)}`,
      `Total params: ${total.toLocaleString("en-US")}`,
      `Trainable params: ${trainable.toLocaleString("en-US")}`,
      `Non-trainable params: ${(total - trainable).toLocaleString("en-US")}`,
      rule,
    ].join("\n");
    if (options.print ?? false) console.log(text);
    return text;
  }

  toString(): string {
    const lines = [`${this.typeName}(`];
    for (const [name, child] of this.namedChildren())
      lines.push(`  (${name}): ${String(child).split("\n").join("\n  ")}`);
    return lines.length === 1 ? `${this.typeName}(${this.extraRepr()})` : `${lines.join("\n")}\n)`;
  }

  /** Extra text for toString (a layer's sizes and options). */
  protected extraRepr(): string {
    return "";
  }
}

/**
 * A module whose output shape is a type-level function of its input shape (`F`, see ./types.ts):
 * its `forward` is typed once here for every layer, and `nn.Sequential` chains the functions.
 * Subclasses implement `compute` on tensors of any shape, checking at run time what `F` checks at
 * compile time.
 */
export abstract class Layer<F extends ShapeFn, P = null> extends Module {
  /** Phantom: the layer's shape function, for the compiler only. */
  declare readonly __shape?: F;
  /** Phantom: a layer built from given tensors (P) is placed where they are (see PlacementOf). */
  declare readonly [placed]?: () => P extends Placement ? P : Placement;

  protected abstract compute(x: AnyTensor): AnyTensor;

  /**
   * One signature for every input (issue 19): four route parameters, which no argument infers and
   * the checker resolves from the input's dims (types/shape/generic.ts DimRoute), say whether the
   * channel dim (RC), the layer's own channels (RL) and the sizes (RH, RW) are type parameters;
   * ./types.ts LayerArg and LayerResult give the rule each route runs. A literal call keeps every
   * message of the rule; a generic size or batch gets the same messages from the rule on `number`
   * sizes; a block's generic channels are checked by the layer's [in, out] pair.
   */
  forward<
    S extends Shape,
    D extends DTypeOf<this>,
    Dev extends DeviceOf<this>,
    RC extends DimRoute<ChannelDim<S>> = GenericRoute,
    RL extends PairRoute<LayerChannels<F>[0], LayerChannels<F>[1]> = GenericRoute,
    RH extends DimRoute<HeightDim<S>> = GenericRoute,
    RW extends DimRoute<WidthDim<S>> = GenericRoute,
  >(
    x: LayerArg<F, S, D, Dev, RC, RL, RH, RW>,
    // Bound by `infer` before Tensor<...> is written: a Tensor of a conditional is a deferred
    // reference, which prints the same but is not identical to the written type.
  ): LayerResult<F, S, RC, RL, RH, RW> extends infer O extends Shape ? Tensor<O, D, Dev> : never;
  forward(x: AnyTensor): AnyTensor {
    const y = this.compute(x);
    recordCall(this, y);
    return y;
  }
}
