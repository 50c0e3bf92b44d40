// layerNorm / groupNorm, float32 CPU: what ships (the fused rowNorm primitive, src/ops/normalization.ts
// on src/backends/cpu/normalization.ts) against the op composition it replaced (`reference`, the
// oracle), forward alone and forward + backward (x, weight, bias), the two calls alternating one by
// one, median of the paired ratios. Run after `npm run build`:   node bench/norm.mjs [--seconds=6]
import { performance } from "node:perf_hooks";
import os from "node:os";
import * as sg from "../dist/src/index.js";
import { anyShape, reference } from "../dist/src/ops/normalization.js";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const seconds = Number(args.seconds ?? 6);

const cases = [
  // ConvNeXt-T stage 1: LayerNorm over the 96 channels of a channels-last [N, 56, 56, 96]
  {
    name: "layerNorm [8, 56, 56, 96] over 96 (ConvNeXt-T)",
    op: "layerNorm",
    shape: [8, 56, 56, 96],
    arg: 96,
    param: [96],
  },
  { name: "groupNorm(32, 256) on [8, 256, 16, 16]", op: "groupNorm", shape: [8, 256, 16, 16], arg: 32, param: [256] },
];

function runner(impl, c, backward) {
  const x = sg.randn(c.shape, { requiresGrad: true });
  const w = sg
    .add(sg.mul(sg.randn(c.param), 0.5), 1)
    .detach()
    .requiresGrad_();
  const b = sg.randn(c.param, { requiresGrad: true });
  const gy = sg.randn(c.shape);
  return () =>
    sg.tidy(() => {
      const y = impl[c.op](x, c.arg, w, b);
      if (!backward) return y.dataSync()[0];
      return sg.gradients(y, [x, w, b], { seeds: [gy] }).map((g) => g.dataSync()[0]);
    });
}

const med = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(
  `node ${process.version}, ${new Date().toISOString()}, ${os.cpus().length} x ${os.cpus()[0].model}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
for (const c of cases) {
  for (const backward of [false, true]) {
    const shipped = runner(anyShape, c, backward),
      composed = runner(reference, c, backward);
    shipped();
    composed();
    const ratios = [],
      ts = [],
      tc = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end || ratios.length < 3) {
      let t = performance.now();
      composed();
      const a = performance.now() - t;
      t = performance.now();
      shipped();
      const f = performance.now() - t;
      tc.push(a);
      ts.push(f);
      ratios.push(a / f);
    }
    console.log(
      `${c.name}, ${backward ? "forward + backward" : "forward"}: composition ${med(tc).toFixed(1)} ms, ` +
        `fused ${med(ts).toFixed(1)} ms, paired ratio ${med(ratios).toFixed(2)}x (${ratios.length} pairs)`,
    );
  }
}
