/**
 * The spy's counters, in a module with no imports so that a `vi.mock` factory of
 * src/backends/cpu/arrays.js can load it without a cycle back into the mocked module.
 */
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

export const counters: Counters = { kernels: 0, uploads: 0, fills: 0, allocations: 0, allocatedElements: 0, lastKernel: "" };
