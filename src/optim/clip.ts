/** Gradient clipping by total norm (torch.nn.utils.clip_grad_norm_). */
import type { AnyTensor } from "../tensor.js";
import { abs, add, div, max, maximum, minimum, mul, pow, reshape, sum } from "../ops/untyped.js";
import { noGrad } from "../autograd/engine.js";
import { keep } from "../runtime/memory.js";

/**
 * Scales every gradient by min(1, maxNorm / (total + 1e-6)), where total is the p-norm of all the
 * gradients taken together (Infinity for the max-norm). Returns the total norm as a 0-d tensor (on
 * the gradients' device; `.item()` reads it on the CPU). The scale is applied as a tensor op, so
 * nothing is read back to the host.
 */
export function clipGradNorm(params: Iterable<AnyTensor>, maxNorm: number, normType: number = 2): AnyTensor {
  if (!(maxNorm >= 0)) throw new Error(`clipGradNorm: maxNorm must be a number >= 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new Error(`clipGradNorm: normType must be positive or Infinity, got ${normType}`);
  const withGrad = [...params].filter((p) => p.grad);
  if (withGrad.length === 0) throw new Error("clipGradNorm: no parameter has a gradient");
  return noGrad(() => {
    const grads = withGrad.map((p) => p.grad!);
    let total: AnyTensor;
    if (normType === Infinity) {
      total = grads.map((g) => max(abs(g))).reduce((a, b) => maximum(a, b));
    } else {
      const sums = grads.map((g) => sum(normType === 2 ? mul(g, g) : pow(abs(g), normType)));
      const s = sums.reduce((a, b) => add(a, b));
      total = normType === 1 ? s : pow(s, 1 / normType);
    }
    const coef = minimum(div(maxNorm, add(total, 1e-6)), 1);
    for (const p of withGrad) {
      const old = p.grad!;
      p.grad = keep(mul(old, coef));
      // PyTorch scales in place; here the scaled copy replaces the gradient, and a device buffer is freed now.
      if (old.device !== "cpu") old.dispose();
    }
    return reshape(total, []);
  });
}
