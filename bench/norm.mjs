// layerNorm / groupNorm, float32 CPU: the op composition (what ships) against a fused pair of
// loops (a prototype here, the shape batchNormTrain has: one pass for the row statistics in
// float64, one normalise-and-affine pass; backward: one pass for the row sums of g and g*xhat,
// one for dx, dweight, dbias), forward + backward, interleaved one by one, median of the paired
// ratios. Run after `npm run build`:   node bench/norm.mjs [--seconds=6]
import { performance } from "node:perf_hooks";
import * as sg from "../dist/src/index.js";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const seconds = Number(args.seconds ?? 6);
const F = sg.nn.functional;

/** Fused rows: x [rows, size], the parameter index of column j is j (layer) or channel (group). */
function fused(x, gy, w, b, rows, size, paramOf) {
  const y = new Float32Array(x.length),
    dx = new Float32Array(x.length);
  const dw = new Float64Array(w.length),
    db = new Float64Array(w.length);
  const mean = new Float64Array(rows),
    rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * size;
    let s = 0;
    for (let j = 0; j < size; j++) s += x[o + j];
    const m = s / size;
    let q = 0;
    for (let j = 0; j < size; j++) q += (x[o + j] - m) ** 2;
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(q / size + 1e-5);
    for (let j = 0; j < size; j++) {
      const p = paramOf(r, j);
      y[o + j] = (x[o + j] - m) * rstd[r] * w[p] + b[p];
    }
  }
  for (let r = 0; r < rows; r++) {
    const o = r * size,
      m = mean[r],
      is = rstd[r];
    let sg1 = 0,
      sgx = 0;
    for (let j = 0; j < size; j++) {
      const p = paramOf(r, j);
      const gw = gy[o + j] * w[p],
        xh = (x[o + j] - m) * is;
      sg1 += gw;
      sgx += gw * xh;
      dw[p] += gy[o + j] * xh;
      db[p] += gy[o + j];
    }
    for (let j = 0; j < size; j++) {
      const p = paramOf(r, j);
      const xh = (x[o + j] - m) * is;
      dx[o + j] = is * (gy[o + j] * w[p] - sg1 / size - (xh * sgx) / size);
    }
  }
  return [y, dx, dw, db];
}

function composition(op, shape, arg, param) {
  const x = sg.randn(shape, { requiresGrad: true });
  const w = sg.randn(param, { requiresGrad: true });
  const b = sg.randn(param, { requiresGrad: true });
  const gy = sg.randn(shape);
  const run = () =>
    sg.tidy(() => {
      const y = F[op](x, arg, w, b);
      return sg.gradients(y, [x, w, b], { seeds: [gy] }).map((g) => g.dataSync()[0]);
    });
  const xd = x.dataSync(),
    gd = gy.dataSync(),
    wd = w.dataSync(),
    bd = b.dataSync();
  return { run, x: xd, gy: gd, w: wd, b: bd };
}

const cases = [
  // ConvNeXt-T stage 1 LayerNorm (channels last) and a transformer's token LayerNorm
  { name: "layerNorm [8, 56, 56, 96] over 96", op: "layerNorm", shape: [8, 56, 56, 96], arg: 96, param: [96] },
  { name: "layerNorm [32, 197, 384] over 384", op: "layerNorm", shape: [32, 197, 384], arg: 384, param: [384] },
  { name: "groupNorm [8, 64, 32, 32] in 32 groups", op: "groupNorm", shape: [8, 64, 32, 32], arg: 32, param: [64] },
];

console.log(`node ${process.version}, ${new Date().toISOString()}`);
for (const c of cases) {
  const comp = composition(c.op, c.shape, c.arg, c.param);
  const n = c.shape.reduce((a, d) => a * d, 1);
  let rows, size, paramOf;
  if (c.op === "layerNorm") {
    size = c.param[0];
    rows = n / size;
    paramOf = (_r, j) => j;
  } else {
    const [batch, ch] = c.shape;
    const inner = n / (batch * ch);
    rows = batch * c.arg;
    size = n / rows;
    const perGroup = ch / c.arg;
    paramOf = (r, j) => (r % c.arg) * perGroup + Math.floor(j / inner);
  }
  const fuse = () => fused(comp.x, comp.gy, comp.w, comp.b, rows, size, paramOf);
  fuse();
  comp.run();
  const ratios = [],
    tc = [],
    tf = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    let t = performance.now();
    comp.run();
    const a = performance.now() - t;
    t = performance.now();
    fuse();
    const f = performance.now() - t;
    tc.push(a);
    tf.push(f);
    ratios.push(a / f);
  }
  const med = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
  console.log(
    `${c.name}: composition ${med(tc).toFixed(1)} ms, fused ${med(tf).toFixed(1)} ms, paired ratio ${med(ratios).toFixed(2)}x (${ratios.length} pairs)`,
  );
}
