/**
 * `--fail-on` grammar and evaluation (src/report/fail-on.ts), without a database.
 */
import { describe, expect, test } from 'vitest';
import { InputError } from '../src/core/errors.js';
import { evaluateFailOn, parseFailOn, requireBaselineFor } from '../src/report/fail-on.js';
import type { MetricRow } from '../src/format/trace-types.js';

const row = (name: string, value: number | null, unit = 'ns'): MetricRow => ({ name, value, unit, better: 'lower' });

describe('parseFailOn', () => {
  test.each([
    ['quiesce_ns>+10%', { metric: 'quiesce_ns', op: '>', threshold: 10, relative: true }],
    ['cpu_wait_max_ns>=+5%', { metric: 'cpu_wait_max_ns', op: '>=', threshold: 5, relative: true }],
    ['accounting_error_after>0.01', { metric: 'accounting_error_after', op: '>', threshold: 0.01, relative: false }],
    ['violations>0', { metric: 'violations', op: '>', threshold: 0, relative: false }],
    ['accounting_error_stale<-0.5', { metric: 'accounting_error_stale', op: '<', threshold: -0.5, relative: false }],
    ['downtime_ns <= -2.5%', { metric: 'downtime_ns', op: '<=', threshold: -2.5, relative: true }],
    ['release_ns<1e6', { metric: 'release_ns', op: '<', threshold: 1e6, relative: false }],
    ['patch_ns>.5%', { metric: 'patch_ns', op: '>', threshold: 0.5, relative: true }],
  ])('%s', (text, expected) => {
    expect(parseFailOn(text)).toEqual({ text: text.trim(), ...expected });
  });

  test.each(['', 'quiesce_ns', 'quiesce_ns>', 'quiesce_ns>>1', 'quiesce_ns=1', '>1', 'quiesce_ns>1%%', 'quiesce_ns>abc',
    'quiesce_ns>1 %x', 'QUIESCE_NS>1', 'quiesce_ns>+-1'])('malformed %j is an input error', (text) => {
    expect(() => parseFailOn(text)).toThrow(InputError);
    expect(() => parseFailOn(text)).toThrow(/expected METRIC/);
  });

  test('an unknown metric is an input error naming it and the known ones', () => {
    expect(() => parseFailOn('quiesce>1')).toThrow(/unknown metric 'quiesce' \(metrics: quiesce_ns, /);
  });
});

describe('evaluateFailOn', () => {
  const run = [row('quiesce_ns', 110), row('violations', 0, 'count'), row('resends', 3, 'count'),
    row('accounting_error_after', 0.02, 'ratio'), row('patch_ns', null)];
  const base = [row('quiesce_ns', 100), row('violations', 0, 'count'), row('resends', 0, 'count'),
    row('accounting_error_after', 0, 'ratio'), row('patch_ns', 5)];
  const status = (text: string, baseline: MetricRow[] | null = base): string =>
    evaluateFailOn([parseFailOn(text)], run, baseline)[0]!.status;

  test('absolute thresholds compare the value', () => {
    expect(status('violations>0')).toBe('ok');
    expect(status('violations>=0')).toBe('exceeded');
    expect(status('accounting_error_after>0.01')).toBe('exceeded');
    expect(status('accounting_error_after<0.01')).toBe('ok');
  });

  test('relative thresholds compare the change from the baseline in percent', () => {
    expect(status('quiesce_ns>+10%')).toBe('ok'); // exactly +10 %
    expect(status('quiesce_ns>=+10%')).toBe('exceeded');
    expect(status('quiesce_ns>+9.99%')).toBe('exceeded');
    expect(status('quiesce_ns<-5%')).toBe('ok');
  });

  test('from a baseline of 0, any increase is +infinity %', () => {
    const [r] = evaluateFailOn([parseFailOn('resends>+1000%')], run, base);
    expect(r).toMatchObject({ status: 'exceeded', value: 3, baseline: 0, observed: Infinity });
    expect(r!.message).toContain('+∞ %');
  });

  test('a missing value is not evaluated and says why', () => {
    const [r] = evaluateFailOn([parseFailOn('patch_ns>0')], run, null);
    expect(r).toMatchObject({ status: 'n/a', observed: null });
    expect(r!.message).toMatch(/the run has no patch_ns/);
  });

  test('the message names the metric, the value and the threshold', () => {
    const [r] = evaluateFailOn([parseFailOn('quiesce_ns>=+10%')], run, base);
    expect(r!.message).toBe('quiesce_ns>=+10%: quiesce_ns = 110 ns vs baseline 100 ns, change +10.00 %, threshold >= +10 %');
  });

  test('a relative rule needs a baseline', () => {
    expect(() => requireBaselineFor([parseFailOn('quiesce_ns>+10%')], false)).toThrow(/pass --baseline RUN/);
    expect(() => requireBaselineFor([parseFailOn('violations>0')], false)).not.toThrow();
    expect(() => evaluateFailOn([parseFailOn('quiesce_ns>+10%')], run, null)).toThrow(InputError);
  });
});
