/** Which backend serves each device. The CPU is always there; WebGPU registers itself on init. */
import type { Device } from "../../types/core.js";
import type { Backend } from "../backend.js";
import { cpuBackend } from "../backends/cpu/index.js";
import { opErrors } from "../ops/messages.js";

const backends: { [D in Device]?: Backend } = { cpu: cpuBackend as Backend };

export function registerBackend(device: Device, backend: Backend | undefined): void {
  backends[device] = backend;
}

export function backendFor(device: Device): Backend {
  const b = backends[device];
  if (!b) throw new Error(opErrors.deviceNotInitialised(device));
  return b;
}
