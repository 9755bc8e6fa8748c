/**
 * Quantiles of a sample: the one definition every command uses (the sweep summary's p50, p95, p99
 * and max, the medians of group verdicts, and `diff`'s per-vCPU WAIT p50 and p95). Linear
 * interpolation between order statistics (Hyndman & Fan type 7), which is also what SQLite's
 * `median()` and `percentile()` compute and the default of NumPy and R, so any figure can be
 * checked with `migpatch query` (docs/model.md, "Quantiles"). In core because both `query` and
 * `stats` need it and `query` sits below `stats`.
 */
import { assert } from '../core/assert.js';

/** The summary statistics a sweep prints for one metric of one cell. */
export interface DistributionSummary {
  /** Values summarised (runs where the metric had a value). */
  readonly n: number;
  readonly min: number;
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Ascending copy of `values`, which must all be finite. */
export function sortedCopy(values: readonly number[]): Float64Array {
  const sorted = Float64Array.from(values);
  for (const v of sorted) assert(Number.isFinite(v), () => `sample value ${v} is finite`);
  return sorted.sort();
}

/** The `p` quantile (0 ≤ p ≤ 1) of an ascending, non-empty sample, interpolated linearly (type 7). */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  assert(sorted.length > 0, 'a quantile of an empty sample');
  assert(p >= 0 && p <= 1, () => `quantile ${p} in [0, 1]`);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const x = sorted[lo] as number;
  if (lo + 1 >= sorted.length) return x;
  return x + (h - lo) * ((sorted[lo + 1] as number) - x);
}

/** The median of a non-empty sample. */
export function median(values: readonly number[]): number {
  return quantileOfSorted(sortedCopy(values), 0.5);
}

/** Min, quartiles, p95, p99 and max of a non-empty sample. */
export function summarize(values: readonly number[]): DistributionSummary {
  const s = sortedCopy(values);
  const q = (p: number): number => quantileOfSorted(s, p);
  return { n: s.length, min: s[0] as number, p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] as number };
}
