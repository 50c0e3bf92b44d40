/** Largest element count a tensor may have: the CPU's typed arrays index with 32-bit lengths. */
export const MAX_ELEMENTS = 2 ** 31 - 1;
