/**
 * Two runs' metrics side by side, judged by each metric's direction (docs/model.md, "Metrics"). Shared by
 * `migpatch diff` and `migpatch report --baseline`, so both say "better" and "worse" the same way.
 */
import { unreachable } from '../core/assert.js';
import type { Better, MetricRow } from '../format/trace-types.js';

/** How the second run's value compares with the first's. `n/a` when either value is missing. */
export type Verdict = 'better' | 'worse' | 'same' | 'n/a';

/** One metric of both runs. Deltas are null when either value is. */
export interface MetricComparison {
  readonly name: string;
  readonly unit: string;
  readonly better: Better;
  /** The first (old, baseline) run's value. */
  readonly a: number | null;
  /** The second (new) run's value. */
  readonly b: number | null;
  /** b - a. */
  readonly delta: number | null;
  /**
   * (b - a) / |a| × 100. Null when a value is missing, or when a is 0 and b is not (the change
   * has no finite percentage); 0 when both are 0.
   */
  readonly deltaPct: number | null;
  readonly verdict: Verdict;
}

/**
 * Values this close are the same: metrics are integers of ns or counts, or ratios that carry float
 * residue (3.000000000000032 against 3). 1e-9 relative, with a floor so that ratios near zero
 * (±1e-17 residue around an exact 0) compare as the same too.
 */
const SAME_RELATIVE = 1e-9;
const SAME_FLOOR = 1e-12;

/** Whether two metric values are equal up to float residue. */
export function sameValue(x: number, y: number): boolean {
  return Math.abs(x - y) <= SAME_RELATIVE * Math.max(Math.abs(x), Math.abs(y)) + SAME_FLOOR;
}

/** The verdict for a change from `a` to `b` of a metric that is better in direction `better`. */
export function judge(a: number | null, b: number | null, better: Better): Verdict {
  if (a === null || b === null) return 'n/a';
  switch (better) {
    case 'lower': return sameValue(a, b) ? 'same' : b < a ? 'better' : 'worse';
    case 'higher': return sameValue(a, b) ? 'same' : b > a ? 'better' : 'worse';
    case 'closer_to_zero': {
      const [x, y] = [Math.abs(a), Math.abs(b)];
      return sameValue(x, y) ? 'same' : y < x ? 'better' : 'worse';
    }
    default: return unreachable(better, 'metric direction');
  }
}

/** The relative change (b - a) / |a| in percent; see {@link MetricComparison.deltaPct}. */
export function deltaPercent(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  if (sameValue(a, b)) return 0;
  return a === 0 ? null : ((b - a) / Math.abs(a)) * 100;
}

/** Compares one metric of both runs (either side may lack it). */
export function compareMetric(a: MetricRow | undefined, b: MetricRow | undefined): MetricComparison {
  const meta = a ?? b;
  if (meta === undefined) throw new TypeError('compareMetric needs at least one side');
  const va = a?.value ?? null;
  const vb = b?.value ?? null;
  return {
    name: meta.name, unit: meta.unit, better: meta.better, a: va, b: vb,
    delta: va === null || vb === null ? null : vb - va,
    deltaPct: deltaPercent(va, vb),
    verdict: judge(va, vb, meta.better),
  };
}

/**
 * Every metric of either run, in `a`'s order followed by metrics only `b` has (runs recorded by
 * different tool versions may differ). A metric one run lacks compares as `n/a`.
 */
export function compareMetrics(a: readonly MetricRow[], b: readonly MetricRow[]): MetricComparison[] {
  const byNameB = new Map(b.map((m) => [m.name, m]));
  const namesA = new Set(a.map((m) => m.name));
  return [
    ...a.map((m) => compareMetric(m, byNameB.get(m.name))),
    ...b.filter((m) => !namesA.has(m.name)).map((m) => compareMetric(undefined, m)),
  ];
}
