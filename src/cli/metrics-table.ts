/**
 * The metrics table shared by `record` and `metrics`.
 */
import type { MetricRow } from '../format/trace-types.js';
import { renderTable } from './output.js';
import { formatMetric } from '../format/value-text.js';
import { type Output } from '../io/output.js';

/** Renders metrics: name, value (readable), raw value, unit and which way is better. */
export function metricsTable(io: Output, metrics: readonly MetricRow[]): string {
  return renderTable(
    io,
    ['metric', 'value', 'raw', 'unit', 'better'],
    metrics.map((m) => [m.name, formatMetric(m.value, m.unit), rawValue(m), m.unit, m.better.replaceAll('_', ' ')]),
  );
}

// Ratios carry float residue (3.000000000000032); six decimals is what a reader can use.
function rawValue(m: MetricRow): string | null {
  if (m.value === null) return null;
  return m.unit === 'ratio' ? m.value.toFixed(6) : String(m.value);
}

