/**
 * Counts every way a call can touch memory or compute on the CPU backend: each kernel (but
 * `reshape`, which hands back its input's storage: a view that allocates and computes nothing),
 * `upload`, `full`, and (through the vi.mock in the test files, see `allocationCounter`) every typed array
 * made by `allocate`. "Validates before it allocates" is then a plain assertion: an invalid call
 * leaves every counter where it was.
 */
import { cpuBackend } from "../../src/backends/cpu/index.js";
import type { Kernel } from "../../src/backend.js";
import type { AnyTypedArray } from "../../types/core.js";
import type { Primitive } from "../../src/primitives/index.js";

import { counters, type Counters } from "./counters.js";

export { counters, type Counters };

let installed = false;

/** Wraps the CPU backend's entry points once per test file (the backend object is shared). */
export function installBackendSpy(): Counters {
  if (installed) return counters;
  installed = true;
  const kernels = cpuBackend.kernels as { -readonly [P in Primitive]: Kernel<P, AnyTypedArray> };
  for (const name of Object.keys(kernels) as Primitive[]) {
    const original = kernels[name] as Kernel<Primitive, AnyTypedArray>;
    (kernels as Record<string, Kernel<Primitive, AnyTypedArray>>)[name] = (inputs, params, out) => {
      if (name === "reshape") return original(inputs, params, out);
      counters.kernels++;
      counters.lastKernel = name;
      return original(inputs, params, out);
    };
  }
  const backend = cpuBackend as { -readonly [K in keyof typeof cpuBackend]: (typeof cpuBackend)[K] };
  const upload = backend.upload,
    full = backend.full;
  backend.upload = (data, dtype) => {
    counters.uploads++;
    return upload(data, dtype);
  };
  backend.full = (size, value, dtype) => {
    counters.fills++;
    return full(size, value, dtype);
  };
  return counters;
}

export function snapshot(): Counters {
  return { ...counters };
}

/** What changed since `before`, as a readable list (empty when nothing did). */
export function touched(before: Counters): string[] {
  const out: string[] = [];
  if (counters.kernels !== before.kernels)
    out.push(`${counters.kernels - before.kernels} kernel call(s), last ${counters.lastKernel}`);
  if (counters.uploads !== before.uploads) out.push(`${counters.uploads - before.uploads} upload(s)`);
  if (counters.fills !== before.fills) out.push(`${counters.fills - before.fills} fill(s)`);
  if (counters.allocations !== before.allocations)
    out.push(
      `${counters.allocations - before.allocations} allocation(s) of ${counters.allocatedElements - before.allocatedElements} elements`,
    );
  return out;
}
