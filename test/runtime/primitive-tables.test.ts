/**
 * The primitive tables are mapped types over the closed list: a family missing a primitive, a
 * primitive missing a rule, or an assembly missing a family does not compile (the
 * `@ts-expect-error` lines below fail `npm run typecheck` the day any of them compiles).
 */
import { describe, expect, it } from "vitest";
import {
  type Conv2dGeometry,
  type Conv2dParams,
  type FamilyDefinitions,
  type Primitive,
  type PrimitiveDefinition,
  type PrimitiveDefinitions,
  piecewiseConstant,
  primitiveArity,
  savedData,
  shapeRules,
  vjpRules,
} from "../../src/primitives/index.js";
import { conv2dFamily } from "../../src/primitives/conv2d.js";
import { elementwiseFamily } from "../../src/primitives/elementwise.js";
import { cpuKernels } from "../../src/backends/cpu/index.js";

// @ts-expect-error a family without one of its primitives (conv2dBackWeight)
export const missingPrimitive: FamilyDefinitions<Conv2dParams> = {
  conv2d: conv2dFamily.conv2d,
  conv2dBackInput: conv2dFamily.conv2dBackInput,
};

// @ts-expect-error a primitive without its gradient rule
export const missingRule: PrimitiveDefinition<Conv2dGeometry> = {
  arity: 2,
  shape: conv2dFamily.conv2d.shape,
  saved: ["pair"],
};

// @ts-expect-error the assembled table without most families
export const missingFamily: PrimitiveDefinitions = { ...elementwiseFamily };

describe("the primitive tables", () => {
  it("every table has every primitive, and nothing else", () => {
    const names = Object.keys(primitiveArity).sort() as Primitive[];
    expect(names.length).toBeGreaterThan(30);
    for (const table of [shapeRules, savedData, vjpRules, cpuKernels]) expect(Object.keys(table).sort()).toEqual(names);
  });

  it("the primitives never recorded are those without a gradient", () => {
    expect([...piecewiseConstant].sort()).toEqual(["argmax", "equal", "greater", "sign"]);
  });
});
