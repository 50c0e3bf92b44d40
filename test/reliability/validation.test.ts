/**
 * Regressions found by the reliability work, one per bug: each case failed before its fix in
 * src/ops (wrong op name in the message, a TypeError instead of a catalogued Error, or memory
 * allocated before the call was refused).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as sg from "../../src/index.js";
import { opErrors } from "../../types/errors.js";
import * as basic from "../../src/ops/untyped.js";
import { installBackendSpy, snapshot, touched } from "./spy.js";

vi.mock("../../src/backends/cpu/arrays.js", async (importOriginal) =>
  (await import("./counters.js")).countingArrays(importOriginal),
);

installBackendSpy();

/** Runs `f`, which must throw exactly `message` as a plain Error without touching the backend. */
function refuses(f: () => unknown, message: string): void {
  const before = snapshot();
  let thrown: unknown = null;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "the call must throw").toBeInstanceOf(Error);
  expect((thrown as Error).constructor).toBe(Error);
  expect((thrown as Error).message).toBe(message);
  expect(touched(before)).toEqual([]);
}

afterEach(() => sg.setMaxElements(2 ** 31 - 1));

describe("creation checks the element count before it allocates", () => {
  it("randn / rand / zeros past a setMaxElements ceiling", () => {
    sg.setMaxElements(1000);
    refuses(() => sg.randn([10, 200]), opErrors.tooManyElements("randn", [10, 200], 2000, 1000));
    refuses(() => sg.rand([2000]), opErrors.tooManyElements("rand", [2000], 2000, 1000));
    refuses(() => sg.zeros([2000]), opErrors.tooManyElements("zeros", [2000], 2000, 1000));
    refuses(() => sg.randint(0, 5, [2000]), opErrors.tooManyElements("randint", [2000], 2000, 1000));
    refuses(() => sg.tensor(new Float32Array(2000)), opErrors.tooManyElements("tensor", [2000], 2000, 1000));
  });
  it("arange whose length no typed array can hold", () => {
    refuses(() => sg.arange(0, 1e300), opErrors.tooManyElements("arange", [1e300], 1e300, 2 ** 31 - 1));
  });
  it("randn of 2^32 elements is refused, not allocated (16 GiB)", () => {
    refuses(
      () => sg.randn([2 ** 16, 2 ** 16]),
      opErrors.tooManyElements("randn", [2 ** 16, 2 ** 16], 2 ** 32, 2 ** 31 - 1),
    );
  });
});

describe("an empty batch does not let a huge plane through", () => {
  it("conv2d of N = 0 with a 2^31 padding is refused with the limit, not a RangeError from the kernels", () => {
    const x = sg.randn([0, 1, 3, 3]),
      w = sg.randn([1, 1, 1, 1]);
    const side = 3 + 2 ** 32;
    refuses(
      () => sg.conv2d(x, w, null, { padding: 2 ** 31, paddingMode: "replicate" }),
      opErrors.tooLargeEmpty("pad", [0, 1, side, side], side * side, 2 ** 31 - 1),
    );
    refuses(
      () => sg.conv2d(x, w, null, { padding: 2 ** 31 }),
      opErrors.tooLargeEmpty("conv2d", [0, 1, side, side], side * side, 2 ** 31 - 1),
    );
  });
});

describe("composite ops validate under their own name before any kernel runs", () => {
  const x = sg.randn([2, 3]);
  const y = sg.randn([4]);
  it("minimum", () => refuses(() => sg.minimum(x, y as never), opErrors.broadcast("minimum", [2, 3], [4])));
  it("less (operands in the caller's order)", () =>
    refuses(() => x.lt(y as never), opErrors.broadcast("less", [2, 3], [4])));
  const empty = sg.zeros([0, 2]);
  it("min over an empty dim", () => refuses(() => sg.min(empty, 0), opErrors.emptyReduce("min", [0, 2])));
  it("matmul of a vector with a mismatched matrix", () => {
    const v = sg.randn([3]),
      m = sg.randn([4, 5]);
    refuses(() => sg.matmul(v, m as never), opErrors.matmul([3], [4, 5]));
  });
  it("argmax of an empty tensor names the tensor's own shape", () =>
    refuses(() => sg.argmax(empty), opErrors.emptyReduce("argmax", [0, 2])));
  it("square of a non-tensor", () =>
    refuses(() => sg.square(null as never), opErrors.notTensor("square", "input", null)));
});

describe("non-array shapes and dims are catalogued errors, not TypeErrors", () => {
  const x = sg.randn([2, 3]);
  it("reshape / permute / expand", () => {
    refuses(() => sg.reshape(x, null as never), opErrors.notShape("reshape", "shape", null));
    refuses(() => sg.permute(x, 3 as never), opErrors.notShape("permute", "perm", 3));
    refuses(() => sg.expand(x, undefined as never), opErrors.notShape("expand", "shape", undefined));
  });
  it("reduction dims", () => {
    refuses(() => sg.sum(x, null as never), opErrors.notDims("sum", null));
    refuses(() => sg.max(x, {} as never), opErrors.notDims("max", {}));
  });
  it("a number with a non-tensor", () =>
    refuses(() => sg.add(1 as never, undefined as never), opErrors.notTensor("add", "second operand", undefined)));
  it("unsqueeze / squeeze of a non-tensor", () => {
    refuses(() => basic.unsqueeze(null as never, 0), opErrors.notTensor("unsqueeze", "input", null));
    refuses(() => basic.squeeze(undefined as never), opErrors.notTensor("squeeze", "input", undefined));
  });
});

// Guards the guard: if the allocate mock stopped counting, every "allocates nothing" check above would pass vacuously.
it("the allocation counter sees a valid call allocate", async () => {
  const { counters } = await import("./counters.js");
  const before = counters.allocations;
  sg.add(sg.ones([3]), 1);
  expect(counters.allocations).toBeGreaterThan(before);
});
