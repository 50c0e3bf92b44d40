/**
 * One text for both sides: the cases the compiler rejects in test-d/messages/ (with the messages
 * checked there) make resolveConv2d throw exactly the same text, and the shapes the compiler
 * computes for the valid cases are resolveConv2d's output shapes.
 */
import { describe, expect, it } from "vitest";
import { resolveConv2d } from "../../src/ops/conv2d.js";
import { errorCases, shapeCases } from "./conv2d-cases.mjs";

describe("resolveConv2d agrees with the type-level rule", () => {
  for (const c of errorCases) {
    it(`throws the compile-time text: ${c.name}`, () => {
      expect(() => resolveConv2d(c.input, c.weight, c.bias ?? null, c.options ?? {})).toThrow(new Error(c.message));
    });
  }
  for (const c of shapeCases) {
    it(`computes the compile-time shape: ${c.name}`, () => {
      expect(resolveConv2d(c.input, c.weight, c.bias ?? null, c.options ?? {}).outShape).toEqual(c.out);
    });
  }
});
