/**
 * Phase-2 shape types (types/shape/broadcast.ts, reshape.ts, pool.ts) against their runtime twins:
 * each case's type is read back from one generated file and compared with the shape the runtime
 * computes or the message it throws (types/errors.ts, src/ops/pool.ts), and the catalogue's
 * shapeErrors produce the runtime's texts.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { Project } from "ts-morph";
import { shapeErrors } from "../../types/errors.js";
import { opErrors } from "../../types/errors.js";
import { poolOutSize, resolvePool2d } from "../../src/ops/pool.js";
import { broadcastShapes } from "../../src/runtime/shape.js";
import { root } from "./message-check.mjs";

const show = (s: readonly number[]) => `[${s.join(", ")}]`;

/** [type expression, expected shape (or number for Product) or message] */
const cases: [string, readonly number[] | number | string][] = [
  ["Broadcast<[8, 1, 5], [3, 1]>", [8, 3, 5]],
  ["Broadcast<[], [2, 3]>", [2, 3]],
  ["Broadcast<[2, 1], [1, 7]>", [2, 7]],
  ['Broadcast<[2, 3], [4, 3], "add">', opErrors.broadcast("add", [2, 3], [4, 3])],
  ["MatMul<[2, 5, 3, 4], [4, 7]>", [2, 5, 3, 7]],
  ["MatMul<[4], [4]>", []],
  ["MatMul<[3, 4], [4]>", [3]],
  ["MatMul<[4], [4, 6]>", [6]],
  ["MatMul<[2, 1, 3, 4], [5, 4, 2]>", [2, 5, 3, 2]],
  ["MatMul<[3, 4], [5, 6]>", opErrors.matmul([3, 4], [5, 6])],
  ["MatMul<[3, 4], [5]>", opErrors.matmul([3, 4], [5])],
  ["MatMul<[], [2]>", opErrors.matmulRank([], [2])],
  ["Linear<[8, 512], 512, 10>", [8, 10]],
  ["Linear<[8, 500], 512, 10>", "linear: input [8, 500] has 500 features but the layer expects 512 (weight [10, 512])"],
  ["Product<[2, 3, 4]>", 24],
  ["Product<[]>", 1],
  ["Reshape<[2, 3, 4], [4, -1]>", [4, 6]],
  ["Reshape<[2, 3, 4], [24]>", [24]],
  ["Reshape<[2, 3, 4], [5, -1]>", opErrors.reshapeCount("reshape", [2, 3, 4], [5, -1])],
  ["Reshape<[2, 3, 4], [5, 5]>", opErrors.reshapeCount("reshape", [2, 3, 4], [5, 5])],
  ["Reshape<[2, 3, 4], [-1, -1]>", opErrors.reshapeInfer("reshape", [-1, -1])],
  ["Flatten<[2, 3, 4, 5], 1>", [2, 60]],
  ["Flatten<[2, 3, 4, 5]>", [120]],
  ["Flatten<[2, 3, 4, 5], 1, 2>", [2, 12, 5]],
  ["Flatten<[2, 3, 4, 5], -2>", [2, 3, 20]],
  ["Flatten<[2, 3], 1, 0>", opErrors.flattenOrder(1, 0)],
  ["Flatten<[2, 3], 5>", opErrors.dimOutOfRange("flatten", 5, 2)],
  ["Permute<[2, 3, 4], [2, 0, 1]>", [4, 2, 3]],
  ["Permute<[2, 3, 4], [-1, 0, 1]>", [4, 2, 3]],
  ["Permute<[2, 3, 4], [0, 0, 1]>", opErrors.permutation("permute", [0, 0, 1], 3)],
  ["Transpose<[2, 3, 4], 0, -1>", [4, 3, 2]],
  ["Transpose<[2, 3, 4], 0, 3>", opErrors.dimOutOfRange("transpose", 3, 3)],
  ["Reduce<[2, 3, 4], 1, false>", [2, 4]],
  ["Reduce<[2, 3, 4], [0, -1], true>", [1, 3, 1]],
  ["Reduce<[2, 3, 4], undefined, false>", []],
  ["Reduce<[2, 3, 4], undefined, true>", [1, 1, 1]],
  ['Reduce<[2, 3, 4], [1, 1], false, "sum">', opErrors.duplicateDim("sum", 1)],
  ['Reduce<[2, 3, 4], 3, false, "sum">', opErrors.dimOutOfRange("sum", 3, 3)],
];

/** Pooling cases are checked against resolvePool2d itself. */
const pools: [number[], number | [number, number], number | undefined, number, number, boolean][] = [
  [[8, 16, 32, 32], 2, undefined, 0, 1, false],
  [[1, 1, 5, 5], 2, 2, 0, 1, true],
  [[1, 1, 5, 5], 2, 2, 1, 1, true],
  [[1, 1, 6, 6], 3, 2, 1, 1, true],
  [[16, 9, 9], [3, 2], 1, 1, 2, false],
  [[2, 3, 17, 11], 3, 3, 1, 2, true],
  [[1, 1, 2, 2], 5, undefined, 0, 1, false],
  [[1, 1, 2, 2], 3, 1, 2, 1, false],
  [[2, 2], 2, undefined, 0, 1, false],
];
const lit = (v: unknown): string => (Array.isArray(v) ? `[${v.map(lit).join(", ")}]` : String(v));

describe("phase-2 shape types", () => {
  const lines = [
    `import type { Broadcast, MatMul, Linear } from "${join(root, "types/shape/broadcast.js")}";`,
    `import type { Product, Reshape, Flatten, Permute, Transpose, Reduce } from "${join(root, "types/shape/reshape.js")}";`,
    `import type { Pool2d } from "${join(root, "types/shape/pool.js")}";`,
    ...cases.map(([expr], i) => `type C${i} = ${expr};`),
    ...pools.map(
      ([s, k, st, p, d, c], i) => `type P${i} = Pool2d<${lit(s)}, ${lit(k)}, ${st ?? "undefined"}, ${p}, ${d}, ${c}>;`,
    ),
  ];
  const project = new Project({ tsConfigFilePath: join(root, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
  const file = project.createSourceFile(
    join(root, "test/types/__shape_ops_generated.ts"),
    `${lines.join("\n")}\nexport {};\n`,
    { overwrite: true },
  );
  const read = (name: string): unknown => {
    const t = file.getTypeAliasOrThrow(name).getType();
    if (t.isStringLiteral() || t.isNumberLiteral()) return t.getLiteralValue();
    if (t.isTuple()) return t.getTupleElements().map((e) => e.getLiteralValue());
    return t.getText();
  };

  it("compiles", () => expect(file.getPreEmitDiagnostics().map((d) => d.getMessageText())).toEqual([]));
  cases.forEach(([expr, want], i) => it(expr, () => expect(read(`C${i}`)).toEqual(want)));
  pools.forEach(([s, k, st, p, d, c], i) =>
    it(`Pool2d<${lit(s)}, ${lit(k)}, ${st}, ${p}, ${d}, ${c}>`, () => {
      let want: unknown;
      try {
        const g = resolvePool2d("maxPool2d", s, { kernelSize: k, stride: st, padding: p, dilation: d, ceilMode: c });
        want = s.length === 4 ? [s[0], s[1], g.outHeight, g.outWidth] : [s[0], g.outHeight, g.outWidth];
      } catch (e) {
        want = (e as Error).message;
      }
      expect(read(`P${i}`)).toEqual(want);
    }),
  );

  it("the catalogue's texts are the runtime's", () => {
    expect(shapeErrors.broadcast("add", show([2, 3]), show([4, 3]))).toBe(opErrors.broadcast("add", [2, 3], [4, 3]));
    expect(shapeErrors.matmul(show([3, 4]), show([5]), 4, 5)).toBe(opErrors.matmul([3, 4], [5]));
    expect(shapeErrors.matmulRank(show([]), show([2]))).toBe(opErrors.matmulRank([], [2]));
    expect(shapeErrors.reshapeCount("view", show([2, 3]), 6, show([4, -1]))).toBe(
      opErrors.reshapeCount("view", [2, 3], [4, -1]),
    );
    expect(shapeErrors.reshapeInfer("view", show([-1, -1]))).toBe(opErrors.reshapeInfer("view", [-1, -1]));
    expect(shapeErrors.dimOutOfRange("sum", -4, 3, -3, 2)).toBe(opErrors.dimOutOfRange("sum", -4, 3));
    expect(shapeErrors.duplicateDim("sum", 1)).toBe(opErrors.duplicateDim("sum", 1));
    expect(shapeErrors.permutation("permute", show([0, 0]), 2)).toBe(opErrors.permutation("permute", [0, 0], 2));
    expect(shapeErrors.flattenOrder(2, 1)).toBe(opErrors.flattenOrder(2, 1));
    expect(shapeErrors.poolRank("maxPool2d", show([2, 2]))).toBe(opErrors.poolRank("maxPool2d", [2, 2]));
    expect(shapeErrors.poolPadding("maxPool2d", show([2, 1]), show([3, 3]))).toBe(
      opErrors.poolPadding("maxPool2d", [2, 1], [3, 3]),
    );
    expect(shapeErrors.poolOutput("maxPool2d", 0, -1, 5, 7, show([5, 4]), show([1, 2]), 2, 3, show([0, 1]))).toBe(
      opErrors.poolOutput("maxPool2d", [0, -1], [5, 4], [1, 2], [2, 3], [0, 1]),
    );
    expect(poolOutSize(5, 2, 2, 1, 1, true)).toBe(3);
    expect(broadcastShapes([8, 1, 5], [3, 1])).toEqual([8, 3, 5]);
  });
});
