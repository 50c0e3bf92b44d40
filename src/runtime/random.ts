/**
 * The one random stream behind randn, rand, layer initialisation, dropout and shuffles.
 * `manualSeed(n)` resets it, so a whole training run is reproducible.
 *
 * Generator: sfc32 (Small Fast Chaotic, 128-bit state), seeded through splitmix32 so that nearby
 * seeds give unrelated streams. It passes PractRand to 2^40 bytes and needs only 32-bit integer
 * arithmetic, which is exact in JavaScript.
 */
let a = 0,
  b = 0,
  c = 0,
  d = 0;
let spareNormal: number | null = null;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Makes every later random draw reproducible. Accepts any safe integer (the high bits are mixed in). */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new Error(`manualSeed: seed must be a safe integer, got ${seed}`);
  const mix = splitmix32((seed >>> 0) ^ Math.floor(seed / 2 ** 32));
  a = mix();
  b = mix();
  c = mix();
  d = mix();
  spareNormal = null;
  for (let i = 0; i < 12; i++) nextUint32();
}

function nextUint32(): number {
  const t = (((a + b) >>> 0) + d) >>> 0;
  d = (d + 1) >>> 0;
  a = b ^ (b >>> 9);
  b = (c + (c << 3)) >>> 0;
  c = ((c << 21) | (c >>> 11)) >>> 0;
  c = (c + t) >>> 0;
  return t;
}

/** Uniform on [0, 1) with 53 random bits. */
export function nextUniform(): number {
  const hi = nextUint32() >>> 5,
    lo = nextUint32() >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** Standard normal by the Box-Muller transform; the second value of each pair is kept for the next call. */
export function nextNormal(): number {
  if (spareNormal !== null) {
    const v = spareNormal;
    spareNormal = null;
    return v;
  }
  let u = 0;
  while (u === 0) u = nextUniform(); // log(0) would give -Infinity
  const v = nextUniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spareNormal = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

/** An integer uniform on [0, n). */
export function nextInt(n: number): number {
  return Math.floor(nextUniform() * n);
}

/** A random permutation of 0..n-1 (Fisher-Yates), for shuffling datasets. */
export function randperm(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = nextInt(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

manualSeed(Math.floor(Math.random() * 2 ** 32));
