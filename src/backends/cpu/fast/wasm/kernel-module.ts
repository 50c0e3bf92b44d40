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
 *
 * Two modules are embedded: the plain one and the FMA one, whose GEMM tile fuses each multiply-add
 * into one f32x4.relaxed_madd (relaxed SIMD). With the product no longer a separate value, the
 * 4x8 tile issues ~18 instructions per k instead of ~30 (8 fused ops replace 8 mul + 8 add).
 * relaxedSimd() says whether the engine takes it.
 */
import { KERNELS_FMA_WASM_BASE64, KERNELS_WASM_BASE64 } from "./kernels.generated.js";

const SHARED_BIT = 0x02;
const HAS_MAX_BIT = 0x01;
const IMPORT_SECTION = 2;
/** Import kinds (WebAssembly core spec, "Imports"). */
const FUNC = 0x00;
const TABLE = 0x01;
const MEMORY = 0x02;
const GLOBAL = 0x03;
const TAG = 0x04;

/**
 * (module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1)
 * (local.get 2)))): what the engine must validate for the FMA module to load.
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);
/** The V8 flag behind which Node 20 keeps relaxed SIMD (Chrome >= 114 and Node >= 22 ship it on). */
const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";
let relaxed: boolean | undefined;

/**
 * Whether the engine validates relaxed SIMD, turning it on first where Node keeps it behind a flag:
 * node:v8 is reached through process.getBuiltinModule (Node >= 20.16), never imported, so browsers
 * and bundlers see no Node module. V8's flags are process-wide: the pool's workers, which receive the
 * compiled module, need nothing more. Asked once.
 */
export function relaxedSimd(): boolean {
  if (relaxed !== undefined) return relaxed;
  relaxed = WebAssembly.validate(RELAXED_PROBE);
  if (!relaxed) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const v8 = proc?.getBuiltinModule?.("node:v8") as { setFlagsFromString?: (flags: string) => void } | undefined;
    if (v8?.setFlagsFromString) {
      v8.setFlagsFromString(RELAXED_FLAG);
      relaxed = WebAssembly.validate(RELAXED_PROBE);
    }
  }
  return relaxed;
}

/** The module's bytes, importing a shared memory or a plain one; `fma`: the FMA build (needs relaxedSimd()). */
export function kernelModuleBytes(shared: boolean, fma = false): Uint8Array<ArrayBuffer> {
  const bytes = Uint8Array.from(atob(fma ? KERNELS_FMA_WASM_BASE64 : KERNELS_WASM_BASE64), (ch) => ch.charCodeAt(0));
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
