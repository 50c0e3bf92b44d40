export interface Expectation {
  file: string;
  line: number;
  column: number;
  message: string;
}
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  text: string;
}
export const root: string;
export const fixtureDir: string;
export const fixtureConfig: string;
export function fixtureFiles(): string[];
export function expectations(): Expectation[];
export function parameterMessage(text: string): string | null;
export function compare(actual: Diagnostic[], expected?: Expectation[]): string[];
export function parseTscOutput(output: string): Diagnostic[];
