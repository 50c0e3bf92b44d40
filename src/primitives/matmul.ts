/** [.., M, K] x [.., K, N] with equal batch dims (broadcasting is done by expand beforehand). */
import { type FamilyDefinitions, type NoParams, invariant, only } from "./definition.js";

export interface MatmulParams {
  matmul: NoParams;
}

export const matmulFamily: FamilyDefinitions<MatmulParams> = {
  matmul: {
    arity: 2,
    saved: ["pair"],
    shape: ([a, b]) => {
      const r = a.shape.length;
      invariant(r >= 2 && b.shape.length === r && a.shape[r - 1] === b.shape[r - 2], `matmul ${a.shape} x ${b.shape}`);
      return { shape: [...a.shape.slice(0, r - 1), b.shape[r - 1]], dtype: a.dtype };
    },
    // y = a b: ga = g b^T, gb = a^T g (batch dims are equal: matmul() expanded them first).
    vjp: (op, g, [a, b], _y, _p, [na, nb]) => [
      only(na, () => op.apply("matmul", [g, op.transpose(b)], {})),
      only(nb, () => op.apply("matmul", [op.transpose(a), g], {})),
    ],
  },
};
