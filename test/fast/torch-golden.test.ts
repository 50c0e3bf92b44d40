// The fast float32 kernels against PyTorch's own outputs and gradients: every case of the committed
// conv2d goldens (all padding modes via the explicit pad of the reference, stride, dilation,
// groups, depthwise), 1 and 2 threads. Same error measure and float32 bound as the reference's
// golden test (test/reference/helpers.ts: max |diff| / max(1, max |ref|) <= 2e-4).
import { describe, expect, it } from "vitest";
import { pad, padAdjoint } from "../../src/backends/cpu/reference/index.js";
import {
  conv2dBackInputF32,
  conv2dBackWeightF32,
  conv2dForwardF32,
  fastRuntime,
  setNumThreads,
} from "../../src/backends/cpu/fast/index.js";
import { type ConvFixture, decode, planConv, readFixture, relError } from "../reference/helpers.js";

const FLOAT32_TOL = 2e-4;
fastRuntime().adaptive = false;

for (const file of ["conv2d-torch.json", "conv2d-torch-big.json"] as const) {
  describe(`fast conv2d vs PyTorch: ${file}`, () => {
    const fixture = readFixture<ConvFixture>(file);
    for (const threads of [1, 2]) {
      it(`every case, float32, ${threads} thread${threads > 1 ? "s" : ""}`, () => {
        setNumThreads(threads);
        expect(fixture.cases.length).toBeGreaterThan(0);
        for (const c of fixture.cases) {
          const plan = planConv(c.x.shape, c.w.shape, c);
          const x = Float32Array.from(decode(c.x));
          const w = Float32Array.from(decode(c.w));
          const gy = Float32Array.from(decode(c.gy));
          const xp = plan.pad ? pad(plan.pad, x) : x;
          const y = conv2dForwardF32(plan.conv, xp, w);
          if (c.b) {
            const b = decode(c.b);
            const plane = plan.conv.outHeight * plan.conv.outWidth;
            for (let i = 0; i < y.length; i++) y[i] += b[Math.floor(i / plane) % plan.conv.outChannels];
          }
          const gxp = conv2dBackInputF32(plan.conv, gy, w);
          const gx = plan.pad ? padAdjoint(plan.pad, gxp) : gxp;
          const gw = conv2dBackWeightF32(plan.conv, xp, gy);
          expect(relError(y, decode(c.y)), `${c.id} y`).toBeLessThanOrEqual(FLOAT32_TOL);
          expect(relError(gx, decode(c.gx)), `${c.id} gx`).toBeLessThanOrEqual(FLOAT32_TOL);
          expect(relError(gw, decode(c.gw)), `${c.id} gw`).toBeLessThanOrEqual(FLOAT32_TOL);
        }
      });
    }
  });
}
