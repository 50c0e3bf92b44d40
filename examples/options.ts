/**
 * The examples' command-line values: node:util's parseArgs gives strings, these turn them into
 * numbers and a device or throw a message naming the program, the option and the value.
 */
import type { Device } from "../src/index.js";

/** An integer >= min. */
export function integerOption(program: string, name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${program}: --${name} must be an integer >= ${min}, got ${value}`);
  return n;
}

/** A finite number > 0, or >= 0 with `orZero`. */
export function positiveOption(program: string, name: string, value: string, orZero = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !orZero))
    throw new Error(`${program}: --${name} must be a ${orZero ? "number >= 0" : "positive number"}, got ${value}`);
  return n;
}

export function deviceOption(program: string, value: string): Device {
  if (value !== "cpu" && value !== "webgpu")
    throw new Error(`${program}: --device must be cpu or webgpu, got ${value}`);
  return value;
}
