/**
 * What a device must provide. A backend owns its storage type (a typed array on the CPU, a GPU
 * buffer on WebGPU); tensors hold an opaque storage and never look inside it.
 */
import type { AnyTypedArray, DType, Device } from "../types/core.js";
import type { Primitive, PrimitiveParams } from "./primitives/index.js";

export interface KernelInput<Storage> {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface KernelOutput {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A kernel reads its inputs and returns a new storage of `out.shape` and `out.dtype`. Inputs are
 * never modified. The shape rule has already run, so a kernel may trust every shape.
 */
export type Kernel<P extends Primitive, Storage> = (
  inputs: readonly KernelInput<Storage>[],
  params: PrimitiveParams[P],
  out: KernelOutput,
) => Storage;

export type KernelTable<Storage> = { readonly [P in Primitive]: Kernel<P, Storage> };

export interface Backend<Storage = unknown> {
  readonly device: Device;
  readonly kernels: KernelTable<Storage>;
  /** Copies host data in. `data.length` is the element count. */
  upload(data: AnyTypedArray, dtype: DType): Storage;
  /** A new storage of `size` elements, every one equal to `value`. */
  full(size: number, value: number, dtype: DType): Storage;
  /** Host copy of the data, for any device. */
  read(storage: Storage, dtype: DType, size: number): Promise<AnyTypedArray>;
  /** Synchronous read; only backends whose memory the host can see provide it. */
  readSync?(storage: Storage, dtype: DType, size: number): AnyTypedArray;
  /**
   * `dataSync()` handed `storage` to the caller, who may write it from now on: caches derived from
   * its data must check it before use. Only backends with `readSync` need it.
   */
  expose?(storage: Storage): void;
  /**
   * One owner of `storage` lets it go (a tensor disposed, or its data replaced): the last one frees
   * it now (WebGPU) or gives it back for reuse (the CPU's float arrays, src/backends/cpu/arrays.ts).
   */
  release(storage: Storage): void;
  /**
   * A tensor now holds `storage`, possibly besides others (a reshape or detach shares it); each
   * retain is balanced by one `release`. Only backends whose kernels return shared storage need it.
   */
  retain?(storage: Storage): void;
  /** Training-mode batch norm's fused loops, where the backend has them (the batchNormTrain primitive needs them). */
  readonly batchNorm?: BatchNormLoops<Storage>;
  /** layerNorm's and groupNorm's fused loops, where the backend has them (the rowNorm primitive needs them). */
  readonly rowNorm?: RowNormLoops<Storage>;
  /** The optimizers' updates of a float32 parameter in one pass each, where the backend has them. */
  readonly optimizerSteps?: OptimizerSteps<Storage>;
}

/** Per-channel statistics of an [N, C, ...] input over every dim but 1, in float64. */
export interface ChannelStats {
  readonly mean: Float64Array;
  /** Biased (divided by the count, as the normalisation uses). */
  readonly variance: Float64Array;
}

export interface BatchNormLoops<Storage> {
  channelStats(x: KernelInput<Storage>): ChannelStats;
  /**
   * batchNormTrain's gradients for the cotangent g, from the forward's statistics: fresh storage
   * for the input's gradient (null unless `wantInput`), the weight's and the bias's. With `relu`
   * (batchNormReluTrain's output and bias), for relu's gradient of g instead: its mask is the
   * output's, which a backend may read or recompute from x, the statistics, weight and bias.
   */
  backward(
    x: KernelInput<Storage>,
    g: KernelInput<Storage>,
    weight: KernelInput<Storage>,
    params: PrimitiveParams["batchNormTrain"],
    wantInput: boolean,
    relu: { readonly output: KernelInput<Storage>; readonly bias: KernelInput<Storage> } | null,
  ): { readonly input: Storage | null; readonly weight: Storage; readonly bias: Storage };
}

/** rowNorm's fused backward (its row statistics are `BatchNormLoops.channelStats` of x as [1, rows, M]). */
export interface RowNormLoops<Storage> {
  /**
   * rowNorm's gradients for the cotangent g, from the forward's statistics: fresh storage for the
   * input's gradient (null unless `wantInput`), the weight's and the bias's (of the weight's shape).
   */
  backward(
    x: KernelInput<Storage>,
    g: KernelInput<Storage>,
    weight: KernelInput<Storage>,
    params: PrimitiveParams["rowNorm"],
    wantInput: boolean,
  ): { readonly input: Storage | null; readonly weight: Storage; readonly bias: Storage };
}

/** The scalars of one Adam step, each as the op form's float32 0-d tensor holds it. */
export interface AdamCoefficients {
  b1: number;
  c1: number;
  b2: number;
  c2: number;
  eps: number;
  decay: boolean;
  decoupled: boolean;
  wd: number;
  keep: number;
  root2: number;
  size: number;
  maximize: boolean;
  amsgrad: boolean;
}

/** The scalars of one SGD step, rounded to float32 as the op form's 0-d tensors hold them. */
export interface SgdCoefficients {
  lr: number;
  decay: boolean;
  wd: number;
  maximize: boolean;
  momentum: boolean;
  mu: number;
  damp: number;
  nesterov: boolean;
}

/**
 * One update of a float32 parameter whose gradient and state are float32 of its shape (the
 * caller checks), results in fresh storage. A state argument is null on the first step.
 */
export interface OptimizerSteps<Storage> {
  adam(
    k: AdamCoefficients,
    param: KernelInput<Storage>,
    grad: KernelInput<Storage>,
    expAvg: KernelInput<Storage> | null,
    expAvgSq: KernelInput<Storage> | null,
    maxExpAvgSq: KernelInput<Storage> | null,
    inPlace?: boolean,
  ): {
    readonly value: Storage;
    readonly expAvg: Storage;
    readonly expAvgSq: Storage;
    readonly maxExpAvgSq: Storage | null;
  };
  /**
   * `inPlace`: the new values go into the parameter's and the state's own storage (a state that
   * is null gets fresh storage), which `writable` said may be written; else into fresh storage.
   */
  sgd(
    k: SgdCoefficients,
    param: KernelInput<Storage>,
    grad: KernelInput<Storage>,
    momentumBuffer: KernelInput<Storage> | null,
    inPlace?: boolean,
  ): { readonly value: Storage; readonly momentumBuffer: Storage | null };
  /**
   * Whether each of these storages is held by one tensor alone (no view, no dataSync() caller),
   * so that its holder may overwrite it: an optimizer's in-place update (issue 23).
   */
  writable(storages: readonly Storage[]): boolean;
  /** `storage` was overwritten in place: what caches derived from its old data (packed weights) is dropped. */
  rewritten(storage: Storage): void;
}
