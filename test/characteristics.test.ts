/**
 * Characteristics beyond the PVR, read back from real traces: the PURR rule recomputed from the
 * recorded state intervals (SMT2, SMT4, SMT8 and a POWER9 big-core host), the compatibility mode's
 * logical PVR, and the mitigation flush types of `lpm-entry-flush`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { recordToTrace } from '../src/app/record-to-trace.js';
import { CHARACTERISTICS, CpuState, Invariant, ViolationDetail } from '../src/format/event-kinds.js';
import type { ProtocolName } from '../src/scenario/scenario.js';
import { getMetrics } from '../src/trace/runs.js';
import { openTraceDb, type TraceDb } from '../src/trace/trace-db.js';
import { useTempDirs } from './fixtures/temp-db.js';
import { migpatch } from './fixtures/cli.js';

const tempDir = useTempDirs();

interface Recorded {
  readonly db: TraceDb;
  readonly runId: number;
  metric(name: string): number | null;
  all<T>(sql: string): T[];
  one<T>(sql: string): T;
}

async function record(scenario: string, seed: number, sets: string[] = [], protocol: ProtocolName | null = null): Promise<Recorded> {
  const dbPath = path.join(tempDir(), 'trace.db');
  const out = await recordToTrace({ scenario, seed, protocol, sets, label: null, dbPath });
  const db = await openTraceDb(dbPath, 'read');
  const runId = out.runId!;
  const metrics = await getMetrics(db, runId);
  return {
    db,
    runId,
    metric: (name) => {
      const m = metrics.find((x) => x.name === name);
      if (m === undefined) throw new Error(`no metric ${name}`);
      return m.value;
    },
    all: <T>(sql: string) => db.sqlite.prepare(sql).all({ run: runId }) as T[],
    one: <T>(sql: string) => db.sqlite.prepare(sql).pluck().get({ run: runId }) as T,
  };
}

/** States whose hardware thread dispatches (shares the core's cycles): all but idle, paused, offline. */
const BUSY = new Set<number>([
  CpuState.RUNNING, CpuState.IRQ_OFF, CpuState.HANDLER, CpuState.WAIT, CpuState.INITIATOR, CpuState.PATCHING,
  CpuState.HUNG,
]);
/** States in which a process runs (truth and charged time accrue). */
const RUNS = new Set<number>([CpuState.RUNNING, CpuState.IRQ_OFF]);

interface Interval { readonly state: number; readonly start: number; readonly end: number }

/**
 * The PURR rule, recomputed from `cpu_intervals` over the stale window: a process running from a
 * to b is truly charged ∫ dt / k, k the busy threads of its PURR group (the core, or the SMT4 half
 * on a big-core host); the stale `scaled-direct` routine on an unscaled PURR charges b - a. Each
 * vCPU's window runs from the resume to its last accounting sample before the patch's sync, as the
 * metric's samples do.
 */
function purrRuleFromIntervals(r: Recorded, groupThreads: number): { truthNs: number; chargedNs: number } {
  const resumeSeq = r.one<number>('select min(seq) from ev_mig_resume where run_id = @run');
  const resumeNs = r.one<number>('select min(t_ns) from ev_mig_resume where run_id = @run');
  const syncSeq = r.one<number>(`select min(seq) from ev_sync where run_id = @run and seq > ${resumeSeq}`);
  const cuts = new Map(r.all<{ cpu: number; cut: number }>(`select cpu, max(t_ns) as cut from ev_acct
    where run_id = @run and seq > ${resumeSeq} and seq < ${syncSeq} group by cpu`).map((x) => [x.cpu, x.cut]));
  const byCpu = new Map<number, Interval[]>();
  for (const row of r.all<{ cpu: number; state: number; start_ns: number; end_ns: number }>(
    `select cpu, state, start_ns, end_ns from cpu_intervals where run_id = @run and end_ns > ${resumeNs} order by cpu, start_ns`)) {
    const list = byCpu.get(row.cpu) ?? [];
    list.push({ state: row.state, start: row.start_ns, end: row.end_ns });
    byCpu.set(row.cpu, list);
  }
  const stateAt = (cpu: number, t: number): number => {
    const list = byCpu.get(cpu) ?? [];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const it = list[mid] as Interval;
      if (t < it.start) hi = mid - 1;
      else if (t >= it.end) lo = mid + 1;
      else return it.state;
    }
    return CpuState.IDLE;
  };
  let truthNs = 0;
  let chargedNs = 0;
  for (const [cpu, list] of byCpu) {
    const cut = cuts.get(cpu);
    if (cut === undefined) continue;
    const group = Math.floor(cpu / groupThreads);
    const members = Array.from({ length: groupThreads }, (_, i) => group * groupThreads + i).filter((c) => byCpu.has(c));
    for (const it of list) {
      if (!RUNS.has(it.state)) continue;
      const a = Math.max(it.start, resumeNs);
      const b = Math.min(it.end, cut);
      if (b <= a) continue;
      chargedNs += b - a;
      // Breakpoints: where any member of the group changes state inside [a, b).
      const points = new Set<number>([a, b]);
      for (const m of members) {
        for (const o of byCpu.get(m) as Interval[]) {
          if (o.start > a && o.start < b) points.add(o.start);
          if (o.end > a && o.end < b) points.add(o.end);
        }
      }
      const sorted = [...points].sort((x, y) => x - y);
      for (let i = 0; i + 1 < sorted.length; i++) {
        const s = sorted[i] as number;
        const e = sorted[i + 1] as number;
        const k = members.filter((m) => BUSY.has(stateAt(m, s))).length;
        expect(k).toBeGreaterThanOrEqual(1);
        truthNs += (e - s) / k;
      }
    }
  }
  return { truthNs, chargedNs };
}

// Partial load with short bursts, and detection by polling only (no notification): a stale window
// of up to 100 ms in which threads keep going busy and idle, so k changes often.
const PARTIAL = [
  'guest.utilization=0.5', 'guest.processes=16', 'guest.burstMeanNs=300000', 'detection.notification.enabled=false',
];

describe('under partial load, accounting_error_stale is the PURR rule recomputed from cpu_intervals', () => {
  const cases: readonly { name: string; scenario: string; sets: string[]; groupThreads: number }[] = [
    { name: 'SMT2', scenario: 'p8-to-p9', sets: ['source.smt=2', 'destination.smt=2'], groupThreads: 2 },
    { name: 'SMT4', scenario: 'p8-to-p9', sets: [], groupThreads: 4 },
    { name: 'SMT8', scenario: 'p8-to-p9', sets: ['source.smt=8', 'destination.smt=8'], groupThreads: 8 },
    { name: 'POWER9 big-core (SMT8 of two SMT4 halves)', scenario: 'p8-to-p9-bigcore', sets: [], groupThreads: 4 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await record(c.scenario, 3, [...c.sets, ...PARTIAL]);
      const stale = r.metric('accounting_error_stale');
      expect(stale).not.toBeNull();
      const { truthNs, chargedNs } = purrRuleFromIntervals(r, c.groupThreads);
      expect(truthNs).toBeGreaterThan(1e6);
      expect(stale!).toBeCloseTo((chargedNs - truthNs) / truthNs, 9);
      // The recomputation is the metric's own sums, sample by sample.
      const sums = r.db.sqlite.prepare(`select sum(truth_ns) as t, sum(charged_ns) as c from ev_acct where run_id = @run
        and seq > (select min(seq) from ev_mig_resume where run_id = @run)
        and seq < (select min(seq) from ev_sync where run_id = @run and seq > (select min(seq) from ev_mig_resume where run_id = @run))`)
        .get({ run: r.runId }) as { t: number; c: number };
      expect(truthNs / sums.t).toBeCloseTo(1, 9);
      expect(chargedNs / sums.c).toBeCloseTo(1, 9);
      // Partly loaded groups: below the all-busy error of k - 1 (k = groupThreads), not below zero
      // (the stale routine never undercharges on an unscaled PURR).
      expect(stale!).toBeGreaterThan(-1e-9);
      expect(stale!).toBeLessThan(c.groupThreads - 1);
    });
  }

  test('big-core and a plain SMT8 core differ: the half shares, not the core', async () => {
    const big = await record('p8-to-p9-bigcore', 1);
    const plain = await record('p8-to-p9-bigcore', 1, ['destination.bigCore=false']);
    // All busy: the stale routine overcharges by k - 1 with k = 4 busy threads per half, 8 per core.
    expect(big.metric('accounting_error_stale')!).toBeCloseTo(3, 6);
    expect(plain.metric('accounting_error_stale')!).toBeCloseTo(7, 6);
  });
});

describe('compatibility mode: the logical PVR', () => {
  const pvrBit = 1 << CHARACTERISTICS.indexOf('pvr');
  const purrBit = 1 << CHARACTERISTICS.indexOf('purr');

  test('p8-to-p9-bigcore runs in POWER8 mode: the PURR change is detected, the PVR seen does not change', async () => {
    const r = await record('p8-to-p9-bigcore', 1);
    const mask = r.one<number>('select diff_mask from ev_detect where run_id = @run order by seq limit 1');
    expect(mask & pvrBit).toBe(0);
    expect(mask & purrBit).toBe(purrBit);
    const patched = r.all<{ name: string }>(`select distinct ro.name from ev_patch_begin p join routines ro
      on ro.run_id = p.run_id and ro.routine_id = p.routine where p.run_id = @run`).map((x) => x.name);
    expect(patched).toEqual(['acct.purr_to_cputime']);
  });

  test('without the compatibility mode the real PVR changes and the feature fixups are patched too', async () => {
    const r = await record('p8-to-p9-bigcore', 1, ['destination.compatMode=null']);
    const mask = r.one<number>('select diff_mask from ev_detect where run_id = @run order by seq limit 1');
    expect(mask & pvrBit).toBe(pvrBit);
    expect(r.one<number>('select max(patches) from ev_detect where run_id = @run')).toBe(2);
  });

  test('a big-core host that is not POWER9 SMT8, or a newer compatibility mode, is refused in one line, exit 2', () => {
    const dir = tempDir();
    const db = path.join(dir, 'refused.db');
    const big = migpatch(['record', '--scenario', 'p8-to-p9', '--set', 'destination.bigCore=true', '--db', db], dir);
    expect(big.code).toBe(2);
    expect(big.stderr.trim()).toBe('migpatch: scenario p8-to-p9: destination.bigCore needs processor POWER9 and smt 8, got POWER9 SMT4');
    const compat = migpatch(['record', '--scenario', 'p8-to-p9', '--set', 'source.compatMode=POWER9', '--db', db], dir);
    expect(compat.code).toBe(2);
    expect(compat.stderr).toContain('source.compatMode POWER9 is newer than processor POWER8');
    expect(compat.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(db)).toBe(false);
  });
});

describe('lpm-entry-flush: the flush types firmware reports change, the entry/exit mitigation is re-patched', () => {
  const ROUTINES = `select routine_id from routines where run_id = @run and name like 'sec.%'`;

  for (const seed of [1, 2, 3]) {
    test(`seed ${seed}: stop-machine patches both mitigation routines with 0 violations`, async () => {
      const r = await record('lpm-entry-flush', seed);
      expect(r.metric('violations')).toBe(0);
      expect(r.one<number>(`select count(distinct routine) from ev_patch_begin where run_id = @run and routine in (${ROUTINES})`)).toBe(2);
      const mask = r.one<number>('select diff_mask from ev_detect where run_id = @run order by seq limit 1');
      for (const c of ['l1d_flush', 'entry_flush', 'stf_barrier'] as const) {
        expect(mask & (1 << CHARACTERISTICS.indexOf(c))).not.toBe(0);
      }
      // POWER9 mode on the POWER10: the logical PVR does not change, no feature fixup is patched.
      expect(mask & (1 << CHARACTERISTICS.indexOf('pvr'))).toBe(0);
    });

    test(`seed ${seed}: no-quiesce tears the mitigation code other vCPUs run at kernel entry and exit`, async () => {
      const r = await record('lpm-entry-flush', seed, [], 'no-quiesce');
      const torn = r.one<number>(`select count(*) from ev_violation where run_id = @run and invariant = ${Invariant.SAFETY}
        and detail = ${ViolationDetail.TORN_EXECUTION} and value in (${ROUTINES})`);
      expect(torn).toBeGreaterThan(0);
    });
  }
});
