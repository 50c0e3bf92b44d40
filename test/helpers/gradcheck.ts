/**
 * Central finite differences in float64 as the oracle for every gradient: for a random cotangent
 * c, the analytic vector-Jacobian product must equal d/dx_i <f(x), c> ≈ (<f(x+h e_i), c> -
 * <f(x-h e_i), c>) / 2h for each input element.
 */
import { expect } from "vitest";
import { add, gradients, mul, noGrad, sum, tensor, type AnyTensor } from "../../src/index.js";
import { rng as seededRng } from "./random.js";

export { seededRng };

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function randomArray(n: number, rng: () => number): Float64Array {
  return Float64Array.from({ length: n }, () => rng() * 2 - 1);
}

export function gradcheck(
  f: (...xs: AnyTensor[]) => AnyTensor,
  inputs: AnyTensor[],
  options: { seed?: number; h?: number; tol?: number } = {},
): void {
  const rng = seededRng(options.seed ?? 1);
  const h = options.h ?? 1e-6,
    tol = options.tol ?? 1e-6;
  const leaves = inputs.map((x) => x.detach().requiresGrad_(true));
  const y = f(...leaves);
  const c = tensor(randomArray(y.size, rng), { shape: y.shape, dtype: "float64" });
  const analytic = gradients(y, leaves, { seeds: [c], createGraph: false }).map((g) => Float64Array.from(g.dataSync()));
  const cData = c.dataSync();
  noGrad(() => {
    inputs.forEach((x, k) => {
      const base = Float64Array.from(x.dataSync());
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number) => {
          const data = base.slice();
          data[i] += delta;
          const xs = inputs.map((other, j) => (j === k ? tensor(data, { shape: x.shape, dtype: "float64" }) : other));
          return dot(f(...xs).dataSync(), cData);
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        const err = Math.abs(numeric - analytic[k][i]) / Math.max(1, Math.abs(numeric));
        expect(err, `input ${k} element ${i}: numeric ${numeric}, analytic ${analytic[k][i]}`).toBeLessThan(tol);
      }
    });
  });
}

/**
 * Second order: for F(x) = sum(c * f(x)^3), the derivative of <grad F(x), v> along u, by autograd
 * through the gradient graph and by central differences of grad F. u, v and c are drawn from
 * `draw` in that order (uniform in [-1, 1)).
 */
export function gradgradcheck(f: (x: AnyTensor) => AnyTensor, x0: AnyTensor, draw: () => number, tol = 1e-6): void {
  const like = (s: readonly number[]) =>
    tensor(
      randomArray(
        s.reduce((a, b) => a * b, 1),
        draw,
      ),
      { shape: [...s], dtype: "float64" },
    ) as AnyTensor;
  const u = like(x0.shape),
    v = like(x0.shape);
  const c = like(f(x0).shape);
  const grad = (x: AnyTensor, createGraph: boolean) => {
    const y = f(x);
    return gradients(sum(mul(c, mul(y, mul(y, y)))), [x], { createGraph })[0];
  };
  const x = x0.detach().requiresGrad_(true);
  const [hv] = gradients(sum(mul(grad(x, true), v)), [x]);
  const analytic = sum(mul(hv, u)).item();
  const h = 1e-6;
  const at = (t: number) => sum(mul(grad(add(x0, mul(u, t)).detach().requiresGrad_(true), false), v)).item();
  const numeric = (at(h) - at(-h)) / (2 * h);
  expect(Math.abs(numeric - analytic)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(analytic)));
}
