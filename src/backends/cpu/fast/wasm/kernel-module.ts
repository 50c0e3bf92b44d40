/**
 * The kernels' module bytes for a shared memory (the worker pool) or a plain one (a host without
 * SharedArrayBuffer: a browser page that is not cross-origin isolated).
 *
 * Only the shared build is embedded (kernels.generated.ts): the two builds differ in a single byte,
 * the limits flag of the imported memory, `(import "env" "memory" (memory 1 65536 shared))`.
 * Limits are encoded as a flag byte, then the minimum and (when bit 0 is set) the maximum page
 * counts as unsigned LEB128; bit 1 of the flag marks the memory shared. The flag is found by walking
 * the import section, not at a fixed offset, so it stays right when the generator changes the
 * type section before it. scripts/wasm/build-wasm.mjs checks on every build that the plain assembly
 * is the shared one with this bit cleared.
 */
import { KERNELS_WASM_BASE64 } from "./kernels.generated.js";

const SHARED_BIT = 0x02;
const HAS_MAX_BIT = 0x01;
const IMPORT_SECTION = 2;
/** Import kinds (WebAssembly core spec, "Imports"). */
const FUNC = 0x00;
const TABLE = 0x01;
const MEMORY = 0x02;
const GLOBAL = 0x03;
const TAG = 0x04;

/** The module's bytes, importing a shared memory or a plain one. */
export function kernelModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const bytes = Uint8Array.from(atob(KERNELS_WASM_BASE64), (ch) => ch.charCodeAt(0));
  const at = memoryLimitsFlagOffset(bytes);
  bytes[at] = shared ? bytes[at] | SHARED_BIT : bytes[at] & ~SHARED_BIT;
  return bytes;
}

/** Offset of the limits flag of the module's (single) imported memory. */
export function memoryLimitsFlagOffset(bytes: Uint8Array): number {
  let at = 8; // magic and version
  const u32 = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
  };
  const skipLimits = (): void => {
    const flag = bytes[at++];
    u32();
    if (flag & HAS_MAX_BIT) u32();
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = u32();
    if (id !== IMPORT_SECTION) {
      at += size;
      continue;
    }
    for (let count = u32(); count > 0; count--) {
      for (const _name of ["module", "field"]) {
        const length = u32(); // read before `at` moves past the name (at += u32() would lose the length's bytes)
        at += length;
      }
      const kind = bytes[at++];
      if (kind === MEMORY) return at;
      if (kind === FUNC) u32();
      else if (kind === TABLE) {
        at++; // element type
        skipLimits();
      } else if (kind === GLOBAL)
        at += 2; // value type, mutability
      else if (kind === TAG) {
        at++; // attribute
        u32();
      } else throw new Error(`kernels module: unknown import kind ${kind}`);
    }
    break;
  }
  throw new Error("kernels module: no imported memory");
}
