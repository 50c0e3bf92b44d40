/**
 * A call's input that may still sit in the memory as an earlier call's output
 * (FastRuntime.residentAt): read there, in place, instead of copied in. The demo's step hands each
 * conv output to a max pool, and each max pool's gradient to a conv's gradients, so four of its
 * operands (~1.6M floats a step) need no copy.
 */
import { F } from "./kernel-calls.js";
import type { FastRuntime } from "./workers.js";

/**
 * `input` of a call whose layout has `scratchBytes` of scratch per thread. Lay out `bytes` for its
 * copy (0 when it is read in place) and pass `after` as layout's `after` (the call's regions then
 * go past the resident data); `place(copyOffset)` then returns the input's byte offset, copying it
 * into the region laid out for it when it is not resident.
 *
 * Ask after any `reservePacked` of the call: a reservation may overwrite the resident data.
 */
export function residentInput(rt: FastRuntime, input: Float32Array, scratchBytes: number) {
  const at = rt.residentAt(input, scratchBytes);
  return {
    bytes: at === undefined ? input.byteLength : 0,
    after: at === undefined ? 0 : at + input.byteLength,
    place(copyOffset: number): number {
      if (at !== undefined) return at;
      rt.F32.set(input, copyOffset / F);
      return copyOffset;
    },
  };
}
