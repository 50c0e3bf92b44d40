/**
 * A call's inputs that may still sit in the memory as an earlier call's output
 * (FastRuntime.residentAt): read there, in place, instead of copied in. The demo's step hands each
 * conv output to a max pool, and each max pool's gradient to a conv's gradients; the bn model's
 * batch norms read the conv before them and the cotangent the op after them left (~1.6M floats a
 * step in the demo need no copy).
 *
 * An input that is copied in is left resident there too (FastRuntime.leftAt): its region is laid
 * out and written anyway, so the next call over the same array (the batch norm's normalising call
 * after its statistics) finds it for free. No kernel writes into an input's region; residentAt
 * still checks, at each read, that nothing has been laid out over it since and that the array is
 * neither exposed nor recycled.
 */
import { F } from "./kernel-calls.js";
import type { FastRuntime } from "./workers.js";

/**
 * `inputs` (null: absent) of a call whose layout has `scratchBytes` of scratch per thread. Lay
 * out `bytes[i]` for input i's copy (0 when it is read in place or absent) and pass `after` as
 * layout's `after` (the call's regions then go past every resident input); `place(copyOffsets)`,
 * with copyOffsets[i] the region laid out for input i, then returns each input's byte offset (0
 * for an absent one), copying in those that are not resident.
 *
 * Ask after any `reservePacked` of the call: a reservation may overwrite the resident data.
 */
export function residentInputs(rt: FastRuntime, inputs: readonly (Float32Array | null)[], scratchBytes: number) {
  const at = inputs.map((a) => (a ? rt.residentAt(a, scratchBytes) : undefined));
  let after = 0;
  for (let i = 0; i < inputs.length; i++) {
    const resident = at[i];
    if (resident !== undefined) after = Math.max(after, resident + inputs[i]!.byteLength);
  }
  return {
    bytes: inputs.map((a, i) => (a && at[i] === undefined ? a.byteLength : 0)),
    after,
    place(copyOffsets: readonly number[]): number[] {
      return inputs.map((a, i) => {
        const resident = at[i];
        if (!a || resident !== undefined) return resident ?? 0;
        const copy = copyOffsets[i];
        rt.F32.set(a, copy / F);
        rt.leftAt(a, copy);
        return copy;
      });
    },
  };
}

/** residentInputs of one input. */
export function residentInput(rt: FastRuntime, input: Float32Array, scratchBytes: number) {
  const one = residentInputs(rt, [input], scratchBytes);
  return {
    bytes: one.bytes[0],
    after: one.after,
    place: (copyOffset: number): number => one.place([copyOffset])[0],
  };
}

/**
 * Lays out a call with `scratchBytes` of scratch per thread that reads `inputs` (as
 * residentInputs) and writes `regions` (bytes each) past every input read in place: the inputs'
 * byte offsets (copied in where not resident), the regions' offsets and the layout.
 */
export function layoutOverInputs(
  rt: FastRuntime,
  scratchBytes: number,
  inputs: readonly (Float32Array | null)[],
  regions: readonly number[],
) {
  const placed = residentInputs(rt, inputs, scratchBytes);
  const L = rt.layout(scratchBytes, [...placed.bytes, ...regions], placed.after);
  return { inputOffsets: placed.place(L.offsets), offsets: L.offsets.slice(inputs.length), L };
}
