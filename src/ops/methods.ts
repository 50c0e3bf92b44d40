/**
 * The ops that are also Tensor methods, in one table: each entry installs a public op on
 * Tensor.prototype with `this` as its first argument, and the interface below declares it, one
 * line per method, typed from the op family's method signature. src/tensor.ts thus needs no op
 * at run time (no import cycle through the class), and adding a method is one line here and one
 * in the table. src/index.ts imports this module for its effect (package.json lists it in
 * `sideEffects`, so bundlers keep it).
 */
import type { DType, Device, Shape } from "../../types/core.js";
import type { Expanded } from "../../types/shape/reshape.js";
import { argumentErrors, show } from "../../types/errors.js";
import { checkSeed, Tensor, type AnyTensor } from "../tensor.js";
import { readOptions } from "../autograd/engine.js";
import { runBackward } from "../autograd/backward.js";
import { onesLike } from "./arguments.js";
import { anyShape as elementwise, type BinaryMethod } from "./elementwise.js";
import { anyShape as reduce, type ArgMaxMethod, type ReductionMethod } from "./reduce.js";
import {
  anyShape as movement,
  type FlattenMethod,
  type PermuteMethod,
  type ReshapeMethod,
  type SqueezeMethod,
  type TransposeMethod,
  type UnsqueezeMethod,
} from "./movement.js";
import { anyShape as join, type ChunkMethod, type NarrowMethod, type SplitMethod } from "./join.js";
import { anyShape as product, type MatMulMethod } from "./matmul.js";
import { cast, clone, detach, replaceData, toDevice, toDeviceAsync } from "./device.js";

type BackwardOptions = { createGraph?: boolean; retainGraph?: boolean };

/**
 * Accumulates the gradient of `output` into every leaf that requires one. With no seed a
 * non-scalar output is seeded with ones (as lucid does; PyTorch requires a seed); an explicit
 * seed must have the output's shape, dtype and device.
 */
function backward(output: AnyTensor, seed?: AnyTensor | null, options: BackwardOptions = {}): void {
  // null means "no seed", as PyTorch's backward(None).
  if (seed != null && !(seed instanceof Tensor)) throw new Error(argumentErrors.seed("backward", show(seed)));
  const { createGraph, retainGraph } = readOptions("backward", options, [
    "createGraph",
    "retainGraph",
  ]) as BackwardOptions;
  if (!output.requiresGrad) throw new Error(argumentErrors.noGrad());
  if (seed != null) checkSeed("backward", seed, output);
  const g = seed ?? onesLike(output);
  // PyTorch's default: a graph that is being differentiated again (createGraph) is kept.
  runBackward([output], [g], null, createGraph ?? false, retainGraph ?? createGraph ?? false);
}

declare module "../tensor.js" {
  interface Tensor<out S extends Shape = Shape, out D extends DType = "float32", out Dev extends Device = "cpu"> {
    /**
     * Accumulates the gradient of this tensor into every leaf that requires one. With no argument a
     * non-scalar output is seeded with ones (as lucid does; PyTorch requires a seed); an explicit
     * seed must have this tensor's shape, dtype and device.
     */
    backward<T extends AnyTensor>(
      this: T,
      seed?: Tensor<T["shape"], T["dtype"], T["device"]>,
      options?: { createGraph?: boolean; retainGraph?: boolean },
    ): void;
    /**
     * A copy on another device (this tensor if it is already there), detached from the graph like a
     * new leaf that keeps `requiresGrad`. Reading back from a GPU cannot be synchronous: use
     * `await t.toAsync("cpu")` there.
     */
    to<T extends Device>(device: T): Tensor<S, D, T>;
    toAsync<T extends Device>(device: T): Promise<Tensor<S, D, T>>;
    /**
     * The same data, cut from the graph. On the CPU it shares the (immutable) storage; on a device
     * it is a copy, so that every buffer has one owner.
     */
    detach(): Tensor<S, D, Dev>;
    /** A copy that stays in the graph. */
    clone(): Tensor<S, D, Dev>;
    /**
     * Replaces this tensor's data with `value`'s (same shape, dtype and device), without recording
     * anything: how optimizers update parameters. `value` is consumed (disposed) unless it is used elsewhere.
     */
    assign<T extends AnyTensor>(this: T, value: Tensor<T["shape"], T["dtype"], T["device"]>): T;
    cast<T extends DType>(dtype: T): Tensor<S, T, Dev>;

    add: BinaryMethod<"add">;
    sub: BinaryMethod<"sub">;
    mul: BinaryMethod<"mul">;
    div: BinaryMethod<"div">;
    maximum: BinaryMethod<"maximum">;
    minimum: BinaryMethod<"minimum">;
    /** 1 where this > other, else 0, in this dtype. */
    gt: BinaryMethod<"greater">;
    lt: BinaryMethod<"less">;
    eq: BinaryMethod<"equal">;
    neg(): Tensor<S, D, Dev>;
    exp(): Tensor<S, D, Dev>;
    log(): Tensor<S, D, Dev>;
    sqrt(): Tensor<S, D, Dev>;
    abs(): Tensor<S, D, Dev>;
    sign(): Tensor<S, D, Dev>;
    tanh(): Tensor<S, D, Dev>;
    sigmoid(): Tensor<S, D, Dev>;
    relu(): Tensor<S, D, Dev>;
    erf(): Tensor<S, D, Dev>;
    square(): Tensor<S, D, Dev>;
    pow(exponent: number): Tensor<S, D, Dev>;

    sum: ReductionMethod;
    mean: ReductionMethod;
    /** Largest value over dims (torch.amax). */
    max: ReductionMethod;
    min: ReductionMethod;
    /** Variance over dims, unbiased by default (correction 1), as torch.var. */
    var: ReductionMethod<[correction?: number]>;
    argmax: ArgMaxMethod;

    matmul: MatMulMethod;

    reshape: ReshapeMethod;
    view: ReshapeMethod;
    flatten: FlattenMethod;
    permute: PermuteMethod;
    transpose: TransposeMethod;
    /** A size-1 dim inserted at `dim` (torch.Tensor.unsqueeze). */
    unsqueeze: UnsqueezeMethod;
    /** Size-1 dims removed: all, or `dim` if it is 1 (torch.Tensor.squeeze). */
    squeeze: SqueezeMethod;
    expand<const T extends Shape>(shape: T): Tensor<Expanded<S, T>, D, Dev>;
    /** Pieces along `dim`: of a size (the last smaller) or of listed sizes (torch.Tensor.split). */
    split: SplitMethod;
    /** At most `chunks` pieces of ceil(n / chunks) along `dim` (torch.Tensor.chunk). */
    chunk: ChunkMethod;
    /** `length` elements of `dim` from `start` (torch.Tensor.narrow). */
    narrow: NarrowMethod;
  }
}

/** Each method's implementation, called with the tensor as its first argument. */
const methods: Record<string, (self: AnyTensor, ...args: never[]) => unknown> = {
  backward,
  to: toDevice,
  toAsync: toDeviceAsync,
  detach,
  clone,
  cast,
  assign: (t: AnyTensor, value: AnyTensor) => replaceData(t, value, "assign"),
  add: elementwise.add,
  sub: elementwise.sub,
  mul: elementwise.mul,
  div: elementwise.div,
  maximum: elementwise.maximum,
  minimum: elementwise.minimum,
  gt: elementwise.greater,
  lt: elementwise.less,
  eq: elementwise.equal,
  neg: elementwise.neg,
  exp: elementwise.exp,
  log: elementwise.log,
  sqrt: elementwise.sqrt,
  abs: elementwise.abs,
  sign: elementwise.sign,
  tanh: elementwise.tanh,
  sigmoid: elementwise.sigmoid,
  relu: elementwise.relu,
  erf: elementwise.erf,
  square: elementwise.square,
  pow: elementwise.pow,
  sum: reduce.sum,
  mean: reduce.mean,
  max: reduce.max,
  min: reduce.min,
  var: reduce.variance,
  argmax: reduce.argmax,
  matmul: product.matmul,
  reshape: movement.reshape,
  view: movement.reshape,
  flatten: movement.flatten,
  permute: movement.permute,
  transpose: movement.transpose,
  unsqueeze: movement.unsqueeze,
  squeeze: movement.squeeze,
  expand: movement.expand,
  split: join.split,
  chunk: join.chunk,
  narrow: join.narrow,
};

for (const [name, fn] of Object.entries(methods)) {
  // A named method, not enumerable, as a class body would have declared it.
  const method = {
    [name](this: AnyTensor, ...args: never[]) {
      return fn(this, ...args);
    },
  }[name];
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
}
