/**
 * Regression verdicts on distributions: is metric M of group B (new) better, worse or the same as
 * of group A (baseline)? A change counts only when it is both
 * - **significant**: the two-sided Mann–Whitney U test rejects "same distribution" at `alpha`
 *   (0.05, as Google Benchmark's compare.py), and
 * - **practical**: the medians differ by more than `thresholdPct` percent of the baseline's median
 *   (default 5 %), so that a tiny but consistent shift of a deterministic simulator (which makes
 *   almost anything significant with enough seeds) is not called a regression.
 * Its direction then comes from the metric's own (`lower`, `higher`, `closer_to_zero`), judged on
 * the medians exactly as `migpatch diff` judges two runs (src/query/metric-compare.ts).
 */
import { assert } from '../core/assert.js';
import { deltaPercent, judge, type Verdict } from '../query/metric-compare.js';
import type { Better } from '../format/trace-types.js';
import { mannWhitneyU, type UTestMethod } from './mann-whitney.js';
import { median } from '../core/quantile.js';

/** Fewest values a side for a verdict: compare.py's recommendation (it accepts 2 and warns below 9). */
export const MIN_SAMPLES = 9;

/** Default significance level of the U test (compare.py's). */
export const DEFAULT_ALPHA = 0.05;
/** Default practical threshold on the relative change of medians, in percent. */
export const DEFAULT_THRESHOLD_PCT = 5;

/** How to decide. */
export interface VerdictOptions {
  /** Significance level of the U test. */
  readonly alpha: number;
  /** Smallest relative change of the medians, in percent, that counts. */
  readonly thresholdPct: number;
}

/** A metric of two groups, compared. */
export interface DistributionVerdict {
  readonly name: string;
  readonly unit: string;
  readonly better: Better;
  /** Values compared a side (runs where the metric had a value). */
  readonly nA: number;
  readonly nB: number;
  readonly medianA: number | null;
  readonly medianB: number | null;
  /** (median B − median A) / |median A| × 100; null from a zero median to another value, or without values. */
  readonly deltaPct: number | null;
  /** Two-sided U-test p-value; null without enough values. */
  readonly p: number | null;
  readonly method: UTestMethod | null;
  readonly significant: boolean;
  /** `n/a` when a side has fewer than {@link MIN_SAMPLES} values. */
  readonly verdict: Verdict;
}

/** What a metric is, for {@link compareDistributions}. */
export interface MetricIdentity {
  readonly name: string;
  readonly unit: string;
  readonly better: Better;
}

/**
 * Whether the change from median `a` to `b` exceeds `thresholdPct` percent (any change from 0
 * does). A `closer_to_zero` metric changes by its magnitude: +300 % to −300 % is no change.
 */
function beyondThreshold(a: number, b: number, better: Better, thresholdPct: number): boolean {
  const pct = better === 'closer_to_zero' ? deltaPercent(Math.abs(a), Math.abs(b)) : deltaPercent(a, b);
  return pct === null ? true : Math.abs(pct) > thresholdPct;
}

/** Compares one metric's values in groups A (baseline) and B (new). */
export function compareDistributions(
  metric: MetricIdentity, a: readonly number[], b: readonly number[], options: VerdictOptions,
): DistributionVerdict {
  assert(options.alpha > 0 && options.alpha < 1, () => `alpha ${options.alpha} in (0, 1)`);
  assert(options.thresholdPct >= 0 && Number.isFinite(options.thresholdPct), () => `threshold ${options.thresholdPct} %`);
  const medianA = a.length === 0 ? null : median(a);
  const medianB = b.length === 0 ? null : median(b);
  const base = { ...metric, nA: a.length, nB: b.length, medianA, medianB, deltaPct: deltaPercent(medianA, medianB) };
  if (a.length < MIN_SAMPLES || b.length < MIN_SAMPLES || medianA === null || medianB === null) {
    return { ...base, p: null, method: null, significant: false, verdict: 'n/a' };
  }
  const test = mannWhitneyU(a, b);
  const significant = test.p < options.alpha;
  const verdict = significant && beyondThreshold(medianA, medianB, metric.better, options.thresholdPct)
    ? judge(medianA, medianB, metric.better)
    : 'same';
  return { ...base, p: test.p, method: test.method, significant, verdict };
}
