/**
 * The pieces of `diff` that need no database: the JSON diff, metric verdicts, the wait percentiles
 * and event decoding.
 */
import { describe, expect, test } from 'vitest';
import { describeEvent } from '../src/query/describe-event.js';
import { formatJsonChange, jsonDiff } from '../src/query/json-diff.js';
import { compareMetrics, judge } from '../src/query/metric-compare.js';
import { summariseWaits } from '../src/query/wait-distribution.js';
import { formatDelta, formatDeltaPct } from '../src/report/comparison-cells.js';
import { Ev, Msg } from '../src/format/event-kinds.js';

describe('jsonDiff', () => {
  test('leaves by path, old -> new, in document order', () => {
    const a = { guest: { vcpus: 16, hz: 1000 }, source: { processor: 'POWER8' }, faults: [] };
    const b = { guest: { vcpus: 64, hz: 1000 }, source: { processor: 'POWER9' }, faults: [{ kind: 'lost-ipi', cpu: 3 }] };
    expect(jsonDiff(a, b).map(formatJsonChange)).toEqual([
      'guest.vcpus: 16 -> 64',
      'source.processor: "POWER8" -> "POWER9"',
      'faults[0]: (none) -> {"kind":"lost-ipi","cpu":3}',
    ]);
  });

  test('arrays by index, removed and added keys, type changes, odd keys', () => {
    const changes = jsonDiff({ r: [1, 2, 3], gone: true, t: { x: 1 }, 'a b': 1 }, { r: [1, 5], t: 7, 'a b': 2, added: null });
    expect(changes).toEqual([
      { path: 'r[1]', kind: 'changed', old: 2, new: 5 },
      { path: 'r[2]', kind: 'removed', old: 3 },
      { path: 'gone', kind: 'removed', old: true },
      { path: 't', kind: 'changed', old: { x: 1 }, new: 7 },
      { path: '["a b"]', kind: 'changed', old: 1, new: 2 },
      { path: 'added', kind: 'added', new: null },
    ]);
  });

  test('equal values give no change; key order does not matter', () => {
    expect(jsonDiff({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toEqual([]);
  });
});

describe('metric verdicts', () => {
  test('lower, higher and closer to zero', () => {
    expect(judge(10, 8, 'lower')).toBe('better');
    expect(judge(10, 12, 'lower')).toBe('worse');
    expect(judge(10, 12, 'higher')).toBe('better');
    expect(judge(3.0, -0.75, 'closer_to_zero')).toBe('better');
    expect(judge(-0.75, 3.0, 'closer_to_zero')).toBe('worse');
    expect(judge(0.5, -0.5, 'closer_to_zero')).toBe('same');
    expect(judge(3, 3.000000000000032, 'closer_to_zero')).toBe('same');
    expect(judge(0, -1e-17, 'closer_to_zero')).toBe('same');
    expect(judge(null, 3, 'lower')).toBe('n/a');
  });

  test('side by side with delta and delta %, metrics missing on one side are n/a', () => {
    const m = (name: string, value: number | null) => ({ name, value, unit: 'ns', better: 'lower' as const });
    const cmp = compareMetrics([m('x', 100), m('y', 0), m('z', null)], [m('x', 110), m('y', 5), m('z', 1), m('w', 2)]);
    expect(cmp.map((c) => [c.name, c.delta, c.deltaPct, c.verdict])).toEqual([
      ['x', 10, 10, 'worse'], ['y', 5, null, 'worse'], ['z', null, null, 'n/a'], ['w', null, null, 'n/a'],
    ]);
  });

  test('deltas read in the metric unit; a ratio change is in percentage points', () => {
    expect(formatDelta(1200, 'ns')).toBe('+1.20 µs');
    expect(formatDelta(-3.75, 'ratio')).toBe('-375.00 pp');
    expect(formatDelta(14, 'count')).toBe('+14');
    expect(formatDeltaPct(-125)).toBe('-125.00 %');
    expect(formatDeltaPct(null)).toBe('—');
  });
});

describe('wait distribution', () => {
  test('interpolated (type 7) percentiles over every vCPU, zeros included', () => {
    // Sorted: 0 0 10 20 30 40 50 60 70 80. p50 at rank 4.5 -> 30 + 0.5 * 10; p95 at rank 8.55 -> 70 + 0.55 * 10.
    const w = summariseWaits([0, 10, 20, 30, 0, 40, 50, 60, 70, 80]);
    expect(w).toMatchObject({ vcpus: 10, waited: 8, p50Ns: 35, maxNs: 80, totalNs: 360 });
    expect(w.p95Ns).toBeCloseTo(75.5, 9);
    const small = summariseWaits([4, 1, 3, 2]);
    expect(small.p50Ns).toBe(2.5);
    expect(small.p95Ns).toBeCloseTo(3.85, 9);
    expect(summariseWaits([])).toEqual({ vcpus: 0, waited: 0, p50Ns: 0, p95Ns: 0, maxNs: 0, totalNs: 0 });
  });
});

describe('describeEvent', () => {
  test('names columns and decodes codes', () => {
    expect(describeEvent({ seq: 7, tNs: 100, kind: Ev.IPI_SEND, cpu: 0, a: 3, b: Msg.MSG1, c: 1 }).text)
      .toBe('ipi_send cpu=0 dst=3 msg=MSG1 attempt=1');
    expect(describeEvent({ seq: 8, tNs: 100, kind: Ev.CPU_STATE, cpu: 2, a: 4, b: 3, c: null }).text)
      .toBe('cpu_state cpu=2 state=wait prev_state=handler pid=null');
    expect(describeEvent({ seq: 9, tNs: 100, kind: Ev.DETECT, cpu: 0, a: 3, b: 2, c: 1 }).text)
      .toBe('detect cpu=0 diff_mask=pvr|purr patches=2 source=notification');
    expect(describeEvent({ seq: 9, tNs: 100, kind: 999, cpu: null, a: 1, b: null, c: null }).text)
      .toBe('kind_999 cpu=null a=1 b=null c=null');
  });
});
