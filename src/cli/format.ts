/** The inspector's text output: one line per tensor, module layer and diagnostic, in file order. */
import * as path from "node:path";
import type { Inspection, LayerEntry } from "./inspect.js";

/** A container by its class and size (`Sequential, 3 layers`): its rows below say the rest. */
function containerText(type: string, layers: readonly LayerEntry[]): string {
  return `${/^\w+/.exec(type)?.[0] ?? type}, ${layers.length} layer${layers.length === 1 ? "" : "s"}`;
}

/**
 * One row per layer: its index (or property), its type and the shape after it. A module with rows
 * of its own is named by its class (a container with its size), and its rows follow, indented,
 * labelled by their path: `2.0`, `2.1`, `features.0`, `1.body`.
 */
function layerLines(layers: readonly LayerEntry[], indent: string, prefix: string): string[] {
  return layers.flatMap((l) => {
    const key = `${prefix}${l.property ?? l.index}`;
    const what = !l.layers ? l.type : l.layers[0].property === undefined ? containerText(l.type, l.layers) : l.name;
    const row = `${indent}${key.padStart(2)} ${what}${l.output !== undefined ? ` -> ${l.output}` : ""}`;
    return l.layers ? [row, ...layerLines(l.layers, `${indent}  `, `${key}.`)] : [row];
  });
}

export function formatInspection(r: Inspection, cwd = process.cwd()): string {
  const rel = path.relative(cwd, r.file) || r.file;
  type Row = { line: number; column: number; lines: string[] };
  const rows: Row[] = [];
  for (const e of r.entries) {
    const at = `${e.line}:${e.column}`;
    if (e.kind === "tensor") {
      rows.push({
        line: e.line,
        column: e.column,
        lines: [`${at.padEnd(8)}${e.name}: Tensor ${e.shape} ${e.dtype} ${e.device}`],
      });
    } else {
      const container = e.layers.length > 0 && e.layers[0].property === undefined;
      const lines = [`${at.padEnd(8)}${e.name}: ${container ? containerText(e.type, e.layers) : e.type}`];
      if (e.forwardLine !== undefined)
        lines.push(`${"".padEnd(8)}  forward at line ${e.forwardLine}: ${e.forwardInput} -> ${e.forwardOutput}`);
      lines.push(...layerLines(e.layers, `${"".padEnd(8)}  `, ""));
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
