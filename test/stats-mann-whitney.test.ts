/**
 * The Mann–Whitney U test against published critical values and hand-worked examples, and the
 * quantiles the sweep summary prints.
 */
import { describe, expect, test } from 'vitest';
import { erfc } from '../src/stats/normal.js';
import { exactLowerTail, exactTwoSidedP, mannWhitneyU, normalTwoSidedP } from '../src/stats/mann-whitney.js';
import { median, quantileOfSorted, summarize } from '../src/core/quantile.js';

/**
 * Critical values of U for a two-sided test at alpha = 0.05 (reject when U <= the value), rows
 * n1 = 9..20, columns n2 = 9..20, as printed in the standard table that textbooks and statistics
 * sites reproduce. The printed table has 67 at (14, 17) and (17, 14), a misprint: the exact
 * distribution gives 69 (one-sided P(U <= 69) = 0.0242, P(U <= 70) = 0.0267), and 67 < 69 is
 * significant either way; the corrected value is used here.
 */
const CRITICAL_05: readonly (readonly number[])[] = [
  /* 9 */[17, 20, 23, 26, 28, 31, 34, 37, 39, 42, 45, 48],
  /* 10 */[20, 23, 26, 29, 33, 36, 39, 42, 45, 48, 52, 55],
  /* 11 */[23, 26, 30, 33, 37, 40, 44, 47, 51, 55, 58, 62],
  /* 12 */[26, 29, 33, 37, 41, 45, 49, 53, 57, 61, 65, 69],
  /* 13 */[28, 33, 37, 41, 45, 50, 54, 59, 63, 67, 72, 76],
  /* 14 */[31, 36, 40, 45, 50, 55, 59, 64, 69, 74, 78, 83],
  /* 15 */[34, 39, 44, 49, 54, 59, 64, 70, 75, 80, 85, 90],
  /* 16 */[37, 42, 47, 53, 59, 64, 70, 75, 81, 86, 92, 98],
  /* 17 */[39, 45, 51, 57, 63, 69, 75, 81, 87, 93, 99, 105],
  /* 18 */[42, 48, 55, 61, 67, 74, 80, 86, 93, 99, 106, 112],
  /* 19 */[45, 52, 58, 65, 72, 78, 85, 92, 99, 106, 113, 119],
  /* 20 */[48, 55, 62, 69, 76, 83, 90, 98, 105, 112, 119, 127],
];

/** Samples of sizes n1 and n2 without ties whose U (pairs x > y, x from the first) is `u`. */
function samplesWithU(n1: number, n2: number, u: number): [number[], number[]] {
  const b = Array.from({ length: n2 }, (_, j) => j + 1);
  let rest = u;
  const a = Array.from({ length: n1 }, (_, i) => {
    const below = Math.min(n2, rest);
    rest -= below;
    // Above exactly `below` of b's values; the i/1000 keeps a's values distinct.
    return below + 0.5 + i / 1000;
  });
  expect(rest).toBe(0);
  return [a, b];
}

describe('exact distribution against the table of critical values (alpha 0.05, two-sided)', () => {
  const cases = CRITICAL_05.flatMap((row, i) => row.map((crit, j) => ({ n1: 9 + i, n2: 9 + j, crit })));

  test.each(cases)('n1 = $n1, n2 = $n2: U <= $crit is significant, U = $crit + 1 is not', ({ n1, n2, crit }) => {
    expect(exactTwoSidedP(crit, n1, n2)).toBeLessThanOrEqual(0.05);
    expect(exactTwoSidedP(crit + 1, n1, n2)).toBeGreaterThan(0.05);
  });

  test('the table is symmetric, as U of one sample is n1·n2 minus U of the other', () => {
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) expect(CRITICAL_05[i]![j]).toBe(CRITICAL_05[j]![i]);
  });

  test.each([[9, 9], [12, 15], [20, 20], [14, 17]])('samples of %i and %i values at the critical U: the test agrees with the table', (n1, n2) => {
    const crit = CRITICAL_05[n1 - 9]![n2 - 9]!;
    for (const [u, significant] of [[crit, true], [crit + 1, false], [n1 * n2 - crit, true]] as const) {
      const [a, b] = samplesWithU(n1, n2, u);
      const r = mannWhitneyU(a, b);
      expect(r).toMatchObject({ u, method: 'exact', ties: false, n1, n2 });
      expect(r.p < 0.05).toBe(significant);
    }
  });
});

describe('hand-worked examples', () => {
  test('3 against 3, completely separated: U = 0, P(U <= 0) = 1 / C(6, 3) = 1/20, p = 0.1', () => {
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(r.u).toBe(0);
    expect(r.p).toBeCloseTo(0.1, 12);
    expect(mannWhitneyU([4, 5, 6], [1, 2, 3])).toMatchObject({ u: 9, p: r.p });
  });

  test('4 against 4, completely separated: p = 2 / C(8, 4) = 2/70', () => {
    expect(mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]).p).toBeCloseTo(2 / 70, 12);
  });

  test('interleaved: U = 0 + 1 + 1 + 3 + 4 = 9; 76 of the C(11, 5) = 462 arrangements have U <= 9, p = 152/462', () => {
    // Pairs x > y: 1.5 beats none; 3 and 4 beat 2; 7 beats 2, 5, 6; 9 beats 2, 5, 6, 8.
    const r = mannWhitneyU([1.5, 3, 4, 7, 9], [2, 5, 6, 8, 10, 11]);
    expect(r).toMatchObject({ u: 9, method: 'exact' });
    expect(exactLowerTail(9, 5, 6)).toBeCloseTo(76 / 462, 12);
    expect(r.p).toBeCloseTo(152 / 462, 12);
  });

  test('ties: normal approximation with tie and continuity corrections', () => {
    // a = 1..10, b = 6..15: values 6..10 are tied pairs. Ranks of a: 1..5, then 6.5, 8.5, 10.5,
    // 12.5, 14.5: R = 67.5, U = 67.5 - 55 = 12.5. Mean 50; tie term 5 · (2³ - 2) = 30;
    // σ² = 100/12 · (21 - 30 / 380) = 174.342; z = (37.5 - 0.5) / 13.2039 = 2.8022; p = 0.005075.
    const a = Array.from({ length: 10 }, (_, i) => i + 1);
    const b = Array.from({ length: 10 }, (_, i) => i + 6);
    const r = mannWhitneyU(a, b);
    expect(r).toMatchObject({ u: 12.5, method: 'normal', ties: true });
    expect(r.p).toBeCloseTo(0.0050754, 6);
    expect(normalTwoSidedP(12.5, 10, 10, 30)).toBe(r.p);
  });

  test('samples that are all one value cannot be told apart: p = 1', () => {
    expect(mannWhitneyU(Array(12).fill(0), Array(12).fill(0))).toMatchObject({ u: 72, p: 1, method: 'normal' });
  });

  test('large samples without ties use the normal approximation, and it is close to the exact p', () => {
    const [a, b] = samplesWithU(60, 60, 1500);
    const r = mannWhitneyU(a, b);
    expect(r.method).toBe('normal');
    expect(r.p).toBeCloseTo(exactTwoSidedP(1500, 60, 60), 3);
  });

  test('erfc is accurate to the precision a p-value needs', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
    expect(erfc(2)).toBeCloseTo(0.004677735, 8);
    expect(erfc(-1)).toBeCloseTo(1.842700793, 7);
  });
});

describe('quantiles (linear interpolation, type 7)', () => {
  test('of a small sample', () => {
    const s = [1, 2, 3, 4];
    expect(median(s)).toBe(2.5);
    expect(quantileOfSorted(s, 0.95)).toBeCloseTo(3.85, 12);
    expect(quantileOfSorted(s, 0)).toBe(1);
    expect(quantileOfSorted(s, 1)).toBe(4);
  });

  test('summaries of 1..100 (any order)', () => {
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    expect(summarize(values)).toEqual({ n: 100, min: 1, p25: 25.75, p50: 50.5, p75: 75.25, p95: 95.05, p99: 99.01, max: 100 });
  });
});
