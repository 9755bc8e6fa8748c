/**
 * How values are written for people, by unit: every table, report and export shows ns, ratios and
 * counts the same way.
 */

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
