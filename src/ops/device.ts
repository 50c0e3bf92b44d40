/**
 * Copies and moves: to another device, to another dtype, a copy in the graph (clone) or out of it
 * (detach), and assign, which swaps a tensor's data whole (how optimizers update parameters).
 */
import type { DType, Device } from "../../types/core.js";
import type { AnyTensor } from "../tensor.js";
import { markModified, Tensor } from "../tensor.js";
import { apply, fromHost, noGrad } from "../autograd/engine.js";
import { backendFor } from "../runtime/devices.js";
import { moveStorage, shareStorage } from "../runtime/memory.js";
import { formatShape, sameShape } from "../runtime/shape.js";
import { opErrors } from "../../types/errors.js";
import { assertTensor } from "./arguments.js";

/** Moves data to another device as a new leaf (keeping requiresGrad). */
export function toDevice(x: AnyTensor, device: Device): AnyTensor {
  assertTensor("to", x);
  if (x.device === device) return x;
  const source = backendFor(x.device);
  if (!source.readSync)
    throw new Error(`to: reading a ${x.device} tensor back is asynchronous; use \`await t.toAsync("${device}")\``);
  return fromHostChecked(source.readSync(x.storage, x.dtype, x.size), x, device);
}

export async function toDeviceAsync(x: AnyTensor, device: Device): Promise<AnyTensor> {
  assertTensor("to", x);
  if (x.device === device) return x;
  return fromHostChecked(await backendFor(x.device).read(x.storage, x.dtype, x.size), x, device);
}

function fromHostChecked(data: Float32Array | Float64Array | Int32Array, x: AnyTensor, device: Device): AnyTensor {
  if (device !== "cpu" && x.dtype === "float64") throw new Error(opErrors.float64OnDevice(device));
  const t = fromHost(data, x.shape, x.dtype, device);
  t.requiresGrad = x.requiresGrad;
  return t;
}

/** A copy that stays in the graph. */
export function clone(x: AnyTensor): AnyTensor {
  assertTensor("clone", x);
  return apply("expand", [x], { shape: x.shape });
}

export function cast(x: AnyTensor, dtype: DType): AnyTensor {
  assertTensor("cast", x);
  if (x.dtype === dtype) return x;
  return apply("cast", [x], { dtype });
}

/** The same data, cut from the graph (Tensor.detach). */
export function detach(x: AnyTensor): AnyTensor {
  x.assertAlive("detach");
  if (x.device !== "cpu") return noGrad(() => clone(x));
  return Tensor._make(x.shape, x.dtype, x.device, x.storage, null);
}

/**
 * `assign`, naming `by` as the change (an optimizer's step, loadStateDict) for the message of a
 * backward that needed the old data.
 */
export function replaceData(t: AnyTensor, value: AnyTensor, by: string): AnyTensor {
  if (!(value instanceof Tensor)) throw new Error(opErrors.notTensor("assign", "value", value));
  if (!sameShape(value.shape, t.shape) || value.dtype !== t.dtype || value.device !== t.device) {
    const kind = (x: AnyTensor) => `${formatShape(x.shape)} (${x.dtype}, ${x.device})`;
    throw new Error(`assign: value has shape ${kind(value)} but the tensor has shape ${kind(t)}`);
  }
  t.assertAlive("assign");
  value.assertAlive("assign");
  // CPU storage is immutable, so sharing it is safe; a device buffer gets one owner through a copy.
  if (t.device === "cpu") shareStorage(t, value.storage);
  else
    moveStorage(
      t,
      noGrad(() => clone(value)),
    );
  markModified(t, by);
  return t;
}
