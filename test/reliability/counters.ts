/**
 * The spy's counters, in a module with no runtime imports so that a `vi.mock` factory of
 * src/backends/cpu/arrays.js can load it without a cycle back into the mocked module.
 */
type Arrays = typeof import("../../src/backends/cpu/arrays.js");
export interface Counters {
  kernels: number;
  uploads: number;
  fills: number;
  allocations: number;
  /** elements requested from `allocate` */
  allocatedElements: number;
  /** the primitive of the last kernel call (for failure messages) */
  lastKernel: string;
}

export const counters: Counters = {
  kernels: 0,
  uploads: 0,
  fills: 0,
  allocations: 0,
  allocatedElements: 0,
  lastKernel: "",
};

/**
 * The mocked src/backends/cpu/arrays.js: the real module with every `allocate` and
 * `allocateForOverwrite` counted. Each test file's `vi.mock` (hoisted per file, so it cannot be
 * shared itself) delegates here.
 */
export async function countingArrays(importOriginal: <T>() => Promise<T>): Promise<Arrays> {
  const real = await importOriginal<Arrays>();
  const counted = <F extends Arrays["allocate"]>(allocate: F) =>
    ((dtype, size) => {
      counters.allocations++;
      counters.allocatedElements += size;
      return allocate(dtype, size);
    }) as F;
  return { ...real, allocate: counted(real.allocate), allocateForOverwrite: counted(real.allocateForOverwrite) };
}
