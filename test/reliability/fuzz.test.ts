/**
 * Fuzz of the public API (issue 8, item 1). Every case is a random call, valid or not; an oracle
 * written here, independently of src/, says what the call must do:
 *   - valid: return a tensor of the shape given by the formula (broadcasting, reduction,
 *     torch.matmul, PyTorch's pooling size), with no NaN when the inputs are finite and the math is;
 *   - invalid: throw a plain `Error` (not a TypeError/RangeError) whose message is the catalogue's
 *     text for the rule broken (built by calling the catalogue function), and reach no kernel, no
 *     upload/fill and no typed-array allocation first.
 * A hang would fail the run through the test timeout. fast-check runs with a fixed seed; the
 * counts add up to more than 10,000 cases per `npm test`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import * as sg from "../../src/index.js";
import { opErrors } from "../../types/errors.js";
import {
  argumentErrors,
  autogradErrors,
  conv2dErrors,
  formatShape,
  interpolateErrors,
  joinErrors,
  nnErrors,
  padErrors,
  show,
} from "../../types/errors.js";
import { installBackendSpy, snapshot, touched } from "./spy.js";
import { broadcast, fuzzDim, isDim, normalize, poolOut, reachesInput, REJECTED_NUMBERS } from "./oracle.js";

vi.mock("../../src/backends/cpu/arrays.js", async (importOriginal) =>
  (await import("./counters.js")).countingArrays(importOriginal),
);

installBackendSpy();

/** Small on purpose: a "huge but valid" shape is refused by the ceiling instead of allocated. */
const CEILING = 1 << 14;
const SEED = 42;
beforeAll(() => sg.setMaxElements(CEILING));
afterAll(() => sg.setMaxElements(2 ** 31 - 1));

type DT = "float32" | "float64" | "int32";
type Outcome = { shape: readonly number[]; finite: boolean } | { errors: readonly string[] };
const ok = (shape: readonly number[], finite = true): Outcome => ({ shape, finite });
const err = (...errors: string[]): Outcome => ({ errors });

let cases = 0;
let valid = 0;
let backwards = 0;

/** The element limit as documented: the count, and (for an empty shape) the product of its non-zero dims. */
function overLimit(op: string, shape: readonly number[]): string | null {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > CEILING) return opErrors.tooManyElements(op, shape, n, CEILING);
  const span = shape.reduce((a, b) => a * (b === 0 ? 1 : b), 1);
  return span > CEILING ? opErrors.tooLargeEmpty(op, shape, span, CEILING) : null;
}

/** Runs one call against its expected outcome (inputs must already exist); returns a valid result. */
function check(call: () => unknown, expected: Outcome): sg.AnyTensor | null {
  cases++;
  const before = snapshot();
  let result: unknown;
  let thrown: unknown = null;
  try {
    result = call();
  } catch (e) {
    thrown = e;
  }
  if ("errors" in expected) {
    if (thrown === null)
      throw new Error(
        `expected an error (${expected.errors[0]}), got a result of shape ${JSON.stringify((result as sg.AnyTensor).shape)}`,
      );
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).constructor, (thrown as Error).message).toBe(Error);
    expect(expected.errors).toContain((thrown as Error).message);
    expect(touched(before), `refused call touched the backend: ${(thrown as Error).message}`).toEqual([]);
    return null;
  }
  if (thrown !== null) throw thrown as Error;
  valid++;
  const t = result as sg.AnyTensor;
  expect(t).toBeInstanceOf(sg.Tensor);
  expect([...t.shape]).toEqual([...expected.shape]);
  const data = t.dataSync();
  expect(data.length).toBe(expected.shape.reduce((a, b) => a * b, 1));
  if (expected.finite)
    for (const v of data) if (Number.isNaN(v)) throw new Error(`NaN in the result of shape ${JSON.stringify(t.shape)}`);
  return t;
}

/**
 * The backward pass of a valid result: seeded with ones, every input that requires a gradient gets
 * one of its own shape, with no NaN (the inputs are finite).
 */
function checkBackward(y: sg.AnyTensor | null, inputs: sg.AnyTensor[]): void {
  if (!y || !y.requiresGrad) return;
  backwards++;
  y.backward();
  for (const t of inputs) {
    if (!t.requiresGrad) continue;
    expect(t.grad, "a gradient for every input").not.toBeNull();
    expect([...t.grad!.shape]).toEqual([...t.shape]);
    for (const v of t.grad!.dataSync())
      if (Number.isNaN(v)) throw new Error(`NaN in the gradient of shape ${JSON.stringify(t.shape)}`);
  }
}

const dtypeArb = fc.constantFrom<DT>("float32", "float32", "float64", "int32");
const smallShape = (maxRank: number, minDim = 0, maxDim = 3) =>
  fc.array(fc.integer({ min: minDim, max: maxDim }), { maxLength: maxRank });

/** Finite inputs: floats in [0.5, 1.5] (no zero divisors, positive for log/sqrt), ints in 1..3. */
function input(shape: readonly number[], dtype: DT, seed: number, requiresGrad = false): sg.AnyTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => {
    const u = ((seed * 2654435761 + i * 40503) >>> 0) / 2 ** 32;
    return dtype === "int32" ? 1 + Math.floor(u * 3) : 0.5 + u;
  });
  return sg.tensor(values, { shape: [...shape], dtype, requiresGrad: requiresGrad && dtype !== "int32" });
}

describe("creation", () => {
  const ops = ["zeros", "ones", "randn", "rand", "full"] as const;
  it("zeros / ones / randn / rand / full with any shape and options", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ops),
        fc.array(fuzzDim, { maxLength: 4 }),
        fc.constantFrom<unknown>("float32", "float64", "int32", undefined, "float16"),
        fc.constantFrom<unknown>("cpu", undefined, "webgpu", "tpu"),
        fc.boolean(),
        fc.constantFrom(0, 2.5, -3),
        (op, shape, dtype, device, requiresGrad, value) => {
          const options = { dtype, device, requiresGrad } as never;
          const run = () => (op === "full" ? sg.full(shape, value, options) : sg[op](shape, options));
          check(run, creationOutcome(op, shape, dtype, device, requiresGrad, value));
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
  });

  function creationOutcome(
    op: string,
    shape: readonly number[],
    dtype: unknown,
    device: unknown,
    requiresGrad: boolean,
    value: number,
  ): Outcome {
    const bad = shape.find((d) => !isDim(d));
    if (bad !== undefined) return err(opErrors.badDim(op, "every dim", bad));
    const dt = dtype ?? "float32",
      dev = device ?? "cpu";
    if (dt !== "float32" && dt !== "float64" && dt !== "int32") return err(opErrors.unknownDType(op, dt));
    if (dev !== "cpu" && dev !== "webgpu") return err(opErrors.unknownDevice(op, dev));
    if (dev !== "cpu" && dt === "float64") return err(opErrors.float64OnDevice(dev));
    if (requiresGrad && dt === "int32") return err(opErrors.noGradFloat(dt));
    if (dev !== "cpu") return err(opErrors.deviceNotInitialised(dev));
    if ((op === "randn" || op === "rand") && dt === "int32") return err(opErrors.randomInt32(op));
    if (op === "full" && dt === "int32" && !Number.isInteger(value)) return err(opErrors.fillInt32(op, value));
    const limit = overLimit(op, shape);
    return limit ? err(limit) : ok(shape);
  }

  it("arange and randint with any bounds", () => {
    const bound = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constantFrom(0.5, -2.5, ...REJECTED_NUMBERS));
    fc.assert(
      fc.property(
        bound,
        bound,
        fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.25, NaN, 1e-300)),
        (start, end, step) => {
          const count = Math.max(0, Math.ceil((end - start) / step));
          const finite = [start, end, step].every(Number.isFinite);
          const expected = !Number.isFinite(start)
            ? err(opErrors.arangeBound("start", start))
            : !Number.isFinite(end)
              ? err(opErrors.arangeBound("end", end))
              : !Number.isFinite(step)
                ? err(opErrors.arangeBound("step", step))
                : step === 0
                  ? err(opErrors.arangeStep())
                  : count > CEILING
                    ? err(opErrors.tooManyElements("arange", [count], count, CEILING))
                    : ok([count], finite);
          check(() => sg.arange(start, end, step), expected);
          const fits = (v: number) => Number.isSafeInteger(v) && v >= -(2 ** 31) && v <= 2 ** 31;
          check(
            () => sg.randint(start, end, [2, 3]),
            fits(start) && fits(end) && end > start ? ok([2, 3]) : err(opErrors.randintRange(start, end)),
          );
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
  });
});

describe("elementwise and broadcasting", () => {
  const binaries = ["add", "sub", "mul", "div", "maximum", "minimum", "lt", "gt", "eq"] as const;
  const opName = { lt: "less", gt: "greater", eq: "equal" } as Record<string, string>;
  it("binary ops on random shapes, dtypes and number operands", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...binaries),
        smallShape(4, 1),
        dtypeArb,
        fc.option(fc.tuple(smallShape(4, 1), dtypeArb), { nil: undefined }),
        fc.nat(1000),
        (op, sa, da, other, seed) => {
          const a = input(sa, da, seed);
          const b = other ? input(other[0], other[1], seed + 1) : 1.25;
          const name = opName[op] ?? op;
          const call = () => (op === "lt" || op === "gt" || op === "eq" ? a[op](b as never) : sg[op](a, b as never));
          let expected: Outcome;
          const shape = other ? broadcast(sa, other[0]) : sa;
          if (other && other[1] !== da) expected = err(opErrors.dtypeMismatch(name, da, other[1]));
          else if (!shape) expected = err(opErrors.broadcast(name, sa, other![0]));
          // True division of integers would be a float (PyTorch promotes); int32 is refused instead of truncated.
          else if (op === "div" && da === "int32") expected = err(opErrors.notFloat("div", da));
          else expected = ok(shape);
          check(call, expected);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  });

  const unaries = ["neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "erf", "square"] as const;
  const intOk = new Set(["neg", "abs", "relu", "square"]);
  it("unary ops: floats only where the math needs them, finite out of finite in", () => {
    fc.assert(
      fc.property(fc.constantFrom(...unaries), smallShape(4), dtypeArb, fc.nat(1000), (op, shape, dtype, seed) => {
        const x = input(shape, dtype, seed);
        check(() => sg[op](x), dtype === "int32" && !intOk.has(op) ? err(opErrors.notFloat(op, dtype)) : ok(shape));
      }),
      { seed: SEED, numRuns: 800 },
    );
  });

  it("a non-tensor operand is named", () => {
    const x = input([2], "float32", 1);
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, undefined, "2", [1, 2], {}, true), fc.boolean(), (bad, first) => {
        check(
          () => (first ? sg.add(bad as never, x) : sg.mul(x, bad as never)),
          err(opErrors.notTensor(first ? "add" : "mul", first ? "first operand" : "second operand", bad)),
        );
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe("reductions", () => {
  const dimsArb = fc.oneof(
    fc.constant(undefined),
    fc.integer({ min: -5, max: 5 }),
    fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(1.5, NaN, Infinity)), { maxLength: 3 }),
  );
  it("sum / mean / max / min over any dims, keepdim or not", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("sum", "mean", "max", "min"),
        smallShape(4),
        dtypeArb,
        dimsArb,
        fc.boolean(),
        fc.nat(1000),
        (op, shape, dtype, dims, keepdim, seed) => {
          const x = input(shape, dtype, seed);
          check(() => sg[op](x, dims, keepdim), reduceOutcome(op, shape, dtype, dims, keepdim));
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
  });

  function reduceOutcome(
    op: string,
    shape: readonly number[],
    dtype: DT,
    dims: number | readonly number[] | undefined,
    keepdim: boolean,
  ): Outcome {
    if (op === "mean" && dtype === "int32") return err(opErrors.notFloat(op, dtype));
    const rank = shape.length;
    const list = dims === undefined ? shape.map((_, i) => i) : typeof dims === "number" ? [dims] : dims;
    const picked: number[] = [];
    for (const d of list) {
      const n = normalize(d, Math.max(rank, 1));
      if (n === null) return err(opErrors.dimOutOfRange(op, d, rank));
      if (picked.includes(n)) return err(opErrors.duplicateDim(op, d));
      picked.push(n);
    }
    const reduced = rank === 0 ? [] : picked;
    if ((op === "max" || op === "min") && reduced.some((d) => shape[d] === 0))
      return err(opErrors.emptyReduce(op, shape));
    const out = keepdim
      ? shape.map((d, i) => (reduced.includes(i) ? 1 : d))
      : shape.filter((_, i) => !reduced.includes(i));
    // The mean of nothing is 0/0 = NaN, as in PyTorch.
    const empty = reduced.some((d) => shape[d] === 0);
    return ok(out, !(op === "mean" && empty));
  }

  it("argmax over any dim", () => {
    fc.assert(
      fc.property(
        smallShape(4),
        fc.option(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(0.5, NaN)), { nil: undefined }),
        fc.boolean(),
        fc.nat(1000),
        (shape, dim, keepdim, seed) => {
          const x = input(shape, "float32", seed);
          const rank = shape.length;
          let expected: Outcome;
          if (dim === undefined) expected = shape.includes(0) ? err(opErrors.emptyReduce("argmax", shape)) : ok([]);
          else {
            const n = normalize(dim, Math.max(rank, 1));
            if (n === null) expected = err(opErrors.dimOutOfRange("argmax", dim, rank));
            else if (rank === 0) expected = ok([]);
            else if (shape[n] === 0) expected = err(opErrors.emptyReduce("argmax", shape));
            else expected = ok(keepdim ? shape.map((d, i) => (i === n ? 1 : d)) : shape.filter((_, i) => i !== n));
          }
          check(() => sg.argmax(x, dim, keepdim), expected);
        },
      ),
      { seed: SEED, numRuns: 700 },
    );
  });
});

describe("movement", () => {
  it("reshape to any target, with or without -1", () => {
    fc.assert(
      fc.property(
        smallShape(4),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(-1), fuzzDim), { maxLength: 4 }),
        fc.nat(1000),
        (shape, target, seed) => {
          const x = input(shape, "float32", seed);
          const size = shape.reduce((a, b) => a * b, 1);
          const inferAt = target.indexOf(-1);
          let expected: Outcome;
          const bad = target.find((d, i) => i !== inferAt && !isDim(d));
          if (inferAt !== target.lastIndexOf(-1)) expected = err(opErrors.reshapeInfer("reshape", target));
          else if (bad !== undefined) expected = err(opErrors.badDim("reshape", "every dim", bad));
          else {
            const known = target.filter((_, i) => i !== inferAt).reduce((a, b) => a * b, 1);
            const resolved = target.map((d, i) => (i === inferAt ? size / known : d));
            const fits = inferAt >= 0 ? known !== 0 && size % known === 0 : known === size;
            const limit = fits ? overLimit("reshape", resolved) : null;
            expected = !fits ? err(opErrors.reshapeCount("reshape", shape, target)) : limit ? err(limit) : ok(resolved);
          }
          check(() => sg.reshape(x, target), expected);
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it("permute by any list, transpose by any pair", () => {
    fc.assert(
      fc.property(
        smallShape(4, 1),
        fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(0.5, NaN)), { maxLength: 5 }),
        fc.integer({ min: -5, max: 5 }),
        fc.integer({ min: -5, max: 5 }),
        fc.nat(1000),
        (shape, perm, d0, d1, seed) => {
          const x = input(shape, "float32", seed);
          const rank = shape.length;
          const resolved = perm.map((p) => normalize(p, rank));
          const valid = perm.length === rank && resolved.every((p) => p !== null) && new Set(resolved).size === rank;
          check(
            () => sg.permute(x, perm),
            valid ? ok(resolved.map((p) => shape[p])) : err(opErrors.permutation("permute", perm, rank)),
          );
          const a = normalize(d0, Math.max(rank, 1)),
            b = normalize(d1, Math.max(rank, 1));
          const swapped = [...shape];
          if (a !== null && b !== null && rank > 0) [swapped[a], swapped[b]] = [shape[b], shape[a]];
          check(
            () => sg.transpose(x, d0, d1),
            a === null
              ? err(opErrors.dimOutOfRange("transpose", d0, rank))
              : b === null
                ? err(opErrors.dimOutOfRange("transpose", d1, rank))
                : ok(swapped),
          );
        },
      ),
      { seed: SEED, numRuns: 700 },
    );
  });

  it("squeeze and unsqueeze at any dim (torch: unsqueeze's dim in [-(rank + 1), rank]; squeeze drops a size-1 dim, keeps any other)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 1, 1, 2, 3), { maxLength: 4 }),
        fc.oneof(fc.integer({ min: -6, max: 6 }), fc.constantFrom(0.5, NaN, 2 ** 53)),
        fc.boolean(),
        fc.nat(1000),
        (shape, dim, allDims, seed) => {
          const x = input(shape, "float64", seed, true);
          const rank = shape.length;
          const at = normalize(dim, rank + 1);
          const unsqueezed = check(
            () => sg.unsqueeze(x, dim as never),
            at === null
              ? err(opErrors.dimOutOfRange("unsqueeze", dim, rank + 1))
              : ok([...shape.slice(0, at), 1, ...shape.slice(at)]),
          );
          if (unsqueezed) expect(Array.from(unsqueezed.dataSync())).toEqual(Array.from(x.dataSync()));
          checkBackward(unsqueezed === null ? null : sg.sum(unsqueezed), [x]);

          // A 0-d tensor takes dim 0 or -1 and stays 0-d, as torch.squeeze.
          const d = normalize(dim, Math.max(rank, 1));
          const kept = allDims
            ? ok(shape.filter((n) => n !== 1))
            : d === null
              ? err(opErrors.dimOutOfRange("squeeze", dim, rank))
              : ok(rank > 0 && shape[d] === 1 ? [...shape.slice(0, d), ...shape.slice(d + 1)] : [...shape]);
          const y = input(shape, "float64", seed, true);
          const squeezed = check(() => (allDims ? sg.squeeze(y) : sg.squeeze(y, dim as never)), kept);
          if (squeezed) expect(Array.from(squeezed.dataSync())).toEqual(Array.from(y.dataSync()));
          checkBackward(squeezed === null ? null : sg.sum(squeezed), [y]);
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
  });

  it("expand to any target", () => {
    fc.assert(
      fc.property(
        smallShape(3, 1),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(-1), fuzzDim), { maxLength: 5 }),
        fc.nat(1000),
        (shape, target, seed) => {
          const x = input(shape, "float32", seed);
          const offset = target.length - shape.length;
          const resolved = target.map((d, i) => (d === -1 && i >= offset ? shape[i - offset] : d));
          const bad = resolved.find((d) => !isDim(d));
          let expected: Outcome;
          if (bad !== undefined) expected = err(opErrors.badDim("expand", "every dim", bad));
          else if (offset < 0 || broadcast(shape, resolved)?.join() !== resolved.join())
            expected = err(opErrors.expand("expand", shape, target));
          else {
            const limit = overLimit("expand", resolved);
            expected = limit ? err(limit) : ok(resolved);
          }
          check(() => sg.expand(x, target), expected);
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
  });

  it("flatten between any two dims", () => {
    fc.assert(
      fc.property(
        smallShape(4),
        fc.integer({ min: -5, max: 5 }),
        fc.integer({ min: -5, max: 5 }),
        fc.nat(1000),
        (shape, start, end, seed) => {
          const x = input(shape, "float32", seed);
          const rank = shape.length;
          let expected: Outcome;
          if (rank === 0) expected = ok([1]);
          else {
            const s = normalize(start, rank),
              e = normalize(end, rank);
            if (s === null) expected = err(opErrors.dimOutOfRange("flatten", start, rank));
            else if (e === null) expected = err(opErrors.dimOutOfRange("flatten", end, rank));
            else if (s > e) expected = err(opErrors.flattenOrder(start, end));
            else
              expected = ok([
                ...shape.slice(0, s),
                shape.slice(s, e + 1).reduce((a, b) => a * b, 1),
                ...shape.slice(e + 1),
              ]);
          }
          check(() => sg.flatten(x, start, end), expected);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe("matmul", () => {
  it("torch.matmul shapes: 1-D promotion, batch broadcasting, mismatched inner dims and dtypes", () => {
    fc.assert(
      fc.property(
        smallShape(4, 1, 3),
        smallShape(4, 1, 3),
        fc.boolean(),
        fc.boolean(),
        dtypeArb,
        fc.nat(1000),
        (sa, sb, matchInner, sameDtype, db, seed) => {
          // Make the inner dims agree half the time, else the check is rarely reached.
          if (matchInner && sa.length > 0 && sb.length > 0)
            sa[sa.length - 1] = sb.length === 1 ? sb[0] : sb[sb.length - 2];
          const da: DT = sameDtype ? db : db === "float64" ? "float32" : "float64";
          const a = input(sa, da, seed),
            b = input(sb, db, seed + 7);
          check(() => sg.matmul(a, b as never), matmulOutcome(sa, sb, da, db));
        },
      ),
      { seed: SEED, numRuns: 1000 },
    );
  });

  function matmulOutcome(sa: readonly number[], sb: readonly number[], da: DT, db: DT): Outcome {
    if (da !== db) return err(opErrors.dtypeMismatch("matmul", da, db));
    if (sa.length === 0 || sb.length === 0) return err(opErrors.matmulRank(sa, sb));
    const k = sa[sa.length - 1],
      k2 = sb.length === 1 ? sb[0] : sb[sb.length - 2];
    if (k !== k2) return err(opErrors.matmul(sa, sb));
    const batch = broadcast(sa.slice(0, -2), sb.slice(0, -2));
    if (!batch) return err(opErrors.broadcast("matmul", sa, sb));
    return ok([
      ...batch,
      ...(sa.length >= 2 ? [sa[sa.length - 2]] : []),
      ...(sb.length >= 2 ? [sb[sb.length - 1]] : []),
    ]);
  }
});

/** The pooling options as the fuzz draws them (maxPool2d, avgPool2d). */
const poolPos = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, NaN, Infinity, 2 ** 53, 1e21, 2 ** 31) },
);
const poolNonneg = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0.5, NaN, 2 ** 53, -Infinity) },
);
const poolPairOf = (a: fc.Arbitrary<number>) =>
  fc.oneof(
    { weight: 4, arbitrary: a },
    { weight: 2, arbitrary: fc.tuple(a, a) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([1, 2, 3], [], "2", null) },
  );

function pair(v: unknown, min: number): [number, number] | null {
  const p = typeof v === "number" ? [v, v] : v;
  const fine =
    Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= min);
  return fine ? (p as [number, number]) : null;
}

/** maxPool2d's and avgPool2d's rules (the shared resolvePool2d), in their order; avgPool2d has no dilation. */
function poolOutcome(
  op: "maxPool2d" | "avgPool2d",
  shape: readonly number[],
  dtype: DT,
  kernelSize: unknown,
  stride: unknown,
  padding: unknown,
  dilation: unknown,
  ceil: boolean,
): Outcome {
  if (dtype === "int32")
    return err(op === "maxPool2d" ? opErrors.notFloat(op, dtype) : nnErrors.notFloat(op, "input", dtype));
  const k = pair(kernelSize, 1);
  if (!k) return err(opErrors.poolPair(op, "kernelSize", 1, kernelSize));
  const s = stride === undefined ? k : pair(stride, 1);
  if (!s) return err(opErrors.poolPair(op, "stride", 1, stride));
  const written = Array.isArray(padding) && padding.length === 4 ? padding : pair(padding ?? 0, 0);
  const fine = written?.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0);
  if (!written || !fine) return err(opErrors.poolPads(op, padding));
  // [top, bottom, left, right]; messages show [h, w] unless four were written
  const [pt, pb, pl, pr] = (
    written.length === 4 ? written : [written[0], written[0], written[1], written[1]]
  ) as number[];
  const d = pair(dilation ?? 1, 1);
  if (!d) return err(opErrors.poolPair(op, "dilation", 1, dilation));
  if (shape.length !== 3 && shape.length !== 4) return err(opErrors.poolRank(op, shape));
  const [h, w] = shape.slice(-2);
  const shown = written as number[];
  // per axis: before + after at most the window d (k - 1) + 1, each side less than it
  const fits = (a: number, b: number, i: number) => {
    const window = d[i] * (k[i] - 1) + 1;
    return a + b <= window && a < window && b < window;
  };
  if (!fits(pt, pb, 0) || !fits(pl, pr, 1)) return err(opErrors.poolPaddingRule(op, shown, k, d));
  const oh = poolOut(h, k[0], s[0], pt, d[0], ceil, pb),
    ow = poolOut(w, k[1], s[1], pl, d[1], ceil, pr);
  if (oh <= 0 || ow <= 0) return err(opErrors.poolOutput(op, [oh, ow], k, d, [h, w], shown));
  for (const [axis, size, out, i, before, after] of [
    ["height", h, oh, 0, pt, pb],
    ["width", w, ow, 1, pl, pr],
  ] as const) {
    for (let o = 0; o < out; o++) {
      if (!reachesInput(o * s[i] - before, k[i], d[i], size)) {
        const p = before === after ? before : `[${before}, ${after}]`;
        return err(opErrors.poolWindowInPadding(op, axis, o, size, k[i], s[i], p, d[i]));
      }
    }
  }
  return ok([...shape.slice(0, -2), oh, ow]);
}

describe("maxPool2d", () => {
  it("any input rank, kernel, stride, padding, dilation, ceil mode", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 5 }),
        fc.constantFrom<DT>("float32", "float32", "float64", "int32"),
        poolPairOf(poolPos),
        fc.option(poolPairOf(poolPos), { nil: undefined }),
        fc.option(
          fc.oneof(
            { weight: 3, arbitrary: poolPairOf(poolNonneg) },
            { weight: 1, arbitrary: fc.tuple(poolNonneg, poolNonneg, poolNonneg, poolNonneg) },
          ),
          { nil: undefined },
        ),
        fc.option(poolPairOf(poolPos), { nil: undefined }),
        fc.boolean(),
        fc.nat(1000),
        (shape, dtype, kernelSize, stride, padding, dilation, ceilMode, seed) => {
          const x = input(shape, dtype, seed, true);
          const options = { kernelSize, stride, padding, dilation, ceilMode } as never;
          checkBackward(
            check(
              () => sg.maxPool2d(x, options),
              poolOutcome("maxPool2d", shape, dtype, kernelSize, stride, padding, dilation, ceilMode),
            ),
            [x],
          );
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
  });

  // PyTorch accepts a 2^31 kernel with 2^30 padding and stride 1 over a 6x6 input (output [1, 1, 7, 7]); the
  // reference kernel clamps each window to the input, so this returns at once instead of walking 2^31 taps.
  it("maxPool2d with a 2^31 kernel and 2^30 padding returns promptly", () => {
    const x = sg.randn([1, 1, 6, 6]);
    const y = sg.maxPool2d(x, { kernelSize: 2 ** 31, stride: 1, padding: 2 ** 30 });
    expect(y.shape).toEqual([1, 1, 7, 7]);
    expect(Array.from(y.dataSync()).every((v) => v === Math.max(...x.dataSync()))).toBe(true);
  });
});

/** A conv input shape as the fuzz draws it: mostly [N, C, H, W] (or [C, H, W] when unbatched), else any rank. */
const convInputShape = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.tuple(
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
    ),
  },
  { weight: 1, arbitrary: smallShape(5, 1, 3) },
);
const weightDtypeArb = fc.constantFrom<DT | "same">("same", "same", "same", "float32", "float64");
const biasKindArb = fc.constantFrom("none", "null", "right", "right", "long", "other-dtype");

/** The bias a conv call gets: absent, null, right, one too long, or of the other float dtype. */
function convBias(kind: string, outChannels: number, dx: DT, seed: number): sg.AnyTensor | null | undefined {
  if (kind === "none") return undefined;
  if (kind === "null") return null;
  const dtype = kind === "other-dtype" ? (dx === "float64" ? "float32" : "float64") : dx;
  return input(kind === "long" ? [outChannels + 1] : [outChannels], dtype, seed, true);
}

/** The groups an options draw asks for when it is a positive integer, else 1 (the call is refused anyway). */
function drawnGroups(options: Record<string, unknown>): number {
  const g = options.groups;
  return typeof g === "number" && Number.isSafeInteger(g) && g > 0 ? g : 1;
}

type ConvOracle = (
  xs: readonly number[],
  dx: DT,
  ws: readonly number[],
  dw: DT,
  bias: sg.AnyTensor | null,
  options: Record<string, unknown>,
) => Outcome;

/**
 * One conv2d or convTranspose2d call: input from `seed`, weight from seed + 1 (the bias, drawn by the
 * caller, from seed + 2), checked against the oracle, then differentiated. `validOnly` leaves a refused
 * call to the any-options test.
 */
function checkConvCall(
  op: typeof sg.conv2d | typeof sg.convTranspose2d,
  oracle: ConvOracle,
  [xs, dx]: [readonly number[], DT],
  [ws, dw]: [readonly number[], DT],
  bias: sg.AnyTensor | null | undefined,
  options: Record<string, unknown>,
  seed: number,
  validOnly = false,
): void {
  const x = input(xs, dx, seed, true),
    w = input(ws, dw, seed + 1, true);
  const expected = oracle(xs, dx, ws, dw, bias ?? null, options);
  if (validOnly && "errors" in expected) return;
  const call = op as (...args: unknown[]) => unknown;
  checkBackward(
    check(() => call(x, w, bias, options), expected),
    bias ? [x, w, bias] : [x, w],
  );
}

describe("conv2d", () => {
  const posOpt = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, 2 ** 53, 1e21, 2 ** 31, "2", null) },
  );
  const pairOpt = fc.oneof(
    { weight: 4, arbitrary: posOpt },
    { weight: 1, arbitrary: fc.tuple(posOpt, posOpt) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([1, 1, 1], []) },
  );
  const natOpt = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 1.5, NaN, 2 ** 53, 2 ** 31) },
  );
  const paddingOpt = fc.oneof(
    { weight: 4, arbitrary: natOpt },
    { weight: 2, arbitrary: fc.tuple(natOpt, natOpt) },
    { weight: 2, arbitrary: fc.tuple(natOpt, natOpt, natOpt, natOpt) },
    { weight: 2, arbitrary: fc.constantFrom<unknown>("same", "valid") },
    { weight: 1, arbitrary: fc.constantFrom<unknown>("full", [1, 2, 3], null) },
  );
  const optionsArb = fc.record(
    {
      stride: pairOpt,
      padding: paddingOpt,
      dilation: pairOpt,
      groups: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(0, 1.5, NaN, 2 ** 53, -2) },
      ),
      paddingMode: fc.constantFrom<unknown>("zeros", "reflect", "replicate", "circular", "mirror"),
    },
    { requiredKeys: [] },
  );

  it("any shapes, dtypes, bias and options (zero/negative/NaN/huge values, padding past the mode's limit, kernel past the padded input)", () => {
    fc.assert(
      fc.property(
        convInputShape,
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        dtypeArb,
        weightDtypeArb,
        biasKindArb,
        optionsArb,
        fc.nat(9),
        fc.nat(1000),
        (rawShape, unbatched, coMul, ciRaw, kh, kw, fitChannels, dx, dwChoice, biasKind, drawn, extraKey, seed) => {
          // One call in ten also passes an option conv2d does not have.
          const options = extraKey === 0 ? { ...drawn, bias: true } : drawn;
          const xs = rawShape.length === 4 && unbatched ? rawShape.slice(1) : [...rawShape];
          const g = drawnGroups(options);
          const c = xs.length === 4 ? xs[1] : xs.length === 3 ? xs[0] : 1;
          // Half the time the weight fits the input's channels, else the check is rarely passed.
          const ci = fitChannels && c % g === 0 ? c / g : ciRaw;
          const co = coMul * (fitChannels ? g : 1);
          const dw: DT = dwChoice === "same" ? dx : dwChoice;
          const bias = convBias(biasKind, co, dx, seed + 2);
          checkConvCall(sg.conv2d, convOutcome, [xs, dx], [[co, ci, kh, kw], dw], bias, options, seed);
        },
      ),
      { seed: SEED, numRuns: 2500 },
    );
  });

  it("valid geometries only (groups, stride, dilation, asymmetric padding, every mode): shape, finite output and gradients", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.record({
          stride: fc.oneof(
            fc.integer({ min: 1, max: 3 }),
            fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          ),
          dilation: fc.oneof(
            fc.integer({ min: 1, max: 2 }),
            fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          ),
          padding: fc.oneof(
            fc.integer({ min: 0, max: 2 }),
            fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
            fc.constantFrom("same", "valid"),
          ),
          paddingMode: fc.constantFrom("zeros", "reflect", "replicate", "circular"),
        }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom<DT>("float32", "float64"),
        fc.nat(1000),
        (n, g, ciPer, coPer, h, w, kh, kw, options, unbatched, withBias, dtype, seed) => {
          const o = { ...options, groups: g } as Record<string, unknown>;
          // "same" needs stride 1: resolve it here so the draw stays valid
          if (o.padding === "same") o.stride = 1;
          const xs = unbatched ? [g * ciPer, h, w] : [n, g * ciPer, h, w];
          const bias = withBias ? input([g * coPer], dtype, seed + 2, true) : null;
          // a padding past its mode's limit or a kernel past the input is the other test's business
          const ws = [g * coPer, ciPer, kh, kw];
          checkConvCall(sg.conv2d, convOutcome, [xs, dtype], [ws, dtype], bias, o, seed, true);
        },
      ),
      { seed: SEED, numRuns: 800 },
    );
  });

  function convOutcome(
    xs: readonly number[],
    dx: DT,
    ws: readonly number[],
    dw: DT,
    bias: sg.AnyTensor | null,
    o: Record<string, unknown>,
  ): Outcome {
    if (xs.length !== 3 && xs.length !== 4) return err(conv2dErrors.inputRank(xs.length, show(xs)));
    if (ws.length !== 4) return err(conv2dErrors.weightRank(ws.length, show(ws)));
    const [n, c, h, w] = xs.length === 4 ? xs : [1, ...xs];
    const [co, ci, kh, kw] = ws;
    const isNat = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
    const isPos = (v: unknown): v is number => isNat(v) && v > 0;
    const pairOf = (v: unknown): number[] | null =>
      v === undefined ? [1, 1] : isPos(v) ? [v, v] : Array.isArray(v) && v.length === 2 && v.every(isPos) ? v : null;
    const groups = o.groups === undefined ? 1 : isPos(o.groups) ? o.groups : null;
    const stride = pairOf(o.stride),
      dilation = pairOf(o.dilation);
    const p = o.padding;
    const padding =
      p === undefined || p === "valid"
        ? [0, 0, 0, 0]
        : p === "same"
          ? "same"
          : isNat(p)
            ? [p, p, p, p]
            : Array.isArray(p) && p.length === 2 && p.every(isNat)
              ? [p[0], p[0], p[1], p[1]]
              : Array.isArray(p) && p.length === 4 && p.every(isNat)
                ? p
                : null;
    const mode =
      o.paddingMode === undefined
        ? "zeros"
        : ["zeros", "reflect", "replicate", "circular"].includes(o.paddingMode as string)
          ? o.paddingMode
          : null;

    // Every rule the call breaks; the implementation reports the first in its order, any is a right answer.
    const broken: string[] = [];
    if (dw !== dx) broken.push(conv2dErrors.dtypeMismatch("weight", dw, dx));
    if (groups !== null && c !== ci * groups)
      broken.push(conv2dErrors.channelMismatch(c, ci * groups, show(ws), groups));
    const sameBadStride = padding === "same" && stride !== null && (stride[0] !== 1 || stride[1] !== 1);
    let pads: number[] | null = null;
    if (stride && dilation && padding && !sameBadStride) {
      const total = [dilation[0] * (kh - 1), dilation[1] * (kw - 1)];
      pads =
        padding === "same"
          ? [Math.floor(total[0] / 2), Math.ceil(total[0] / 2), Math.floor(total[1] / 2), Math.ceil(total[1] / 2)]
          : padding;
      const size = (len: number, k: number, s: number, d: number, lo: number, hi: number) =>
        Math.floor((len + lo + hi - d * (k - 1) - 1) / s) + 1;
      const oh = size(h, kh, stride[0], dilation[0], pads[0], pads[1]),
        ow = size(w, kw, stride[1], dilation[1], pads[2], pads[3]);
      if (oh <= 0 || ow <= 0) {
        broken.push(
          conv2dErrors.outputSize(
            show([oh, ow]),
            show([h + pads[0] + pads[1], w + pads[2] + pads[3]]),
            show([dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1]),
            show(stride),
          ),
        );
      }
    }
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== co))
      broken.push(conv2dErrors.biasShape(co, show(bias.shape)));
    if (bias && bias.dtype !== dx) broken.push(conv2dErrors.dtypeMismatch("bias", bias.dtype, dx));
    const unknown = Object.keys(o).find((k) => !["stride", "padding", "dilation", "groups", "paddingMode"].includes(k));
    if (unknown !== undefined) broken.push(conv2dErrors.unknownOption(show(unknown)));
    if (groups === null) broken.push(conv2dErrors.groups(show(o.groups)));
    if (!stride) broken.push(conv2dErrors.pairOption("stride", show(o.stride)));
    if (!dilation) broken.push(conv2dErrors.pairOption("dilation", show(o.dilation)));
    if (!padding) broken.push(conv2dErrors.padding(show(o.padding)));
    if (!mode) broken.push(conv2dErrors.paddingMode(show(o.paddingMode)));
    if (groups !== null && co % groups !== 0) broken.push(conv2dErrors.groupsDivide(co, groups));
    if (sameBadStride) broken.push(conv2dErrors.sameStride(show(o.stride)));
    if (pads && mode === "reflect" && (pads[0] >= h || pads[1] >= h || pads[2] >= w || pads[3] >= w))
      broken.push(conv2dErrors.reflectLimit(show(pads), show([h, w])));
    if (pads && mode === "circular" && (pads[0] > h || pads[1] > h || pads[2] > w || pads[3] > w))
      broken.push(conv2dErrors.circularLimit(show(pads), show([h, w])));
    if (broken.length) return err(...broken);
    if (dx === "int32") return err(opErrors.notFloat("conv2d", dx));
    const [t, b, l, r] = pads!;
    const [s0, s1] = stride!,
      [d0, d1] = dilation!;
    const padLimit = mode !== "zeros" && (t || b || l || r) ? overLimit("pad", [n, c, h + t + b, w + l + r]) : null;
    if (padLimit) return err(padLimit);
    const oh = Math.floor((h + t + b - d0 * (kh - 1) - 1) / s0) + 1,
      ow = Math.floor((w + l + r - d1 * (kw - 1) - 1) / s1) + 1;
    const out = [n, co, oh, ow];
    const outLimit = overLimit("conv2d", out);
    if (outLimit) return err(outLimit);
    return ok(xs.length === 3 ? out.slice(1) : out);
  }
});

/**
 * Autograd misuse (issue 24): a random chain of ops over [2, 3] float64 tensors, then one misuse
 * between forward and backward: a tensor of the graph changed (assign, an optimizer step) or
 * disposed, or backward run twice (with and without retainGraph). The oracle is PyTorch's rule,
 * written here from its saved tensors: mul and matmul keep each operand for the other's gradient,
 * exp / tanh / sigmoid / relu keep their output, add and sub keep nothing. A change to a kept
 * tensor must be refused with a catalogue message naming it; anything else must give exactly the
 * gradients of a fresh graph over the original values (never silently different ones).
 */
describe("pad", () => {
  const MODES = ["constant", "reflect", "replicate", "circular"];
  const padCounts = [0, 0];
  /** torch.nn.functional.pad's rules restated, in the catalogue's order (docs/goldens-ops.md, "pad"). */
  function padOutcome(shape: readonly number[], dtype: DT, pads: unknown, options: Record<string, unknown>): Outcome {
    if (!Array.isArray(pads) || !pads.every((v) => Number.isSafeInteger(v))) return err(padErrors.pads(show(pads)));
    const p = pads as number[];
    const unknown = Object.keys(options).find((k) => k !== "mode" && k !== "value");
    if (unknown !== undefined) return err(argumentErrors.unknownOption("pad", show(unknown), "mode, value"));
    const mode = (options.mode ?? "constant") as string;
    if (!MODES.includes(mode)) return err(padErrors.mode(show(mode)));
    const value = options.value;
    if (value !== undefined && typeof value !== "number") return err(padErrors.value(show(value)));
    const rank = shape.length,
      k = p.length / 2;
    if (p.length % 2 === 1) return err(padErrors.oddLength(p.length));
    if (p.length > 2 * rank) return err(padErrors.tooLong(p.length, show(shape)));
    if (mode !== "constant") {
      if (value !== undefined && value !== 0) return err(padErrors.valueWithMode(show(mode), show(value)));
      if (![2, 4, 6].includes(p.length) || (rank !== k + 1 && rank !== k + 2))
        return err(padErrors.modeRank(show(mode), p.length, show(shape)));
    }
    const needsCells = mode === "reflect" || mode === "replicate";
    const out = [...shape];
    for (let j = 0; j < k; j++) {
      const d = rank - 1 - j,
        n = shape[d],
        lo = p[2 * j],
        hi = p[2 * j + 1];
      if (needsCells && n === 0) return err(padErrors.emptyDim(show(mode), show(shape)));
      if (mode === "reflect" && (lo >= n || hi >= n)) return err(padErrors.reflectLimit(lo, hi, d, n, show(shape)));
      const kept = n - Math.max(0, -lo) - Math.max(0, -hi);
      if (mode === "circular" && (kept < 0 || lo > kept || hi > kept))
        return err(padErrors.circularLimit(lo, hi, d, kept, show(shape)));
      if (n + lo + hi < 0) return err(padErrors.outputSize(lo, hi, d, n, n + lo + hi, show(shape)));
      out[d] = n + lo + hi;
    }
    if (needsCells && shape[rank - k - 1] === 0) return err(padErrors.emptyDim(show(mode), show(shape)));
    if (dtype === "int32") return err(opErrors.notFloat("pad", "int32"));
    const limit = overLimit("pad", out);
    return limit ? err(limit) : ok(out);
  }
  const padValue = fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: -2, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(1.5, NaN, 2 ** 53, Infinity) },
  );
  const padsArb = fc.oneof(
    {
      weight: 12,
      arbitrary: fc.array(fc.tuple(padValue, padValue), { maxLength: 3 }).map((pairs) => pairs.flat()),
    },
    { weight: 2, arbitrary: fc.array(padValue, { maxLength: 8 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(2, "1", null, [[1, 1]]) },
  );
  const optionsArb = fc.record(
    {
      mode: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom("constant", "constant", "reflect", "replicate", "circular") },
        { weight: 1, arbitrary: fc.constantFrom<unknown>("symmetric", 1) },
      ),
      value: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(0, 0, 2.5, -1) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>("1", null, NaN) },
      ),
    },
    { requiredKeys: [] },
  );
  it("any rank, pads (negative, odd, too long, past the mode's limits), mode and value: shape, finite values and gradients", () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 4, arbitrary: smallShape(5, 1, 4) }, { weight: 1, arbitrary: smallShape(5, 0, 4) }),
        fc.constantFrom<DT>("float32", "float32", "float64", "float64", "int32"),
        padsArb,
        optionsArb,
        fc.integer({ min: 0, max: 19 }).map((v) => v === 0),
        fc.nat(1000),
        (shape, dtype, pads, options, withFill, seed) => {
          const o: Record<string, unknown> = withFill ? { ...options, fill: 1 } : options;
          const x = input(shape, dtype, seed, true);
          const finite = !(typeof o.value === "number" && !Number.isFinite(o.value));
          const expected = padOutcome(shape, dtype, pads, o);
          padCounts["shape" in expected ? 0 : 1]++;
          checkBackward(
            check(
              () => (sg.pad as unknown as (x: sg.AnyTensor, p: unknown, o: unknown) => sg.AnyTensor)(x, pads, o),
              "shape" in expected ? ok(expected.shape, finite) : expected,
            ),
            [x],
          );
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
    // Both sides of the oracle ran: at least a sixth of the cases valid and a sixth refused.
    expect(Math.min(...padCounts)).toBeGreaterThanOrEqual(250);
  });
});

describe("autograd misuse: mutation between forward and backward, repeated backward, disposed inputs", () => {
  const OPS = ["add", "sub", "mul", "matmul", "exp", "tanh", "sigmoid", "relu"] as const;
  type Op = (typeof OPS)[number];
  const KEEPS_OUTPUT: readonly Op[] = ["exp", "tanh", "sigmoid", "relu"];
  const BILINEAR: readonly Op[] = ["mul", "matmul"];
  /** Leaf 0 starts the chain; leaves 1-3 are [2, 3] operands, leaf 4 the [3, 3] matmul operand. */
  const SHAPES = [
    [2, 3],
    [2, 3],
    [2, 3],
    [2, 3],
    [3, 3],
  ];
  const binary = (op: Op) => op === "add" || op === "sub" || op === "mul" || op === "matmul";
  type Misuse = "none" | "assign" | "step" | "dispose" | "twice" | "twiceRetained";
  let runs = 0,
    refused = 0;

  function forward(leaves: sg.AnyTensor[], steps: { op: Op; leaf: number }[]) {
    const chain: sg.AnyTensor[] = [leaves[0]];
    for (const { op, leaf } of steps) {
      const cur = chain[chain.length - 1];
      const other = leaves[op === "matmul" ? 4 : leaf];
      const withOther = cur[op as "add"] as (this: sg.AnyTensor, o: sg.AnyTensor) => sg.AnyTensor;
      chain.push(binary(op) ? withOther.call(cur, other) : cur[op as "exp"]());
    }
    return { chain, out: chain[chain.length - 1].sum() };
  }

  it("every misuse is refused by name or changes nothing (fast-check, seed 42)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ op: fc.constantFrom(...OPS), leaf: fc.integer({ min: 1, max: 3 }) }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.constantFrom<Misuse>("none", "assign", "step", "dispose", "twice", "twiceRetained"),
        fc.nat(),
        fc.integer({ min: 1, max: 1000 }),
        (steps, grads, misuse, pick, seed) => {
          runs++;
          const original = SHAPES.map((shape, i) =>
            Array.from(input(shape, "float64", seed + i).dataSync(), (v) => v - 1),
          );
          const requires = [true, ...grads];
          const make = () =>
            SHAPES.map((shape, i) => sg.tensor(original[i], { shape, dtype: "float64", requiresGrad: requires[i] }));
          const leaves = make();
          const { chain, out } = forward(leaves, steps);
          // The reference: a fresh graph over the original values.
          const used = new Set([0, ...steps.filter((s) => binary(s.op)).map((s) => (s.op === "matmul" ? 4 : s.leaf))]);
          const differentiated = (ts: sg.AnyTensor[]) => ts.filter((t, i) => used.has(i) && t.requiresGrad);
          const fresh = make();
          const expected = sg
            .gradients(forward(fresh, steps).out, differentiated(fresh))
            .map((g) => Array.from(g.dataSync()));
          const targets = [...leaves.filter((_, i) => used.has(i)), ...chain.slice(1)];
          const target = targets[pick % targets.length];
          const describeAt = (t: sg.AnyTensor, place: string) => `${place} [${t.shape.join(", ")}] float64`;

          // The places (message, op) where the chain keeps `target` for a gradient.
          const kept: [string, Op][] = [];
          steps.forEach(({ op, leaf }, j) => {
            const cur = chain[j],
              other = leaves[op === "matmul" ? 4 : leaf],
              y = chain[j + 1];
            if (!binary(op)) {
              if (KEEPS_OUTPUT.includes(op) && y === target) kept.push([describeAt(y, "the output"), op]);
              return;
            }
            if (BILINEAR.includes(op) && other.requiresGrad && cur === target)
              kept.push([describeAt(cur, "input 0"), op]);
            if (BILINEAR.includes(op) && other === target) kept.push([describeAt(other, "input 1"), op]);
          });

          let by = "assign";
          let twice = false;
          if (
            misuse === "assign" ||
            (misuse === "step" && !target.requiresGrad) ||
            (misuse === "step" && target.node)
          ) {
            sg.noGrad(() => target.assign(target.add(0.5)));
          } else if (misuse === "step") {
            target.grad = sg.ones(target.shape as number[], { dtype: "float64" });
            new sg.optim.SGD([target], { lr: 0.5 }).step();
            target.grad = null;
            by = "SGD.step() (parameter 0)";
          } else if (misuse === "dispose") {
            target.dispose();
          } else if (misuse !== "none") {
            out.backward(undefined, { retainGraph: misuse === "twiceRetained" });
            twice = true;
          }
          const changed = misuse === "assign" || misuse === "step" || misuse === "dispose";
          const messages = kept.map(([what, op]) =>
            misuse === "dispose" ? autogradErrors.disposedSaved(what, op) : autogradErrors.modified(what, op, by, 1, 0),
          );
          const gradsNow = () => differentiated(leaves).map((t) => (t.grad ? Array.from(t.grad.dataSync()) : null));
          const before = gradsNow();

          let thrown: unknown = null;
          try {
            out.backward();
          } catch (e) {
            thrown = e;
          }
          if (changed && kept.length) {
            expect(thrown, `expected one of: ${messages[0]}`).toBeInstanceOf(Error);
            expect((thrown as Error).constructor).toBe(Error);
            expect(messages).toContain((thrown as Error).message);
            expect(gradsNow(), "a refused backward accumulates nothing").toEqual(before);
            refused++;
            return;
          }
          if (misuse === "twice") {
            const ops = ["sum", ...steps.map((s) => s.op)];
            expect(thrown).toBeInstanceOf(Error);
            expect(ops.map((op) => autogradErrors.graphUsed(op))).toContain((thrown as Error).message);
            expect(gradsNow(), "a refused second backward accumulates nothing").toEqual(before);
            refused++;
          } else if (thrown !== null) throw thrown as Error;
          const factor = misuse === "twiceRetained" ? 2 : 1;
          const got = gradsNow();
          expected.forEach((g, k) => {
            expect(got[k], "every leaf that requires grad gets one").not.toBeNull();
            g.forEach((v, i) =>
              expect(Math.abs(got[k]![i] - factor * v)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))),
            );
          });
          expect(twice || factor === 1).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
    expect(refused).toBeGreaterThan(runs / 5);
    expect(runs - refused).toBeGreaterThan(runs / 5);
    console.log(
      `autograd misuse fuzz: ${runs} graphs, ${refused} misuses refused, ${runs - refused} gave the fresh graph's gradients`,
    );
  });
});

describe("cat and narrow (issue 21)", () => {
  const dimArb = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(1.5, NaN));
  it("cat of random lists: dtype, 0-d, dim, rank and sizes checked in that order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(smallShape(3, 0, 3), fc.constantFrom<DT>("float64", "float64", "float32")), {
          minLength: 1,
          maxLength: 3,
        }),
        dimArb,
        fc.nat(1000),
        (specs, dim, seed) => {
          const xs = specs.map(([shape, dtype], i) => input(shape, dtype, seed + i, true));
          const shapes = specs.map(([shape]) => shape);
          const first = shapes[0];
          const expected = ((): Outcome => {
            const other = specs.find(([, d]) => d !== specs[0][1]);
            if (other) return err(opErrors.dtypeMismatch("cat", specs[0][1], other[1]));
            const zero = shapes.findIndex((s) => s.length === 0);
            if (zero >= 0) return err(joinErrors.zeroDim(zero));
            const d = normalize(dim, first.length);
            if (d === null) return err(opErrors.dimOutOfRange("cat", dim, first.length));
            for (let i = 1; i < shapes.length; i++) {
              if (shapes[i].length !== first.length)
                return err(joinErrors.rank(i, formatShape(shapes[i]), formatShape(first)));
              const k = shapes[i].findIndex((n, j) => j !== d && n !== first[j]);
              if (k >= 0) return err(joinErrors.size(i, formatShape(shapes[i]), formatShape(first), k, d));
            }
            return ok(first.map((n, j) => (j === d ? shapes.reduce((a, s) => a + s[j], 0) : n)));
          })();
          checkBackward(
            check(() => sg.cat(xs as never, dim as never), expected),
            xs,
          );
        },
      ),
      { seed: SEED, numRuns: 600 },
    );
  });
  it("narrow with random dims, starts and lengths", () => {
    const intArb = fc.oneof(fc.integer({ min: -5, max: 6 }), fc.constantFrom(0.5, NaN));
    fc.assert(
      fc.property(smallShape(3, 0, 4), dimArb, intArb, intArb, fc.nat(1000), (shape, dim, start, length, seed) => {
        const x = input(shape, "float64", seed, true);
        const expected = ((): Outcome => {
          if (shape.length === 0) return err(joinErrors.zeroDimInput("narrow"));
          const d = normalize(dim, shape.length);
          if (d === null) return err(opErrors.dimOutOfRange("narrow", dim, shape.length));
          if (!Number.isInteger(start)) return err(joinErrors.integer("narrow", "start", show(start)));
          const n = shape[d];
          if (start < -n || start > n) return err(joinErrors.narrowStart(start, d, n));
          if (!Number.isInteger(length) || length < 0) return err(joinErrors.narrowLength(show(length)));
          const from = start < 0 ? start + n : start;
          if (from + length > n) return err(joinErrors.narrowEnd(from, length, d, n));
          return ok(shape.map((m, j) => (j === d ? length : m)));
        })();
        checkBackward(
          check(() => sg.narrow(x, dim as never, start as never, length as never), expected),
          [x],
        );
      }),
      { seed: SEED, numRuns: 600 },
    );
  });
});

/** Runs a family's property and logs how many of its calls were valid and how many refused. */
function counted(family: string, run: () => void): void {
  const [c0, v0] = [cases, valid];
  run();
  const [n, v] = [cases - c0, valid - v0];
  expect(v, `${family}: some valid calls`).toBeGreaterThan(0);
  expect(n - v, `${family}: some refused calls`).toBeGreaterThan(0);
  console.log(`${family} fuzz: ${n} calls, ${v} valid, ${n - v} refused`);
}

describe("convTranspose2d (issue 21)", () => {
  const posOpt = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, 2 ** 53, 2 ** 31, "2", null) },
  );
  const natOpt = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 2 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 1.5, NaN, 2 ** 53, "1") },
  );
  const pairArb = (a: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { weight: 4, arbitrary: a },
      { weight: 1, arbitrary: fc.tuple(a, a) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>([1, 1, 1], []) },
    );
  const optionsArb = fc.record(
    {
      stride: pairArb(posOpt),
      padding: pairArb(natOpt),
      outputPadding: pairArb(natOpt),
      dilation: pairArb(posOpt),
      groups: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 1, max: 3 }) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(0, 1.5, NaN, 2 ** 53, -2) },
      ),
    },
    { requiredKeys: [] },
  );

  it("any shapes, dtypes, bias and options: H_out = (H - 1) s - 2 p + d (k - 1) + outputPadding + 1, or the rule broken", () => {
    counted("convTranspose2d", () =>
      fc.assert(
        fc.property(
          convInputShape,
          fc.boolean(),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
          fc.boolean(),
          dtypeArb,
          weightDtypeArb,
          biasKindArb,
          optionsArb,
          fc.nat(9),
          fc.nat(1000),
          (rawShape, unbatched, wo, kh, kw, fitChannels, dx, dwChoice, biasKind, drawn, extraKey, seed) => {
            const options = extraKey === 0 ? { ...drawn, paddingMode: "zeros" } : drawn;
            const xs = rawShape.length === 4 && unbatched ? rawShape.slice(1) : [...rawShape];
            const g = drawnGroups(options);
            const c = xs.length === 4 ? xs[1] : xs.length === 3 ? xs[0] : 1;
            // Half the time the weight's C_in is the input's channels times the groups, else rarely so.
            const ws = [fitChannels ? c * g : c + 1, wo, kh, kw];
            const inputShape = fitChannels && xs.length >= 3 ? xs.map((n, i) => (i === xs.length - 3 ? n * g : n)) : xs;
            const dw: DT = dwChoice === "same" ? dx : dwChoice;
            const bias = convBias(biasKind, wo * g, dx, seed + 2);
            checkConvCall(sg.convTranspose2d, transposeOutcome, [inputShape, dx], [ws, dw], bias, options, seed);
          },
        ),
        { seed: SEED, numRuns: 1500 },
      ),
    );
  });

  it("valid geometries only (groups, stride, dilation, outputPadding below the stride or dilation): shape, finite output and gradients", () => {
    counted("convTranspose2d (valid geometries)", () =>
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 2 }),
          fc.integer({ min: 1, max: 2 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
          fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          fc.tuple(fc.nat(2), fc.nat(2)),
          fc.tuple(fc.nat(2), fc.nat(2)),
          fc.boolean(),
          fc.boolean(),
          fc.constantFrom<DT>("float32", "float64"),
          fc.nat(1000),
          (n, g, ciPer, coPer, h, w, kh, kw, stride, dilation, padding, rawOut, unbatched, withBias, dtype, seed) => {
            // outputPadding below max(stride, dilation) in each dim, so most draws are valid
            const outputPadding = [0, 1].map((i) => rawOut[i] % Math.max(stride[i], dilation[i]));
            const o = { stride, dilation, padding, outputPadding, groups: g };
            const xs = unbatched ? [g * ciPer, h, w] : [n, g * ciPer, h, w];
            const bias = withBias ? input([g * coPer], dtype, seed + 2, true) : null;
            const ws = [g * ciPer, coPer, kh, kw];
            checkConvCall(sg.convTranspose2d, transposeOutcome, [xs, dtype], [ws, dtype], bias, o, seed);
          },
        ),
        { seed: SEED, numRuns: 500 },
      ),
    );
  });

  function transposeOutcome(
    xs: readonly number[],
    dx: DT,
    ws: readonly number[],
    dw: DT,
    bias: sg.AnyTensor | null,
    o: Record<string, unknown>,
  ): Outcome {
    const E = conv2dErrors;
    if (xs.length !== 3 && xs.length !== 4) return err(E.transposeInputRank(xs.length, show(xs)));
    const [n, c, h, w] = xs.length === 4 ? xs : [1, ...xs];
    const [wi, wo, kh, kw] = ws;
    const isNat = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
    const isPos = (v: unknown): v is number => isNat(v) && v > 0;
    const pairWith = (v: unknown, fine: (x: unknown) => x is number, absent: number): number[] | null =>
      v === undefined
        ? [absent, absent]
        : fine(v)
          ? [v, v]
          : Array.isArray(v) && v.length === 2 && v.every(fine)
            ? v
            : null;
    const groups = o.groups === undefined ? 1 : isPos(o.groups) ? o.groups : null;
    const stride = pairWith(o.stride, isPos, 1),
      dilation = pairWith(o.dilation, isPos, 1),
      padding = pairWith(o.padding, isNat, 0),
      outPad = pairWith(o.outputPadding, isNat, 0);

    // Every rule the call breaks; the implementation reports the first in its order, any is a right answer.
    const broken: string[] = [];
    if (dw !== dx) broken.push(E.transposeDtypeMismatch("weight", dw, dx));
    if (c !== wi) broken.push(E.transposeChannelMismatch(c, wi, show(ws)));
    let out: number[] | null = null;
    if (stride && dilation && padding && outPad) {
      const size = (len: number, k: number, i: number) =>
        (len - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k - 1) + outPad[i] + 1;
      const [oh, ow] = [size(h, kh, 0), size(w, kw, 1)];
      if (oh <= 0 || ow <= 0)
        broken.push(
          E.transposeOutputSize(
            show([oh, ow]),
            show([h, w]),
            show(padding),
            show([dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1]),
          ),
        );
      out = [n, groups === null ? wo : wo * groups, oh, ow];
    }
    const outChannels = groups === null ? wo : wo * groups;
    if (bias && (bias.shape.length !== 1 || bias.shape[0] !== outChannels))
      broken.push(E.transposeBiasShape(outChannels, show(bias.shape)));
    if (bias && bias.dtype !== dx) broken.push(E.transposeDtypeMismatch("bias", bias.dtype, dx));
    const known = ["stride", "padding", "outputPadding", "groups", "dilation"];
    const unknown = Object.keys(o).find((k) => !known.includes(k));
    if (unknown !== undefined) broken.push(E.transposeUnknownOption(show(unknown)));
    if (groups === null) broken.push(E.transposeGroups(show(o.groups)));
    if (!stride) broken.push(E.transposePairOption("stride", show(o.stride)));
    if (!dilation) broken.push(E.transposePairOption("dilation", show(o.dilation)));
    if (!padding) broken.push(E.transposePadOption("padding", show(o.padding)));
    if (!outPad) broken.push(E.transposePadOption("outputPadding", show(o.outputPadding)));
    if (groups !== null && wi % groups !== 0) broken.push(E.transposeGroupsDivide(wi, groups));
    // PyTorch: each outputPadding below the stride or below the dilation of its dim
    if (stride && dilation && outPad && [0, 1].some((i) => outPad[i] >= stride[i] && outPad[i] >= dilation[i]))
      broken.push(E.transposeOutputPadding(show(outPad), show(stride), show(dilation)));
    if (broken.length) return err(...broken);
    if (dx === "int32") return err(opErrors.notFloat("convTranspose2d", dx));
    // the ceiling's message names the op called (issue 21: it named the primitive conv2dBackInput)
    const limit = overLimit("convTranspose2d", out!);
    if (limit) return err(limit);
    return ok(xs.length === 3 ? out!.slice(1) : out!);
  }
});

describe("interpolate (issue 21)", () => {
  const sizeArb = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }) },
    { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, NaN, 2 ** 31, [2], [2, 0], [1, 2, 3], "2", null) },
  );
  const scaleArb = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(0.1, 0.3, 0.5, 1, 1.5, 2, 2.5, 3) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(0.2, 0.5, 1, 2.5), fc.constantFrom(0.4, 1, 1.7, 3)) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -2, NaN, Infinity, 1e21, [2], [2, -1], "2", null) },
  );
  // Mostly exactly one of size and scaleFactor, so that most draws reach the shape rules.
  const optionsArb = fc
    .tuple(
      fc.constantFrom("size", "size", "scale", "scale", "both", "neither"),
      sizeArb,
      scaleArb,
      fc.option(fc.constantFrom<unknown>("nearest", "bilinear", "bilinear", "bicubic", 1), { nil: undefined, freq: 3 }),
      fc.option(fc.constantFrom<unknown>(true, false, "yes"), { nil: undefined, freq: 2 }),
    )
    .map(([which, size, scaleFactor, mode, alignCorners]) => {
      const o: Record<string, unknown> = {};
      if (which === "size" || which === "both") o.size = size;
      if (which === "scale" || which === "both") o.scaleFactor = scaleFactor;
      if (mode !== undefined) o.mode = mode;
      if (alignCorners !== undefined) o.alignCorners = alignCorners;
      return o;
    });

  it("size or scaleFactor (floor(in * scale) per axis), modes, alignCorners only with bilinear, rank and empty inputs", () => {
    counted("interpolate", () =>
      fc.assert(
        fc.property(
          fc.oneof(
            {
              weight: 8,
              arbitrary: fc.tuple(
                fc.integer({ min: 0, max: 2 }),
                fc.integer({ min: 0, max: 2 }),
                fc.integer({ min: 0, max: 5 }),
                fc.integer({ min: 1, max: 5 }),
              ),
            },
            { weight: 1, arbitrary: smallShape(5, 1, 3) },
          ),
          dtypeArb,
          optionsArb,
          fc.nat(9),
          fc.nat(1000),
          (shape, dtype, drawn, extraKey, seed) => {
            const options = extraKey === 0 ? { ...drawn, antialias: false } : drawn;
            const x = input(shape, dtype, seed, true);
            checkBackward(
              check(() => sg.interpolate(x as never, options as never), interpolateOutcome(shape, dtype, options)),
              [x],
            );
          },
        ),
        { seed: SEED, numRuns: 1500 },
      ),
    );
  });

  function interpolateOutcome(shape: readonly number[], dtype: DT, o: Record<string, unknown>): Outcome {
    // PyTorch's order: dtype, options, then the input's shape
    if (dtype === "int32") return err(opErrors.notFloat("interpolate", dtype));
    const known = ["size", "scaleFactor", "mode", "alignCorners"];
    const unknown = Object.keys(o).find((k) => !known.includes(k));
    if (unknown !== undefined) return err(argumentErrors.unknownOption("interpolate", show(unknown), known.join(", ")));
    const mode = o.mode ?? "nearest";
    if (mode !== "nearest" && mode !== "bilinear") return err(interpolateErrors.mode(show(mode)));
    if (o.alignCorners !== undefined) {
      if (typeof o.alignCorners !== "boolean")
        return err(argumentErrors.booleanOption("interpolate", "alignCorners", show(o.alignCorners)));
      if (mode === "nearest") return err(interpolateErrors.alignCornersNearest(show(o.alignCorners)));
    }
    if (o.size !== undefined && o.scaleFactor !== undefined) return err(interpolateErrors.sizeAndScale());
    if (o.size === undefined && o.scaleFactor === undefined) return err(interpolateErrors.noSizeNorScale());
    const both = (v: unknown) => (typeof v === "number" ? [v, v] : v);
    let out: number[] | null = null;
    if (o.size !== undefined) {
      const p = both(o.size);
      const fine = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
      if (!Array.isArray(p) || p.length !== 2 || !p.every(fine)) return err(interpolateErrors.size(show(o.size)));
      out = p as number[];
    }
    const s = both(o.scaleFactor);
    const scaleFine = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;
    if (!out && (!Array.isArray(s) || s.length !== 2 || !s.every(scaleFine)))
      return err(interpolateErrors.scaleFactor(show(o.scaleFactor)));
    if (shape.length !== 4) return err(interpolateErrors.rank(formatShape(shape)));
    const [n, c, h, w] = shape;
    if (h < 1 || w < 1) return err(interpolateErrors.emptyInput(h, w));
    // torch: "Non-empty 4D data tensor expected" for C = 0; an empty batch gives an empty result
    if (c < 1) return err(interpolateErrors.channels(formatShape(shape)));
    const [oh, ow] = out ?? [Math.floor(h * (s as number[])[0]), Math.floor(w * (s as number[])[1])];
    if (oh < 1 || ow < 1) return err(interpolateErrors.outputSize(oh, ow, h, w, show(o.scaleFactor)));
    const limit = overLimit("interpolate", [n, c, oh, ow]);
    return limit ? err(limit) : ok([n, c, oh, ow]);
  }
});

describe("stack, split and chunk (issue 21)", () => {
  const dimArb = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(-5, 4, 1.5, NaN) },
  );
  const shapeArb = fc.oneof(
    { weight: 4, arbitrary: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: smallShape(3, 0, 5) },
  );

  /** The pieces of a cut, checked through their concatenation (which must give back the input, values and all). */
  function checkPieces(
    x: sg.AnyTensor,
    cut: () => sg.AnyTensor[],
    expected: Outcome,
    dim: number,
    lengths: readonly number[],
  ): void {
    let pieces: sg.AnyTensor[] = [];
    const whole = check(() => {
      pieces = cut();
      // no sections of an empty dim give no pieces (as torch.split), which cat cannot join
      return pieces.length === 0 ? x : sg.cat(pieces as never, dim as never);
    }, expected);
    if (!whole) return;
    const d = normalize(dim, x.shape.length)!;
    expect(pieces.map((p) => p.shape[d])).toEqual([...lengths]);
    for (const p of pieces) expect(p.shape.filter((_, j) => j !== d)).toEqual(x.shape.filter((_, j) => j !== d));
    expect(Array.from(whole.dataSync())).toEqual(Array.from(x.dataSync()));
    if (pieces.length > 0) checkBackward(whole, [x]);
  }

  it("stack of random lists: dtype, dim in [-(rank + 1), rank], equal shapes", () => {
    counted("stack", () =>
      fc.assert(
        fc.property(
          smallShape(3, 0, 3),
          fc.array(fc.option(fc.tuple(smallShape(3, 0, 3), fc.constantFrom<DT>("float64", "float32")), { freq: 2 }), {
            minLength: 1,
            maxLength: 3,
          }),
          fc.constantFrom<DT>("float64", "float64", "float32"),
          dimArb,
          fc.nat(1000),
          (base, others, dtype, dim, seed) => {
            // each tensor has the first one's shape and dtype, or (one draw in two) its own
            const specs: [number[], DT][] = [[base, dtype], ...others.map((o): [number[], DT] => o ?? [base, dtype])];
            const xs = specs.map(([shape, dt], i) => input(shape, dt, seed + i, true));
            const expected = ((): Outcome => {
              const other = specs.find(([, d]) => d !== dtype);
              if (other) return err(opErrors.dtypeMismatch("stack", dtype, other[1]));
              const d = normalize(dim, base.length + 1);
              if (d === null) return err(opErrors.dimOutOfRange("stack", dim, base.length + 1));
              const i = specs.findIndex(([s]) => s.length !== base.length || s.some((n, j) => n !== base[j]));
              if (i >= 0) return err(joinErrors.stackShape(i, formatShape(specs[i][0]), formatShape(base)));
              return ok([...base.slice(0, d), specs.length, ...base.slice(d)]);
            })();
            checkBackward(
              check(() => sg.stack(xs as never, dim as never), expected),
              xs,
            );
          },
        ),
        { seed: SEED, numRuns: 600 },
      ),
    );
  });

  it("split by a size or by sections: pieces of PyTorch's lengths that give back the input", () => {
    const sizeArb = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) },
      { weight: 4, arbitrary: fc.array(fc.nat(4), { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, [1, -1], [0.5], [NaN], "2", null) },
    );
    counted("split", () =>
      fc.assert(
        fc.property(shapeArb, sizeArb, fc.boolean(), dimArb, fc.nat(1000), (shape, drawnSize, fit, dim, seed) => {
          const x = input(shape, "float64", seed, true);
          // half the section lists are completed to sum to the dim's size, else the sum rarely fits
          const d0 = normalize(dim, shape.length);
          const sizeOrSections =
            fit && Array.isArray(drawnSize) && d0 !== null && drawnSize.every((v) => Number.isSafeInteger(v))
              ? [
                  ...(drawnSize as number[]),
                  Math.max(0, shape[d0] - (drawnSize as number[]).reduce((a, b) => a + b, 0)),
                ]
              : drawnSize;
          let lengths: number[] = [];
          const expected = ((): Outcome => {
            const s = sizeOrSections;
            const fine =
              typeof s === "number"
                ? Number.isSafeInteger(s) && s > 0
                : Array.isArray(s) && s.every((v) => Number.isSafeInteger(v) && (v as number) >= 0);
            if (!fine) return err(joinErrors.splitSize(show(s)));
            if (shape.length === 0) return err(joinErrors.zeroDimInput("split"));
            const d = normalize(dim, shape.length);
            if (d === null) return err(opErrors.dimOutOfRange("split", dim, shape.length));
            const n = shape[d];
            if (Array.isArray(s)) {
              const total = (s as number[]).reduce((a, b) => a + b, 0);
              if (total !== n) return err(joinErrors.splitSum(formatShape(s as number[]), total, d, n));
              lengths = s as number[];
            } else {
              // torch.split: pieces of the size, the last one shorter; one empty piece of an empty dim
              const size = s as number;
              lengths =
                n === 0 ? [0] : Array.from({ length: Math.ceil(n / size) }, (_, i) => Math.min(size, n - i * size));
            }
            return ok(shape);
          })();
          checkPieces(x, () => sg.split(x, sizeOrSections as never, dim as never), expected, dim, lengths);
        }),
        { seed: SEED, numRuns: 600 },
      ),
    );
  });

  it("chunk into a number of pieces of ceil(n / chunks) (so possibly fewer pieces)", () => {
    const chunksArb = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -2, 1.5, NaN, Infinity, "3", null) },
      // past the limit of pieces: refused on an empty dim (`chunks` pieces), a piece per element elsewhere
      { weight: 1, arbitrary: fc.constantFrom<unknown>(2 ** 53 - 1, 1048577) },
    );
    counted("chunk", () =>
      fc.assert(
        fc.property(shapeArb, chunksArb, dimArb, fc.nat(1000), (shape, chunks, dim, seed) => {
          const x = input(shape, "float64", seed, true);
          let lengths: number[] = [];
          const expected = ((): Outcome => {
            if (typeof chunks !== "number" || !Number.isSafeInteger(chunks) || chunks <= 0)
              return err(joinErrors.chunks(show(chunks)));
            if (shape.length === 0) return err(joinErrors.zeroDimInput("chunk"));
            const d = normalize(dim, shape.length);
            if (d === null) return err(opErrors.dimOutOfRange("chunk", dim, shape.length));
            const n = shape[d];
            const size = Math.ceil(n / chunks);
            // torch.chunk: `chunks` empty pieces of an empty dim (torch 1.13: chunk(zeros(0, 2), 3) is three [0, 2])
            const count = n === 0 ? chunks : Math.ceil(n / size);
            if (count > 1048576) return err(joinErrors.pieces("chunk", count, d, n, 1048576));
            lengths = Array.from({ length: count }, (_, i) => Math.min(size, n - i * size));
            return ok(shape);
          })();
          checkPieces(x, () => sg.chunk(x, chunks as never, dim as never), expected, dim, lengths);
        }),
        { seed: SEED, numRuns: 600 },
      ),
    );
  });
});

describe("avgPool2d (issue 21)", () => {
  it("any input rank, kernel, stride (or null), padding, ceil mode, countIncludePad and divisorOverride", () => {
    counted("avgPool2d", () =>
      fc.assert(
        fc.property(
          fc.oneof(
            { weight: 4, arbitrary: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 4 }) },
            { weight: 1, arbitrary: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 5 }) },
          ),
          dtypeArb,
          poolPairOf(poolPos),
          fc.option(
            fc.oneof({ weight: 6, arbitrary: poolPairOf(poolPos) }, { weight: 1, arbitrary: fc.constant(null) }),
            {
              nil: undefined,
            },
          ),
          fc.option(
            fc.oneof(
              { weight: 3, arbitrary: poolPairOf(poolNonneg) },
              { weight: 1, arbitrary: fc.tuple(poolNonneg, poolNonneg, poolNonneg, poolNonneg) },
            ),
            { nil: undefined },
          ),
          fc.boolean(),
          fc.option(fc.boolean(), { nil: undefined }),
          fc.option(
            fc.oneof(
              { weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) },
              { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 0, -1, 1.5, NaN, Infinity, "2") },
            ),
            { nil: undefined },
          ),
          fc.nat(1000),
          (shape, dtype, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride, seed) => {
            const x = input(shape, dtype, seed, true);
            const options = { kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride };
            const d = divisorOverride;
            const badDivisor =
              d !== undefined && d !== null && !(typeof d === "number" && Number.isSafeInteger(d) && d > 0);
            // the dtype first, then divisorOverride, then the pooling geometry (stride null: the kernel)
            const expected =
              dtype !== "int32" && badDivisor
                ? err(nnErrors.badOption("avgPool2d", "divisorOverride", d, 1))
                : poolOutcome("avgPool2d", shape, dtype, kernelSize, stride ?? undefined, padding, undefined, ceilMode);
            checkBackward(
              check(() => sg.nn.functional.avgPool2d(x, options as never), expected),
              [x],
            );
          },
        ),
        { seed: SEED, numRuns: 1000 },
      ),
    );
  });
});

describe("activations and dropout2d (issue 21)", () => {
  // The kinks (-3, 0, 3, 6), both sides of them, and magnitudes where exp over/underflows.
  const values = [-1e30, -100, -6, -3, -2.5, -1, -0.5, 0, 0.5, 1, 2.999, 3, 5.9, 6, 7, 100, 1e30];
  const clamp6 = (v: number) => Math.min(Math.max(v, 0), 6);
  const formulas = {
    silu: (v: number) => v / (1 + Math.exp(-v)),
    relu6: clamp6,
    hardsigmoid: (v: number) => clamp6(v + 3) / 6,
    hardswish: (v: number) => (v * clamp6(v + 3)) / 6,
  };
  type Act = keyof typeof formulas;

  function valued(shape: readonly number[], dtype: DT, seed: number): sg.AnyTensor {
    if (dtype === "int32") return input(shape, dtype, seed);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Array.from({ length: n }, (_, i) => values[(seed + i * 7) % values.length]);
    return sg.tensor(data, { shape: [...shape], dtype, requiresGrad: true });
  }

  it("silu, hardswish, hardsigmoid, relu6: same shape, PyTorch's values, finite out of finite in, floats only", () => {
    counted("activations", () =>
      fc.assert(
        fc.property(
          fc.constantFrom<Act>("silu", "hardswish", "hardsigmoid", "relu6"),
          smallShape(4, 0, 3),
          dtypeArb,
          fc.nat(1000),
          (op, shape, dtype, seed) => {
            const x = valued(shape, dtype, seed);
            const expected = dtype === "int32" ? err(nnErrors.notFloat(op, "input", dtype)) : ok(shape);
            const y = check(() => sg.nn.functional[op](x), expected);
            if (!y) return;
            const got = y.dataSync(),
              xs = x.dataSync();
            const tol = dtype === "float64" ? 1e-12 : 1e-5;
            xs.forEach((v, i) => {
              const want = formulas[op](v);
              expect(Number.isFinite(got[i]), `${op}(${v}) = ${got[i]}`).toBe(true);
              expect(Math.abs(got[i] - want), `${op}(${v}) = ${got[i]}, expected ${want}`).toBeLessThanOrEqual(
                tol * Math.max(1, Math.abs(want)),
              );
            });
            checkBackward(y, [x]);
          },
        ),
        { seed: SEED, numRuns: 800 },
      ),
    );
  });

  it("dropout2d: floats, p a probability, 3-D or 4-D; whole channels zeroed or scaled by 1 / (1 - p)", () => {
    counted("dropout2d", () =>
      fc.assert(
        fc.property(
          smallShape(5, 0, 3),
          dtypeArb,
          fc.option(
            fc.oneof(
              { weight: 4, arbitrary: fc.constantFrom(0, 0.25, 0.5, 1) },
              { weight: 1, arbitrary: fc.constantFrom<unknown>(-0.1, 1.5, NaN, Infinity, "0.5", null) },
            ),
            { nil: undefined },
          ),
          fc.option(fc.boolean(), { nil: undefined }),
          fc.nat(1000),
          (shape, dtype, p, training, seed) => {
            const x = input(shape, dtype, seed, true);
            const op = "dropout2d";
            const prob = p === undefined ? 0.5 : p;
            const expected =
              dtype === "int32"
                ? err(nnErrors.notFloat(op, "input", dtype))
                : typeof prob !== "number" || !(prob >= 0 && prob <= 1)
                  ? err(nnErrors.probability(op, prob))
                  : shape.length !== 3 && shape.length !== 4
                    ? err(nnErrors.rank(op, "input [C, H, W] or [N, C, H, W]", shape))
                    : ok(shape);
            const y = check(() => sg.nn.functional.dropout2d(x, p as never, training), expected);
            if (!y) return;
            const q = prob as number;
            const plane = shape[shape.length - 1] * shape[shape.length - 2];
            const got = y.dataSync(),
              xs = x.dataSync();
            const tol = dtype === "float64" ? 1e-12 : 1e-5;
            for (let start = 0; start < xs.length; start += plane) {
              const ratios = new Set<string>();
              for (let i = start; i < start + plane; i++) ratios.add((got[i] / xs[i]).toPrecision(4));
              // one factor per channel: 1 when not training or p = 0, else 0 or 1 / (1 - p)
              expect(ratios.size, "one factor per channel").toBe(1);
              const r = got[start] / xs[start];
              const allowed = training === false || q === 0 ? [1] : q === 1 ? [0] : [0, 1 / (1 - q)];
              expect(
                allowed.some((a) => Math.abs(r - a) <= tol * Math.max(1, a)),
                `factor ${r} with p ${q}`,
              ).toBe(true);
            }
            checkBackward(y, [x]);
          },
        ),
        { seed: SEED, numRuns: 600 },
      ),
    );
  });
});

describe("the fuzz ran", () => {
  it("at least 10,000 cases in this file, at least a fifth of them valid and a fifth refused", () => {
    expect(cases).toBeGreaterThanOrEqual(10_000);
    expect(valid).toBeGreaterThan(cases / 5);
    expect(cases - valid).toBeGreaterThan(cases / 5);
    expect(backwards).toBeGreaterThan(300);
    console.log(
      `fuzz: ${cases} calls, ${valid} valid, ${cases - valid} refused; ${backwards} backward passes (conv2d, convTranspose2d, the pools, interpolate, the joins and the activations)`,
    );
  });
});
