/**
 * F.linear refuses a weight whose in-features are not the input's last dim with the text the types
 * carry at the weight (test-d/messages/functional.ts quotes the same calls).
 */
import { describe, expect, it } from "vitest";
import { randn, type AnyTensor } from "../../src/index.js";
import * as nn from "../../src/nn/index.js";

const linear = nn.functional.linear as unknown as (x: AnyTensor, w: AnyTensor, b?: AnyTensor) => AnyTensor;

describe("nn.functional.linear", () => {
  it("throws the types' message for mismatched features", () => {
    expect(() => linear(randn([2, 16]), randn([4, 8]))).toThrow(
      "linear: input [2, 16] has 16 features but the layer expects 8 (weight [4, 8])",
    );
    expect(() => linear(randn([2, 3, 500]), randn([10, 512]), randn([10]))).toThrow(
      "linear: input [2, 3, 500] has 500 features but the layer expects 512 (weight [10, 512])",
    );
  });

  it("keeps the leading dims and maps the last", () => {
    expect(linear(randn([5, 3, 16]), randn([4, 16]), randn([4])).shape).toEqual([5, 3, 4]);
  });
});
