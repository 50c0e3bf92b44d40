/**
 * interpolate and its adjoint: one invocation per element of the result (./wgsl/interpolate.ts),
 * reading the taps the host computes once per geometry (src/primitives/interpolate.ts) from the
 * cached parameter buffer.
 */
import type { KernelOutput, KernelTable } from "../../backend.js";
import type { InterpolateGeometry, InterpolateParams, InterpolationTaps } from "../../primitives/index.js";
import { interpolationTaps } from "../../primitives/index.js";
import { numel } from "../../runtime/shape.js";
import { launch } from "./dispatch.js";
import { type GpuInput, buffers, dtypeOf, perElement, shader } from "./launch-helpers.js";
import { type GpuStorage, allocate } from "./memory.js";
import { interpolateAdjointShader, interpolateShader } from "./wgsl/interpolate.js";

function axisTable(t: InterpolationTaps): number[] {
  const bits = new Uint32Array(Float32Array.from(t.lambda).buffer);
  return [...t.i0, ...t.i1, ...bits];
}

/** Per input position, the run [start, end) of output positions whose i0 or i1 is it (empty: 0, 0). */
function readers(t: InterpolationTaps, n: number): number[] {
  const start = new Array<number>(n).fill(-1),
    end = new Array<number>(n).fill(0);
  const see = (h: number, dst: number) => {
    if (start[h] < 0) start[h] = dst;
    end[h] = dst + 1;
  };
  for (let dst = 0; dst < t.i0.length; dst++) {
    see(t.i0[dst], dst);
    see(t.i1[dst], dst);
  }
  return [...start.map((s) => Math.max(s, 0)), ...end];
}

function meta(p: InterpolateGeometry, count: number, adjoint: boolean): Uint32Array {
  const th = interpolationTaps(p.height, p.mode, p.alignCorners),
    tw = interpolationTaps(p.width, p.mode, p.alignCorners);
  const head = [count, p.height.in, p.width.in, p.height.out, p.width.out, p.mode === "bilinear" ? 1 : 0];
  const body = [...axisTable(th), ...axisTable(tw)];
  const ranges = adjoint ? [...readers(th, p.height.in), ...readers(tw, p.width.in)] : [];
  return Uint32Array.from([...head, ...body, ...ranges]);
}

function kernel(kind: keyof InterpolateParams, source: typeof interpolateShader) {
  return ([x]: readonly GpuInput[], p: InterpolateGeometry, out: KernelOutput): GpuStorage => {
    const t = dtypeOf(out.dtype),
      n = numel(out.shape);
    const ins = buffers([x]);
    const y = allocate(n);
    // The tables depend on the geometry alone; the key names it instead of the table's text.
    const key = `${kind}:${n}:${JSON.stringify(p)}`;
    launch(
      shader(`${kind}:${t}`, () => source(t)),
      y.buffer,
      meta(p, n, kind === "interpolateAdjoint"),
      ins,
      perElement(n),
      key,
    );
    return y;
  };
}

export const interpolateKernels: Pick<KernelTable<GpuStorage>, keyof InterpolateParams> = {
  interpolate: kernel("interpolate", interpolateShader),
  interpolateAdjoint: kernel("interpolateAdjoint", interpolateAdjointShader),
};
