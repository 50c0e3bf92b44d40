/** The inspector's text output: one line per tensor, module layer and diagnostic, in file order. */
import * as path from "node:path";
import type { Inspection } from "./inspect.js";

export function formatInspection(r: Inspection, cwd = process.cwd()): string {
  const rel = path.relative(cwd, r.file) || r.file;
  type Row = { line: number; column: number; lines: string[] };
  const rows: Row[] = [];
  for (const e of r.entries) {
    const at = `${e.line}:${e.column}`;
    if (e.kind === "tensor") {
      rows.push({ line: e.line, column: e.column, lines: [`${at.padEnd(8)}${e.name}: Tensor ${e.shape} ${e.dtype} ${e.device}`] });
    } else {
      const sequential = e.layers.length > 0 && e.layers[0].property === undefined;
      const lines = [`${at.padEnd(8)}${e.name}: ${sequential ? `Sequential, ${e.layers.length} layers` : e.type}`];
      if (e.forwardLine !== undefined) lines.push(`${"".padEnd(8)}  forward at line ${e.forwardLine}: ${e.forwardInput} -> ${e.forwardOutput}`);
      for (const l of e.layers) {
        const label = l.property ?? String(l.index).padStart(2);
        lines.push(`${"".padEnd(8)}  ${label} ${l.type}${l.output !== undefined ? ` -> ${l.output}` : ""}`);
      }
      rows.push({ line: e.line, column: e.column, lines });
    }
  }
  for (const d of r.diagnostics) {
    const at = `${d.line}:${d.column}`;
    const text = d.shapegrad ?? `TS${d.code}: ${d.text.split("\n")[0]}`;
    rows.push({ line: d.line, column: d.column, lines: [`${at.padEnd(8)}error ${text}`] });
  }
  rows.sort((a, b) => a.line - b.line || a.column - b.column);
  const errors = r.diagnostics.length;
  const tensors = r.entries.filter((e) => e.kind === "tensor").length;
  const summary = `${tensors} tensor${tensors === 1 ? "" : "s"}, ${r.entries.length - tensors} module${r.entries.length - tensors === 1 ? "" : "s"}, ${errors} error${errors === 1 ? "" : "s"}`;
  return [rel, ...rows.flatMap((row) => row.lines.map((l) => `  ${l}`)), summary].join("\n");
}
