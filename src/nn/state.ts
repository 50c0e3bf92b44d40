/**
 * State dicts in and out of the safetensors format, so weights trained in PyTorch load into a
 * shapegrad module (and back) by name. Loading checks every name, shape and dtype before writing
 * anything: on a mismatch the error names the tensor and the model is untouched.
 */
import { parseSafetensors, serializeSafetensors, type SafetensorsInput } from "../io/safetensors.js";
import { tensor } from "./ops.js";
import { Tensor } from "../tensor.js";
import { ownedStates, type IncompatibleKeys, type Module, type StateDict } from "./module.js";

/** Safetensors bytes of a state dict (CPU tensors are read directly; others must be moved first). */
export function stateDictToSafetensors(state: StateDict, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const entries = new Map<string, SafetensorsInput>();
  for (const [name, t] of state) {
    if (t.device !== "cpu")
      throw new Error(
        `saveSafetensors: "${name}" is on ${t.device}; move the module to the CPU first (module.to("cpu"))`,
      );
    entries.set(name, { dtype: t.dtype, shape: t.shape, data: t.dataSync() });
  }
  return serializeSafetensors(entries, metadata);
}

/**
 * A state dict from safetensors bytes. F16 and BF16 widen to float32 and integer types become
 * int32 (batch norm's int64 `num_batches_tracked`). With `dtypes`, each floating tensor is cast to
 * the dtype the model expects (PyTorch's F32 weights into a float64 model, say).
 */
export function safetensorsToStateDict(bytes: Uint8Array): StateDict {
  const file = parseSafetensors(bytes);
  const state: StateDict = new Map();
  // The decoded arrays are fresh and nobody else's (parseSafetensors copies out of `bytes`): the
  // tensors take them as their storage, so loading holds the file plus one copy of the weights.
  for (const [name, t] of file.tensors) state.set(name, Tensor._make(t.shape, t.dtype, "cpu", t.data, null));
  return state;
}

/** Saves a module's parameters and buffers. */
export function saveSafetensors(module: Module, metadata?: Readonly<Record<string, string>>): Uint8Array {
  return stateDictToSafetensors(module.stateDict(), metadata);
}

/**
 * Loads safetensors bytes into a module (strict by default: every name must match). Floating
 * tensors whose dtype differs from the module's are refused unless `castFloats` is set, in which
 * case F16/BF16/F32/F64 weights are converted to the module's float dtype.
 */
export function loadSafetensors(
  module: Module,
  bytes: Uint8Array,
  options: { strict?: boolean; castFloats?: boolean } = {},
): IncompatibleKeys {
  let state = safetensorsToStateDict(bytes);
  if (options.castFloats) {
    const expected = new Map(module.stateDict());
    state = new Map(
      [...state].map(([name, t]) => {
        const want = expected.get(name);
        if (want && want.dtype !== t.dtype && want.dtype !== "int32" && t.dtype !== "int32") {
          return [
            name,
            tensor(Float64Array.from(t.dataSync()), { shape: t.shape as number[], dtype: want.dtype as "float32" }),
          ];
        }
        return [name, t];
      }),
    );
  }
  ownedStates.add(state);
  return module.loadStateDict(state, { strict: options.strict ?? true });
}
