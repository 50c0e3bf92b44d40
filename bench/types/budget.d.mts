/** `budget`: issue 2's target; `ceiling`: the enforced regression limit. */
export interface Fixture {
  name: string;
  file: string;
  budget: number;
  ceiling: number;
  baseline?: string;
  options?: Record<string, unknown>;
}
export interface Measurement {
  instantiations: number;
  checkSeconds: number;
  errors: string[];
}
export interface BudgetRow extends Fixture, Measurement {
  version: number;
  raw: number;
  baselineCount: number;
  net: number;
}
export const fixtures: Fixture[];
export const compilers: Record<6 | 7, string>;
export function fixtureConfig(files: string[], extra?: Record<string, unknown>): string;
export function measure(version: 6 | 7, file: string, options?: Record<string, unknown>): Measurement;
export function runBudget(versions?: (6 | 7)[]): BudgetRow[];
export function targetNote(row: BudgetRow): string;
