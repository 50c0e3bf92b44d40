/// <reference types="@webgpu/types" />
/**
 * Getting (and giving back) a GPUDevice, in a browser through `navigator.gpu` and in Node through
 * Dawn's binding, the npm package `webgpu`. That package is an optional peer dependency of
 * shapegrad (about 130 MB of native builds), so it is imported lazily, only when WebGPU is asked
 * for, and under a specifier that bundlers do not try to follow.
 *
 * Nothing is put on `globalThis`: the binding's `globals` (GPUBufferUsage and friends) are not
 * needed because the few flag values used here are fixed by the WebGPU spec (see `usage` below).
 */

/** Buffer usage and map-mode flags, as numbers fixed by the WebGPU spec. */
export const usage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  STORAGE: 0x0080,
} as const;
export const MAP_MODE_READ = 0x0001;

/** Text of the error thrown when a float64 tensor meets the WebGPU backend. */
export const WEBGPU_FLOAT64_MESSAGE =
  "webgpu: float64 is not supported on the webgpu device (WGSL has no 64-bit float); use float32, or keep float64 tensors on the cpu";

export interface WebGPUInitOptions {
  /** Use this device instead of requesting one (an application that already owns a device). */
  readonly device?: GPUDevice;
  readonly powerPreference?: GPUPowerPreference;
  /** Node only: flags for the Dawn binding's `create()`, e.g. `["backend=opengles"]`. */
  readonly dawnFlags?: readonly string[];
  /**
   * Which matmul/conv kernels to run: "tiled" (workgroup tiles through shared memory, the one
   * meant for real GPUs), "direct" (one invocation per output), or "auto" (the default: tiled
   * unless the product has fewer than 16 rows or columns).
   */
  readonly gemm?: GemmAlgorithm;
  /** Bytes of released buffers kept for reuse (default 256 MiB). 0 disables the pool. */
  readonly poolBytes?: number;
}

export type GemmAlgorithm = "auto" | "tiled" | "direct";

export interface GpuContext {
  readonly device: GPUDevice;
  /** Bumped on every init, so storages of a destroyed device are recognised and refused. */
  readonly generation: number;
  gemm: GemmAlgorithm;
  readonly poolBytes: number;
  readonly maxBindingBytes: number;
  readonly adapterDescription: string;
  /** Validation and out-of-memory errors that arrived asynchronously, reported on the next read. */
  readonly errors: string[];
  lost: string | null;
  readonly ownsDevice: boolean;
  /**
   * The GPU object the adapter came from. Dawn's Node binding tears its instance down when this
   * is garbage collected, and the device's pending callbacks then crash the process, so the
   * context holds it (in module state, not on globalThis) for as long as the device lives.
   */
  readonly instance: GPU | null;
}

let context: GpuContext | null = null;
let pending: Promise<GpuContext> | null = null;
let generation = 0;
const onDestroy: (() => void)[] = [];

/** Lets the memory and pipeline layers drop their caches when the device goes away. */
export function onContextDestroyed(fn: () => void): void {
  onDestroy.push(fn);
}

const NO_ADAPTER_HINT =
  "On Linux without a GPU, install a Vulkan driver (Mesa lavapipe from bookworm-backports: `bash scripts/install-webgpu-driver.sh`); see docs/webgpu.md";

interface DawnModule {
  create(flags: string[]): GPU;
}

function isNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string";
}

async function getGpu(flags: readonly string[]): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode()) throw new Error("webgpu: this environment has no WebGPU (navigator.gpu is missing)");
  // A variable specifier keeps bundlers from pulling the native package into browser builds.
  const specifier = "webgpu";
  let mod: DawnModule;
  try {
    mod = (await import(/* @vite-ignore */ specifier)) as DawnModule;
  } catch (e) {
    throw new Error(
      `webgpu: the optional peer dependency \`webgpu\` (Dawn's Node binding) could not be loaded: ${(e as Error).message}. Install it with \`npm install webgpu\``,
    );
  }
  return mod.create([...flags]);
}

async function requestAdapter(options: WebGPUInitOptions): Promise<{ instance: GPU; adapter: GPUAdapter | null }> {
  const instance = await getGpu(options.dawnFlags ?? []);
  const adapter = await instance.requestAdapter(
    options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
  );
  return { instance, adapter };
}

async function create(options: WebGPUInitOptions): Promise<GpuContext> {
  let device = options.device;
  let adapterDescription = "device supplied by the caller";
  let instance: GPU | null = null;
  if (!device) {
    const found = await requestAdapter(options);
    instance = found.instance;
    const adapter = found.adapter;
    if (!adapter) throw new Error(`webgpu: no WebGPU adapter is available. ${NO_ADAPTER_HINT}`);
    const info = adapter.info;
    adapterDescription =
      [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => s).join(" ") ||
      "unknown adapter";
    // Default limits on purpose: 256 invocations per workgroup and 128 MiB per storage binding run
    // on every driver, so a kernel that works here works everywhere.
    device = await adapter.requestDevice();
  }
  const ctx: GpuContext = {
    device,
    generation: ++generation,
    gemm: options.gemm ?? "auto",
    poolBytes: options.poolBytes ?? 256 * 2 ** 20,
    maxBindingBytes: device.limits.maxStorageBufferBindingSize,
    adapterDescription,
    errors: [],
    lost: null,
    ownsDevice: !options.device,
    instance,
  };
  device.addEventListener("uncapturederror", (event) => {
    const error = event.error;
    if (ctx.errors.length < 16) ctx.errors.push(error.message);
  });
  void device.lost.then((info) => {
    ctx.lost = info.message || info.reason || "device lost";
  });
  return ctx;
}

/**
 * Requests an adapter and a device; idempotent (a second call returns the same device). Throws a
 * clear Error when WebGPU or an adapter is missing.
 */
export async function initWebGPU(options: WebGPUInitOptions = {}): Promise<void> {
  if (context) return;
  if (!pending) {
    pending = create(options).then(
      (ctx) => {
        context = ctx;
        pending = null;
        return ctx;
      },
      (e: unknown) => {
        pending = null;
        throw e;
      },
    );
  }
  await pending;
}

/** Whether `initWebGPU` would succeed: the binding (in Node) or navigator.gpu, and an adapter. */
export async function isWebGPUAvailable(
  options: Pick<WebGPUInitOptions, "dawnFlags" | "powerPreference"> = {},
): Promise<boolean> {
  if (context) return true;
  try {
    return (await requestAdapter(options)).adapter !== null;
  } catch {
    return false;
  }
}

/**
 * Destroys the device (if shapegrad created it) and every cached pipeline and pooled buffer.
 * Storages of the old device become invalid: kernels refuse them and release ignores them.
 */
export function destroyWebGPU(): void {
  if (!context) return;
  for (const fn of onDestroy) fn();
  if (context.ownsDevice) context.device.destroy();
  context = null;
}

/** Switches the matmul/conv kernels at run time (benchmarks and tests compare the two). */
export function setGemmAlgorithm(algorithm: GemmAlgorithm): void {
  gpu().gemm = algorithm;
}

export function isWebGPUInitialized(): boolean {
  return context !== null;
}

/** The live context, or a clear error when `initWebGPU` has not run. */
export function gpu(): GpuContext {
  if (!context) throw new Error("webgpu: the device is not initialised; call `await initWebGPU()` first");
  if (context.lost) throw new Error(`webgpu: the device was lost (${context.lost})`);
  return context;
}

/** The context if there is one; for cleanup paths that must never throw. */
export function currentContext(): GpuContext | null {
  return context;
}

/** Describes the adapter in use (for logs and the demo's banner). */
export function webgpuAdapterDescription(): string {
  return gpu().adapterDescription;
}
