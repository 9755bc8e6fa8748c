/**
 * Distribution verdicts as table cells, the same in `migpatch diff --group`'s terminal table and in
 * `report --group`'s verdict table: medians in the metric's unit, the relative change, the U-test
 * p-value and the verdict.
 */
import { formatMetric } from '../format/value-text.js';
import type { DistributionVerdict } from '../stats/verdict.js';
import { formatDeltaPct } from './comparison-cells.js';

/** A p-value: four decimals, `< 0.0001` below; `—` without a test. */
export function formatPValue(p: number | null): string {
  if (p === null) return '—';
  return p < 0.0001 ? '< 0.0001' : p.toFixed(4);
}

/** A distribution figure (median, quantile) in its unit; interpolated ns and counts are rounded to what the unit shows. */
export function formatStat(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'ns') return formatMetric(Math.round(value), unit);
  if (unit === 'count') return formatMetric(Number(value.toFixed(2)), unit);
  return formatMetric(value, unit);
}

/** Column headers matching {@link verdictCells}. */
export function verdictHead(labelA: string, labelB: string): string[] {
  return ['metric', `median ${labelA}`, `median ${labelB}`, 'delta %', 'p-value', 'runs', 'verdict'];
}

/** One verdict as cells: name, both medians, change of medians, p-value, values a side, verdict. */
export function verdictCells(v: DistributionVerdict): string[] {
  return [v.name, formatStat(v.medianA, v.unit), formatStat(v.medianB, v.unit), formatDeltaPct(v.deltaPct),
    formatPValue(v.p), `${v.nA} / ${v.nB}`, v.verdict];
}
