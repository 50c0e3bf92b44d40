/**
 * Declaration emit of the type-level arithmetic (issue 19). A user's generic helper whose result
 * type is inferred as Add / Sub / Mul / Div / Compare of its type parameters must be written to its
 * .d.ts by the arithmetic's names, not by their bodies: the bodies repeat their operands at every
 * nesting, and three nested Adds in googlenet's Inception once made a consumer's tsc (no
 * skipLibCheck) overflow its stack. Each compiler (TS 6 and 7) emits the helper, then a consumer
 * type-checks against the emitted file and gets the literals BigInt computes. The helper imports the
 * built declarations (dist/, `npm run build` first), as a user of the package does. Broadcasting
 * (types/shape/broadcast.ts) is held to the same: a generic helper returning `x.add(y)` is written
 * as `Broadcast<[B, 16], [C, 16], "add">`, not as the walk's body.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { compilers } from "../../bench/types/budget.mjs";

const root = join(import.meta.dirname, "../..");
const options = {
  strict: true,
  skipLibCheck: false,
  target: "es2022",
  module: "nodenext",
  moduleResolution: "nodenext",
  lib: ["es2023"],
  types: [],
};

// Every result type below is inferred from calls, as googlenet's Inception.forward's is from cat.
function helperSource(dir: string): string {
  const arith = relative(dir, join(root, "dist/types/arith/index.js")).replace(/\\/g, "/");
  return `import type { Add, Compare, Div, Lte, Max, Mul, Sub } from "${arith}";
declare function add<X extends number, Y extends number>(x: X, y: Y): Add<X, Y>;
declare function sub<X extends number, Y extends number>(x: X, y: Y): Sub<X, Y>;
declare function mul<X extends number, Y extends number>(x: X, y: Y): Mul<X, Y>;
declare function div<X extends number, Y extends number>(x: X, y: Y): Div<X, Y>;
declare function cmp<X extends number, Y extends number>(x: X, y: Y): Compare<X, Y>;
declare function lte<X extends number, Y extends number>(x: X, y: Y): Lte<X, Y>;
declare function max<X extends number, Y extends number>(x: X, y: Y): Max<X, Y>;
export function sum4<A extends number, B extends number, C extends number, D extends number>(a: A, b: B, c: C, d: D) {
  return add(add(add(a, b), c), d);
}
export function area<H extends number, W extends number, P extends number>(h: H, w: W, p: P) {
  return mul(add(h, mul(p, 2)), sub(add(w, mul(p, 2)), 1));
}
export function pooled<H extends number, K extends number, S extends number>(h: H, k: K, s: S) {
  return add(div(sub(h, k), s), 1);
}
export function order<A extends number, B extends number>(a: A, b: B) {
  return [cmp(a, b), lte(a, b), max(a, b)] as const;
}
`;
}

// Expected values by BigInt, the arithmetic's oracle.
const big = (n: bigint) => n.toString();
const h = 9007199254740000n; // near 2^53 - 1: the digit path, not the small shortcuts
const consumer = `import { area, order, pooled, sum4 } from "./lib/helper.js";
export const s: ${big(h + 900n + 90n + 1n)} = sum4(${big(h)}, 900, 90, 1);
export const a: ${big((17n + 2n * 3n) * (4096n + 2n * 3n - 1n))} = area(17, 4096, 3);
export const p: ${big((224n - 3n) / 2n + 1n)} = pooled(224, 3, 2);
export const o: readonly [-1, true, 12345678901] = order(12345678900, 12345678901);
// @ts-expect-error the sum is one more
export const wrong: ${big(h + 992n)} = sum4(${big(h)}, 900, 90, 1);
`;

// Shapes that stay waiting inside the helper: a generic dim against another generic or a literal.
function tensorHelperSource(dir: string): string {
  const index = relative(dir, join(root, "dist/src/index.js")).replace(/\\/g, "/");
  return `import type { Tensor } from "${index}";
export function sum<B extends number, C extends number>(x: Tensor<[B, 16]>, y: Tensor<[C, 16]>) {
  return x.add(y);
}
export function scaled<B extends number>(x: Tensor<[B, 16]>, y: Tensor<[3, 16]>) {
  return x.mul(y);
}
export function spread<B extends number>(x: Tensor<[1, 16]>, y: Tensor<[B, 16]>) {
  return x.sub(y);
}
export function ranks<B extends number, C extends number>(x: Tensor<[B, 8]>, y: Tensor<[C]>) {
  return x.add(y).add(y);
}
`;
}
const tensorConsumer = (
  dir: string,
) => `import { randn, type Tensor } from "${relative(dir, join(root, "dist/src/index.js")).replace(/\\/g, "/")}";
import { ranks, scaled, spread, sum } from "./lib/tensors.js";
export const a: Tensor<[2, 16]> = sum(randn([2, 16]), randn([2, 16]));
export const b: Tensor<[3, 16]> = scaled(randn([3, 16]), randn([3, 16]));
export const c: Tensor<[5, 16]> = spread(randn([1, 16]), randn([5, 16]));
export const d: Tensor<[4, 8]> = ranks(randn([4, 8]), randn([1]));
// @ts-expect-error the batch is 4
export const wrong: Tensor<[2, 16]> = sum(randn([4, 16]), randn([4, 16]));
`;

function tsc(version: 6 | 7, dir: string, files: string[], extra: Record<string, unknown>) {
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { ...options, ...extra }, files: files.map((f) => join(dir, f)) }),
  );
  const r = spawnSync(process.execPath, [compilers[version], "-p", join(dir, "tsconfig.json")], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * Emits `src/<name>.ts` (from `source(srcDir)`) as declarations only, hands the .d.ts to `check`,
 * then type-checks `consumer(dir)` against lib/ with the source gone (no skipLibCheck).
 */
function emitThenConsume(
  version: 6 | 7,
  name: string,
  source: (srcDir: string) => string,
  check: (dts: string) => void,
  consumer: (dir: string) => string,
) {
  const dir = mkdtempSync(join(tmpdir(), `shapegrad-${name}-emit-`));
  try {
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, `src/${name}.ts`), source(join(dir, "src")));
    const emit = tsc(version, dir, [`src/${name}.ts`], {
      declaration: true,
      emitDeclarationOnly: true,
      rootDir: join(dir, "src"),
      outDir: join(dir, "lib"),
    });
    expect(emit.out).toBe("");
    check(readFileSync(join(dir, `lib/${name}.d.ts`), "utf8"));

    writeFileSync(join(dir, "consumer.ts"), consumer(dir));
    rmSync(join(dir, "src"), { recursive: true });
    const use = tsc(version, dir, ["consumer.ts"], { noEmit: true });
    expect(use.out).toBe("");
    expect(use.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each([6, 7] as const)("TypeScript %i", (version) => {
  it("emits a generic helper's inferred arithmetic by name, and a consumer checks it", () => {
    emitThenConsume(
      version,
      "helper",
      helperSource,
      (dts) => {
        expect(dts).toContain("): Add<Add<Add<A, B>, C>, D>;");
        expect(dts).toContain("): Mul<Add<H, Mul<P, 2>>, Sub<Add<W, Mul<P, 2>>, 1>>;");
        expect(dts).toContain("): Add<Div<Sub<H, K>, S>, 1>;");
        expect(dts).toContain("readonly [Compare<A, B>, Lte<A, B>, Max<A, B>]");
        // The names and their operands only: no arithmetic body written out.
        expect(dts).not.toMatch(/extends number \?|infer |tables\.js/);
        expect(dts.length).toBeLessThan(1500);
      },
      () => consumer,
    );
  }, 120_000);

  it("emits a generic helper's broadcast by name, and a consumer checks it", () => {
    emitThenConsume(
      version,
      "tensors",
      tensorHelperSource,
      (dts) => {
        expect(dts).toContain('.Broadcast<[B, 16], [C, 16], "add">>');
        expect(dts).toContain('.Broadcast<[B, 16], [3, 16], "mul">>');
        expect(dts).toContain('.Broadcast<[1, 16], [B, 16], "sub">>');
        expect(dts).toMatch(/\.Broadcast<.*\.Broadcast<\[B, 8\], \[C\], "add">>.*\[C\], "add">>/);
        // The name and its operands only: no walk written out.
        expect(dts).not.toMatch(/ \? |infer |"bad"|\{ a: /);
      },
      tensorConsumer,
    );
  }, 240_000);
});
