/**
 * Metric comparisons as table cells, the same in `migpatch diff`'s terminal table and in the
 * report's metrics table, so a person reading both sees the same words and units.
 */
import { formatMetric, formatNs } from '../format/value-text.js';
import type { MetricComparison } from '../query/metric-compare.js';

/** A signed change in a metric's unit: `+1.20 µs`, `-375.00 pp` (ratio points), `+2`. */
export function formatDelta(delta: number | null, unit: string): string {
  if (delta === null || !Number.isFinite(delta)) return '—';
  const sign = delta > 0 ? '+' : '';
  if (unit === 'ns') return `${sign}${formatNs(delta)}`;
  // A change of a ratio is in percentage points: "-375.00 pp" next to "+300.00 %" and "-75.00 %".
  if (unit === 'ratio') {
    const pp = Math.abs(delta * 100) < 0.005 ? 0 : delta * 100;
    return `${pp > 0 ? '+' : ''}${pp.toFixed(2)} pp`;
  }
  return `${sign}${delta}`;
}

/** A relative change: `+10.00 %`; `—` when it has no finite value (from 0 to something). */
export function formatDeltaPct(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return '—';
  const shown = Math.abs(pct) < 0.005 ? 0 : pct;
  return `${shown > 0 ? '+' : ''}${shown.toFixed(2)} %`;
}

/** Column headers matching {@link comparisonCells}. */
export function comparisonHead(labelA: string, labelB: string): string[] {
  return ['metric', labelA, labelB, 'delta', 'delta %', 'verdict'];
}

/** One comparison as cells: name, both values, delta, delta % and the verdict. */
export function comparisonCells(c: MetricComparison): string[] {
  return [c.name, formatMetric(c.a, c.unit), formatMetric(c.b, c.unit), formatDelta(c.delta, c.unit),
    formatDeltaPct(c.deltaPct), c.verdict];
}
