/**
 * Distribution verdicts: significant AND beyond the practical threshold, judged by the metric's
 * direction; n/a below 9 values a side.
 */
import { describe, expect, test } from 'vitest';
import { compareDistributions, MIN_SAMPLES, type MetricIdentity } from '../src/stats/verdict.js';

const OPTIONS = { alpha: 0.05, thresholdPct: 5 };
const NS: MetricIdentity = { name: 'quiesce_ns', unit: 'ns', better: 'lower' };
const RATIO: MetricIdentity = { name: 'accounting_error_stale', unit: 'ratio', better: 'closer_to_zero' };

/** n values spread evenly around `center` (± 1 %), distinct. */
function around(center: number, n: number, offset = 0): number[] {
  return Array.from({ length: n }, (_, i) => center * (0.99 + (0.02 * (i + offset)) / n));
}

describe('compareDistributions', () => {
  test('a large, consistent increase of a lower-is-better metric is worse; the reverse is better', () => {
    const a = around(1000, 12);
    const b = around(1500, 12);
    expect(compareDistributions(NS, a, b, OPTIONS)).toMatchObject({ verdict: 'worse', significant: true, method: 'exact', nA: 12, nB: 12 });
    const back = compareDistributions(NS, b, a, OPTIONS);
    expect(back.verdict).toBe('better');
    expect(back.deltaPct).toBeCloseTo(-33.33, 1);
  });

  test('significant but within the threshold is the same; a lower threshold makes it count', () => {
    const a = around(1000, 20);
    const b = around(1030, 20, 0.5);
    const r = compareDistributions(NS, a, b, OPTIONS);
    expect(r.significant).toBe(true);
    expect(r.verdict).toBe('same');
    expect(compareDistributions(NS, a, b, { ...OPTIONS, thresholdPct: 1 }).verdict).toBe('worse');
  });

  test('a large change of medians that is not significant is the same', () => {
    const a = [1, 2, 3, 4, 100, 101, 102, 103, 104];
    const b = [1, 2, 3, 4, 5, 101, 102, 103, 104];
    const r = compareDistributions(NS, a, b, OPTIONS);
    expect(Math.abs(r.deltaPct ?? 0)).toBeGreaterThan(5);
    expect(r.significant).toBe(false);
    expect(r.verdict).toBe('same');
  });

  test('from a median of zero to anything is beyond any threshold', () => {
    const zeros = Array<number>(10).fill(0);
    const r = compareDistributions(NS, around(20_000, 10), zeros, OPTIONS);
    expect(r).toMatchObject({ medianB: 0, deltaPct: -100, verdict: 'better' });
    expect(compareDistributions(NS, zeros, around(20_000, 10), OPTIONS)).toMatchObject({ deltaPct: null, verdict: 'worse' });
  });

  test('closer to zero: a change of sign is no change of magnitude; a smaller magnitude is better', () => {
    expect(compareDistributions(RATIO, around(3, 10), around(-3, 10), OPTIONS).verdict).toBe('same');
    expect(compareDistributions(RATIO, around(3, 10), around(-0.75, 10), OPTIONS).verdict).toBe('better');
  });

  test(`fewer than ${MIN_SAMPLES} values a side: n/a, without a test`, () => {
    const r = compareDistributions(NS, around(1000, MIN_SAMPLES - 1), around(2000, 30), OPTIONS);
    expect(r).toMatchObject({ verdict: 'n/a', p: null, method: null, nA: MIN_SAMPLES - 1 });
    expect(compareDistributions(NS, around(1000, 12), [], OPTIONS)).toMatchObject({ verdict: 'n/a', medianB: null });
  });

  test('identical samples are the same with p = 1', () => {
    const a = around(1000, 15);
    expect(compareDistributions(NS, a, [...a], OPTIONS)).toMatchObject({ verdict: 'same', deltaPct: 0 });
    expect(compareDistributions(NS, a, [...a], OPTIONS).p).toBeGreaterThan(0.9);
  });
});
