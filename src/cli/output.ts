/**
 * How commands print: tables for people (cli-table3, colourless unless stdout is a terminal) and
 * JSON for programs. Formatting of values lives here so every command shows ns, ratios and counts
 * the same way.
 */
import Table from 'cli-table3';

/** Where a command writes. Injected so tests and the CLI share the code. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly isTty: boolean;
}

/** The process's stdout/stderr. */
export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTty: Boolean(process.stdout.isTTY),
};

/** A cell value. */
export type Cell = string | number | null;

/** Renders rows as a table; the header row is always shown, even with no rows. */
export function renderTable(io: Output, head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const style = io.isTty ? {} : { head: [], border: [] };
  // No rule between body rows: long tables stay readable in a terminal.
  const chars = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
  const table = new Table({ head: [...head], style, chars });
  for (const row of rows) table.push(row.map((c) => (c === null ? '' : String(c))));
  return table.toString();
}

/** Prints a value as pretty JSON (NaN and Infinity become null). */
export function printJson(io: Output, value: unknown): void {
  io.out(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
}

/** A duration in ns, with a readable unit: `25.51 µs`, `1.194 s`. Exact ns under 1 µs. */
export function formatNs(ns: number | null): string {
  if (ns === null || !Number.isFinite(ns)) return '—';
  const abs = Math.abs(ns);
  if (abs < 1_000) return `${ns} ns`;
  if (abs < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  if (abs < 1_000_000_000) return `${(ns / 1_000_000).toFixed(3)} ms`;
  return `${(ns / 1_000_000_000).toFixed(3)} s`;
}

/** A ratio as a signed percentage: `+300.00 %`. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  // Keep tiny float residue from printing as -0.00 %.
  const shown = Math.abs(pct) < 0.005 ? 0 : pct;
  return `${shown >= 0 ? '+' : ''}${shown.toFixed(2)} %`;
}

/** A metric value formatted by its unit. */
export function formatMetric(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'ns') return formatNs(value);
  if (unit === 'ratio') return formatRatio(value);
  return String(value);
}
