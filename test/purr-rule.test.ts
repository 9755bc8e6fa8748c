/**
 * Under partial load the stale-window accounting error the run reports equals the PURR rule
 * recomputed from the trace's cpu_intervals alone: POWER8 -> POWER9 leaves the routine that
 * charges the PURR delta directly (right for POWER8's scaled PURR) running on POWER9's unscaled
 * PURR, so a process is charged Δt for each stretch it runs, while the truth is Δt / k, k the busy
 * threads of its core then. Error = Σ charged / Σ truth − 1 over resume → first sync.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CpuState } from '../src/format/event-kinds.js';
import { migpatch } from './fixtures/cli.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

/** States in which a hardware thread dispatches (counts in k): all but idle, paused and offline. */
const IDLE_STATES: ReadonlySet<number> = new Set([CpuState.IDLE, CpuState.PAUSED, CpuState.OFFLINE]);
const RUNS_PROCESS: ReadonlySet<number> = new Set([CpuState.RUNNING, CpuState.IRQ_OFF]);

interface Interval { readonly cpu: number; readonly startNs: number; readonly endNs: number; readonly state: number }

/** Σ Δt and Σ Δt / k over the stretches a process runs in [fromNs, toNs], from vCPU intervals. */
function purrRule(intervals: readonly Interval[], smt: number, fromNs: number, toNs: number): { chargedNs: number; truthNs: number; kSeen: Set<number> } {
  const byCore = new Map<number, Interval[]>();
  for (const iv of intervals) {
    const startNs = Math.max(iv.startNs, fromNs);
    const endNs = Math.min(iv.endNs, toNs);
    if (endNs <= startNs) continue;
    const core = Math.floor(iv.cpu / smt);
    byCore.set(core, [...(byCore.get(core) ?? []), { ...iv, startNs, endNs }]);
  }
  let chargedNs = 0;
  let truthNs = 0;
  const kSeen = new Set<number>();
  for (const ivs of byCore.values()) {
    const cuts = [...new Set(ivs.flatMap((iv) => [iv.startNs, iv.endNs]))].sort((a, b) => a - b);
    for (let j = 0; j + 1 < cuts.length; j++) {
      const t0 = cuts[j] as number;
      const t1 = cuts[j + 1] as number;
      const live = ivs.filter((iv) => iv.startNs <= t0 && iv.endNs >= t1);
      const k = live.filter((iv) => !IDLE_STATES.has(iv.state)).length;
      for (const iv of live) {
        if (!RUNS_PROCESS.has(iv.state)) continue;
        kSeen.add(k);
        chargedNs += t1 - t0;
        truthNs += (t1 - t0) / k;
      }
    }
  }
  return { chargedNs, truthNs, kSeen };
}

describe('accounting_error_stale under partial load follows the PURR rule', () => {
  test.each([2, 4, 8])('SMT%i', (smt) => {
    const dir = tempDir();
    const r = migpatch(['record', '--scenario', 'p8-to-p9', '--seed', '3', '--db', 'x.db', '--json',
      '--set', 'guest.utilization=0.5', '--set', 'guest.processes=16',
      '--set', `source.smt=${smt}`, '--set', `destination.smt=${smt}`], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const db = new Database(path.join(dir, 'x.db'), { readonly: true });
    try {
      const one = (sql: string): number => db.prepare(sql).pluck().get() as number;
      const resumeNs = one('select min(t_ns) from ev_mig_resume');
      const syncNs = one('select min(t_ns) from ev_sync');
      const reported = one("select value from metrics where name = 'accounting_error_stale'");
      const intervals = db.prepare('select cpu, start_ns as startNs, end_ns as endNs, state from cpu_intervals order by cpu, start_ns').all() as Interval[];
      const { chargedNs, truthNs, kSeen } = purrRule(intervals, smt, resumeNs, syncNs);
      expect(truthNs).toBeGreaterThan(0);
      expect(reported).toBeCloseTo(chargedNs / truthNs - 1, 9);
      // Partial load: cores are not always full, so the error is not the full-load smt - 1.
      expect([...kSeen].some((k) => k < smt)).toBe(true);
      expect(reported).toBeLessThan(smt - 1);
    } finally {
      db.close();
    }
  });
});
