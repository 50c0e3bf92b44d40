/**
 * WGSL elementwise, reduction and movement kernels against the CPU backend, over random shapes
 * (fast-check, seed 42). float32 tolerance: |webgpu - cpu| <= 1e-6 + 1e-4 |cpu| for transcendental
 * elementwise ops (WGSL allows a few ULP in exp/log), and for sums an absolute floor of
 * 1e-5 sqrt(n) for n summed terms of magnitude <= 1. int32 results, copies, max and argmax are exact.
 */
import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import type { DType } from "../../types/core.js";
import { binaryPrimitives, unaryPrimitives } from "../../src/primitives/index.js";
import { liveBufferCount } from "../../src/backends/webgpu/index.js";
import { EXACT, type HostTensor, type Tolerance, floats, ints, levels, mismatch, runBoth } from "./compare.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
afterAll(() => destroyWebGPU());

const SEED = 42;
const FLOAT_TOL: Tolerance = { rtol: 1e-4, atol: 1e-6 };
/**
 * int32 inputs to float ops (exp, tanh, ...) are computed in float32 on the GPU and in float64 on
 * the CPU, then truncated: where the exact value sits just below an integer, float32 may round
 * onto it (tanh(20) is 1 in float32, 0.99999... in float64). So: within 1, and 1e-6 relative.
 */
const INT_VIA_FLOAT_TOL: Tolerance = { rtol: 1e-6, atol: 1 };
const exactInt = new Set(["neg", "abs", "sign", "relu"]);

const shape = (minRank: number, maxRank: number, maxDim = 6) =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

function check(o: Parameters<typeof mismatch>[0], tol: Tolerance): void {
  const m = mismatch(o, tol);
  if (m) throw new Error(m);
}

/** An input shape that broadcasts to `out`: some leading dims dropped, some dims set to 1. */
const broadcastInput = (out: readonly number[]) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    )
    .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

/** Inputs where each op is defined and interesting: log/sqrt mostly positive (some negatives give NaN), div away from 0. */
function unaryInput(op: string, s: readonly number[], sd: number, dtype: DType): HostTensor {
  if (dtype === "int32") return ints(s, sd, op === "exp" ? -20 : -1000, op === "exp" ? 20 : 1000);
  if (op === "log" || op === "sqrt") return floats(s, sd, -0.5, 20);
  if (op === "exp") return floats(s, sd, -30, 30);
  return floats(s, sd, -6, 6);
}

describe.skipIf(!setup.available)(suiteTitle("webgpu elementwise kernels equal the cpu backend", setup), () => {
  for (const op of unaryPrimitives) {
    for (const dtype of ["float32", "int32"] as const) {
      it(`${op} ${dtype}`, async () => {
        await fc.assert(
          fc.asyncProperty(shape(0, 4), seed, async (s, sd) => {
            const tol = dtype === "float32" ? FLOAT_TOL : exactInt.has(op) ? EXACT : INT_VIA_FLOAT_TOL;
            check(await runBoth(op, [unaryInput(op, s, sd, dtype)], {}), tol);
          }),
          { seed: SEED, numRuns: 12 },
        );
      });
    }
  }

  it("unary float32 ops on NaN, infinities, signed zeros and extreme values", async () => {
    const specials = Float32Array.of(
      NaN,
      Infinity,
      -Infinity,
      0,
      -0,
      1e-30,
      -1e-30,
      1e-4,
      -1e-4,
      3e38,
      -3e38,
      88.5,
      -88.5,
      100,
      -100,
      0.5,
      -0.5,
      4,
      -4,
    );
    for (const op of unaryPrimitives) {
      check(await runBoth(op, [{ shape: [specials.length], dtype: "float32", data: specials }], {}), FLOAT_TOL);
    }
  });

  for (const op of binaryPrimitives) {
    for (const dtype of ["float32", "int32"] as const) {
      it(`${op} ${dtype} with broadcasting`, async () => {
        const arb = shape(0, 4).chain((out) => fc.tuple(broadcastInput(out), broadcastInput(out), seed, seed));
        await fc.assert(
          fc.asyncProperty(arb, async ([sa, sb, s1, s2]) => {
            const make = (s: number[], sd: number): HostTensor =>
              dtype === "int32"
                ? ints(s, sd, -50, 50)
                : op === "greater" || op === "equal" || op === "maximum"
                  ? levels(s, sd, 5)
                  : floats(s, sd, -4, 4);
            const b = make(sb, s2);
            // Keep float divisors away from 0; int32 keeps its zeros (x / 0 gives 0 on both backends).
            if (op === "div" && dtype === "float32")
              for (let i = 0; i < b.data.length; i++) b.data[i] = b.data[i] < 0 ? b.data[i] - 0.5 : b.data[i] + 0.5;
            check(await runBoth(op, [make(sa, s1), b], {}), dtype === "int32" ? EXACT : FLOAT_TOL);
          }),
          { seed: SEED, numRuns: 15 },
        );
      });
    }
  }

  it("reluBackward: g passes where y > 0 or is NaN, else 0 whatever g is (NaN, infinities, signed zeros)", async () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 2.5, -2.5];
    // every pair (y, g) of specials
    const y = Float32Array.from(specials.flatMap((v) => specials.map(() => v)));
    const g = Float32Array.from(specials.flatMap(() => specials));
    const n = y.length;
    check(
      await runBoth(
        "reluBackward",
        [
          { shape: [n], dtype: "float32", data: y },
          { shape: [n], dtype: "float32", data: g },
        ],
        {},
      ),
      EXACT,
    );
  });

  it("maximum propagates NaN from either side", async () => {
    const a = Float32Array.of(NaN, 1, NaN, -Infinity, 2);
    const b = Float32Array.of(1, NaN, NaN, -Infinity, Infinity);
    check(
      await runBoth(
        "maximum",
        [
          { shape: [5], dtype: "float32", data: a },
          { shape: [5], dtype: "float32", data: b },
        ],
        {},
      ),
      EXACT,
    );
  });
});

/**
 * The cpu backend's int32 max starts from -Infinity stored into an Int32Array, which is 0, so a
 * reduction of only negative values gives 0 there (reported to the lead). Until that is fixed, its
 * float32 path is the oracle for int32 max: exact for these small integers.
 */
async function checkReduction(
  op: "sum" | "max",
  x: HostTensor,
  params: { dims: readonly number[]; keepdim: boolean },
): Promise<void> {
  const o = await runBoth(op, [x], params);
  if (op === "max" && x.dtype === "int32") {
    const f = await runBoth(op, [{ ...x, dtype: "float32", data: Float32Array.from(x.data) }], params);
    check({ ...o, cpu: Int32Array.from(f.cpu) }, EXACT);
  } else {
    check(o, op === "sum" && x.dtype === "float32" ? { rtol: 1e-4, atol: 1e-5 * Math.sqrt(x.data.length) } : EXACT);
  }
}

describe.skipIf(!setup.available)(suiteTitle("webgpu reductions equal the cpu backend", setup), () => {
  const dimsOf = (rank: number) => fc.subarray([...Array(rank).keys()]);
  for (const dtype of ["float32", "int32"] as const) {
    const data = (s: readonly number[], sd: number) => (dtype === "int32" ? ints(s, sd, -100, 100) : levels(s, sd, 7));
    for (const op of ["sum", "max"] as const) {
      it(`${op} ${dtype} over random dims (short reductions: one invocation per output)`, async () => {
        const arb = shape(1, 4).chain((s) => fc.tuple(fc.constant(s), dimsOf(s.length), fc.boolean(), seed));
        await fc.assert(
          fc.asyncProperty(arb, async ([s, dims, keepdim, sd]) => {
            const x = op === "sum" && dtype === "float32" ? floats(s, sd) : data(s, sd);
            await checkReduction(op, x, { dims, keepdim });
          }),
          { seed: SEED, numRuns: 20 },
        );
      });
      it(`${op} ${dtype} over long dims (one workgroup per output, tree in shared memory)`, async () => {
        const arb = fc.tuple(
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 256, max: 1500 }),
          fc.integer({ min: 1, max: 3 }),
          fc.constantFrom([1], [0, 1], [1, 2], [0, 1, 2]),
          fc.boolean(),
          seed,
        );
        await fc.assert(
          fc.asyncProperty(arb, async ([a, n, c, dims, keepdim, sd]) => {
            const s = [a, n, c];
            const x = op === "sum" && dtype === "float32" ? floats(s, sd) : data(s, sd);
            await checkReduction(op, x, { dims, keepdim });
          }),
          { seed: SEED, numRuns: 8 },
        );
      });
    }
    it(`argmax ${dtype}: the first maximum, short and long dims`, async () => {
      const arb = fc
        .oneof(
          shape(1, 4),
          fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 250, max: 900 })).map(([a, n]) => [a, n]),
        )
        .chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.boolean(), seed));
      await fc.assert(
        fc.asyncProperty(arb, async ([s, dim, keepdim, sd]) => {
          check(await runBoth("argmax", [data(s, sd)], { dim, keepdim }), EXACT);
        }),
        { seed: SEED, numRuns: 20 },
      );
    });
  }

  it("max and argmax with NaN and -Infinity follow torch (NaN wins; first NaN's index)", async () => {
    const data = Float32Array.of(1, NaN, 3, NaN, -Infinity, -Infinity, -Infinity, -Infinity, 2, 5, 5, 1);
    const x: HostTensor = { shape: [3, 4], dtype: "float32", data };
    check(await runBoth("max", [x], { dims: [1], keepdim: false }), EXACT);
    check(await runBoth("argmax", [x], { dim: 1, keepdim: false }), EXACT);
    const long = new Float32Array(600).fill(-1);
    long[300] = NaN;
    long[400] = NaN;
    long[10] = 7;
    check(await runBoth("max", [{ shape: [600], dtype: "float32", data: long }], { dims: [0], keepdim: false }), EXACT);
    check(await runBoth("argmax", [{ shape: [600], dtype: "float32", data: long }], { dim: 0, keepdim: true }), EXACT);
  });
});

describe.skipIf(!setup.available)(suiteTitle("webgpu movement and cast kernels equal the cpu backend", setup), () => {
  it("permute", async () => {
    const arb = shape(1, 5).chain((s) =>
      fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }), seed),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([s, perm, sd]) => {
        check(await runBoth("permute", [floats(s, sd)], { perm }), EXACT);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it("expand", async () => {
    const arb = shape(0, 4).chain((out) => fc.tuple(fc.constant(out), broadcastInput(out), seed));
    await fc.assert(
      fc.asyncProperty(arb, async ([out, s, sd]) => {
        check(await runBoth("expand", [ints(s, sd)], { shape: out }), EXACT);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it("reshape shares the buffer and keeps the element order", async () => {
    const live = liveBufferCount();
    const o = await runBoth("reshape", [floats([2, 3, 4], 7)], { shape: [4, 6] });
    check(o, EXACT);
    if (liveBufferCount() !== live) throw new Error("reshape leaked");
  });

  it("cast float32 <-> int32 (truncation toward zero; NaN and infinities give 0; large values wrap)", async () => {
    await fc.assert(
      fc.asyncProperty(shape(0, 3), seed, async (s, sd) => {
        check(await runBoth("cast", [floats(s, sd, -1e4, 1e4)], { dtype: "int32" }), EXACT);
        check(await runBoth("cast", [ints(s, sd, -(2 ** 24), 2 ** 24)], { dtype: "float32" }), EXACT);
      }),
      { seed: SEED, numRuns: 15 },
    );
    const specials = Float32Array.of(
      NaN,
      Infinity,
      -Infinity,
      -0.7,
      0.7,
      -2.5,
      2147483520,
      4294967040,
      -3e9,
      1e10,
      -1e10,
    );
    check(
      await runBoth("cast", [{ shape: [specials.length], dtype: "float32", data: specials }], { dtype: "int32" }),
      EXACT,
    );
  });
});
