/**
 * `report --fail-on EXPR`: thresholds that turn a report into a CI gate.
 *
 * Grammar: `METRIC (>|>=|<|<=) [+|-]NUMBER[%]`, spaces allowed around the operator.
 * - With `%` the threshold is relative to the baseline run: the change (run - baseline) / |baseline|
 *   in percent is compared (`quiesce_ns>+10%`: more than 10 % slower than the baseline). It needs
 *   `--baseline`. From a baseline of 0 any increase is +∞ % and any decrease -∞ %.
 * - Without `%` the metric's own value is compared (`accounting_error_after>0.01`, `violations>0`).
 *   The sign is only the number's sign: `accounting_error_stale<-0.5` is an absolute threshold.
 * A rule is *exceeded* when its comparison holds. A rule whose value (or baseline value) is missing,
 * e.g. `quiesce_ns` of a run that patched nothing, is not evaluated and does not fail.
 */
import { InputError } from '../core/errors.js';
import { metricDef, METRICS } from '../format/metric-defs.js';
import { formatMetric } from '../format/value-text.js';
import { deltaPercent } from '../query/metric-compare.js';
import type { MetricRow } from '../format/trace-types.js';
import { formatDeltaPct } from './comparison-cells.js';

/** A comparison operator of the grammar. */
export type FailOnOp = '>' | '>=' | '<' | '<=';

/** One parsed `--fail-on` expression. */
export interface FailOnRule {
  /** The expression as typed, for messages. */
  readonly text: string;
  readonly metric: string;
  readonly op: FailOnOp;
  /** In the metric's unit, or in percent when `relative`. */
  readonly threshold: number;
  readonly relative: boolean;
}

/** The outcome of one rule on one run. */
export interface FailOnResult {
  readonly rule: FailOnRule;
  readonly status: 'exceeded' | 'ok' | 'n/a';
  /** The run's value of the metric. */
  readonly value: number | null;
  /** The baseline's value (relative rules only). */
  readonly baseline: number | null;
  /** What was compared with the threshold: the value, or the change in percent. */
  readonly observed: number | null;
  /** One line for people: what was measured against what. */
  readonly message: string;
}

const EXPR = /^\s*([a-z][a-z0-9_]*)\s*(>=|<=|>|<)\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(%?)\s*$/;

/** Parses one expression; InputError (exit 2) for bad syntax or an unknown metric. */
export function parseFailOn(text: string): FailOnRule {
  const m = EXPR.exec(text);
  if (m === null) {
    throw new InputError(`--fail-on '${text}': expected METRIC (>|>=|<|<=) [+|-]NUMBER[%], e.g. quiesce_ns>+10% or violations>0`);
  }
  const [, metric = '', op = '>', number = '', pct = ''] = m;
  if (metricDef(metric) === undefined) {
    throw new InputError(`--fail-on '${text}': unknown metric '${metric}' (metrics: ${METRICS.map((d) => d.name).join(', ')})`);
  }
  const threshold = Number(number);
  if (!Number.isFinite(threshold)) throw new InputError(`--fail-on '${text}': threshold ${number} is not a finite number`);
  return { text: text.trim(), metric, op: op as FailOnOp, threshold, relative: pct === '%' };
}

/** Whether `observed op threshold` holds. */
function holds(observed: number, op: FailOnOp, threshold: number): boolean {
  switch (op) {
    case '>': return observed > threshold;
    case '>=': return observed >= threshold;
    case '<': return observed < threshold;
    case '<=': return observed <= threshold;
  }
}

/** The change from `base` to `value` in percent, ±∞ from a baseline of 0. */
function relativeChange(base: number, value: number): number {
  return deltaPercent(base, value) ?? Math.sign(value - base) * Infinity;
}

function valueOf(metrics: readonly MetricRow[], name: string): { value: number | null; unit: string } {
  const row = metrics.find((m) => m.name === name);
  return { value: row?.value ?? null, unit: row?.unit ?? metricDef(name)?.unit ?? '' };
}

/**
 * Evaluates `rules` on a run's metrics, relative rules against `baseline` (which the caller must
 * provide when any rule is relative: see {@link requireBaselineFor}).
 */
export function evaluateFailOn(
  rules: readonly FailOnRule[], metrics: readonly MetricRow[], baseline: readonly MetricRow[] | null,
): FailOnResult[] {
  return rules.map((rule) => {
    const { value, unit } = valueOf(metrics, rule.metric);
    if (!rule.relative) {
      if (value === null) return { rule, status: 'n/a', value, baseline: null, observed: null, message: `${rule.text}: not evaluated, the run has no ${rule.metric}` };
      const status = holds(value, rule.op, rule.threshold) ? 'exceeded' : 'ok';
      return { rule, status, value, baseline: null, observed: value,
        message: `${rule.text}: ${rule.metric} = ${formatMetric(value, unit)} (${value}), threshold ${rule.op} ${rule.threshold}` };
    }
    if (baseline === null) throw new InputError(`--fail-on '${rule.text}' is relative to a baseline: pass --baseline RUN`);
    const base = valueOf(baseline, rule.metric).value;
    if (value === null || base === null) {
      const missing = value === null ? 'the run' : 'the baseline';
      return { rule, status: 'n/a', value, baseline: base, observed: null, message: `${rule.text}: not evaluated, ${missing} has no ${rule.metric}` };
    }
    const change = relativeChange(base, value);
    const status = holds(change, rule.op, rule.threshold) ? 'exceeded' : 'ok';
    const shown = Number.isFinite(change) ? formatDeltaPct(change) : `${change > 0 ? '+' : '-'}∞ %`;
    return { rule, status, value, baseline: base, observed: change,
      message: `${rule.text}: ${rule.metric} = ${formatMetric(value, unit)} vs baseline ${formatMetric(base, unit)}, change ${shown}, threshold ${rule.op} ${rule.threshold > 0 ? '+' : ''}${rule.threshold} %` };
  });
}

/** InputError (exit 2) when a relative rule has no baseline to compare with; checked before any work. */
export function requireBaselineFor(rules: readonly FailOnRule[], hasBaseline: boolean): void {
  const relative = rules.find((r) => r.relative);
  if (relative !== undefined && !hasBaseline) {
    throw new InputError(`--fail-on '${relative.text}' is relative to a baseline: pass --baseline RUN`);
  }
}
