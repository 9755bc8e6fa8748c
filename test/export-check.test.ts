/**
 * The structural checker of Chrome traces accepts what Perfetto imports and rejects what it would
 * drop or misread: overlapping slices on a track, string flow ids, unpaired flows, non-numeric
 * counters, other metadata, time going back on a track, float-formatted times. Also the exact
 * formatting of times and counter values the exporter relies on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkChromeTrace, checkChromeTraceFile, checkChromeTraceText } from '../src/export/check-chrome-trace.js';
import { decimalText, usText } from '../src/export/chrome-trace-format.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

type Ev = Record<string, unknown>;

const M = (name: string, tid?: number): Ev => ({ ph: 'M', pid: 1, ...(tid === undefined ? {} : { tid }), name, args: { name: `n${tid ?? ''}` } });
const X = (tid: number, ts: number, dur: number, name = 'running'): Ev => ({ ph: 'X', pid: 1, tid, ts, dur, name });
const flow = (ph: 's' | 'f', tid: number, ts: number, id: unknown, name = 'MSG1'): Ev =>
  ({ ph, pid: 1, tid, ts, id, name, ...(ph === 'f' ? { bp: 'e' } : {}) });
const C = (ts: number, value: unknown): Ev => ({ ph: 'C', pid: 1, tid: 9, ts, name: 'accounting error', args: { error: value } });

/** A small trace with everything migpatch writes: names, nested and touching slices, a flow, a counter. */
function validEvents(): Ev[] {
  return [
    M('process_name'), M('thread_name', 0), M('thread_name', 1),
    X(0, 0, 10), X(0, 2, 0, 'MSG1 to vCPU 1'), X(0, 10, 5),
    // A child listed before its parent at the same start is still nested.
    X(1, 0, 1, 'marker'), X(1, 0, 20), X(1, 3, 0, 'MSG1 from vCPU 0'), X(1, 20, 1),
    C(0, 0), C(1.5, 3.000000000000032),
    // Flow points last, in time order, each on a slice that starts where it is (as DevTools binds them).
    flow('s', 0, 2, 7), flow('f', 1, 3, 7),
  ];
}

const check = (events: Ev[], displayTimeUnit = 'ns') => checkChromeTrace({ traceEvents: events, displayTimeUnit });

describe('the checker accepts', () => {
  test('a valid trace, counting events, tracks and flows', () => {
    const report = check(validEvents());
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, events: 14, threadTracks: 2, flows: 1 });
    expect(report.byPhase).toEqual({ M: 3, X: 7, s: 1, f: 1, C: 2 });
  });

  test('the same trace as text, line by line (the layout of large files) and parsed whole', async () => {
    const dir = tempDir();
    const file = path.join(dir, 't.json');
    const lines = validEvents().map((e) => JSON.stringify(e));
    fs.writeFileSync(file, `{"traceEvents":[\n${lines.join(',\n')}\n],"displayTimeUnit":"ns"}\n`);
    expect((await checkChromeTraceFile(file)).ok).toBe(true);
    const lineByLine = await checkChromeTraceFile(file, 0);
    expect(lineByLine.problems).toEqual([]);
    expect(lineByLine.events).toBe(14);
  });
});

describe('the checker rejects', () => {
  test('what DevTools cannot bind: a flow with another cat than its slice, a point on no slice start, a finish before its start in the file', () => {
    const base = validEvents().slice(0, -2);
    const withCat = check([...base, { ...flow('s', 0, 2, 7), cat: 'ipi' }, flow('f', 1, 3, 7)]);
    expect(withCat.problems).toEqual(['flow 7: its cat "ipi" differs from its slice\'s null, so DevTools cannot bind it']);
    const offSlice = check([...base, flow('s', 0, 2.5, 7), flow('f', 1, 3, 7)]);
    expect(offSlice.problems).toEqual(['flow 7: no slice starts at 2.5 on thread 1/0, so DevTools cannot bind it']);
    const reversed = check([...base, flow('f', 1, 3, 7), flow('s', 0, 3, 7)]);
    expect(reversed.problems).toContain('flow 7: its f comes before its s in the file, and DevTools drops it');
  });

  test('overlapping slices on one track (Perfetto drops them), but not on two tracks', () => {
    const events = [...validEvents(), X(2, 100, 10), X(2, 105, 10)];
    const report = check(events);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['thread 1/2: slice [105000, 115000] ns overlaps an enclosing slice ending at 110000 ns']);
    expect(check([...validEvents(), X(2, 100, 10), X(3, 105, 10)]).ok).toBe(true);
  });

  test('a string flow id, even a numeric-looking one', () => {
    for (const id of ['id42', '7', 7.5, -1]) {
      const events = validEvents().map((e) => (e['ph'] === 's' ? { ...e, id } : e));
      const report = check(events);
      expect(report.ok, String(id)).toBe(false);
      expect(report.problems.join('\n')).toMatch(/flow id must be a non-negative integer number/);
    }
  });

  test('a flow without its other end, with a second start, or a finish not bound with bp:e', () => {
    expect(check(validEvents().filter((e) => e['ph'] !== 'f')).problems).toEqual(['flow 7: has no f']);
    expect(check([...validEvents(), flow('s', 0, 12, 7)]).problems).toEqual(['event 14: flow 7 has a second s']);
    const unbound = validEvents().map((e) => (e['ph'] === 'f' ? { ...e, bp: undefined } : e));
    expect(check(unbound).problems).toEqual(['event 13 (f): must bind to its enclosing slice with "bp":"e"']);
    const renamed = validEvents().map((e) => (e['ph'] === 'f' ? { ...e, name: 'ACK' } : e));
    expect(check(renamed).problems).toEqual(['flow 7: s is named MSG1, f ACK']);
  });

  test('a counter with a non-numeric or missing value', () => {
    expect(check([...validEvents(), C(2, '3')]).problems).toEqual(['event 14 (C): args.error must be a finite number']);
    expect(check([...validEvents(), { ph: 'C', pid: 1, ts: 3, name: 'x' }]).problems[0]).toMatch(/args must be an object with at least one series/);
  });

  test('metadata other than process_name and thread_name, or without a name', () => {
    expect(check([...validEvents(), M('thread_sort_index', 0)]).problems[0]).toMatch(/only process_name and thread_name/);
    expect(check([...validEvents(), { ph: 'M', pid: 1, name: 'process_name', args: {} }]).problems[0]).toMatch(/args.name must be a string/);
  });

  test('time going back on a track, in file order', () => {
    expect(check([...validEvents(), X(0, 5, 1)]).problems).toEqual(['event 14: ts 5 goes back on thread 1/0 (previous 10)']);
    expect(check([...validEvents(), C(1, 1)]).problems[0]).toMatch(/goes back on counter 1\/accounting error/);
  });

  test('missing fields and phases migpatch does not write', () => {
    expect(check([{ ph: 'X', pid: 1, tid: 0, ts: 1, name: 'x' }]).problems[0]).toMatch(/dur must be a non-negative number/);
    expect(check([{ ph: 'X', pid: 1, ts: 1, dur: 1, name: 'x' }]).problems[0]).toMatch(/tid must be an integer/);
    expect(check([{ ph: 'B', pid: 1, tid: 0, ts: 1, name: 'x' }]).problems[0]).toMatch(/phase 'B' is not one migpatch writes/);
    expect(check(validEvents(), 'ms').problems).toEqual(['displayTimeUnit must be "ns"']);
    expect(checkChromeTrace([]).problems).toEqual(['the trace must be an object with a traceEvents array']);
  });

  test('times written as floats rather than decimals with at most 3 fraction digits', () => {
    const text = `{"traceEvents":[{"ph":"X","pid":1,"tid":0,"ts":1.1950984e+6,"dur":0.30000000000000004,"name":"x"}],"displayTimeUnit":"ns"}`;
    const report = checkChromeTraceText(text);
    expect(report.problems).toEqual([
      'text: ts written as 1.1950984e+6, not a decimal with at most 3 fraction digits',
      'text: dur written as 0.30000000000000004, not a decimal with at most 3 fraction digits',
    ]);
    expect(checkChromeTraceText('{"traceEvents": [').problems[0]).toMatch(/^not JSON/);
  });
});

describe('formatting from integers', () => {
  test('ns as µs with exactly three fraction digits', () => {
    expect([0, 1, 999, 1000, 1195098398, 3_500_000_000_001].map(usText))
      .toEqual(['0.000', '0.001', '0.999', '1.000', '1195098.398', '3500000000.001']);
    expect(() => usText(1.5)).toThrow(/non-negative integer/);
    expect(() => usText(-1)).toThrow(/non-negative integer/);
  });

  test('counter values: integers as digits, fractions rounded to 9 digits, never an exponent', () => {
    expect([0, -0, 3.000000000000032, 0.1 + 0.2, 1e-12, -0.75, 10682368, 2 ** 53 + 2].map((v) => decimalText(v)))
      .toEqual(['0', '0', '3', '0.3', '0', '-0.75', '10682368', '9007199254740994']);
  });
});
