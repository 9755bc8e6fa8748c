import { describe, expect, test } from 'vitest';
import { RandomStreams } from '../src/core/rng.js';

const draws = (seed: number, name: 'workload' | 'ipi', index = 0, n = 5): number[] => {
  const r = new RandomStreams(seed).stream(name, index);
  return Array.from({ length: n }, () => r.uniform());
};

describe('RandomStreams', () => {
  test('the same seed and name give the same draws; other seeds, names or indexes do not', () => {
    expect(draws(1, 'workload')).toEqual(draws(1, 'workload'));
    expect(draws(1, 'workload')).not.toEqual(draws(2, 'workload'));
    expect(draws(1, 'workload')).not.toEqual(draws(1, 'ipi'));
    expect(draws(1, 'workload', 0)).not.toEqual(draws(1, 'workload', 1));
    // Seeds above 2^32 are distinct from their low word.
    expect(draws(2 ** 32 + 1, 'workload')).not.toEqual(draws(1, 'workload'));
  });

  test('drawing from one stream does not move another', () => {
    const streams = new RandomStreams(42);
    const a = streams.stream('workload');
    const b = streams.stream('ipi');
    const bFirst = b.uniform();
    for (let i = 0; i < 1000; i++) a.uniform();
    const fresh = new RandomStreams(42).stream('ipi');
    expect(fresh.uniform()).toBe(bFirst);
  });

  test('uniform draws are in [0, 1) with a mean near 1/2', () => {
    const r = new RandomStreams(7).stream('workload');
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });

  test('latencyNs is lognormal with the requested median and 99th percentile', () => {
    const r = new RandomStreams(3).stream('ipi');
    const xs = Array.from({ length: 200_000 }, () => r.latencyNs({ medianNs: 4_000, p99Ns: 12_000 })).sort((a, b) => a - b);
    expect(xs[100_000]! / 4_000).toBeGreaterThan(0.98);
    expect(xs[100_000]! / 4_000).toBeLessThan(1.02);
    expect(xs[198_000]! / 12_000).toBeGreaterThan(0.96);
    expect(xs[198_000]! / 12_000).toBeLessThan(1.04);
    expect(r.latencyNs({ medianNs: 500, p99Ns: 500 })).toBe(500);
  });

  test('exponentialNs has the requested mean', () => {
    const r = new RandomStreams(9).stream('workload');
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += r.exponentialNs(1_000_000);
    expect(sum / 100_000 / 1_000_000).toBeCloseTo(1, 1);
  });

  test('rejects a negative or fractional seed', () => {
    expect(() => new RandomStreams(-1)).toThrow(/seed/);
    expect(() => new RandomStreams(1.5)).toThrow(/seed/);
  });
});
