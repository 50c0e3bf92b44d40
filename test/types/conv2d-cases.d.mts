import type { DType, Device } from "../../types/core.js";
export interface Meta {
  shape: number[];
  dtype: DType;
  device: Device;
}
export interface Conv2dCase {
  name: string;
  input: Meta;
  weight: Meta;
  bias?: Meta | null;
  options?: Record<string, unknown>;
}
export interface ErrorCase extends Conv2dCase {
  at: "input" | "weight" | "bias" | "options";
  message: string;
  compiler?: "excess property";
}
export interface ShapeCase extends Conv2dCase {
  out: number[];
}
export const errorCases: ErrorCase[];
export const shapeCases: ShapeCase[];
