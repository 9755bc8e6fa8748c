/**
 * The model's numbers, read back from real SQLite traces recorded through the same code users run.
 */
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { recordToTrace } from '../src/app/record-to-trace.js';
import { Ev } from '../src/format/event-kinds.js';
import { openTraceDb, type TraceDb } from '../src/trace/trace-db.js';
import { getMetrics } from '../src/trace/runs.js';
import { recomputeMetrics } from '../src/trace/metrics-sql.js';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtins.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

async function record(scenario: string, sets: string[] = [], seed = 1): Promise<{ db: TraceDb; runId: number; metric: (n: string) => number | null }> {
  const dbPath = path.join(tempDir(), 'trace.db');
  const out = await recordToTrace({ scenario, seed, protocol: null, sets, label: null, dbPath });
  const db = await openTraceDb(dbPath, 'read');
  const metrics = await getMetrics(db, out.runId!);
  const metric = (n: string): number | null => {
    const m = metrics.find((x) => x.name === n);
    if (m === undefined) throw new Error(`no metric ${n}`);
    return m.value;
  };
  return { db, runId: out.runId!, metric };
}

const scalar = (db: TraceDb, sql: string, runId: number): number | null =>
  db.sqlite.prepare(sql).pluck().get({ run: runId }) as number | null;

describe('p8-to-p9 (SMT4, busy): the seed example', () => {
  let r: Awaited<ReturnType<typeof record>>;
  beforeAll(async () => {
    r = await record('p8-to-p9');
  });

  test('the stale code overcharges by about +300 % and the patched code by nothing', () => {
    expect(r.metric('accounting_error_stale')).toBeGreaterThanOrEqual(2.7);
    expect(r.metric('accounting_error_stale')).toBeLessThanOrEqual(3.3);
    expect(Math.abs(r.metric('accounting_error_after')!)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(r.metric('accounting_error_before')!)).toBeLessThanOrEqual(0.02);
    expect(r.metric('attempts')).toBe(1);
    expect(r.metric('violations')).toBe(0);
  });

  test('every target acknowledged before the first code word was written', () => {
    const targets = scalar(r.db, 'select targets from ev_attempt_begin where run_id = @run', r.runId);
    expect(targets).toBe(15);
    const ackers = scalar(r.db, `select count(distinct src) from ev_ipi_recv where run_id = @run and msg = 2
      and t_ns <= (select min(t_ns) from ev_patch_begin where run_id = @run)`, r.runId);
    expect(ackers).toBe(targets);
    // And each was in WAIT when the first word was written: no state change between its WAIT entry and the patch.
    const waiting = scalar(r.db, `select count(*) from (select cpu, state from (
        select cpu, state, row_number() over (partition by cpu order by seq desc) as rn from ev_cpu_state
        where run_id = @run and seq < (select min(seq) from ev_patch_begin where run_id = @run)) where rn = 1)
      where state = 4`, r.runId);
    expect(waiting).toBe(15);
  });

  test('every vCPU entered WAIT once, was released and none is left waiting', () => {
    const entries = scalar(r.db, 'select count(*) from ev_cpu_state where run_id = @run and state = 4', r.runId);
    const exits = scalar(r.db, 'select count(*) from ev_cpu_state where run_id = @run and prev_state = 4', r.runId);
    expect(entries).toBe(15);
    expect(exits).toBe(15);
    const msg2 = scalar(r.db, 'select count(*) from ev_ipi_send where run_id = @run and msg = 3', r.runId);
    expect(msg2).toBe(15);
  });

  test('the routine was rewritten to the unscaled variant', () => {
    const name = r.db.sqlite.prepare(`select v.name from ev_patch_end p join variants v on v.run_id = p.run_id and v.variant_id = p.variant
      join routines r on r.run_id = p.run_id and r.routine_id = p.routine where p.run_id = @run and r.name = 'acct.purr_to_cputime'`)
      .pluck().get({ run: r.runId });
    expect(name).toBe('unscaled-divide');
  });
});

describe('other built-in scenarios', () => {
  test('p9-to-p8: the stale code undercharges by about -75 %', async () => {
    const r = await record('p9-to-p8');
    expect(r.metric('accounting_error_stale')).toBeGreaterThanOrEqual(-0.8);
    expect(r.metric('accounting_error_stale')).toBeLessThanOrEqual(-0.7);
    expect(Math.abs(r.metric('accounting_error_after')!)).toBeLessThanOrEqual(0.02);
  });

  test('same-hardware: no protocol attempt and no stale window', async () => {
    const r = await record('same-hardware');
    expect(r.metric('attempts')).toBe(0);
    expect(r.metric('stale_window_ns')).toBeNull();
    expect(r.metric('accounting_error_stale')).toBeNull();
    expect(scalar(r.db, `select count(*) from events where run_id = @run and kind in (${Ev.ATTEMPT_BEGIN}, ${Ev.PATCH_BEGIN}, ${Ev.DETECT})`, r.runId)).toBe(0);
    expect(r.db.sqlite.prepare('select window from acct_windows where run_id = ? order by begin_ns').pluck().all(r.runId)).toEqual(['before', 'after']);
  });

  test('x86-tsc: the stale error is f_new / f_old - 1', async () => {
    const r = await record('x86-tsc');
    expect(r.metric('accounting_error_stale')).toBeCloseTo(2.0e9 / 2.3e9 - 1, 6);
    expect(Math.abs(r.metric('accounting_error_after')!)).toBeLessThanOrEqual(0.02);
  });

  test('p9-to-p10: the PVR changes and is patched, accounting stays right', async () => {
    const r = await record('p9-to-p10');
    expect(r.metric('attempts')).toBe(1);
    expect(Math.abs(r.metric('accounting_error_stale')!)).toBeLessThanOrEqual(0.02);
  });

  test('lost-ipi: at least one resend, then patched', async () => {
    const r = await record('lost-ipi');
    expect(r.metric('resends')).toBeGreaterThanOrEqual(1);
    expect(scalar(r.db, 'select count(*) from ev_ipi_lost where run_id = @run', r.runId)).toBe(1);
    expect(scalar(r.db, 'select outcome from ev_attempt_end where run_id = @run order by seq desc limit 1', r.runId)).toBe(1);
    expect(r.metric('violations')).toBe(0);
  });

  test('hung-cpu: attempts abort, nothing is modified, nobody is left in WAIT', async () => {
    const r = await record('hung-cpu');
    expect(r.metric('aborts')).toBeGreaterThanOrEqual(1);
    expect(r.metric('aborts')).toBe(r.metric('attempts'));
    expect(scalar(r.db, 'select count(*) from ev_patch_begin where run_id = @run', r.runId)).toBe(0);
    expect(scalar(r.db, 'select count(*) from ev_give_up where run_id = @run', r.runId)).toBe(1);
    const entries = scalar(r.db, 'select count(*) from ev_cpu_state where run_id = @run and state = 4', r.runId);
    const exits = scalar(r.db, 'select count(*) from ev_cpu_state where run_id = @run and prev_state = 4', r.runId);
    expect(entries).toBeGreaterThan(0);
    expect(exits).toBe(entries);
    expect(r.metric('violations')).toBe(0);
  });
});

describe('every metric equals its SQL recomputation from the events', () => {
  test.each(BUILTIN_SCENARIOS.map((s) => s.name))('%s', async (name) => {
    const r = await record(name, name === 'e1080-1920' ? ['run.durationNs=3500000000'] : []);
    const cached = await getMetrics(r.db, r.runId);
    const fromEvents = recomputeMetrics(r.db, r.runId);
    expect(fromEvents.map((m) => m.name)).toEqual(cached.map((m) => m.name));
    for (let i = 0; i < cached.length; i++) {
      const a = cached[i]!;
      const b = fromEvents[i]!;
      if (a.value === null || b.value === null) expect([a.name, b.value]).toEqual([a.name, a.value]);
      else expect(b.value, a.name).toBeCloseTo(a.value, 9);
    }
  });
});
