// Baseline of import.ts: the same compiler options and libraries, no import.
export {};
