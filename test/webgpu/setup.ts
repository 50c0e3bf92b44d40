/**
 * Shared by every WebGPU test file: get a device or decide to skip.
 *
 * Without an adapter the tests skip with the reason in their title, unless REQUIRE_WEBGPU=1 (set
 * by CI after installing the driver), which turns the missing adapter into a failure: a broken
 * driver install can never pass as "skipped".
 */
import { destroyWebGPU, initWebGPU } from "../../src/backends/webgpu/index.js";

export interface WebGPUSetup {
  readonly available: boolean;
  /** Why the tests skip; empty when available. */
  readonly reason: string;
}

export async function setupWebGPU(): Promise<WebGPUSetup> {
  try {
    await initWebGPU();
    return { available: true, reason: "" };
  } catch (e) {
    const reason = (e as Error).message;
    if (process.env.REQUIRE_WEBGPU === "1") {
      throw new Error(`REQUIRE_WEBGPU=1 but WebGPU is unavailable: ${reason}`);
    }
    return { available: false, reason };
  }
}

export function suiteTitle(title: string, setup: WebGPUSetup): string {
  return setup.available ? title : `${title} [skipped: no WebGPU adapter: ${setup.reason}]`;
}

export { destroyWebGPU };
