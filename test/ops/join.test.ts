/**
 * cat, stack, split, chunk and narrow against PyTorch (test/fixtures/ops/*.json, docs/goldens-ops.md):
 * float64 outputs and gradients, float32 outputs, PyTorch's refusals with our catalogued messages,
 * double backward (each op is linear, so the gradient of a gradient is the op's adjoint applied to
 * the direction), finite differences, and int32 tensors (no arithmetic, the bits move).
 */
import { describe, expect, it } from "vitest";
import {
  cat,
  chunk,
  gradients,
  mul,
  narrow,
  split,
  squeeze,
  stack,
  sum,
  tensor,
  unsqueeze,
  zeros,
  type AnyTensor,
} from "../../src/index.js";
import { gradcheck, randomArray, seededRng } from "../helpers/gradcheck.js";
import { expectClose, goldenTensor, readOpsGolden, type GoldenTensor as Enc } from "../helpers/goldens.js";

type Inputs = { tensors: Enc[] } | { x: Enc };
interface Case {
  id: string;
  dtype: "float64" | "float32";
  inputs: Inputs;
  args: Record<string, unknown>;
  output: Enc | Enc[];
  gy?: Enc | Enc[];
  grads?: { tensors?: Enc[]; x?: Enc };
}
interface ErrorCase {
  id: string;
  inputs: { tensors: { shape: number[] }[] } | { x: { shape: number[] } };
  args: Record<string, unknown>;
}
interface Golden {
  signature: string[];
  cases: Case[];
  float32Cases: Case[];
  errors: ErrorCase[];
}

const load = (op: string) => readOpsGolden<Golden>(op);

const t64 = (e: Enc, requiresGrad = false): AnyTensor => goldenTensor(e, "float64", { requiresGrad });
const t32 = (e: Enc): AnyTensor => goldenTensor(e, "float32");

type AnyOp = (...args: unknown[]) => AnyTensor | AnyTensor[];
const ops: Record<string, AnyOp> = { cat, stack, split, chunk, narrow } as unknown as Record<string, AnyOp>;

/** The op called as the golden's signature says (an absent argument is undefined: the default). */
function call(op: string, g: Golden, tensors: AnyTensor[] | AnyTensor, args: Record<string, unknown>) {
  const values = g.signature.map((n) => (n === "tensors" || n === "x" ? tensors : args[n]));
  return ops[op](...values);
}

const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Every case's inputs as float64 leaves, and the output(s) as a list. */
function run(op: string, g: Golden, c: Case, make: (e: Enc) => AnyTensor) {
  const inputs = "tensors" in c.inputs ? c.inputs.tensors.map(make) : [make(c.inputs.x)];
  const out = call(op, g, "tensors" in c.inputs ? inputs : inputs[0], c.args);
  return { inputs, outputs: asList(out) };
}

/** The messages PyTorch's refusals get here, by case id. */
const messages: Record<string, Record<string, string>> = {
  cat: {
    "mismatch-other-dim":
      "cat: tensor 1 [2, 4, 5] does not match tensor 0 [2, 3, 4] in dim 2 (only dim 1, the cat dim, may differ)",
    "mismatch-batch":
      "cat: tensor 1 [1, 32, 8, 8] does not match tensor 0 [2, 16, 8, 8] in dim 0 (only dim 1, the cat dim, may differ)",
    "rank-mismatch": "cat: tensor 1 [2, 3, 1] and tensor 0 [2, 3] have different ranks",
    "empty-list": "cat: expected a non-empty list of tensors, got []",
    "dim-out-of-range": "cat: dim 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])",
    "neg-dim-out-of-range": "cat: dim -3 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])",
  },
  stack: {
    "shape-mismatch": "stack: tensor 1 [2, 4] does not match tensor 0 [2, 3] (stack needs equal shapes)",
    "empty-list": "stack: expected a non-empty list of tensors, got []",
    "dim-out-of-range": "stack: dim 3 is out of range for a tensor of rank 3 (expected an integer in [-3, 2])",
    "neg-dim-out-of-range": "stack: dim -4 is out of range for a tensor of rank 3 (expected an integer in [-3, 2])",
  },
  split: {
    "sections-sum-short": "split: sections [2, 2] sum to 4 but dim 0 has size 5",
    "sections-sum-long": "split: sections [3, 3] sum to 6 but dim 0 has size 5",
    "section-negative":
      "split: sizeOrSections must be a positive integer or an array of non-negative integers, got [6, -1]",
    "size-zero": "split: sizeOrSections must be a positive integer or an array of non-negative integers, got 0",
    "size-negative": "split: sizeOrSections must be a positive integer or an array of non-negative integers, got -1",
    "dim-out-of-range": "split: dim 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])",
  },
  chunk: {
    "chunks-zero": "chunk: chunks must be a positive integer, got 0",
    "chunks-negative": "chunk: chunks must be a positive integer, got -2",
    "dim-out-of-range": "chunk: dim -3 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])",
  },
  narrow: {
    "past-end": "narrow: start 3 + length 3 runs past the end of dim 0 of size 5",
    "start-out-of-range": "narrow: start 6 is out of range for dim 0 of size 5 (expected an integer in [-5, 5])",
    "neg-start-out-of-range": "narrow: start -6 is out of range for dim 0 of size 5 (expected an integer in [-5, 5])",
    "length-negative": "narrow: length must be a non-negative integer, got -1",
    "dim-out-of-range": "narrow: dim 2 is out of range for a tensor of rank 2 (expected an integer in [-2, 1])",
  },
};

for (const op of ["cat", "stack", "split", "chunk", "narrow"]) {
  const g = load(op);
  describe(`${op} vs PyTorch`, () => {
    it("has the documented signature and cases", () => expect(g.cases.length).toBeGreaterThanOrEqual(10));

    for (const c of g.cases) {
      it(`${c.id}: output, gradient, double backward`, () => {
        const { inputs, outputs } = run(op, g, c, (e) => t64(e, true));
        const expected = asList(c.output);
        expect(outputs.length).toBe(expected.length);
        outputs.forEach((y, i) => expectClose(y, expected[i], 1e-12, `output ${i}`));
        const gys = asList(c.gy!).map((e) => t64(e, true));
        const gs = gradients(outputs, inputs, { seeds: gys, createGraph: true });
        const want = c.grads!.tensors ?? [c.grads!.x!];
        gs.forEach((gx, i) => expectClose(gx, want[i], 1e-12, `grad ${i}`));
        // The gradient is linear in gy: d/dgy sum_k <grad_k, v_k> is the op applied to v, i.e. the op's
        // own output on inputs v (each op is linear in its inputs).
        const rng = seededRng(7);
        const vs = inputs.map((x) => tensor(randomArray(x.size, rng), { shape: x.shape, dtype: "float64" }));
        const s = gs.map((gx, i) => sum(mul(gx, vs[i]))).reduce((a, b) => a.add(b));
        const ggy = gradients(s, gys);
        const opOfV = asList(call(op, g, "tensors" in c.inputs ? vs : vs[0], c.args));
        ggy.forEach((gg, i) =>
          expectClose(gg, { shape: [...opOfV[i].shape], data: [...opOfV[i].dataSync()] }, 0, `ggy ${i}`),
        );
      });
    }
    for (const c of g.float32Cases) {
      it(c.id, () => {
        const { outputs } = run(op, g, c, t32);
        asList(c.output).forEach((e, i) => {
          expect(outputs[i].dtype).toBe("float32");
          expectClose(outputs[i], e, 0, `float32 output ${i}`);
        });
      });
    }
    for (const e of g.errors) {
      it(`refuses ${e.id} with the catalogue's message`, () => {
        const make = (s: { shape: number[] }) => zeros(s.shape, { dtype: "float64" });
        const args = "tensors" in e.inputs ? e.inputs.tensors.map(make) : make(e.inputs.x);
        expect(messages[op][e.id], `a message for ${e.id}`).toBeDefined();
        expect(() => call(op, g, args, e.args)).toThrow(messages[op][e.id]);
      });
    }
  });
}

describe("finite differences (float64)", () => {
  const rng = seededRng(21);
  const r = (shape: number[]) =>
    tensor(
      randomArray(
        shape.reduce((a, b) => a * b, 1),
        rng,
      ),
      { shape, dtype: "float64" },
    );
  it("cat along each dim, stack", () => {
    gradcheck((a, b, c) => cat([a, b, c], 1), [r([2, 1, 3]), r([2, 3, 3]), r([2, 2, 3])]);
    gradcheck((a, b) => cat([a, b], -1), [r([2, 2]), r([2, 5])]);
    gradcheck((a, b) => stack([a, b], 1), [r([3, 2]), r([3, 2])]);
  });
  it("split, chunk, narrow (pieces joined again by a weighted sum)", () => {
    const weigh = (ps: AnyTensor[]) => ps.map((p, i) => mul(sum(p), i + 1)).reduce((a, b) => a.add(b));
    gradcheck((x) => weigh(split(x, [1, 3, 2], 1)), [r([2, 6, 2])]);
    gradcheck((x) => weigh(chunk(x, 4, 0)), [r([5, 3])]);
    gradcheck((x) => narrow(x, -1, -4, 3), [r([2, 6])]);
  });
  it("second order: the gradient of a gradient through slice and concat", () => {
    // f(x) = sum(narrow(x)^2 * w): its gradient is 2 w narrow(x) padded back, itself differentiable.
    const x = r([4, 3]).requiresGrad_(true);
    const w = r([2, 3]);
    const y = sum(mul(mul(narrow(x, 0, 1, 2), narrow(x, 0, 1, 2)), w));
    const [gx] = gradients(y, [x], { createGraph: true });
    const v = r([4, 3]);
    const [hv] = gradients(sum(mul(gx, v)), [x]);
    // Hessian-vector product: 2 w v on rows 1..2, 0 elsewhere.
    const expected = Array.from({ length: 12 }, (_, i) => {
      const row = Math.floor(i / 3);
      return row >= 1 && row <= 2 ? 2 * w.dataSync()[(row - 1) * 3 + (i % 3)] * v.dataSync()[i] : 0;
    });
    expectClose(hv, { shape: [4, 3], data: expected }, 1e-12, "hvp");
  });
});

describe("dtypes and edge cases", () => {
  it("int32 moves exactly", () => {
    const a = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "int32" },
    );
    const b = tensor([[5], [6]], { dtype: "int32" });
    const y = cat([a, b], 1);
    expect(y.dtype).toBe("int32");
    expect([...y.dataSync()]).toEqual([1, 2, 5, 3, 4, 6]);
    expect(split(y, [2, 1], 1).map((p) => [...p.dataSync()])).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
  });
  it("long runs (typed-array copies) equal short ones (loops)", () => {
    const n = 40 * 3;
    const a = tensor(
      Float64Array.from({ length: n }, (_, i) => i),
      { shape: [3, 40], dtype: "float64" },
    );
    const b = tensor(
      Float64Array.from({ length: n }, (_, i) => -i),
      { shape: [3, 40], dtype: "float64" },
    );
    const y = cat([a, b], 1);
    for (let row = 0; row < 3; row++)
      for (let k = 0; k < 80; k++)
        expect(y.dataSync()[row * 80 + k]).toBe(k < 40 ? row * 40 + k : -(row * 40 + k - 40));
    const [p, q] = split(y, [40, 40], 1);
    expect([...p.dataSync()]).toEqual([...a.dataSync()]);
    expect([...q.dataSync()]).toEqual([...b.dataSync()]);
  });
  it("refuses mixed dtypes and devices, non-tensors, 0-d tensors", () => {
    const a = zeros([2]);
    expect(() => cat([a, zeros([2], { dtype: "float64" })] as never)).toThrow(
      "cat: dtype mismatch: float32 and float64 (convert one with .cast())",
    );
    expect(() => stack([a, 3] as never)).toThrow("stack: tensor 1 must be a Tensor");
    expect(() => cat(a as never)).toThrow("cat: tensors must be an array of Tensors, got object");
    expect(() => cat([zeros([]), zeros([])] as never)).toThrow(
      "cat: tensor 0 is 0-d and cannot be concatenated (unsqueeze it first, or use stack)",
    );
    expect([...stack([zeros([]), zeros([])]).shape]).toEqual([2]);
    expect(() => split(zeros([]) as never, 1)).toThrow(
      "split: expected a tensor with at least 1 dim, got a 0-d tensor",
    );
    expect(() => narrow(zeros([3]), 0, 1.5 as never, 1)).toThrow("narrow: start must be an integer, got 1.5");
  });
  it("an empty dim: chunk gives `chunks` empty pieces, split one (PyTorch 1.13), both bounded", () => {
    // torch.chunk(torch.zeros(0, 2), 3) -> three (0, 2); torch.chunk(torch.zeros(2, 0), 3, 1) -> three
    // (2, 0); torch.chunk(torch.zeros(2, 0), 3) -> two (1, 0); torch.split(torch.zeros(0, 2), 3) -> one (0, 2)
    const shapes = (ps: AnyTensor[]) => ps.map((p) => [...p.shape]);
    expect(shapes(chunk(zeros([0, 2]), 3))).toEqual([
      [0, 2],
      [0, 2],
      [0, 2],
    ]);
    expect(shapes(chunk(zeros([2, 0]), 3, 1))).toEqual([
      [2, 0],
      [2, 0],
      [2, 0],
    ]);
    expect(shapes(chunk(zeros([2, 0]), 3))).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(shapes(split(zeros([0, 2]), 3))).toEqual([[0, 2]]);
    const x = zeros([0, 2], { dtype: "float64" }).requiresGrad_(true);
    const [gx] = gradients(sum(cat(chunk(x, 4), 0)), [x]);
    expect([...gx.shape]).toEqual([0, 2]);
    // each piece is a tensor object and an empty dim bounds nothing: the count is refused first
    expect(() => chunk(zeros([0, 2]), 2 ** 53 - 1)).toThrow(
      "chunk: 9007199254740991 pieces of dim 0 of size 0 is more than the limit of 1048576 pieces",
    );
    // @ts-expect-error -- the same text at compile time
    expect(() => chunk(zeros([3, 0]), 1048577, 1)).toThrow(
      "chunk: 1048577 pieces of dim 1 of size 0 is more than the limit of 1048576 pieces",
    );
    // @ts-expect-error -- the same text at compile time
    expect(() => split(zeros([2000000, 0]), 1)).toThrow(
      "split: 2000000 pieces of dim 0 of size 2000000 is more than the limit of 1048576 pieces",
    );
  });
});

describe("methods, squeeze and unsqueeze", () => {
  const x = tensor(
    Float64Array.from({ length: 6 }, (_, i) => i),
    { shape: [2, 1, 3], dtype: "float64" },
  );
  it("x.split, x.chunk, x.narrow are the ops", () => {
    expect(x.split([1, 2], -1).map((p) => [...p.shape])).toEqual([
      [2, 1, 1],
      [2, 1, 2],
    ]);
    expect(x.chunk(2, 2).map((p) => [...p.dataSync()])).toEqual([
      [0, 1, 3, 4],
      [2, 5],
    ]);
    expect([...x.narrow(2, -2, 2).dataSync()]).toEqual([1, 2, 4, 5]);
  });
  it("squeeze and unsqueeze as PyTorch (a dim that is not 1 is kept)", () => {
    expect([...squeeze(x).shape]).toEqual([2, 3]);
    expect([...squeeze(x, 1).shape]).toEqual([2, 3]);
    expect([...squeeze(x, 0).shape]).toEqual([2, 1, 3]);
    expect([...x.squeeze(-2).shape]).toEqual([2, 3]);
    expect([...unsqueeze(x, -1).shape]).toEqual([2, 1, 3, 1]);
    expect([...x.unsqueeze(0).shape]).toEqual([1, 2, 1, 3]);
    expect([...squeeze(zeros([]), -1).shape]).toEqual([]);
    expect(() => squeeze(x, 3 as never)).toThrow(
      "squeeze: dim 3 is out of range for a tensor of rank 3 (expected an integer in [-3, 2])",
    );
    expect(() => unsqueeze(x, -5 as never)).toThrow(
      "unsqueeze: dim -5 is out of range for a tensor of rank 4 (expected an integer in [-4, 3])",
    );
  });
});
