/**
 * The WebAssembly runtime of the fast float32 kernels: one shared linear memory, the kernels module
 * instantiated on the main thread and in every worker of a small pool, and a synchronous dispatcher.
 *
 * A job is (kernel, parameter block, item count). The main thread publishes it in the control block
 * of the shared memory, wakes the workers, and then claims items itself exactly like a worker does,
 * so a job always finishes even when no worker is alive or awake; it returns once every claimed item
 * is done. The API therefore stays synchronous: the main thread blocks in Atomics.wait only while a
 * worker finishes an item it has already started. Workers are unref'd, so an idle process exits.
 *
 * Memory layout (bytes): [0, 256) control block | [256, 384) parameter block | the job's unit
 * owners (4 KiB) | packed weights kept between calls (at most KEEP_BYTES) | per-thread scratch |
 * the call's operands. Memory only grows,
 * to the largest call seen plus the kept packings (the bound is stated in docs/performance.md); it
 * never grows across repeated calls of the same shapes.
 */
import { onRecycle } from "../arrays.js";
import { kernelModuleBytes, relaxedSimd } from "./wasm/kernel-module.js";
import { KERNEL_PARAMS, PARAM, PARAM_COUNT } from "./wasm/kernels.generated.js";
import { workerErrors } from "../../../../types/errors.js";

/** The kernels jobs run, by export name of the module (workers index them the same way). */
export type KernelName = keyof typeof KERNEL_PARAMS;
const KERNELS = Object.keys(KERNEL_PARAMS) as KernelName[];
/**
 * The parameter block of a job of `K`: the fields every kernel reads the same way, and the ones `K`
 * keeps in its own slots (see KERNEL_OWN_PARAMS in scripts/wasm/gen-wat.mjs). Unset fields are 0.
 */
export type KernelParams<K extends KernelName> = Partial<
  Record<keyof typeof PARAM | keyof (typeof KERNEL_PARAMS)[K], number>
>;
/**
 * Per kernel, the field each slot of the block holds (undefined: a slot the kernel does not read).
 * `params` walks the slots in order instead of the call's fields: no Object.entries array per call,
 * and every slot is written once, so the block needs no separate clearing (a fill on a shared view
 * is a runtime call, ~1 us).
 */
export const SLOT_FIELDS: Readonly<Record<KernelName, readonly (string | undefined)[]>> = Object.fromEntries(
  KERNELS.map((k) => {
    const fields: (string | undefined)[] = new Array<string | undefined>(PARAM_COUNT).fill(undefined);
    for (const [name, slot] of Object.entries({ ...PARAM, ...KERNEL_PARAMS[k] })) fields[slot] = name;
    return [k, fields];
  }),
) as Record<KernelName, (string | undefined)[]>;
/** Index of each kernel in KERNELS (the workers' function table). */
const KERNEL_INDEX = Object.fromEntries(KERNELS.map((k, i) => [k, i])) as Record<KernelName, number>;
type KernelFn = (params: number, item: number, scratch: number) => void;

// Control block, Int32 indices. CLAIM is a BigInt64 slot at byte 64: high half = job generation,
// low half = claim units not yet claimed; a claim is a compare-exchange that fails once the job changed,
// so a late worker can never run an item of one job with the fields of another.
const C_SIGNAL = 0; // bumped (and notified) when a job is published or on shutdown
const C_FN = 1;
const C_PARAMS = 2;
const C_TOTAL = 3;
const C_DONE = 4; // claim units finished in the current job
const C_SCRATCH = 5; // scratch base
const C_SCRATCH_STRIDE = 6;
const C_FAILED = 7; // a worker's kernel threw (not expected: kernels are total) -> rerun on main
const C_SLOTS = 8; // scratch slots laid out for this job: a worker whose id is not below it stays out
const C_PER = 9; // items per claim: a claimed unit u runs items [u * per, min(total, (u + 1) * per))
const C_WORKER_UNITS = 10; // claim units run by workers since the runtime started (tests)
const CLAIM_INDEX = 8; // BigInt64Array index (byte 64), past the Int32 fields above
const C_TEST = 11; // tests: the worker id that dies (process.exit) after taking its next unit...
const C_TEST_HANG = 12; // ...or that holds its next unit without running it, until woken here
/** ctl[C_READY + id] = 1 once worker `id` has instantiated the kernels and waits for jobs. */
const C_READY = 24;
/** ctl[C_DEAD + id] = 1 once worker `id` has exited (its own exit path ran: nothing more runs on it). */
const C_DEAD = 44;
/** Workers at most (ids 1..MAX_THREADS - 1 index C_READY and C_DEAD), the calling thread included. */
const MAX_THREADS = 20;
const PARAMS_PTR = 256;
/**
 * Per claim unit of the current job: -(generation + 2) = not owned yet, t + 1 = thread t runs it,
 * -1 = done. A thread that took unit u from the claim counter must then win owners[u] from the
 * job's "not owned" value, or skip it: so the calling thread can take over a unit claimed by a
 * worker that died before owning it, and one owned by a dead worker, without ever running a unit
 * twice at the same time; and a worker that took a unit of an earlier job and was preempted before
 * owning it finds the value of a later job there and skips it.
 */
const OWNERS_PTR = PARAMS_PTR + PARAM_COUNT * 4;
/** Most claim units of a job (owners[] has one Int32 each). */
const MAX_UNITS = 1024;
const DATA_ALIGN = 64;
const PAGE = 65536;
/**
 * Least work (FLOPs, or elements for packing) for which a job is shared with the workers: about
 * 0.1 ms of one thread. A worker spins ~0.2 ms after each job before it sleeps, so the jobs of one
 * call (and of back-to-back calls) find it awake; waking a sleeping one costs tens of microseconds.
 */
const PARALLEL_WORK = 3e6;
/**
 * Iterations (~0.2 ms) a thread polls before it sleeps in Atomics.wait: a worker after each job,
 * waiting for the next; the caller at a job's end, waiting for a worker's last items. A sleeping
 * thread's vCPU goes idle, and waking it on this VM costs tens of microseconds (the caller polling
 * first: 1.005-1.03x in paired A/Bs, most on sub-millisecond calls).
 */
const SPIN = 150000;
/** Least work of a job whose parallel efficiency tells whether the machine is busy (see run). */
const JUDGED_WORK = 2e7;
/** Start of the kept packed weights, right after the unit owners. */
const KEPT_BASE = OWNERS_PTR + MAX_UNITS * 4;
/**
 * Least time (ms) without a finished unit after which a job whose remaining units are held by
 * workers that have not exited is given up (a thread stopped from outside, by terminate() or the
 * host, runs no exit path). The bound is also 100 times the slowest unit the caller ran itself.
 */
const STALL_MS = 10_000;
/** Most memory the kept packed weights may hold (a ResNet-18's forward packings take ~45 MiB). */
export const KEEP_BYTES = 64 * 2 ** 20;
const MAX_PAGES = 65536; // 4 GiB address space reserved, committed only as it grows

/**
 * A call whose memory would pass the 4 GiB a 32-bit WebAssembly memory can address (or that the
 * host refused to commit). Thrown by `layout` before anything is written; the CPU backend catches
 * it and runs the reference kernel instead (`orReference` in fast/index.ts), so it never reaches
 * the user.
 */
export class FastMemoryExceeded extends Error {
  constructor(
    readonly bytes: number,
    limit: number,
  ) {
    super(`fast kernels: a call needs ${bytes} bytes, more than the ${limit} the WebAssembly memory can hold`);
  }
}

// Valid both as a CommonJS script and as an ES module: an eval worker inherits the parent's
// execArgv, and under \`node --input-type=module\` it is evaluated as a module, where require is
// not defined (the pool's workers used to die at start there, and one was respawned per call).
const workerSource = `
const wt = process.getBuiltinModule ? process.getBuiltinModule("node:worker_threads") : require("node:worker_threads");
const { module, memory, id, names } = wt.workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => inst.exports[n]);
const ctl = new Int32Array(memory.buffer, 0, 64);
const claim = new BigInt64Array(memory.buffer, 0, 16);
const owners = new Int32Array(memory.buffer, ${OWNERS_PTR}, ${MAX_UNITS});
const units = (total, per) => Math.ceil(total / per);
let seen = wt.workerData.signal;
process.on("exit", () => {
  Atomics.store(ctl, ${C_READY} + id, 0);
  Atomics.store(ctl, ${C_DEAD} + id, 1);
  Atomics.notify(ctl, ${C_DONE});
});
Atomics.store(ctl, ${C_READY} + id, 1);
for (;;) {
  // jobs come in runs (pack, pad, compute; the next call): spin ~0.2 ms before sleeping,
  // as waking a sleeping worker can cost more than a small job (a parked worker just sleeps)
  const spin = id < Atomics.load(ctl, ${C_SLOTS}) ? ${SPIN} : 0;
  for (let i = 0; i < spin && Atomics.load(ctl, ${C_SIGNAL}) === seen; i++);
  Atomics.wait(ctl, ${C_SIGNAL}, seen);
  seen = Atomics.load(ctl, ${C_SIGNAL});
  for (;;) {
    const v = Atomics.load(claim, ${CLAIM_INDEX});
    const left = Number(v & 0xffffffffn);
    if (left === 0) break;
    const fn = fns[Atomics.load(ctl, ${C_FN})];
    const params = Atomics.load(ctl, ${C_PARAMS});
    const total = Atomics.load(ctl, ${C_TOTAL});
    const scratch = Atomics.load(ctl, ${C_SCRATCH}) + id * Atomics.load(ctl, ${C_SCRATCH_STRIDE});
    const per = Atomics.load(ctl, ${C_PER});
    if (id >= Atomics.load(ctl, ${C_SLOTS})) break;
    if (Atomics.compareExchange(claim, ${CLAIM_INDEX}, v, v - 1n) !== v) continue;
    const open = -Number(v >> 32n) - 2;
    if (Atomics.compareExchange(owners, left - 1, open, id + 1) !== open) continue;
    if (Atomics.compareExchange(ctl, ${C_TEST}, id, 0) === id) process.exit(70);
    if (Atomics.load(ctl, ${C_TEST_HANG}) === id) Atomics.wait(ctl, ${C_TEST_HANG}, id);
    const end = Math.min(total, left * per);
    try { for (let i = end - 1; i >= (left - 1) * per; i--) fn(params, i, scratch); } catch { Atomics.store(ctl, ${C_FAILED}, 1); }
    Atomics.store(owners, left - 1, -1);
    Atomics.add(ctl, ${C_WORKER_UNITS}, 1);
    if (Atomics.add(ctl, ${C_DONE}, 1) + 1 === units(total, per)) Atomics.notify(ctl, ${C_DONE});
  }
}
`;

/** How a FastRuntime is built (see its constructor). */
export interface RuntimeOptions {
  shared?: boolean;
  Worker?: WorkerCtor;
  fma?: boolean;
}

export interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
  on(event: "exit" | "error", listener: (arg: unknown) => void): unknown;
}
export type WorkerCtor = new (code: string, options: { eval: true; workerData: unknown }) => WorkerLike;

/** node:worker_threads when running in Node (loaded synchronously), otherwise null: one thread. */
function workerConstructor(): WorkerCtor | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.("node:worker_threads") as { Worker?: WorkerCtor } | undefined;
  return mod?.Worker ?? null;
}

function defaultThreads(): number {
  const os = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
    "node:os",
  ) as { availableParallelism?: () => number } | undefined;
  return Math.max(1, Math.min(os?.availableParallelism?.() ?? 1, 8));
}

export class FastRuntime {
  readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  private readonly fns: KernelFn[];
  private readonly ctl: Int32Array;
  private readonly claim: BigInt64Array;
  // Views of the memory, made again only when `layout` grows it: reading `memory.buffer` of a
  // shared memory makes a new SharedArrayBuffer object each time (~0.8 us), and a plain memory's
  // growth detaches the old buffer, so the views must follow every growth, and only growth.
  private f32!: Float32Array;
  private i32!: Int32Array;
  /** The parameter block's PARAM_COUNT slots. */
  private block!: Int32Array;
  private threads: number;
  private workers: (WorkerLike | null)[] = [];
  private generation = 0;
  private Worker: WorkerCtor | null;
  private readonly owners: Int32Array;
  /** workers that exited unexpectedly and were replaced (observable for tests) */
  replacedWorkers = 0;
  /** parallel jobs run on the calling thread alone until then (performance.now() ms) */
  soloUntil = 0;
  /** times the runtime judged the machine busy and went solo for SOLO_MS (benchmarks report it) */
  soloEpisodes = 0;
  /** false: always use the workers for eligible jobs, however busy the machine (tests) */
  adaptive = true;
  /** Why the workers could not start (then the runtime stays on one thread), or null. */
  startFailure: string | null = null;
  /** Least no-progress time (ms) before a job held by unresponsive workers is given up (tests lower it). */
  stallMs = STALL_MS;
  /** Units the calling thread took over from workers that died holding them (tests). */
  rescuedUnits = 0;
  /** Most bytes a call may lay out (the 4 GiB of a 32-bit memory); tests lower it to reach the
   * reference fallback without 4 GiB arrays. */
  maxBytes = MAX_PAGES * PAGE;
  /** Least work of a job shared with the workers (PARALLEL_WORK; tests move it to put a job on one
   * thread or on all). */
  parallelWork = PARALLEL_WORK;
  /** Whether the kernels are the FMA build (fused multiply-adds in the GEMM tile) or the plain one. */
  readonly fma: boolean;

  /** `shared: false` forces the single-thread build on plain memory (what a host without
   * SharedArrayBuffer gets automatically); `Worker` replaces node:worker_threads' (tests); `fma:
   * false` forces the plain kernels where the FMA ones would load (tests keep both covered). */
  constructor(options: RuntimeOptions = {}) {
    let memory: WebAssembly.Memory | null = null;
    try {
      if (options.shared !== false) memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    } catch {
      // no SharedArrayBuffer (a browser page without cross-origin isolation): one thread, plain memory
    }
    const shared = memory !== null;
    this.memory = memory ?? new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES });
    this.fma = options.fma !== false && relaxedSimd();
    this.module = new WebAssembly.Module(kernelModuleBytes(shared, this.fma));
    const inst = new WebAssembly.Instance(this.module, { env: { memory: this.memory } });
    this.fns = KERNELS.map((n) => inst.exports[n] as KernelFn);
    this.ctl = new Int32Array(this.memory.buffer, 0, 64);
    this.claim = new BigInt64Array(this.memory.buffer, 0, 16);
    this.owners = new Int32Array(this.memory.buffer, OWNERS_PTR, MAX_UNITS);
    this.refreshViews();
    this.Worker = shared ? (options.Worker ?? workerConstructor()) : null;
    this.threads = this.Worker ? defaultThreads() : 1;
  }

  get numThreads(): number {
    return this.threads;
  }

  /**
   * Total threads used by a job, the calling thread included (1 = no workers). Workers beyond the
   * new count are parked, not terminated (they sleep, unref'd): starting one again costs tens of
   * milliseconds, and a program that switches counts (a benchmark) would pay that every time.
   */
  setNumThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
    this.threads = this.Worker ? Math.min(n, MAX_THREADS) : 1;
  }

  /** Resolves once every worker of the current thread count has started (tests, benchmarks). */
  async whenReady(timeoutMs = 30_000): Promise<void> {
    this.ensureWorkers();
    const until = performance.now() + timeoutMs;
    while (this.readyWorkers() < this.threads - 1) {
      if (this.startFailure !== null) return;
      if (performance.now() > until)
        throw new Error(`fast kernels: ${this.threads - 1} workers did not start within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Stops every worker (they are unref'd, so this is only needed for a prompt, explicit teardown). */
  async shutdown(): Promise<void> {
    const ws = this.workers.filter((w): w is WorkerLike => w !== null);
    this.workers = [];
    await Promise.all(ws.map((w) => this.retire(w)));
  }

  private retire(w: WorkerLike): Promise<number> {
    (w as { retired?: boolean }).retired = true;
    return w.terminate();
  }

  /** The live worker objects (for the dead-worker test). */
  get workerHandles(): readonly (WorkerLike | null)[] {
    return this.workers;
  }

  /** Float32 view of the whole memory (only `layout` grows it, and makes the views again). */
  get F32(): Float32Array {
    return this.f32;
  }

  get I32(): Int32Array {
    return this.i32;
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer;
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.block = new Int32Array(buffer, PARAMS_PTR, PARAM_COUNT);
  }

  get byteLength(): number {
    return this.f32.byteLength;
  }

  /**
   * Lays out one call: `scratchBytes` per thread, then the regions (bytes each) in order, from
   * byte `after` at the earliest (past a resident input the call reads in place: `residentAt`).
   * Grows the memory if needed and returns the byte offset of each region (64-byte aligned).
   */
  layout(
    scratchBytes: number,
    regions: readonly number[],
    after = 0,
  ): { scratch: number; scratchStride: number; offsets: number[] } {
    const stride = align(scratchBytes, DATA_ALIGN);
    const scratch = this.keptEnd;
    const first = align(Math.max(scratch + stride * this.threads, after), DATA_ALIGN);
    let at = first;
    const offsets: number[] = [];
    for (const r of regions) {
      offsets.push(at);
      at = align(at + r, DATA_ALIGN);
    }
    if (at > this.maxBytes) throw new FastMemoryExceeded(at, this.maxBytes);
    this.overwrite(scratch, scratch + stride * this.threads);
    this.overwrite(first, at);
    const need = Math.ceil(at / PAGE);
    const have = this.f32.byteLength / PAGE;
    if (need > have) {
      try {
        this.memory.grow(need - have);
      } catch {
        throw new FastMemoryExceeded(at, this.memory.buffer.byteLength);
      }
      this.refreshViews();
    }
    return { scratch, scratchStride: stride, offsets };
  }

  // Outputs left in the memory (issue 23). A call's output is copied out into a fresh array
  // (`output` in kernel-calls.ts), and the next op often copies that array straight back in: the
  // demo's max pools read the convs' outputs, and their gradients feed the convs' backward, ~1.4M
  // floats a step at 0.17-0.45 ns each (V8 copies into and out of a SharedArrayBuffer with atomic
  // word stores: 3-5x a plain copy). The copy out stays (a tensor's storage is a plain array), but
  // its source is remembered: until a later call lays out memory over it (layout, a kept packing),
  // the array's data also sits at that offset, and a call may read it there instead of copying it
  // in. Storage is immutable (src/tensor.ts) until the pool recycles the array or an optimizer
  // rewrites it (both reach forgetResident through onRecycle); an array `dataSync()` handed out may
  // have been written by its caller and is never read in place. Held weakly: remembering an output
  // keeps no array alive.
  private residentOffset = new WeakMap<Float32Array, number>();
  /** What each remembered region holds, by byte offset: the array, and the region's end. */
  private residentRegions = new Map<number, { array: WeakRef<Float32Array>; end: number }>();

  /** `array` was just copied out of the memory from byte `at`: remember it there (see above). */
  leftAt(array: Float32Array, at: number): void {
    this.overwrite(at, at + array.byteLength);
    this.residentOffset.set(array, at);
    this.residentRegions.set(at, { array: new WeakRef(array), end: at + array.byteLength });
  }

  /**
   * Byte offset of `array`'s data in the memory, whole and unchanged since it was copied out, when
   * a call whose scratch is `scratchBytes` per thread would lay out its scratch below it; else
   * undefined. The call then lays out its regions past it (`layout`'s `after`) and reads it there.
   */
  residentAt(array: Float32Array, scratchBytes: number): number | undefined {
    const at = this.residentOffset.get(array);
    if (at === undefined || exposed.has(array) || this.residentRegions.get(at)?.array.deref() !== array)
      return undefined;
    return this.keptEnd + align(scratchBytes, DATA_ALIGN) * this.threads <= at ? at : undefined;
  }

  /** `array`'s data changes (the pool hands it out again): it is no longer where it was copied from. */
  forgetResident(array: Float32Array): void {
    const at = this.residentOffset.get(array);
    if (at === undefined) return;
    this.residentOffset.delete(array);
    if (this.residentRegions.get(at)?.array.deref() === array) this.residentRegions.delete(at);
  }

  /** Bytes [from, to) are about to be written: what was resident there is gone. */
  private overwrite(from: number, to: number): void {
    if (from >= to) return;
    for (const [at, region] of this.residentRegions) if (at < to && region.end > from) this.residentRegions.delete(at);
  }

  // Packed weights kept between calls. The library never writes a tensor's storage after creating
  // it (src/tensor.ts) until its last tensor is disposed and the array reused (its packings are
  // dropped then: forgetPacked), so a weight array packed once stays valid for every later call
  // with it: an inference loop, or the several calls of one training step, packs each weight once.
  // The packings live in one region between the parameter block and the scratch areas, at most
  // KEEP_BYTES; when it is full it is emptied whole (training makes new weight arrays every step,
  // so old packings are garbage anyway). Entries are keyed weakly by the array, and by the packing's layout. An
  // array that `dataSync()` handed out (see `exposed`) may have been written since: its entry keeps
  // a copy of the data it was packed from, and is used only while the array still equals it.
  private keptEnd = KEPT_BASE;
  private kept = new WeakMap<Float32Array, Map<string, number>>();
  private snapshots = new WeakMap<Float32Array, Float32Array>();
  /** Each reserved slot's size by offset, and the slots of forgotten packings by size (forgetPacked). */
  private slotSizes = new Map<number, number>();
  private freeSlots = new Map<number, number[]>();

  /** Byte offset of `source`'s packing `key` made by an earlier call, or undefined. */
  packed(source: Float32Array, key: string): number | undefined {
    const entry = this.kept.get(source);
    if (entry === undefined) return undefined;
    if (exposed.has(source)) {
      const copy = this.snapshots.get(source);
      if (copy === undefined || !sameBits(copy, source)) {
        this.kept.delete(source);
        return undefined;
      }
    }
    return entry.get(key);
  }

  /**
   * Reserves `bytes` for `source`'s packing `key` and returns the offset, or null when it is too
   * large to keep. Reserve before `layout` (the call's regions move past it); the caller fills it
   * and then calls `markPacked`, so a failed call never leaves a half-written entry behind.
   */
  reservePacked(bytes: number): number | null {
    if (bytes > KEEP_BYTES / 4) return null;
    const size = align(bytes, DATA_ALIGN);
    const reused = this.freeSlots.get(size)?.pop();
    if (reused !== undefined) {
      this.overwrite(reused, reused + size);
      return reused;
    }
    if (this.keptEnd + size > KEPT_BASE + KEEP_BYTES) {
      this.kept = new WeakMap();
      this.keptEnd = KEPT_BASE;
      this.slotSizes.clear();
      this.freeSlots.clear();
    }
    const at = this.keptEnd;
    this.keptEnd = at + size;
    this.overwrite(at, at + size);
    this.slotSizes.set(at, size);
    return at;
  }

  markPacked(source: Float32Array, key: string, at: number): void {
    let m = this.kept.get(source);
    if (!m) {
      this.kept.set(source, (m = new Map<string, number>()));
      // Taken after packing, from the same data: the call is synchronous on this thread.
      if (exposed.has(source)) this.snapshots.set(source, source.slice());
    }
    m.set(key, at);
  }

  /**
   * Drops `source`'s packings: its array is about to hold other data (src/backends/cpu/arrays.ts's
   * pool). Their slots are free for packings of the same size: with the pool, training cycles each
   * weight through the same few arrays, so the region stops growing after a few steps instead of
   * filling to KEEP_BYTES and being emptied.
   */
  forgetPacked(source: Float32Array): void {
    const entry = this.kept.get(source);
    if (entry === undefined) return;
    this.kept.delete(source);
    for (const at of entry.values()) {
      const size = this.slotSizes.get(at);
      if (size === undefined) continue;
      const list = this.freeSlots.get(size);
      if (list) list.push(at);
      else this.freeSlots.set(size, [at]);
    }
  }

  /** Bytes of memory held by kept packings (for tests and docs/performance.md's bound). */
  get keptBytes(): number {
    return this.keptEnd - KEPT_BASE;
  }

  /**
   * Writes the i32 parameter block of a job of `kernel` from the fields of `parts` (a later part's
   * field wins, as in a spread) and returns its address. Pass shared fields (a conv's geometry) as
   * a part of their own rather than spreading them into the call's object: on Node 20's V8, an
   * object literal that starts with a spread and adds more properties after it cost 20-220 us to
   * build here (each added property a slow store), more than most kernels of the call.
   */
  params<K extends KernelName>(kernel: K, ...parts: KernelParams<K>[]): number {
    const block = this.block;
    const names = SLOT_FIELDS[kernel];
    const values = parts as readonly Readonly<Record<string, number | undefined>>[];
    for (let slot = 0; slot < PARAM_COUNT; slot++) {
      const name = names[slot];
      let v: number | undefined;
      if (name !== undefined) for (let i = values.length - 1; i >= 0 && v === undefined; i--) v = values[i][name];
      block[slot] = v ?? 0;
    }
    return PARAMS_PTR;
  }

  /**
   * Runs items [0, items) of a kernel. `work` (FLOPs or element count) decides whether waking
   * workers pays (parallelWork). `meanwhile`, work of the calling thread that does not touch the
   * job's memory, runs once the workers have the job, before the caller joins in.
   */
  run(
    kernel: KernelName,
    params: number,
    items: number,
    scratch: number,
    scratchStride: number,
    work: number,
    meanwhile?: () => void,
  ): void {
    const fn = this.fns[KERNEL_INDEX[kernel]];
    const eligible = this.threads > 1 && items > 1 && work >= this.parallelWork;
    if (eligible) this.ensureWorkers();
    // A worker takes tens of milliseconds to start: until one is ready the job is the caller's
    // alone (and says nothing about how busy the machine is).
    const helpers = eligible ? this.readyWorkers() : 0;
    if (helpers === 0 || (this.adaptive && performance.now() < this.soloUntil)) {
      meanwhile?.();
      for (let i = items - 1; i >= 0; i--) fn(params, i, scratch);
      return;
    }
    const judged = work >= JUDGED_WORK && performance.now() >= this.nextJudged;
    const cpu0 = judged ? cpuMillis() : -1;
    const wall0 = performance.now();
    // claim units of several items when items are tiny (depthwise planes): ~16 units per thread
    const per = Math.max(1, Math.floor(items / (16 * this.threads)), Math.ceil(items / MAX_UNITS));
    const units = Math.ceil(items / per);
    const ctl = this.ctl;
    Atomics.store(ctl, C_FN, KERNEL_INDEX[kernel]);
    Atomics.store(ctl, C_PARAMS, params);
    Atomics.store(ctl, C_TOTAL, items);
    Atomics.store(ctl, C_DONE, 0);
    Atomics.store(ctl, C_SCRATCH, scratch);
    Atomics.store(ctl, C_SCRATCH_STRIDE, scratchStride);
    Atomics.store(ctl, C_FAILED, 0);
    Atomics.store(ctl, C_SLOTS, this.threads);
    Atomics.store(ctl, C_PER, per);
    this.generation = (this.generation + 1) & 0x3fffffff;
    const open = -this.generation - 2;
    this.owners.fill(open, 0, units);
    Atomics.store(this.claim, CLAIM_INDEX, (BigInt(this.generation) << 32n) | BigInt(units));
    Atomics.add(ctl, C_SIGNAL, 1);
    Atomics.notify(ctl, C_SIGNAL);
    meanwhile?.();
    // the main thread is thread 0 and works like any worker
    const runUnit = (u: number) => {
      const t0 = performance.now();
      for (let i = Math.min(items, (u + 1) * per) - 1; i >= u * per; i--) fn(params, i, scratch);
      Atomics.store(this.owners, u, -1);
      Atomics.add(ctl, C_DONE, 1);
      slowest = Math.max(slowest, performance.now() - t0);
    };
    let slowest = 0;
    for (;;) {
      const v = Atomics.load(this.claim, CLAIM_INDEX);
      const left = Number(v & 0xffffffffn);
      if (left === 0) break;
      if (Atomics.compareExchange(this.claim, CLAIM_INDEX, v, v - 1n) !== v) continue;
      if (Atomics.compareExchange(this.owners, left - 1, open, 1) === open) runUnit(left - 1);
    }
    for (let i = 0; i < SPIN && Atomics.load(ctl, C_DONE) < units; i++);
    let progress = performance.now();
    for (let d = Atomics.load(ctl, C_DONE); d < units;) {
      Atomics.wait(ctl, C_DONE, d, 50);
      this.rescue(units, open, runUnit);
      const now = performance.now(),
        done = Atomics.load(ctl, C_DONE);
      if (done !== d) {
        d = done;
        progress = now;
      } else if (now - progress > Math.max(this.stallMs, 100 * slowest)) {
        this.abandon();
        throw new Error(workerErrors.stalled(kernel, Math.round(now - progress), units - done));
      }
    }
    if (Atomics.load(ctl, C_FAILED)) {
      // a worker's instance threw: redo the whole job here so the error (if real) surfaces
      for (let i = items - 1; i >= 0; i--) fn(params, i, scratch);
    }
    // Did the threads get their cores? CPU time over all threads / (threads x wall time). On a
    // machine busy with other work it drops well below 1 and a parallel job runs slower than one
    // thread would (workers preempted inside an item, cores time-shared): run alone for a while.
    // Judged over a window of jobs, not one: the kernel's CPU accounting may tick at a few ms.
    // Small jobs are left out: their efficiency is bounded by waking and joining, busy or not.
    if (cpu0 < 0) return;
    this.nextJudged = performance.now() + JUDGE_EVERY_MS;
    const wall = performance.now() - wall0;
    const w = this.window;
    w.wall += wall;
    w.cpu += cpuMillis() - cpu0;
    w.capacity += (1 + helpers) * wall;
    if (w.wall < WINDOW_MS) return;
    if (w.cpu < SOLO_BELOW * w.capacity) {
      this.soloUntil = performance.now() + SOLO_MS;
      this.soloEpisodes++;
    }
    this.window = { wall: 0, cpu: 0, capacity: 0 };
  }

  /** Wall time, CPU time and thread-milliseconds offered by the parallel jobs since the last verdict. */
  private window = { wall: 0, cpu: 0, capacity: 0 };
  /** performance.now() before which no job is judged (JUDGE_EVERY_MS) */
  private nextJudged = 0;

  /**
   * Runs here the units of workers that exited (their exit path marked them dead: nothing more runs
   * on them) while owning a unit, and every unit not owned yet: all are claimed by the time the
   * caller waits, so an unowned one belongs to a worker that died between claiming and owning it,
   * or to a live one that has not owned it yet, which then fails to own it and skips it.
   */
  private rescue(units: number, open: number, runUnit: (u: number) => void): void {
    const dead: number[] = [];
    for (let id = 1; id < MAX_THREADS; id++) if (Atomics.load(this.ctl, C_DEAD + id) === 1) dead.push(id + 1);
    for (let u = 0; u < units; u++) {
      const owner = Atomics.load(this.owners, u);
      if ((owner === open || dead.includes(owner)) && Atomics.compareExchange(this.owners, u, owner, 1) === owner) {
        this.rescuedUnits++;
        runUnit(u);
      }
    }
  }

  /**
   * Gives this runtime up after a stalled job: a worker that still holds a unit may write into
   * its memory at any time, so the process-wide runtime is replaced (a fresh memory and pool for
   * the next call) and this one's workers are terminated.
   */
  private abandon(): void {
    if (runtime === this) runtime = null;
    void this.shutdown();
  }

  /** Test hook: worker `id` exits (`"exit"`) or holds its next unit unrun (`"hang"`, until released). */
  failNextUnit(id: number, how: "exit" | "hang" | "none"): void {
    Atomics.store(this.ctl, C_TEST, how === "exit" ? id : 0);
    Atomics.store(this.ctl, C_TEST_HANG, how === "hang" ? id : 0);
    if (how === "none") Atomics.notify(this.ctl, C_TEST_HANG);
  }

  /** Claim units the workers have run so far (a test checks that a large job is really shared). */
  get workerUnits(): number {
    return Atomics.load(this.ctl, C_WORKER_UNITS);
  }

  /** Workers (of the current thread count) that are up and waiting for jobs. */
  private readyWorkers(): number {
    let n = 0;
    for (let id = 1; id < this.threads; id++)
      if (this.workers[id - 1] && Atomics.load(this.ctl, C_READY + id) === 1) n++;
    return n;
  }

  private ensureWorkers(): void {
    const Ctor = this.Worker;
    if (!Ctor) return;
    while (this.workers.length < this.threads - 1) this.workers.push(null);
    for (let i = 0; i < this.threads - 1; i++) {
      if (this.workers[i]) continue;
      const id = i + 1;
      Atomics.store(this.ctl, C_READY + id, 0);
      Atomics.store(this.ctl, C_DEAD + id, 0);
      let error: unknown = null;
      const w = new Ctor(workerSource, {
        eval: true,
        workerData: {
          module: this.module,
          memory: this.memory,
          id,
          names: KERNELS,
          signal: Atomics.load(this.ctl, C_SIGNAL),
        },
      });
      w.unref();
      w.on("error", (e) => {
        error = e;
      });
      w.on("exit", () => {
        // replace lazily at the next parallel call; a retired worker is simply gone. An error
        // before the worker registered its exit path (it does so once the kernels are
        // instantiated) means it could not start at all.
        const idx = this.workers.indexOf(w);
        if (idx < 0) return;
        this.workers[idx] = null;
        if ((w as { retired?: boolean }).retired) return;
        if (error !== null && Atomics.load(this.ctl, C_DEAD + id) === 0) this.giveUpWorkers(error);
        else this.replacedWorkers++;
      });
      this.workers[i] = w;
    }
  }

  /**
   * A worker died before it could take jobs (the host cannot run the workers: a missing API, a
   * policy, a broken environment). Starting more would fail the same way at every call, so the
   * runtime stays on the calling thread from now on, and says so once.
   */
  private giveUpWorkers(error: unknown): void {
    if (this.startFailure !== null) return;
    this.startFailure =
      error instanceof Error ? error.message : `the worker exited before it started (${String(error)})`;
    this.Worker = null;
    this.threads = 1;
    void this.shutdown();
    const proc = (globalThis as { process?: { emitWarning?: (message: string, options: { code: string }) => void } })
      .process;
    proc?.emitWarning?.(workerErrors.startFailed(this.startFailure), { code: "SHAPEGRAD_NO_WORKERS" });
  }
}

/**
 * Parallel efficiency (CPU time / (threads x wall)) under which the pool is bypassed... At 0.5 on
 * two threads the job got one core's worth of CPU in all: running it in parallel gained nothing.
 * (Above that, a shared or oversubscribed host still gives the parallel job more than one core.)
 */
const SOLO_BELOW = 0.5;
/** ...for this long (ms), after which a parallel job tries again. */
const SOLO_MS = 1000;
/** Wall time of parallel jobs (ms) over which the efficiency is judged. */
const WINDOW_MS = 25;
/**
 * Least time (ms) from one judged job to the next. process.cpuUsage is a system call: in the demo's
 * training, with the worker busy, its median was 10 us and one call in a hundred took over 1 ms
 * (1,280 calls, 68 ms in one epoch, when every large job was judged). At 10 ms it still took 2.7%
 * of the main thread in a loop of 1x1 convs through the API at load 15 (mean 22 us a call, median
 * 2.6: the tail is preemption); at 50 ms a busy verdict needs ~0.1-1 s of parallel jobs, against
 * SOLO_MS of running alone.
 */
const JUDGE_EVERY_MS = 50;

/** CPU time of the whole process (all threads) in ms, or -1 where unknown (browsers). */
function cpuMillis(): number {
  const proc = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  const u = proc?.cpuUsage?.();
  return u ? (u.user + u.system) / 1000 : -1;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/**
 * Arrays that `dataSync()` handed out, which the caller may write (see `FastRuntime.packed`). Kept
 * across runtimes (resetFastRuntime), weakly: an array goes when its tensors do.
 */
const exposed = new WeakSet<Float32Array>();
export function markExposed(source: Float32Array): void {
  exposed.add(source);
}

/** Node's Buffer, whose `equals` is a memcmp (~10x a JS loop); absent in browsers. */
const NodeBuffer = (
  globalThis as {
    Buffer?: {
      from(b: ArrayBufferLike, offset: number, length: number): Uint8Array & { equals(o: Uint8Array): boolean };
    };
  }
).Buffer;

/** Bitwise equality (so NaNs and -0 compare as stored). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  if (NodeBuffer)
    return NodeBuffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      NodeBuffer.from(b.buffer, b.byteOffset, b.byteLength),
    );
  const x = new Int32Array(a.buffer, a.byteOffset, a.length),
    y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

let runtime: FastRuntime | null = null;
// A pooled array's packing would be stale once the array is reused for other data.
onRecycle((a) => {
  if (a instanceof Float32Array) {
    runtime?.forgetPacked(a);
    runtime?.forgetResident(a);
  }
});
/** The process-wide runtime, created on first use. */
export function fastRuntime(): FastRuntime {
  runtime ??= new FastRuntime();
  return runtime;
}

/** Replaces the process-wide runtime (its workers are terminated): for tests, or a host that must
 * avoid shared memory. */
export function resetFastRuntime(options: RuntimeOptions = {}): FastRuntime {
  const old = runtime;
  runtime = new FastRuntime(options);
  if (old) void old.shutdown();
  return runtime;
}

/** Whether this runtime runs on shared memory (and so may use worker threads). */
export function isShared(rt: FastRuntime): boolean {
  return typeof SharedArrayBuffer !== "undefined" && rt.memory.buffer instanceof SharedArrayBuffer;
}
