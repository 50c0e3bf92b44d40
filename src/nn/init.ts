/** Parameter initialisers (PyTorch's nn.init), drawing from the seeded stream (`manualSeed`). */
import type { Device } from "../../types/core.js";
import { mul, noGrad, rand, sub, type AnyTensor } from "./ops.js";

export interface FactoryOptions {
  /** float32 (default) or float64. */
  dtype?: "float32" | "float64";
  device?: Device;
}

/** U(-bound, bound). */
export function uniform(shape: readonly number[], bound: number, options: FactoryOptions = {}): AnyTensor {
  return noGrad(() =>
    mul(
      sub(rand(shape as number[], { dtype: options.dtype ?? "float32", device: options.device ?? "cpu" }), 0.5),
      2 * bound,
    ),
  );
}

/**
 * kaiming_uniform_(w, a): U(-b, b) with b = gain * sqrt(3 / fan_in) and gain = sqrt(2 / (1 + a^2)).
 * With PyTorch's a = sqrt(5) for Conv2d and Linear weights, b = 1 / sqrt(fan_in).
 */
export function kaimingUniform(
  shape: readonly number[],
  fanIn: number,
  a = Math.sqrt(5),
  options: FactoryOptions = {},
): AnyTensor {
  const gain = Math.sqrt(2 / (1 + a * a));
  return uniform(shape, gain * Math.sqrt(3 / fanIn), options);
}

/** fan_in of a weight: dim 1 times the receptive field (the product of the dims after 1). */
export function fanIn(shape: readonly number[]): number {
  if (shape.length < 2) throw new Error(`init.fanIn: a weight needs at least 2 dims, got [${shape.join(", ")}]`);
  return shape.slice(1).reduce((a, b) => a * b, 1);
}
