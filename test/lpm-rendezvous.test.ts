/**
 * LPM as pseries does it (`migration.suspend: "rendezvous"`): the suspend is a guest rendezvous
 * that applies the fix-ups before anyone is released, and a vCPU that never joins costs bounded
 * retries, then the migration is abandoned. Real runs through recordRun, as users run them.
 */
import { describe, expect, test } from 'vitest';
import { recordRun, type RecordedRun } from '../src/app/record-run.js';
import { CodeImage } from '../src/model/code-image.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { swarmScenario } from '../src/scenario/swarm.js';
import { validateScenario } from '../src/scenario/validate.js';
import { CpuState, DetectSource, Ev, Msg } from '../src/format/event-kinds.js';
import type { EventRow } from '../src/trace/event-rows.js';
import { builtin, eventsOfKind, runInMemory } from './fixtures/recorded-in-memory.js';

const run = runInMemory;
const of = eventsOfKind;
const metric = (r: RecordedRun, name: string): number | null => {
  const m = r.result.metrics.find((x) => x.name === name);
  if (m === undefined) throw new Error(`no metric ${name}`);
  return m.value;
};
const sends = (ev: readonly EventRow[], msg: number, attempt: number): EventRow[] =>
  of(ev, Ev.IPI_SEND).filter((e) => e.b === msg && e.c === attempt);

describe('lpm-rendezvous: p8-to-p9 patched inside the suspend rendezvous', () => {
  test.each([1, 2, 3, 4, 5])('seed %i: stale window 0, no stale accounting samples, no violation, plausible downtime and quiesce', (seed) => {
    const { run: r, ev } = run(builtin('lpm-rendezvous'), seed);
    expect(metric(r, 'stale_window_ns')).toBe(0);
    expect(metric(r, 'accounting_error_stale')).toBeNull();
    expect(metric(r, 'violations')).toBe(0);
    expect(metric(r, 'accounting_error_after')).toBeCloseTo(0, 2);
    expect(metric(r, 'detection_latency_ns')).toBe(0);
    // No patch protocol ran: the suspend applied the fix-ups.
    expect(of(ev, Ev.ATTEMPT_BEGIN)).toEqual([]);
    const [pause] = of(ev, Ev.MIG_PAUSE);
    const [resume] = of(ev, Ev.MIG_RESUME);
    if (pause === undefined || resume === undefined) throw new Error('no pause or resume');
    // The workload's downtime is the stop-and-copy plus the fix-ups (a few microseconds).
    const copyNs = pause.b as number;
    expect(metric(r, 'downtime_ns')).toBeGreaterThan(copyNs);
    expect(metric(r, 'downtime_ns')).toBeLessThan(copyNs + 50_000);
    // Every online vCPU joined (H_JOIN) before the pause; the last one's barrier says 0 missing.
    const joins = of(ev, Ev.BARRIER).filter((e) => e.seq < pause.seq);
    expect(new Set(joins.map((e) => e.cpu)).size).toBe(16);
    expect(joins.at(-1)?.b).toBe(0);
    // The fix-ups: written after the pause and before the resume, their sync at the resume's instant.
    const writes = of(ev, Ev.PATCH_BEGIN);
    expect(writes.length).toBe(2);
    expect(writes.every((w) => w.seq > pause.seq && w.seq < resume.seq)).toBe(true);
    const [detect] = of(ev, Ev.DETECT);
    const [sync] = of(ev, Ev.SYNC);
    expect([detect?.tNs, sync?.tNs]).toEqual([resume.tNs, resume.tNs]);
    expect(detect?.c).toBe(DetectSource.NOTIFICATION);
    // Quiesce: from the first STOP to the last vCPU out of WAIT, within a millisecond of the downtime.
    const firstStop = sends(ev, Msg.STOP, -1)[0];
    const lastOut = of(ev, Ev.CPU_STATE).filter((e) => e.b === CpuState.WAIT).at(-1);
    const quiesceNs = (lastOut?.tNs as number) - (firstStop?.tNs as number);
    expect(quiesceNs).toBeGreaterThan(metric(r, 'downtime_ns') as number);
    expect(quiesceNs).toBeLessThan((metric(r, 'downtime_ns') as number) + 1_000_000);
    // H_PROD (MSG2) wakes the 15 others; nobody is left waiting; the image is the destination's.
    expect(sends(ev, Msg.MSG2, -1)).toHaveLength(15);
    const last = new Map<number, number>();
    for (const e of of(ev, Ev.CPU_STATE)) last.set(e.cpu as number, e.a as number);
    expect([...last.values()].filter((st) => st === CpuState.WAIT)).toEqual([]);
    const s = builtin('lpm-rendezvous');
    const image = new CodeImage(s.guest.routines, s.source, s.destination);
    for (const w of writes) expect(w.b).toBe(image.variantFor(w.a as number, s.destination));
  });

  test('comparable with the detect-after-resume protocol on the same seeds: the same workload until the suspend, no stale window', () => {
    for (const seed of [1, 2, 3]) {
      const lpm = run(builtin('lpm-rendezvous'), seed);
      const seedProtocol = run(builtin('p8-to-p9'), seed);
      const firstStop = sends(lpm.ev, Msg.STOP, -1)[0]?.seq as number;
      // Same seeds, same named streams: every event up to the suspend is the same.
      expect(lpm.ev.slice(0, firstStop).map((e) => [e.tNs, e.kind, e.cpu, e.a, e.b, e.c]))
        .toEqual(seedProtocol.ev.slice(0, firstStop).map((e) => [e.tNs, e.kind, e.cpu, e.a, e.b, e.c]));
      expect(metric(lpm.run, 'accounting_error_before')).toBe(metric(seedProtocol.run, 'accounting_error_before'));
      expect(metric(seedProtocol.run, 'stale_window_ns')).toBeGreaterThan(1_000_000);
      expect(metric(seedProtocol.run, 'accounting_error_stale')).toBeGreaterThan(2);
      expect(metric(lpm.run, 'stale_window_ns')).toBe(0);
    }
  });
});

describe('pseries-suspend-retry: a vCPU that never joins', () => {
  test('exactly 5 join attempts, 1/10/100/1,000 ms apart, then the migration is abandoned on the source, no violation', () => {
    const s = builtin('pseries-suspend-retry');
    const { run: r, ev } = run(s);
    const aborts = of(ev, Ev.ATTEMPT_ABORT);
    expect(aborts.map((e) => [e.cpu, e.a, e.b])).toEqual([1, 2, 3, 4, 5].map((k) => [0, -k, 15]));
    expect(metric(r, 'aborts')).toBe(5);
    // Each attempt: STOP to every vCPU (the hung vCPU 5 never takes it); the 15 joined are prodded back.
    for (let k = 1; k <= 5; k++) {
      expect(sends(ev, Msg.STOP, -k)).toHaveLength(16);
      expect(sends(ev, Msg.MSG2, -k)).toHaveLength(14);
      const stops = sends(ev, Msg.STOP, -k);
      expect(aborts[k - 1]?.tNs).toBe((stops[0]?.tNs as number) + s.migration.joinTimeoutNs);
    }
    expect(sends(ev, Msg.STOP, -6)).toEqual([]);
    // pseries_suspend's msleep between attempts: from the last prod of one to the first STOP of the next.
    const gaps = [1, 2, 3, 4].map((k) => (sends(ev, Msg.STOP, -(k + 1))[0]?.tNs as number) - (sends(ev, Msg.MSG2, -k).at(-1)?.tNs as number));
    expect(gaps).toEqual([1_000_000, 10_000_000, 100_000_000, 1_000_000_000]);
    // Abandoned: recorded, no pause, no resume, nothing patched, the guest runs on.
    expect(of(ev, Ev.GIVE_UP).map((e) => [e.cpu, e.a])).toEqual([[0, 5]]);
    expect(of(ev, Ev.MIG_PAUSE)).toEqual([]);
    expect(of(ev, Ev.MIG_RESUME)).toEqual([]);
    expect(of(ev, Ev.PATCH_BEGIN)).toEqual([]);
    expect(metric(r, 'violations')).toBe(0);
    expect(metric(r, 'stale_window_ns')).toBeNull();
    const afterGiveUp = of(ev, Ev.ACCT).filter((e) => e.tNs > (of(ev, Ev.GIVE_UP)[0]?.tNs as number));
    expect(afterGiveUp.length).toBeGreaterThan(500);
  });

  test('a vCPU that hangs for a while only: a later attempt gathers everyone and the migration completes', () => {
    const base = builtin('pseries-suspend-retry');
    // vCPU 5 hangs 1.15 s into the run for 150 ms: attempts 1-3 fail, attempt 4 (100 ms after the third) succeeds.
    const s = validateScenario({ ...base, faults: [{ kind: 'hung-cpu', cpu: 5, after: 'start', atNs: 1_150_000_000, durationNs: 150_000_000 }] }, 'test');
    const { run: r, ev } = run(s);
    expect(of(ev, Ev.ATTEMPT_ABORT).map((e) => e.a)).toEqual([-1, -2, -3]);
    expect(of(ev, Ev.MIG_RESUME)).toHaveLength(1);
    expect(metric(r, 'stale_window_ns')).toBe(0);
    expect(metric(r, 'violations')).toBe(0);
  });
});

describe('lpm-rendezvous under the 200-seed all-faults swarm (sim only)', () => {
  test('with broadcast-ack-robust behind it (for a second migration): 0 violations, every suspend completes with stale window 0', () => {
    const base = builtin('lpm-rendezvous');
    let violations = 0;
    const staleWindows = new Set<number | null | undefined>();
    for (let seed = 1; seed <= 200; seed++) {
      const s = swarmScenario({ ...base, protocol: { ...base.protocol, name: 'broadcast-ack-robust' } }, seed, { allFaults: true });
      const { result } = recordRun({ scenario: s, seed, label: null, sink: null });
      violations += result.violations;
      staleWindows.add(result.metrics.find((m) => m.name === 'stale_window_ns')?.value);
    }
    expect(violations).toBe(0);
    // The swarm's faults strike after the resume at the earliest, so every suspend gathers everyone.
    expect([...staleWindows]).toEqual([0]);
  });
});

describe('migration.suspend in scenarios', () => {
  test('defaults to pause; a bad value is refused naming the field', () => {
    expect(builtin('p8-to-p9').migration.suspend).toBe('pause');
    const s = JSON.parse(JSON.stringify(builtin('p8-to-p9'))) as { migration: Record<string, unknown> };
    s.migration.suspend = 'join';
    expect(() => validateScenario(s, 'x')).toThrow(/migration\.suspend/);
    s.migration.suspend = 'rendezvous';
    s.migration.joinTimeoutNs = 0;
    expect(() => validateScenario(s, 'x')).toThrow(/migration\.joinTimeoutNs/);
  });
});
