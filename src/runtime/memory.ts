/**
 * Memory model (docs/webgpu.md, "Memory model"). CPU storage is garbage collected, and its float
 * arrays are reused when every tensor holding one was disposed (src/backends/cpu/arrays.ts). Device
 * storage (WebGPU buffers) is freed by, in order of preference:
 *   1. `t.dispose()`, explicitly;
 *   2. `tidy(fn)`: every tensor created inside `fn` is disposed when `fn` returns, except the
 *      tensors it returns (any nesting of arrays/objects) and those passed to `keep()`;
 *   3. a FinalizationRegistry, as a safety net when a tensor becomes unreachable.
 * Gradients stored in `.grad` and parameters updated by optimizers are kept automatically.
 */
import type { Device } from "../../types/core.js";
import { releaseOn, retainOn } from "./devices.js";
import { argumentErrors, show } from "../../types/errors.js";

export interface Owned {
  storage: unknown;
  readonly device: Device;
  readonly dtype: unknown;
  /** true once the storage is released (or moved into another tensor) */
  disposed: boolean;
}

const scopes: Set<Owned>[] = [];

const registry = new FinalizationRegistry<{ device: Device; storage: unknown }>(({ device, storage }) => {
  releaseOn(device, storage);
});

/** Called for every new tensor. */
export function track(t: Owned): void {
  if (t.device !== "cpu") registry.register(t, { device: t.device, storage: t.storage }, t);
  else retainOn("cpu", t.storage);
  scopes[scopes.length - 1]?.add(t);
}

export function release(t: Owned): void {
  if (t.disposed) return;
  t.disposed = true;
  if (t.device !== "cpu") registry.unregister(t);
  releaseOn(t.device, t.storage);
  t.storage = null;
}

/** `t` (alive, on the CPU) drops its storage for `storage`, which it now shares with its other holders. */
export function shareStorage(t: Owned, storage: unknown): void {
  retainOn(t.device, storage);
  releaseOn(t.device, t.storage);
  t.storage = storage;
}

/** Removes a tensor from every open scope, so it outlives them. Returns it. */
export function keep<T extends Owned>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/**
 * Moves `from`'s storage into `to`, which releases its own and takes `from`'s device and dtype:
 * how optimizers update parameters in place (same device and dtype), and how `Module.to` keeps
 * every parameter object across devices and dtypes, as PyTorch's `param.data = ...` does.
 */
export function moveStorage(to: Owned, from: Owned): void {
  if (to === from) return;
  if (!to.disposed && to.device !== "cpu") {
    registry.unregister(to);
    if (to.storage !== from.storage) releaseOn(to.device, to.storage);
  }
  // On the CPU `to` gives up its share; `from`'s passes to `to` (when both held the same array,
  // two shares become one).
  if (!to.disposed && to.device === "cpu") releaseOn("cpu", to.storage);
  if (from.device !== "cpu") {
    registry.unregister(from);
    registry.register(to, { device: from.device, storage: from.storage }, to);
  }
  const target = to as { device: Device; dtype: unknown };
  target.device = from.device;
  target.dtype = from.dtype;
  to.storage = from.storage;
  to.disposed = false;
  from.storage = null;
  from.disposed = true;
}

/**
 * Everything reachable from a scope's result: nested arrays and plain objects, and for a tensor
 * the inputs its gradient will need (its graph), so that `tidy(() => loss(x)).backward()` works.
 */
function collect(value: unknown, into: Set<unknown>): void {
  if (value === null || typeof value !== "object" || into.has(value)) return;
  into.add(value);
  if (Array.isArray(value)) for (const v of value) collect(v, into);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, into);
  else if ("node" in value) collect((value as { node: { inputs: unknown[] } | null }).node?.inputs, into);
}

/**
 * Runs `fn`; disposes every tensor it created that it does not return. Async functions are
 * refused. When `fn` throws, every tensor it created is disposed and the error is rethrown as it was.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new Error(argumentErrors.notFunction("tidy", show(fn)));
  return scoped(fn, null);
}

/**
 * @internal tidy() that also names the tensors `fn` made and returned (now held by the enclosing
 * scope): the backward pass runs each gradient rule in one, so that the rule's temporaries go at
 * once and it knows which gradients are its own to free (src/autograd/backward.ts).
 */
export function tidyMade<T>(fn: () => T): [T, Set<Owned>] {
  const made = new Set<Owned>();
  return [scoped(fn, made), made];
}

function scoped<T>(fn: () => T, made: Set<Owned> | null): T {
  const scope = new Set<Owned>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const t of scope) release(t);
    throw error;
  }
  scopes.pop();
  // An async function goes on using what it made before its first await: nothing is freed.
  if (result instanceof Promise) throw new Error("tidy: the function must be synchronous (it returned a Promise)");
  const returned = new Set<unknown>();
  collect(result, returned);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (returned.has(t)) {
      parent?.add(t);
      made?.add(t);
    } else release(t);
  }
  return result;
}
