/**
 * Every shader variant the backend can generate compiles without errors or warnings on this
 * device (WGSL validation, including the uniformity analysis that guards each barrier).
 */
import { afterAll, describe, expect, it } from "vitest";
import { binaryPrimitives, unaryPrimitives } from "../../src/primitives/index.js";
import { gpu } from "../../src/backends/webgpu/device.js";
import type { GpuDType } from "../../src/backends/webgpu/wgsl/common.js";
import { elementwiseShader, fillShader } from "../../src/backends/webgpu/wgsl/elementwise.js";
import {
  conv2dBackInputLoaders,
  conv2dBackWeightLoaders,
  conv2dLoaders,
  gemmShader,
  matmulLoaders,
} from "../../src/backends/webgpu/wgsl/gemm.js";
import { maxPool2dShader, padAdjointShader, padShader } from "../../src/backends/webgpu/wgsl/pad-pool.js";
import { reduceShader } from "../../src/backends/webgpu/wgsl/reduce.js";
import { destroyWebGPU, setupWebGPU, suiteTitle } from "./setup.js";

const setup = await setupWebGPU();
afterAll(() => destroyWebGPU());

function variants(): [string, string][] {
  const out: [string, string][] = [];
  const types: GpuDType[] = ["float32", "int32"];
  for (const t of types) {
    for (const op of [...unaryPrimitives, ...binaryPrimitives, "copy"] as const) {
      for (const strided of [false, true]) out.push([`${op}:${t}:${strided}`, elementwiseShader(op, t, t, strided)]);
    }
    out.push([`cast:${t}`, elementwiseShader("cast", t, t === "float32" ? "int32" : "float32", false)]);
    out.push([`fill:${t}`, fillShader(t)]);
    for (const op of ["sum", "max", "argmax"] as const) {
      for (const launch of ["thread", "workgroup"] as const) {
        out.push([`${op}:${t}:${launch}`, reduceShader(op, t, op === "argmax" ? "int32" : t, launch)]);
      }
    }
    for (const loaders of [matmulLoaders, conv2dLoaders, conv2dBackInputLoaders, conv2dBackWeightLoaders]) {
      for (const alg of ["tiled", "direct"] as const)
        out.push([`${loaders.name}:${t}:${alg}`, gemmShader(loaders, t, alg)]);
    }
    out.push([`pad:${t}`, padShader(t)]);
    for (const rank of [1, 2, 4, 5]) out.push([`padAdjoint:${t}:${rank}`, padAdjointShader(t, rank)]);
    for (const kind of ["forward", "backward", "select"] as const)
      out.push([`pool:${kind}:${t}`, maxPool2dShader(kind, t)]);
  }
  return out;
}

describe.skipIf(!setup.available)(suiteTitle("WGSL shaders", setup), () => {
  it("every generated variant compiles cleanly", async () => {
    const problems: string[] = [];
    for (const [name, code] of variants()) {
      const info = await gpu().device.createShaderModule({ code }).getCompilationInfo();
      for (const m of info.messages) problems.push(`${name}: ${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`);
    }
    expect(problems).toEqual([]);
  });
});
